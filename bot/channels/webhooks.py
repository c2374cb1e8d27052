"""What the WhatsApp and Telegram webhooks share: body limits, the shared replay memory, background work, retries,
and the channel classes both build on (:class:`WebhookInput`, :class:`BufferedOutput`).

Both platforms want a quick ``200``: the webhooks acknowledge at once and answer the user from a
background task (:class:`BackgroundTasks`), which the server drains before it stops.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import (
    Any,
    ClassVar,
    Protocol,
    Text,
    TypeVar,
)

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import contacts, replay
from bot.channels.delivery import deliver
from bot.channels.rendering import Outgoing, answer_media, message_parts

logger = logging.getLogger(__name__)

# Twilio and Telegram requests are a few kilobytes; anything much larger is not from them.
MAX_BODY_BYTES = 128 * 1024

T = TypeVar("T")


def body_too_large(request: Request, limit: int = MAX_BODY_BYTES) -> bool:
    """True when the declared or actual body is over ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                return True
        except ValueError:
            return True
    return len(request.body or b"") > limit


def media_type(request: Request) -> str:
    """The request's media type without parameters, lower-case ("application/json")."""
    return (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()


class BackgroundTasks:
    """Runs the answer to a webhook after the webhook has been acknowledged.

    Keeps a reference to every task (so none is garbage-collected half-way), logs what escapes,
    and lets the server (or a test) wait until everything in flight is done.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._tasks: set[asyncio.Task] = set()

    def spawn(self, coroutine: Awaitable[Any]) -> asyncio.Task:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("%s: a message could not be handled", self.name, exc_info=task.exception())

    async def drain(self, timeout: float | None = None) -> bool:
        """Wait until no task is running (tasks spawned meanwhile included); False on timeout."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while self._tasks:
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                return False
            await asyncio.wait(set(self._tasks), timeout=remaining)
        return True


async def with_retries(
    attempt: Callable[[], Awaitable[T]],
    is_transient: Callable[[BaseException], float | None],
    delays: tuple[float, ...],
    what: str,
) -> T:
    """Run ``attempt`` until it succeeds or fails for good.

    Args:
        attempt: makes one try.
        is_transient: for an exception, the seconds to wait before the next try if it is worth
            retrying (``0`` means "use the next back-off delay"), or ``None`` if it is final.
        delays: back-off before the 2nd, 3rd... try; ``len(delays) + 1`` tries at most.
        what: a description for the log (never a phone number or a message text).

    Raises:
        The last exception once tries are exhausted or an error is final.
    """
    for number in range(len(delays) + 1):
        try:
            return await attempt()
        except Exception as error:
            wait = is_transient(error)
            if wait is None or number == len(delays):
                raise
            delay = wait or delays[number] * (1 + random.random() / 4)  # jitter: do not retry in lockstep
            logger.warning(
                "%s failed (%s), try %d of %d in %.1fs", what, type(error).__name__, number + 2, len(delays) + 1, delay
            )
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")


class BufferedOutput(OutputChannel):
    """Collects a turn's replies; :meth:`flush` sends them together once Rasa has answered.

    One send per turn keeps the order (messengers do not guarantee it across messages) and makes
    one notification instead of several.
    """

    channel_name: ClassVar[str] = ""

    def __init__(self) -> None:
        self.parts: list[Outgoing] = []

    @classmethod
    def name(cls) -> Text:
        return cls.channel_name

    async def send_response(self, recipient_id: Text, message: dict[Text, Any]) -> None:
        self.parts.append(message_parts(message))

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        self.parts.append(Outgoing(text))

    def take_parts(self) -> list[Outgoing]:
        """The replies collected so far; the buffer starts empty again."""
        parts, self.parts = self.parts, []
        return parts

    async def flush(self) -> bool:
        """Send what was collected; False if some of it could not be sent (already logged)."""
        raise NotImplementedError


class ChannelConfig(Protocol):
    """A channel's settings: read from ``credentials.yml`` and the environment, and checked."""

    @classmethod
    def load(
        cls, credentials: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
    ) -> ChannelConfig: ...

    def problems(self) -> list[str]: ...


class WebhookInput(InputChannel):
    """A messenger reached through a webhook (WhatsApp, Telegram): what both channels do the same way.

    Subclasses set the class attributes and write :meth:`receive`, :meth:`send_proactive` and
    :meth:`close_sender`.
    """

    channel_name: ClassVar[str] = ""  # "whatsapp": Rasa's channel name, also kept with each contact
    label: ClassVar[str] = ""  # "WhatsApp": how log lines name the channel
    config_type: ClassVar[type[ChannelConfig]]
    latest: ClassVar[WebhookInput | None] = None  # the channel proactive messages go through

    def __init__(self, config: ChannelConfig | None = None, store: contacts.ContactStore | None = None) -> None:
        self.config = config or self.config_type.load()
        self.problems = self.config.problems()
        self.store = store
        if self.store is None and not self.problems:  # an unconfigured channel creates no files
            try:
                self.store = contacts.shared_contact_store()
            except contacts.ContactStoreError as error:
                self.problems.append(str(error))
        self.tasks = BackgroundTasks(self.label)
        self._replay: replay.ReplayMemory | None = None
        if self.problems:
            logger.error(
                "%s channel disabled until configured: %s (see docs/CHANNELS.md)", self.label, "; ".join(self.problems)
            )
        type(self).latest = self

    @classmethod
    def name(cls) -> Text:
        return cls.channel_name

    @classmethod
    def from_credentials(cls, credentials: dict[Text, Any] | None) -> InputChannel:
        return cls(cls.config_type.load(credentials))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"brujula_{self.channel_name}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            if self.problems:
                return response.json({"status": "not configured"}, status=503)
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if self.problems:
                logger.error("%s webhook refused: channel not configured (%s)", self.label, "; ".join(self.problems))
                return response.text(f"{self.label} channel not configured", status=503)
            return await self.receive(request, on_new_message)

        @webhook.listener("after_server_start")
        async def start(app: Any, loop: Any) -> None:
            await contacts.purge_once()

        @webhook.listener("before_server_stop")
        async def stop(app: Any, loop: Any) -> None:
            if not await self.tasks.drain(timeout=10):
                logger.warning("%s: stopped with replies still being sent", self.label)
            await self.close_sender()

        return webhook

    async def first_delivery(self, message_key: str) -> bool:
        """True the first time this webhook message reaches any replica (shared replay memory with a TTL)."""
        if self._replay is None:
            self._replay = replay.from_environment()
        return await replay.first_time(self._replay, f"{self.channel_name}:{message_key}")

    async def receive(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        """Check and acknowledge one webhook request of a configured channel; answer in the background."""
        raise NotImplementedError

    async def close_sender(self) -> None:
        """Release the outgoing HTTP connections when the server stops."""
        raise NotImplementedError

    async def remember_contact(self, sender_id: str, address: str, window_seconds: float | None = None) -> list[str]:
        """Keep the address ``sender_id`` wrote from; the help desk's texts waiting for them, if any."""
        if self.store is None:
            return []
        try:
            return await self.store.touch(sender_id, self.channel_name, address, window_seconds=window_seconds)
        except Exception:  # the answer matters more than the address book
            logger.exception("%s: contact store unavailable for %s", self.label, sender_id)
            return []

    async def answer_turn(
        self,
        output: BufferedOutput,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        agent: Any,
        sender_id: str,
        text: str,
        media: Sequence[str],
        metadata: dict[str, Any],
        message_id: str,
    ) -> None:
        """Let Rasa answer ``text`` (or say that ``media`` cannot be read), then send the whole turn."""
        try:
            if media:
                await answer_media(on_new_message, output, sender_id, self.channel_name, metadata, agent, list(media))
            else:
                message = UserMessage(
                    text, output, sender_id, input_channel=self.channel_name, message_id=message_id, metadata=metadata
                )
                await deliver(on_new_message, message, agent)
        finally:  # whatever was said before a failure still reaches the person
            await output.flush()

    async def proactive_contact(self, sender_id: str) -> contacts.Contact | None:
        """Where the help desk can reach ``sender_id`` on this channel; None (logged) if nowhere."""
        if self.problems or self.store is None:
            logger.error("%s proactive message to %s not sent: channel not configured", self.label, sender_id)
            return None
        contact = await self.store.lookup(sender_id)
        if contact is None or contact.channel != self.channel_name:
            logger.error("%s proactive message not sent: no address kept for %s", self.label, sender_id)
            return None
        return contact

    async def send_proactive(self, sender_id: str, texts: list[str], language: str | None = None) -> bool:
        """Send the help desk's ``texts`` to ``sender_id``; False (logged) if they could not go."""
        raise NotImplementedError

    @classmethod
    async def proactive_send(cls, sender_id: str, texts: list[str], language: str | None = None) -> bool:
        """What :mod:`bot.channels.proactive` calls: the latest channel set up, else one from the environment."""
        if cls.latest is None:
            cls.latest = cls()
        return await cls.latest.send_proactive(sender_id, texts, language)
