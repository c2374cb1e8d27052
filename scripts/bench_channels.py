"""Webhook-to-reply throughput of the WhatsApp and Telegram channels, against Rasa's REST channel, in one run.

Three processes on 127.0.0.1, as in production:

* the bot: one Sanic server with Rasa's ``RestInput`` and Brújula's ``WhatsAppInput`` and ``TelegramInput``,
  all handing messages to a stub ``on_new_message`` that answers at once (the introduction and the main
  menu, with buttons), so that what is measured is the channels' own cost;
* the fake Twilio and Telegram APIs (tests/fakes), which report each reply they receive;
* this script, where simulated people write and wait for the answer before writing again.

A REST message is done when its HTTP response arrives. A WhatsApp or Telegram message is done when
its reply reaches the fake API: signature or secret check, parsing, pseudonymising, the contact
store, rendering and the outgoing API call are all included. Rounds alternate the channels so that
other load on the machine hits all three alike; the median round is reported.

    python scripts/bench_channels.py [--users 32] [--messages 100] [--rounds 3] [--strict] [--rasa]

``--strict`` exits with status 1 when a channel is below 90% of REST. ``--rasa`` replaces the stub by
the trained model (models/brujula.tar.gz) and a real action server, with an in-memory tracker store:
slower to start, but the figure a deployment would see.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import os
import socket
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET = 0.90
ACCOUNT_SID = "AC" + "b" * 32
AUTH_TOKEN = "bench-auth-token"
BOT_TOKEN = "424242:BENCH-token"
SECRET = "bench-secret-token"
# What the simulated people write, in turn (the stub answers them all alike; Rasa does not).
TEXTS = ("hola", "necesito un albergue en lima", "1", "gracias")
CHANNELS = tuple(os.environ.get("BENCH_CHANNELS", "rest,whatsapp,telegram").split(","))


# -- the bot under test (its own process) -------------------------------------------------------------
def serve(port: int) -> None:
    logging.basicConfig(level=logging.WARNING)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # as `rasa run` does: no per-message debug lines
    from rasa.core.channels.channel import UserMessage
    from rasa.core.channels.rest import RestInput
    from sanic import Sanic

    from bot.channels.telegram import TelegramInput
    from bot.channels.whatsapp import WhatsAppInput
    from tests.fakes.rasa import intro_and_menu

    app = Sanic("brujula_bench")
    actions = os.environ.get("BENCH_RASA_ACTIONS")

    async def answer_at_once(message: UserMessage) -> None:
        for response in intro_and_menu(message):
            await message.output_channel.send_response(message.sender_id, dict(response))

    async def rasa(message: UserMessage) -> None:
        await app.ctx.agent.handle_message(message)

    if actions:
        from rasa.core.agent import load_agent
        from rasa.core.utils import AvailableEndpoints
        from rasa.utils.endpoints import EndpointConfig

        @app.listener("before_server_start")  # type: ignore[call-arg,arg-type]
        async def load(app: Any, loop: Any) -> None:  # the server listens once the model is loaded
            app.ctx.agent = await load_agent(
                model_path=str(ROOT / "models" / "brujula.tar.gz"),
                endpoints=AvailableEndpoints(action=EndpointConfig(url=actions)),
            )

    for channel in (RestInput(), WhatsAppInput(), TelegramInput()):
        app.blueprint(
            channel.blueprint(rasa if actions else answer_at_once), url_prefix=f"/webhooks/{channel.url_prefix()}"
        )
    profile_to = os.environ.get("BENCH_PROFILE")  # a file: cProfile the bot (to find where time goes)
    if not profile_to:
        app.run(host="127.0.0.1", port=port, access_log=False, workers=1, motd=False)
        return
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        app.run(host="127.0.0.1", port=port, access_log=False, workers=1, motd=False)
    finally:
        profiler.disable()
        profiler.dump_stats(profile_to)


# -- the fake platforms (their own process) -----------------------------------------------------------
async def fakes() -> None:
    from tests.fakes import FakeTelegram, FakeTwilio

    def report(recipient: str) -> None:
        os.write(1, f"{recipient}\n".encode())

    twilio, telegram = FakeTwilio(ACCOUNT_SID, AUTH_TOKEN), FakeTelegram(BOT_TOKEN)
    await twilio.start()
    await telegram.start()
    for fake in (twilio, telegram):
        fake.on_message = report
    report(f"PORTS {twilio.port} {telegram.port}")
    while True:  # the parent ends this process
        await asyncio.sleep(3600)
        twilio.messages.clear()
        telegram.calls.clear()


# -- the people writing (this process) ----------------------------------------------------------------
def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux); 0 where /proc is not available."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Load:
    def __init__(self, session: Any, base: str) -> None:
        from twilio.request_validator import RequestValidator

        self.session, self.base = session, base
        self.validator = RequestValidator(AUTH_TOKEN)
        self.waiting: dict[str, asyncio.Future] = {}
        self.update_ids = itertools.count(1)
        self.message_ids = itertools.count(1)

    def delivered(self, recipient: str) -> None:
        future = self.waiting.pop(recipient, None)
        if future is not None and not future.done():
            future.set_result(None)

    def _expect(self, recipient: str) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self.waiting[recipient] = future
        return future

    async def one(self, channel: str, user: int, text: str) -> None:
        if channel == "rest":
            async with self.session.post(
                f"{self.base}/webhooks/rest/webhook", json={"sender": f"bench-{user}", "message": text}
            ) as reply:
                assert reply.status == 200 and await reply.json()
            return
        if channel == "whatsapp":
            address = f"whatsapp:+5730{user:08d}"
            url = f"{self.base}/webhooks/whatsapp/webhook"
            params = {
                "MessageSid": f"SM{next(self.message_ids):032d}",
                "From": address,
                "Body": text,
                "To": "whatsapp:+14155238886",
                "NumMedia": "0",
                "AccountSid": ACCOUNT_SID,
            }
            headers = {"X-Twilio-Signature": self.validator.compute_signature(url, params)}
            answered = self._expect(address)
            async with self.session.post(url, data=params, headers=headers) as reply:
                assert reply.status == 200, reply.status
        else:
            chat_id = 900_000_000 + user
            update = {
                "update_id": next(self.update_ids),
                "message": {
                    "message_id": 1,
                    "date": int(time.time()),
                    "text": text,
                    "chat": {"id": chat_id, "type": "private", "first_name": "B"},
                    "from": {"id": chat_id, "is_bot": False, "first_name": "B", "language_code": "es"},
                },
            }
            answered = self._expect(str(chat_id))
            async with self.session.post(
                f"{self.base}/webhooks/telegram/webhook",
                data=json.dumps(update),
                headers={"content-type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET},
            ) as reply:
                assert reply.status == 200, reply.status
        await asyncio.wait_for(answered, timeout=30)

    async def run(self, channel: str, users: int, messages: int) -> dict[str, float]:
        latencies: list[float] = []

        async def person(user: int) -> None:
            for number in range(messages):
                started = time.perf_counter()
                await self.one(channel, user, TEXTS[number % len(TEXTS)])
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(person(user) for user in range(users)))
        elapsed = time.perf_counter() - started
        latencies.sort()
        return {
            "per_second": len(latencies) / elapsed,
            "p50_ms": 1000 * latencies[len(latencies) // 2],
            "p95_ms": 1000 * latencies[int(len(latencies) * 0.95)],
        }


async def bench(args: argparse.Namespace) -> int:
    import aiohttp
    from cryptography.fernet import Fernet

    state = tempfile.mkdtemp(prefix="brujula-bench-")
    fake_process = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--fakes", stdout=asyncio.subprocess.PIPE, cwd=str(ROOT)
    )
    assert fake_process.stdout is not None
    ports: asyncio.Future = asyncio.get_running_loop().create_future()
    holder: dict[str, Load] = {}

    async def relay() -> None:
        while True:
            line = await fake_process.stdout.readline()  # type: ignore[union-attr]
            if not line:
                return
            text = line.decode().strip()
            if text.startswith("PORTS "):
                ports.set_result([int(p) for p in text.split()[1:]])
            elif "load" in holder:
                holder["load"].delivered(text)

    relay_task = asyncio.ensure_future(relay())
    twilio_port, telegram_port = await asyncio.wait_for(ports, timeout=60)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BRUJULA_STATE_DIR": state,
        "BRUJULA_ID_KEY": "bench-id-key",
        "BRUJULA_CONTACTS_DB_URL": f"sqlite:///{state}/contacts.db",
        "BRUJULA_CONTACTS_KEY": Fernet.generate_key().decode(),
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_WHATSAPP_FROM": "whatsapp:+14155238886",
        "TWILIO_WEBHOOK_URL": f"{base}/webhooks/whatsapp/webhook",
        "TWILIO_API_BASE_URL": f"http://127.0.0.1:{twilio_port}",
        "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "TELEGRAM_SECRET_TOKEN": SECRET,
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{telegram_port}",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "RASA_TELEMETRY_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
    }
    for name in ("TWILIO_MESSAGING_SERVICE_SID", "TWILIO_TEMPLATE_CONTENT_SID"):
        env.pop(name, None)
    action_server = None
    if args.rasa:
        action_port = free_port()
        action_server = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "rasa_sdk",
            "--actions",
            "actions",
            "--port",
            str(action_port),
            env=env,
            cwd=str(ROOT),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        env["BENCH_RASA_ACTIONS"] = f"http://127.0.0.1:{action_port}/webhook"
    server = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve", str(port), env=env, cwd=str(ROOT)
    )
    try:
        for _ in range(600):
            try:
                with urllib.request.urlopen(f"{base}/webhooks/whatsapp/", timeout=1) as health:  # noqa: S310
                    if health.status == 200:
                        break
            except OSError:
                await asyncio.sleep(0.5)
        else:
            print("the bot did not start", file=sys.stderr)
            return 1
        # idle connections are dropped before Sanic's 5 s keep-alive ends, not raced against it
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, keepalive_timeout=2)) as session:
            load = Load(session, base)
            holder["load"] = load
            for channel in CHANNELS:  # warm-up: connections, caches, first contact-store writes
                await load.run(channel, args.users, 3)
            results: dict[str, list[dict[str, float]]] = {channel: [] for channel in CHANNELS}
            pids = {"bot": server.pid, "fakes": fake_process.pid, "load": os.getpid()}
            for _ in range(args.rounds):
                for channel in CHANNELS:
                    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
                    result = await load.run(channel, args.users, args.messages)
                    count = args.users * args.messages
                    for name, pid in pids.items():
                        result[f"{name}_cpu_ms"] = 1000 * (cpu_seconds(pid) - before[name]) / count
                    results[channel].append(result)
    finally:
        server.terminate()  # first, so that it can finish sending to the fakes
        await server.wait()
        fake_process.terminate()
        await fake_process.wait()
        if action_server is not None:
            action_server.terminate()
            await action_server.wait()
        relay_task.cancel()

    def median(channel: str, key: str) -> float:
        return statistics.median(r[key] for r in results[channel])

    rest = median("rest", "per_second")
    what = "trained model + action server" if args.rasa else "stub Rasa answers at once"
    print(f"\n{args.users} people x {args.messages} messages, median of {args.rounds} rounds ({what}; 127.0.0.1)\n")
    print(
        f"  {'channel':<10} {'messages/s':>11} {'% of REST':>10} {'p50 ms':>8} {'p95 ms':>8}"
        f" {'bot CPU ms/msg':>15} {'fakes':>7} {'load':>7}"
    )
    summary: dict[str, Any] = {}
    below = []
    for channel in CHANNELS:
        rate = median(channel, "per_second")
        ratio = rate / rest
        summary[channel] = {key: round(median(channel, key), 3) for key in results[channel][0]}
        summary[channel]["ratio"] = round(ratio, 3)
        if channel != "rest" and ratio < TARGET:
            below.append(channel)
        print(
            f"  {channel:<10} {rate:>11.0f} {100 * ratio:>9.1f}% {median(channel, 'p50_ms'):>8.1f} "
            f"{median(channel, 'p95_ms'):>8.1f} {median(channel, 'bot_cpu_ms'):>15.3f} "
            f"{median(channel, 'fakes_cpu_ms'):>7.3f} {median(channel, 'load_cpu_ms'):>7.3f}"
        )
    verdict = "below the 90% target: " + ", ".join(below) if below else "every channel at or above 90% of REST"
    print(f"\n  {verdict}\n")
    print(
        json.dumps(
            {
                "bench": "channels",
                "rasa": args.rasa,
                "users": args.users,
                "messages": args.messages,
                "rounds": args.rounds,
                "results": summary,
            }
        )
    )
    return 1 if (below and args.strict) else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=32, help="people writing at the same time")
    parser.add_argument("--messages", type=int, default=100, help="messages each person sends per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--strict", action="store_true", help="exit 1 if a channel is below 90%% of REST")
    parser.add_argument("--rasa", action="store_true", help="the trained model and action server instead of the stub")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--fakes", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0
    if args.fakes:
        asyncio.run(fakes())
        return 0
    return asyncio.run(bench(args))


if __name__ == "__main__":
    sys.exit(main())
