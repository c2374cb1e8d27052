"""Load and fault run against the production topology (``make prod``) or ``make run``: ``make load``.

N users × M messages over the REST channel, sequential (each user waits for the answer) or burst (each
user sends M messages at once, as people do on WhatsApp), through nginx or alternating replicas
directly. Afterwards every message is looked up in the tracker store:

* lost: no user event for it in the store; "silently" when the person got a normal answer (not the
  technical-problem or "send it again" text);
* reordered: a user's messages stored in another order than sent (sequential runs);
* 5xx, silent (HTTP 200 with no message at all), p50/p95 latency, throughput.

Faults (once, at ``--fault-at`` of the run): ``--kill-action-server`` (one replica's), ``--restart-postgres
"15 main"`` (``pg_ctlcluster ... restart``), ``--stop-redis SECONDS`` (``redis-cli shutdown``, started
again after SECONDS). Loopback only; bounded by ``--users``, ``--messages`` (≤ 2,000 messages) and
``--timeout``.

    python scripts/load.py --users 30 --messages 10 --burst
    python scripts/load.py --users 50 --messages 10 --replicas http://127.0.0.1:5011   # one replica
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import aiohttp
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import content  # noqa: E402 - after the path is set

MAX_MESSAGES = 2000
TEXTS = ("hola", "necesito ayuda", "trabajo", "menu", "gracias", "documentos", "salud", "hola", "ayuda", "ok")


@dataclass
class Result:
    user: int
    seq: int
    tag: str
    status: int = 0
    texts: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str = ""


def loopback(url: str) -> str:
    host = urlparse(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"{url}: load runs only against this machine (127.0.0.1)")
    return url.rstrip("/")


async def send(session: aiohttp.ClientSession, base: str, sender: str, result: Result, text: str) -> Result:
    started = time.monotonic()
    try:
        async with session.post(f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": text}) as resp:
            result.status = resp.status
            body = await resp.text()
            if resp.status == 200:
                result.texts = [m.get("text") or "" for m in json.loads(body)]
    except Exception as error:  # connection refused, timeout: counted, never fatal
        result.error = type(error).__name__
    result.seconds = time.monotonic() - started
    return result


async def user_run(
    session: aiohttp.ClientSession,
    targets: list[str],
    run_id: str,
    user: int,
    messages: int,
    burst: bool,
    alternate: bool,
) -> list[Result]:
    sender = f"load-{run_id}-u{user:03d}"
    results = []
    jobs = []
    for seq in range(messages):
        tag = f"{run_id}u{user:03d}m{seq:03d}"
        base = targets[(seq if alternate else user) % len(targets)]
        result = Result(user, seq, tag)
        coroutine = send(session, base, sender, result, f"{TEXTS[seq % len(TEXTS)]} {tag}")
        if burst:
            jobs.append(coroutine)
        else:
            results.append(await coroutine)
    if burst:
        results = list(await asyncio.gather(*jobs))
    return results


def stored_tags(db_url: str, run_id: str) -> dict[str, list[str]]:
    """sender -> the tags of its user events, in stored order."""
    engine = sa.create_engine(db_url, future=True)
    found: dict[str, list[str]] = {}
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT sender_id, data FROM events WHERE sender_id LIKE :p AND type_name = 'user' " "ORDER BY id"),
            {"p": f"load-{run_id}-%"},
        )
        for sender, data in rows:
            text = json.loads(data).get("text") or ""
            tag = text.rsplit(" ", 1)[-1]
            found.setdefault(sender, []).append(tag)
    engine.dispose()
    return found


# -- faults ---------------------------------------------------------------------------------------
def kill_action_server(port: int) -> str:
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"bot.action_server" in b" ".join(cmdline) and str(port).encode() in cmdline:
            os.kill(int(proc.name), signal.SIGKILL)
            return f"killed the action server on :{port} (pid {proc.name})"
    return f"no action server found on :{port}"


def restart_postgres(cluster: str) -> str:
    started = time.monotonic()
    version, name = cluster.split()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart"],
        check=True,  # noqa: S603,S607
        capture_output=True,
    )
    return f"restarted PostgreSQL {cluster} ({time.monotonic() - started:.1f}s)"


async def stop_redis(port: int, seconds: float, start_command: list[str]) -> str:
    subprocess.run(["redis-cli", "-p", str(port), "shutdown", "nosave"], capture_output=True)  # noqa: S603,S607
    await asyncio.sleep(seconds)
    subprocess.run(start_command, check=True, capture_output=True)  # noqa: S603
    return f"stopped Redis :{port} for {seconds:g}s"


async def fault(args: argparse.Namespace, delay: float) -> str:
    await asyncio.sleep(delay)
    if args.kill_action_server:
        return kill_action_server(args.kill_action_server)
    if args.restart_postgres:
        return await asyncio.get_running_loop().run_in_executor(None, restart_postgres, args.restart_postgres)
    if args.stop_redis:
        command = [
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "--port",
            str(args.redis_port),
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        return await stop_redis(args.redis_port, args.stop_redis, command)
    return ""


# -- report ---------------------------------------------------------------------------------------
def report(
    results: list[Result], stored: dict[str, list[str]], run_id: str, seconds: float, burst: bool, fault_note: str
) -> dict[str, Any]:
    snapshot = content.current()
    technical = {snapshot.text("technical_problem", lang) for lang in ("es", "en", "pt", "fr", "ht")}
    resend = {snapshot.text("message_not_saved", lang) for lang in ("es", "en", "pt", "fr", "ht")}
    all_tags = {tag for tags in stored.values() for tag in tags}
    lost = [r for r in results if r.tag not in all_tags]
    told = [r for r in results if any(t in technical or t in resend for t in r.texts)]
    silently_lost = [r for r in lost if r not in told]
    reordered = 0
    if not burst:
        for tags in stored.values():
            seqs = [int(t.split("m")[-1]) for t in tags]
            reordered += sum(1 for a, b in zip(seqs, seqs[1:]) if b < a)
    latencies = sorted(r.seconds for r in results if r.status)
    return {
        "run": run_id,
        "mode": "burst" if burst else "sequential",
        "messages": len(results),
        "lost": len(lost),
        "lost_silently": len(silently_lost),
        "reordered": reordered,
        "5xx": sum(1 for r in results if r.status >= 500),
        "silent": sum(1 for r in results if r.status == 200 and not r.texts),
        "technical_problem": sum(1 for r in results if any(t in technical for t in r.texts)),
        "told_to_resend": sum(1 for r in results if any(t in resend for t in r.texts)),
        "connection_errors": sum(1 for r in results if r.error),
        "p50_s": round(statistics.median(latencies), 3) if latencies else None,
        "p95_s": round(latencies[int(0.95 * (len(latencies) - 1))], 3) if latencies else None,
        "throughput_msg_s": round(len(results) / seconds, 2) if seconds else None,
        "seconds": round(seconds, 1),
        "fault": fault_note or None,
    }


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    targets = [loopback(u) for u in (args.replicas.split(",") if args.replicas else [args.url])]
    run_id = uuid.uuid4().hex[:6]
    timeout = aiohttp.ClientTimeout(total=args.request_timeout)
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    started = time.monotonic()
    faulty = args.kill_action_server or args.restart_postgres or args.stop_redis
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        fault_task = asyncio.ensure_future(fault(args, args.fault_at)) if faulty else None
        runs = [
            user_run(session, targets, run_id, u, args.messages, args.burst, args.alternate) for u in range(args.users)
        ]
        per_user = await asyncio.wait_for(asyncio.gather(*runs), timeout=args.timeout)
        fault_note = await fault_task if fault_task else ""
    seconds = time.monotonic() - started
    results = [r for user in per_user for r in user]
    await asyncio.sleep(1)  # the last saves land
    stored = stored_tags(args.db_url, run_id)
    return report(results, stored, run_id, seconds, args.burst, fault_note)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The run's settings from the command line (also used by scripts/bench_replicas.py)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8088", help="nginx of make prod (or make run :5005)")
    parser.add_argument("--replicas", help="comma-separated replica URLs to use instead of --url")
    parser.add_argument("--alternate", action="store_true", help="each user's messages alternate replicas")
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--burst", action="store_true", help="each user sends all messages at once")
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument(
        "--db-url",
        default=os.environ.get("BRUJULA_LOAD_DB_URL", "postgresql://postgres@127.0.0.1:5432/brujula_prod"),
        help="the tracker database to check (sqlite:///.state/trackers.db for make run)",
    )
    parser.add_argument("--kill-action-server", type=int, metavar="PORT", help="kill the action server on PORT")
    parser.add_argument("--restart-postgres", metavar="'VERSION CLUSTER'", help="e.g. '15 main'")
    parser.add_argument("--stop-redis", type=float, metavar="SECONDS")
    parser.add_argument("--redis-port", type=int, default=6379)
    parser.add_argument("--fault-at", type=float, default=3.0, help="seconds after the start")
    parser.add_argument("--timeout", type=float, default=600.0, help="the whole run, seconds")
    parser.add_argument("--request-timeout", type=float, default=120.0)
    parser.add_argument("--json", action="store_true", help="print one JSON line only")
    args = parser.parse_args(argv)
    if args.users * args.messages > MAX_MESSAGES:
        parser.error(f"at most {MAX_MESSAGES} messages per run")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    figures = asyncio.run(main_async(args))
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"  {key:18} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
