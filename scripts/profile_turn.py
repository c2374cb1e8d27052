"""cProfile one Rasa server handling Brújula turns (the 10-message mix of bench_stock), to see where time goes.

    python scripts/profile_turn.py --action-url http://127.0.0.1:5055/webhook   # a running action server
    python scripts/profile_turn.py --action-url inprocess:actions              # actions in this process

Loads models/brujula.tar.gz with the SQLite tracker store in a temporary folder, sends ``--conversations``
conversations through :func:`bot.channels.delivery.deliver` (what every channel does) and prints the
functions with the most cumulative and own time. ``--out`` keeps the raw profile.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


async def run(args: argparse.Namespace) -> None:
    import logging

    from rasa.utils.log_utils import configure_structlog

    logging.basicConfig(level=logging.WARNING)
    configure_structlog(logging.WARNING)  # as `rasa run` does: no per-message debug lines
    from rasa.core.agent import load_agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.utils import AvailableEndpoints

    from bot.channels.delivery import deliver
    from scripts.bench_stock import MIX

    state = Path(tempfile.mkdtemp(prefix="brujula-profile-"))
    endpoints = state / "endpoints.yml"
    endpoints.write_text(
        f"action_endpoint:\n  url: {args.action_url}\n"
        "tracker_store:\n  type: bot.tracker_store.PrivacyTrackerStore\n"
        f"  backend: {{type: sql, dialect: sqlite, db: {state / 'trackers.db'}}}\n"
    )
    agent = await load_agent(
        model_path=str(ROOT / "models" / "brujula.tar.gz"), endpoints=AvailableEndpoints.read_endpoints(str(endpoints))
    )

    async def conversation(sender: str) -> None:
        for text in MIX:
            message = UserMessage(text, CollectingOutputChannel(), sender, input_channel="rest")
            await deliver(agent.handle_message, message, agent)

    await conversation("warm-up")
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for number in range(args.conversations):
        await conversation(f"profile-{number}")
    profiler.disable()
    elapsed = time.perf_counter() - started
    turns = args.conversations * len(MIX)
    print(f"{turns} messages in {elapsed:.1f} s: {1000 * elapsed / turns:.1f} ms per message (profiled)\n")
    stats = pstats.Stats(profiler)
    if args.out:
        stats.dump_stats(args.out)
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--action-url", default="inprocess:actions")
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--out")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
