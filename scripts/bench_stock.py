"""Brújula's full stack against a stock ``rasa init`` bot, side by side in one run (``make bench``).

Both bots run as their own processes on spare 127.0.0.1 ports, exactly as they would be served:

* **stock**: ``rasa init --no-prompt`` in ``.bench/stock`` (made and trained once, then cached), served
  with ``rasa run``: Rasa's REST channel, in-memory tracker store, no custom actions, the default
  DIET + TED pipeline;
* **Brújula**: ``rasa run`` with ``credentials.yml`` (our REST channel and every other channel), the
  trained ``models/brujula.tar.gz``, the SQLite tracker store (or ``--store postgres``: PostgreSQL on
  127.0.0.1:5432), and the actions with the real content inside the Rasa server, as ``endpoints.yml``
  runs them (:mod:`bot.inprocess_actions`); ``--actions remote`` runs ``python -m bot.action_server`` instead.

Both get the same 10-message mix in five languages (every conversation is a new sender). In every
round the two bots alternate (the order flips each round, so other load on the machine hits both alike):
latency at concurrency 1, then messages/s with 10 and with 50 people writing at once, each waiting
for the answer before writing again. The medians over the rounds are printed, with the ratios.
Finally both serve the rest of 1,000 conversations, and the resident memory (RSS) of each Rasa server
and of the action server is printed.

    python scripts/bench_stock.py [--rounds 3] [--store sqlite|postgres|both] [--actions in-process|remote]

Nothing is downloaded: the stock bot is trained offline from Rasa's own template.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / ".bench"
STOCK_DIR = BENCH_DIR / "stock"
BIN = Path(sys.executable).parent
# login_db: Rasa connects there first and creates brujula_bench if it does not exist yet
POSTGRES = {"url": "127.0.0.1", "port": 5432, "db": "brujula_bench", "username": "postgres", "login_db": "postgres"}

# The same ten messages for both bots: a greeting and a question in each of the five languages.
MIX = (
    "hola",
    "necesito un albergue en lima",
    "hello",
    "I need a doctor in Bogotá",
    "olá",
    "preciso de ajuda com documentos",
    "bonjour",
    "je cherche du travail",
    "bonjou",
    "mwen bezwen yon avoka",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (Linux), in MB."""
    total = 0
    for task in [pid, *children(pid)]:
        try:
            for line in Path(f"/proc/{task}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    result = [int(child) for child in found]
    for child in list(result):
        result.extend(children(child))
    return result


def stock_model() -> Path:
    """The stock bot's model: made with ``rasa init --no-prompt`` and trained once, then reused."""
    models = sorted((STOCK_DIR / "models").glob("*.tar.gz")) if STOCK_DIR.is_dir() else []
    if models:
        return models[-1]
    print("Making the stock bot (rasa init --no-prompt, trained once; a few minutes)...", flush=True)
    shutil.rmtree(STOCK_DIR, ignore_errors=True)
    STOCK_DIR.mkdir(parents=True)
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
    subprocess.run(
        [str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(STOCK_DIR)],  # noqa: S603
        check=True,
        cwd=str(BENCH_DIR),
        env=env,
        stdout=subprocess.DEVNULL,
    )
    models = sorted((STOCK_DIR / "models").glob("*.tar.gz"))
    if not models:
        raise SystemExit("rasa init did not produce a model")
    return models[-1]


@dataclass
class Bot:
    name: str
    url: str
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    conversations: int = 0

    @property
    def rasa_pid(self) -> int:
        return self.processes["rasa"].pid


def wait_until_up(url: str, processes: dict[str, subprocess.Popen[bytes]], timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, process in processes.items():
            if process.poll() is not None:
                raise SystemExit(f"{name} exited with {process.returncode} while starting")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - loopback
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not come up in {timeout:.0f} s")


def rasa_run(
    model: Path, port: int, credentials: Path, endpoints: Path, cwd: Path, env: dict[str, str], log: Any
) -> subprocess.Popen[bytes]:
    """``rasa run`` (our interpreter's) with ``model`` on 127.0.0.1:``port``, its output in ``log``."""
    command = [str(BIN / "rasa"), "run", "--model", str(model), "--port", str(port), "--interface", "127.0.0.1"]
    command += ["--credentials", str(credentials), "--endpoints", str(endpoints)]
    return subprocess.Popen(command, cwd=str(cwd), env=env, stdout=log, stderr=log)  # noqa: S603


def start_stock(env: dict[str, str], log: Any) -> Bot:
    model = stock_model()
    port = free_port()
    rasa = rasa_run(model, port, STOCK_DIR / "credentials.yml", STOCK_DIR / "endpoints.yml", STOCK_DIR, env, log)
    bot = Bot("stock", f"http://127.0.0.1:{port}", {"rasa": rasa})
    return bot


def start_brujula(env: dict[str, str], log: Any, state: Path, store: str, actions: str, name: str = "brujula") -> Bot:
    model = ROOT / "models" / "brujula.tar.gz"
    if not model.exists():
        raise SystemExit("models/brujula.tar.gz is missing: make train")
    port = free_port()
    action_port = free_port()
    backend: dict[str, Any] = {"type": "sql", "dialect": "sqlite", "db": str(state / "trackers.db")}
    if store == "postgres":
        backend = {"type": "sql", "dialect": "postgresql", **POSTGRES}
    endpoint: dict[str, Any] = {"url": f"http://127.0.0.1:{action_port}/webhook"}
    if actions == "in-process":
        endpoint = {"url": "inprocess:actions"}
    endpoints = state / f"endpoints-{name}.yml"
    endpoints.write_text(
        json.dumps(
            {  # JSON is YAML
                "action_endpoint": endpoint,
                "tracker_store": {"type": "bot.tracker_store.PrivacyTrackerStore", "backend": backend},
            }
        )
    )
    processes: dict[str, subprocess.Popen[bytes]] = {}
    if actions == "remote":
        processes["actions"] = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "bot.action_server", "--port", str(action_port), "--log-level", "WARNING"],
            cwd=str(ROOT),
            env=env,
            stdout=log,
            stderr=log,
        )
        wait_until_up(f"http://127.0.0.1:{action_port}/health", processes)
    processes["rasa"] = rasa_run(model, port, ROOT / "credentials.yml", endpoints, ROOT, env, log)
    return Bot(name, f"http://127.0.0.1:{port}", processes)


