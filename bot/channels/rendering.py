"""How Brújula's replies look on text-only messengers, shared by the WhatsApp and Telegram channels.

* A turn's messages are sent together (:func:`merge_turn`): fewer notifications, a fixed order.
* Buttons become a numbered list where nothing can be tapped (:func:`button_lines`).
* Long replies are cut at paragraph, then line, then sentence boundaries (:func:`split_text`).
* A photo, voice note or sticker with no text gets a polite "only text for now" reply and the
  main menu (:func:`answer_media`).
* A shared location becomes the ``share_location`` intent (:func:`location_command`).
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage

from bot import content
from bot.channels.delivery import deliver, read_state
from bot.conversation.vocabulary import Meta

logger = logging.getLogger(__name__)

WHATSAPP_LIMIT = 1600  # Twilio refuses longer WhatsApp bodies
TELEGRAM_LIMIT = 4096  # Bot API limit for one message
LANGUAGE_HINT = Meta.LANGUAGE_HINT  # UserMessage.metadata key the actions read

_PARAGRAPHS = re.compile(r"\n[ \t]*\n+")
_SENTENCES = re.compile(r"(?<=[.!?…:;])\s+")
# From the most to the least natural place to cut, with the glue that joins the pieces back.
_BOUNDARIES = ((_PARAGRAPHS, "\n\n"), (re.compile(r"\n"), "\n"), (_SENTENCES, " "), (re.compile(r"[ \t]+"), " "))


def text_length(text: str) -> int:
    """Length as WhatsApp and Telegram count it (UTF-16 code units: an emoji may count 2)."""
    return len(text.encode("utf-16-le")) // 2


def _hard_cut(text: str, limit: int) -> list[str]:
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for char in text:
        width = text_length(char)
        if size + width > limit:
            chunks.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    if current:
        chunks.append("".join(current))
    return chunks


def _split_once(text: str) -> tuple[list[str], str]:
    """Pieces of ``text`` at its coarsest boundary present, and the glue that joins them back."""
    for pattern, glue in _BOUNDARIES:
        pieces = [piece.strip() for piece in pattern.split(text) if piece.strip()]
        if len(pieces) > 1:
            return pieces, glue
    return [text], ""


def split_text(text: str, limit: int) -> list[str]:
    """Cut ``text`` into messages of at most ``limit`` characters, at the most natural boundaries.

    Paragraphs stay whole when they fit; a paragraph too long is cut between lines, then between
    sentences, then between words; only a single over-long word is cut in the middle.
    """
    text = text.strip()
    if not text:
        return []
    if text_length(text) <= limit:
        return [text]
    pieces, glue = _split_once(text)
    if len(pieces) == 1:
        return _hard_cut(text, limit)
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        if text_length(piece) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.extend(split_text(piece, limit))
            continue
        candidate = f"{current}{glue}{piece}" if current else piece
        if text_length(candidate) <= limit:
            current = candidate
        else:
            chunks.append(current)
            current = piece
    if current:
        chunks.append(current)
    return chunks


def join_and_split(texts: Iterable[str | None], limit: int) -> list[str]:
    """``texts`` (blank ones dropped) joined by blank lines, then cut into messages of at most ``limit``."""
    return split_text("\n\n".join(t.strip() for t in texts if t and t.strip()), limit)


def button_line(button: dict[str, Any]) -> str | None:
    """One button as a line of text, or None when it only makes sense as something to tap.

    Menu buttons (payload "1", title "1 · Antes de salir") are shown with their number, which the
    user types back. Intent buttons with words ("Hablar con una persona") are shown as a bullet:
    the bot's messages already say what to write. Symbol-only buttons (✔ / ✘) are left out: the
    question they belong to already says "reply yes or no".
    """
    title = str(button.get("title") or "").strip()
    payload = str(button.get("payload") or "").strip()
    if payload.isdigit():
        if not title:
            return payload
        return title if title.startswith(payload) else f"{payload} · {title}"
    if any(char.isalnum() for char in title):
        return f"• {title}"
    return None


def button_lines(buttons: Iterable[dict[str, Any]]) -> str:
    return "\n".join(line for line in (button_line(button) for button in buttons) if line)


@dataclass
class Outgoing:
    """One message to send: text, and the buttons to attach to it (Telegram) or list under it."""

    text: str
    buttons: list[dict[str, Any]] = field(default_factory=list)
    # A map pin the bot attached ({"lat", "lon", "label"}): channels that can send a location message do.
    location: dict[str, Any] | None = None


def place_pin(message: dict[str, Any]) -> dict[str, Any] | None:
    """The map pin in a bot message's ``custom`` part, when it has usable coordinates."""
    custom = message.get("custom")
    pin = custom.get("location") if isinstance(custom, dict) else None
    if not isinstance(pin, dict):
        return None
    try:
        lat, lon = float(pin["lat"]), float(pin["lon"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return {"lat": lat, "lon": lon, "label": str(pin.get("label") or "")[:100]}


def message_parts(message: dict[str, Any]) -> Outgoing:
    """The text and buttons of a Rasa bot message (``text``, ``buttons``/``quick_replies``, ``image``)."""
    text = str(message.get("text") or "").strip()
    image = message.get("image")
    if image:
        text = f"{text}\n{image}".strip()
    buttons = list(message.get("buttons") or message.get("quick_replies") or [])
    return Outgoing(text, [b for b in buttons if isinstance(b, dict)], place_pin(message))


def merge_turn(messages: Iterable[Outgoing]) -> list[Outgoing]:
    """Join a turn's messages: consecutive texts are merged until one carries buttons."""
    merged: list[Outgoing] = []
    texts: list[str] = []
    for message in messages:
        if message.text:
            texts.append(message.text)
        if message.buttons:
            merged.append(Outgoing("\n\n".join(texts), list(message.buttons)))
            texts = []
    if texts:
        merged.append(Outgoing("\n\n".join(texts)))
    return [m for m in merged if m.text or m.buttons]


def as_plain_text(message: Outgoing) -> str:
    """A message with its buttons written out as a numbered list (WhatsApp)."""
    lines = button_lines(message.buttons)
    return f"{message.text}\n{lines}".strip() if lines else message.text


def location_command(latitude: Any, longitude: Any) -> str | None:
    """The message that tells Rasa where the user is, or None if the coordinates are not usable.

    Rounded to 3 decimals (about 100 m, as the web chat does): enough to find the nearest shelter,
    and the conversation store never holds a person's exact position.
    """
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return "/share_location" + json.dumps({"lat": round(lat, 3), "lon": round(lon, 3)})


def ui_text(key: str, lang: str, fallback: str) -> str:
    try:
        return content.current().text(key, lang)
    except Exception:  # content unreadable: say something rather than nothing
        logger.exception("Content unavailable for %s", key)
        return fallback


UNREADABLE_LOCATION = "unreadable_location"  # a shared location with coordinates out of range


async def answer_media(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    output: OutputChannel,
    sender_id: str,
    input_channel: str,
    metadata: dict[str, Any],
    agent: Any,
    kinds: list[str],
) -> None:
    """A photo, voice note, sticker... with no text: say that only text is understood, show the menu.

    The menu comes from Rasa (``/main_menu``) so that the conversation's menu state matches what
    the user sees. While a person holds the conversation the menu is not shown; the person is told
    that something that is not text arrived.
    """
    state = await read_state(agent, sender_id, metadata.get(LANGUAGE_HINT))
    if kinds == [UNREADABLE_LOCATION]:
        text = ui_text(
            "location_unreadable", state.language, "We could not read that location / No pudimos leer " "esa ubicación."
        )
    else:
        text = ui_text("media_not_supported", state.language, "Only text messages for now / Por ahora solo texto.")
    await output.send_text_message(sender_id, text)
    media_metadata = {**metadata, Meta.MEDIA: kinds}
    command = "" if state.held_by_person else "/main_menu"
    await deliver(
        on_new_message,
        UserMessage(command, output, sender_id, input_channel=input_channel, metadata=media_metadata),
        agent,
        state,
    )
