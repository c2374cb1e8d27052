"""A stand-in for Rasa's ``on_new_message``: records what a channel hands over and replies at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa.core.channels.channel import UserMessage

Reply = Callable[[UserMessage], list[dict[str, Any]]]

MENU = [
    {"title": "1 · Antes de salir", "payload": "1"},
    {"title": "2 · En el camino", "payload": "2"},
    {"title": "3 · Donde vivo ahora", "payload": "3"},
]


def echo(message: UserMessage) -> list[dict[str, Any]]:
    return [{"text": f"eco: {message.text}"}]


def intro_and_menu(message: UserMessage) -> list[dict[str, Any]]:
    """What Brújula says to "hola": the introduction, then the main menu as buttons."""
    return [
        {"text": "Hola, soy Brújula 🧭."},
        {"text": "¿Qué necesitas? Escribe un número:", "buttons": MENU},
    ]


class StubRasa:
    def __init__(self, reply: Reply | None = None) -> None:
        self.reply = reply or echo
        self.received: list[UserMessage] = []

    @property
    def texts(self) -> list[str]:
        return [message.text or "" for message in self.received]

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        for response in self.reply(message):
            await message.output_channel.send_response(message.sender_id, dict(response))
