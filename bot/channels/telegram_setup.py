"""Registering Brújula's Telegram webhook and command menu: ``python -m bot.channels.telegram_setup set-webhook``.

Commands: ``set-webhook`` (with the secret token, the update kinds Brújula handles and the /start /menu
/language menu in every language), ``delete-webhook``, ``webhook-info``. Reads the ``TELEGRAM_*`` variables
(docs/CHANNELS.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from telegram import Bot, BotCommand
from telegram.error import TelegramError

from bot.channels.rendering import ui_text
from bot.channels.telegram import ALLOWED_UPDATES, AiohttpRequest, TelegramConfig


async def _bot_commands(bot: Bot) -> None:
    """The command menu Telegram shows, in every language Brújula speaks."""
    for code in ("es", "en", "pt", "fr", "ht"):
        commands = [
            BotCommand("start", ui_text("command_start", code, "Start")),
            BotCommand("menu", ui_text("back_to_menu", code, "Menu")),
            BotCommand("language", ui_text("topic_set_language", code, "Language")),
        ]
        await bot.set_my_commands(commands, language_code=None if code == "es" else code)
        if code == "es":  # Spanish is also the default for every other language
            await bot.set_my_commands(commands, language_code="es")


async def _run_command(args: argparse.Namespace, config: TelegramConfig) -> int:
    bot = Bot(
        config.token,
        base_url=f"{config.api_base_url}/bot",
        request=AiohttpRequest(read_timeout=20.0),
        get_updates_request=AiohttpRequest(pool_size=1),
    )
    try:
        if args.command == "set-webhook":
            url = args.url or config.webhook_url
            if not url.startswith("https://"):
                print(
                    "TELEGRAM_WEBHOOK_URL (or --url) must be the public https:// URL of " "/webhooks/telegram/webhook",
                    file=sys.stderr,
                )
                return 2
            await bot.set_webhook(
                url,
                secret_token=config.secret_token,
                allowed_updates=list(ALLOWED_UPDATES),
                drop_pending_updates=args.drop_pending_updates,
                max_connections=40,
            )
            await _bot_commands(bot)
            print(f"Webhook set to {url} with the secret token; commands /start /menu /language registered.")
        elif args.command == "delete-webhook":
            await bot.delete_webhook(drop_pending_updates=args.drop_pending_updates)
            print("Webhook removed.")
        else:
            info = await bot.get_webhook_info()
            print(
                json.dumps(
                    {
                        "url": info.url,
                        "pending_update_count": info.pending_update_count,
                        "last_error_message": info.last_error_message,
                        "allowed_updates": list(info.allowed_updates or ()),
                    },
                    indent=2,
                )
            )
    except TelegramError as error:
        print(f"Telegram refused: {type(error).__name__}: {error.message}", file=sys.stderr)
        return 1
    finally:
        await bot.shutdown()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.channels.telegram_setup",
        description="Register Brújula's Telegram webhook (reads TELEGRAM_* variables).",
    )
    parser.add_argument("command", choices=["set-webhook", "delete-webhook", "webhook-info"])
    parser.add_argument("--url", help="public webhook URL (default: TELEGRAM_WEBHOOK_URL)")
    parser.add_argument(
        "--drop-pending-updates",
        action="store_true",
        help="discard the messages Telegram kept while no webhook was answering",
    )
    args = parser.parse_args(argv)
    config = TelegramConfig.load()
    problems = [p for p in config.problems() if args.command == "set-webhook" or "SECRET" not in p]
    if problems:
        print("Cannot talk to Telegram: " + "; ".join(problems), file=sys.stderr)
        return 2
    return asyncio.run(_run_command(args, config))


if __name__ == "__main__":
    sys.exit(main())
