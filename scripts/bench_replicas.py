"""One Rasa replica against two, in production mode, side by side in one run (``make bench-replicas``).

Uses the topology of ``make prod`` (``scripts/prod.sh``: nginx hashing the sender -> 2 Rasa replicas ->
PostgreSQL + Redis), started here when it is not running and stopped again afterwards. Each round runs
the same steady load with ``scripts/load.py`` (``--users`` people x ``--messages`` messages, each person
waiting for the answer before writing again) once against replica 1 alone and once through nginx (both
replicas), the order flipping each round so that other load on the machine hits both alike. Prints the
medians of messages/s and p50, the ratio two / one, and the lost / 5xx / silent counts of every run
(all must be 0). Not part of ``make bench``: it takes a few minutes more and needs nginx.

    python scripts/bench_replicas.py [--rounds 3] [--users 50] [--messages 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import load  # noqa: E402 - after the path is set

NGINX = f"http://127.0.0.1:{os.environ.get('BRUJULA_PROD_PORT', '8088')}"
ONE_REPLICA = "http://127.0.0.1:5011"  # replica 1 of scripts/prod.sh
PROD = str(ROOT / "scripts" / "prod.sh")
FAULTS = ("lost", "reordered", "5xx", "silent", "connection_errors")  # every run must have none


def is_up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - loopback
            return bool(answer.status == 200)
    except OSError:
        return False


def measure(target: list[str], users: int, messages: int) -> dict[str, Any]:
    """One steady load run; ``target`` is ``--url`` or ``--replicas`` with its URL."""
    args = load.parse_args([*target, "--users", str(users), "--messages", str(messages)])
    return asyncio.run(load.main_async(args))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--messages", type=int, default=10)
    args = parser.parse_args()
    started_here = not is_up(NGINX)
    if started_here:
        subprocess.run([PROD, "start"], check=True)  # noqa: S603 - the project's own script
    setups = {"one": ["--replicas", ONE_REPLICA], "two": ["--url", NGINX]}
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in setups}
    try:
        measure(setups["two"], 10, 2)  # warm-up: both replicas' first turns, connections, lazy imports
        for round_number in range(args.rounds):
            order = list(setups) if round_number % 2 == 0 else list(setups)[::-1]
            for name in order:
                runs[name].append(measure(setups[name], args.users, args.messages))
            print(f"  round {round_number + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    finally:
        if started_here:
            subprocess.run([PROD, "stop"], check=False)  # noqa: S603

    def median(name: str, key: str) -> float:
        return float(statistics.median(run[key] for run in runs[name]))

    print(
        f"\nOne Rasa replica vs two behind nginx (make prod: PostgreSQL + Redis); steady load, {args.users} people x "
        f"{args.messages} messages, median of {args.rounds} rounds, 127.0.0.1\n"
    )
    print(f"  {'':<16} {'1 replica':>10} {'2 replicas':>11} {'ratio':>6}")
    for label, key in (("messages/s", "throughput_msg_s"), ("p50 s", "p50_s"), ("p95 s", "p95_s")):
        one, two = median("one", key), median("two", key)
        print(f"  {label:<16} {one:>10.2f} {two:>11.2f} {two / one:>5.2f}x")
    faults = {name: {key: sum(run[key] for run in runs[name]) for key in FAULTS} for name in runs}
    print(f"\n  lost / reordered / 5xx / silent / connection errors, all runs: {faults}")
    print(json.dumps({"bench": "replicas", "rounds": args.rounds, "runs": runs, "faults": faults}))
    return 1 if any(any(counts.values()) for counts in faults.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