class Load:
    """Simulated people: each writes one message, waits for the answer, writes the next."""

    def __init__(self, session: Any, run_id: str) -> None:
        self.session, self.run_id = session, run_id

    async def conversation(self, bot: Bot, messages: int, latencies: list[float]) -> None:
        bot.conversations += 1
        sender = f"bench-{self.run_id}-{bot.name}-{bot.conversations}"
        for number in range(messages):
            started = time.perf_counter()
            async with self.session.post(
                f"{bot.url}/webhooks/rest/webhook", json={"sender": sender, "message": MIX[number % len(MIX)]}
            ) as reply:
                body = await reply.json()  # the stock bot answers some of the mix with nothing: still a turn
                if reply.status != 200 or not isinstance(body, list):
                    raise RuntimeError(f"{bot.name}: {reply.status} {body!r}")
            latencies.append(time.perf_counter() - started)

    async def run(self, bot: Bot, users: int, conversations: int, messages: int = len(MIX)) -> dict[str, float]:
        """``conversations`` conversations of ``messages`` messages, ``users`` at a time."""
        latencies: list[float] = []
        queue = list(range(conversations))

        async def person() -> None:
            while queue:
                queue.pop()
                await self.conversation(bot, messages, latencies)

        started = time.perf_counter()
        await asyncio.gather(*(person() for _ in range(users)))
        elapsed = time.perf_counter() - started
        latencies.sort()
        return {
            "per_second": len(latencies) / elapsed,
            "p50_ms": 1000 * latencies[len(latencies) // 2],
            "p95_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))],
        }


PHASES = (("c1", 1, 3), ("c10", 10, 20), ("c50", 50, 50))  # name, people at once, conversations (x10 msgs)


async def bench(args: argparse.Namespace) -> int:
    import aiohttp

    state = Path(tempfile.mkdtemp(prefix="brujula-bench-stock-"))
    log = (BENCH_DIR / "servers.log").open("ab")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BRUJULA_STATE_DIR": str(state),
        "BRUJULA_ID_KEY": "bench-id-key",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "RASA_TELEMETRY_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }
    for name in [key for key in env if key.startswith(("TWILIO_", "TELEGRAM_"))]:
        env.pop(name)  # those channels stay disabled: REST only is compared
    bots = [start_stock(env, log)]
    if args.store in ("sqlite", "both"):
        bots.append(start_brujula(env, log, state, "sqlite", args.actions))
    if args.store in ("postgres", "both"):
        bots.append(
            start_brujula(
                env, log, state, "postgres", args.actions, "brujula" if args.store == "postgres" else "brujula_pg"
            )
        )
    results: dict[str, dict[str, list[float]]] = {bot.name: {} for bot in bots}
    try:
        for bot in bots:
            wait_until_up(f"{bot.url}/webhooks/rest/", bot.processes)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, keepalive_timeout=2)) as session:
            load = Load(session, uuid.uuid4().hex[:8])
            for bot in bots:  # warm-up: connections, first tracker-store writes, lazy imports
                await load.run(bot, 10, 10)
            for round_number in range(args.rounds):
                order = bots if round_number % 2 == 0 else bots[::-1]  # alternate: noise hits all alike
                for phase, users, conversations in [phase for phase in PHASES if phase[0] in args.phases]:
                    for bot in order:
                        measured = await load.run(bot, users, conversations)
                        for key, value in measured.items():
                            results[bot.name].setdefault(f"{phase}_{key}", []).append(value)
                print(f"  round {round_number + 1}/{args.rounds} done", file=sys.stderr, flush=True)
            for bot in bots:  # the rest of the 1,000 conversations, short ones, for the memory figure
                left = args.conversations - bot.conversations
                if left > 0:
                    await load.run(bot, 50, left, messages=2)
            memory = {bot.name: {name: rss_mb(process.pid) for name, process in bot.processes.items()} for bot in bots}
            served = {bot.name: bot.conversations for bot in bots}
    finally:
        for bot in bots:
            for process in bot.processes.values():
                process.terminate()
            for process in bot.processes.values():
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        shutil.rmtree(state, ignore_errors=True)
        log.close()

    def median(bot: str, key: str) -> float:
        return statistics.median(results[bot][key])

    what = f"Brújula: {args.store}, actions {args.actions}"
    ours = [bot.name for bot in bots if bot.name != "stock"]
    print(
        f"\nStock rasa init bot vs Brújula full stack ({what}); 10-message mix in 5 languages, "
        f"median of {args.rounds} rounds, 127.0.0.1\n"
    )
    print(f"  {'':<22} {'stock':>9}" + "".join(f" {name:>11} {'ratio':>6}" for name in ours))
    rows = [
        ("p50 ms, 1 user", "c1_p50_ms"),
        ("p95 ms, 1 user", "c1_p95_ms"),
        ("messages/s, 10 users", "c10_per_second"),
        ("p95 ms, 10 users", "c10_p95_ms"),
        ("messages/s, 50 users", "c50_per_second"),
        ("p95 ms, 50 users", "c50_p95_ms"),
    ]
    summary: dict[str, Any] = {}
    rows = [(label, key) for label, key in rows if key.split("_")[0] in args.phases]
    for label, key in rows:
        stock = median("stock", key)
        summary[key] = {"stock": round(stock, 2)}
        line = f"  {label:<22} {stock:>9.1f}"
        for name in ours:
            value = median(name, key)
            summary[key][name] = round(value, 2)
            summary[key][f"{name}_ratio"] = round(value / stock, 3)
            line += f" {value:>11.1f} {value / stock:>5.2f}x"
        print(line)
    if "brujula_pg" in ours and "c10" in args.phases:
        pg, lite = median("brujula_pg", "c10_per_second"), median("brujula", "c10_per_second")
        # each round's pair ran back to back: its ratio is less exposed to the machine's load changing
        paired = statistics.median(
            a / b for a, b in zip(results["brujula_pg"]["c10_per_second"], results["brujula"]["c10_per_second"])
        )
        print(
            f"\n  PostgreSQL vs SQLite at 10 users: {pg / lite:.2f}x the messages/s "
            f"(median of the rounds' own ratios: {paired:.2f}x)"
        )
    print(f"\n  RSS (MB) after {', '.join(f'{bot}: {count}' for bot, count in served.items())} conversations:")
    for name_of_bot, processes in memory.items():
        print(f"    {name_of_bot:<11} " + ", ".join(f"{name} {mb:.0f}" for name, mb in processes.items()))
    spread = {key: {bot: [round(value, 2) for value in results[bot][key]] for bot in results} for _label, key in rows}
    print(
        json.dumps(
            {
                "bench": "stock",
                "store": args.store,
                "actions": args.actions,
                "rounds": args.rounds,
                "results": summary,
                "rss_mb": memory,
                "conversations": served,
                "per_round": spread,
            }
        )
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--store",
        choices=("sqlite", "postgres", "both"),
        default="sqlite",
        help="Brújula tracker store; both: a SQLite and a PostgreSQL Brújula in the same run",
    )
    parser.add_argument(
        "--actions",
        choices=("remote", "in-process"),
        default="in-process",
        help="in-process: as endpoints.yml serves them (the default); remote: a separate action server",
    )
    parser.add_argument("--conversations", type=int, default=1000, help="conversations served before RSS is read")
    parser.add_argument(
        "--phases",
        type=lambda text: text.split(","),
        default=[name for name, _users, _conversations in PHASES],
        help="comma-separated subset of c1,c10,c50 (e.g. c10 with many --rounds for the PostgreSQL/SQLite ratio)",
    )
    args = parser.parse_args()
    BENCH_DIR.mkdir(exist_ok=True)
    return asyncio.run(bench(args))


if __name__ == "__main__":
    sys.exit(main())
