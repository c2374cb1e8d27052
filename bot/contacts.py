"""Where the real WhatsApp number or Telegram chat of a conversation is kept, encrypted, for later replies.

Rasa only ever sees a pseudonymous sender id (:func:`bot.personal_data.pseudonymize`). When someone from
the help desk answers hours later, the channel needs the real address: it is stored here, apart from
the conversation, encrypted with Fernet (AES-128-CBC + HMAC-SHA256), together with the time of the
person's last message (WhatsApp only allows free text within 24 hours of it) and the replies waiting
for that window to reopen. Erasing a conversation ("delete my data") erases its row too.

Configuration (environment):

* ``BRUJULA_CONTACTS_DB_URL``: SQLAlchemy URL, e.g. ``postgresql://brujula@db/brujula``. Without it,
  the production tracker database when ``BRUJULA_DB_HOST`` (and ``_PORT``, ``_NAME``, ``_USER``,
  ``_PASSWORD``) are set, in a table of its own; otherwise a SQLite file in the state folder.
* ``BRUJULA_CONTACTS_KEY``: a Fernet key (``python -m bot.contacts new-key``); several, comma-separated,
  to rotate keys (the first encrypts, all decrypt). Without it a local key file is created once in the
  state folder, fine for a laptop, not for a deployment with several servers.
* ``BRUJULA_CONTACTS_RETENTION_DAYS``: addresses of people silent for longer are deleted (default 365).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Column, Float, MetaData, String, Table, Text, create_engine, delete, insert, select, update
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import IntegrityError

from bot import paths
from bot.personal_data import register_erase_hook

logger = logging.getLogger(__name__)

DB_URL_ENV = "BRUJULA_CONTACTS_DB_URL"
KEY_ENV = "BRUJULA_CONTACTS_KEY"
RETENTION_ENV = "BRUJULA_CONTACTS_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 365
# The last-message time is rewritten at most this often per person: the 24-hour window does not need
# to-the-second precision, and skipping the write keeps busy conversations off the database.
REFRESH_SECONDS = 60.0

T = TypeVar("T")

_metadata = MetaData()
contacts_table = Table(
    "brujula_contacts",
    _metadata,
    Column("sender_id", String(80), primary_key=True),  # the pseudonymous id Rasa sees
    Column("channel", String(20), nullable=False),
    Column("address", Text, nullable=False),  # Fernet token of the phone number / chat id
    Column("last_inbound_at", Float, nullable=False),  # epoch seconds of the person's last message
    Column("pending", Text, nullable=True),  # Fernet token of a JSON list of texts waiting to be sent
)


class ContactStoreError(Exception):
    """The store cannot be used safely (a bad encryption key)."""


@dataclass(frozen=True)
class Contact:
    sender_id: str
    channel: str
    address: str
    last_inbound_at: float
    waiting: int = 0  # replies queued until the person writes again

    def seconds_since_inbound(self, now: float | None = None) -> float:
        return (now if now is not None else time.time()) - self.last_inbound_at


def _local_key() -> str:
    return paths.local_secret("contacts_key", lambda: Fernet.generate_key().decode(), KEY_ENV)


def build_cipher(keys: str | None = None) -> MultiFernet:
    """A cipher from comma-separated Fernet keys (``BRUJULA_CONTACTS_KEY``, else the local key file)."""
    configured = keys if keys is not None else os.environ.get(KEY_ENV, "")
    key_list = [key.strip() for key in configured.split(",") if key.strip()] or [_local_key()]
    try:
        return MultiFernet([Fernet(key.encode()) for key in key_list])
    except (ValueError, TypeError) as error:
        raise ContactStoreError(
            f"{KEY_ENV} is not a valid Fernet key (make one with " f"'python -m bot.contacts new-key')"
        ) from error


def default_url() -> str:
    """``BRUJULA_CONTACTS_DB_URL``; else the production tracker database (``BRUJULA_DB_*``, own table); else SQLite."""
    configured = os.environ.get(DB_URL_ENV)
    if configured:
        return configured
    host = os.environ.get("BRUJULA_DB_HOST")
    if host:
        port = os.environ.get("BRUJULA_DB_PORT")
        url = URL.create(
            "postgresql",
            username=os.environ.get("BRUJULA_DB_USER") or None,
            password=os.environ.get("BRUJULA_DB_PASSWORD") or None,
            host=host,
            port=int(port) if port else None,
            database=os.environ.get("BRUJULA_DB_NAME") or None,
        )
        return url.render_as_string(hide_password=False)
    return f"sqlite:///{paths.state_dir() / 'contacts.db'}"


class ContactStore:
    """Encrypted addresses by pseudonymous sender id. Async methods run the database work in a thread."""

    def __init__(self, url: str | None = None, cipher: MultiFernet | None = None) -> None:
        self.url = url or default_url()
        self.cipher = cipher or build_cipher()
        sqlite = self.url.startswith("sqlite")
        self.engine: Engine = create_engine(
            self.url,
            future=True,
            pool_pre_ping=not sqlite,
            connect_args={"check_same_thread": False} if sqlite else {},
        )
        self._table_ready = False
        try:
            self._ensure_table()
        except Exception:  # the database may come back: answering people must not wait for it
            logger.error(
                "Contact store unreachable (%s): later replies will not be possible until it is back",
                self.engine.url.render_as_string(),
            )
        # SQLite allows one writer: one thread avoids "database is locked"; PostgreSQL takes a few.
        self._executor = ThreadPoolExecutor(max_workers=1 if sqlite else 4, thread_name_prefix="contacts")
        # sender_id -> (address, last_inbound_at written) for what this process wrote recently
        self._written: dict[str, tuple[str, float]] = {}

    def _ensure_table(self) -> None:
        if not self._table_ready:
            _metadata.create_all(self.engine)
            self._table_ready = True

    # -- encryption -------------------------------------------------------------------------
    def _seal(self, value: str) -> str:
        return self.cipher.encrypt(value.encode()).decode()

    def _open(self, token: str) -> str:
        return self.cipher.decrypt(token.encode()).decode()

    async def _run(self, function: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, function, *args)

    # -- the person wrote -------------------------------------------------------------------
    async def touch(
        self, sender_id: str, channel: str, address: str, now: float | None = None, window_seconds: float | None = None
    ) -> list[str]:
        """Record that ``sender_id`` just wrote from ``address``; return (and clear) texts waiting for them.

        Waiting texts only exist when the person had been silent for ``window_seconds`` or more, so
        the database is read only then, or when this process has not seen the person recently.
        """
        now = time.time() if now is None else now
        written = self._written.get(sender_id)
        if written and written[0] == address and now - written[1] < REFRESH_SECONDS:
            return []
        check_pending = written is None or window_seconds is None or now - written[1] >= window_seconds
        pending = await self._run(self._touch, sender_id, channel, address, now, check_pending)
        self._written[sender_id] = (address, now)
        if len(self._written) > 50_000:  # memory bound; dropping entries only costs a write
            self._written.pop(next(iter(self._written)))
        return pending

    def _touch(self, sender_id: str, channel: str, address: str, now: float, check_pending: bool) -> list[str]:
        self._ensure_table()
        values = {"channel": channel, "address": self._seal(address), "last_inbound_at": now}
        with self.engine.begin() as connection:
            pending_token = None
            if check_pending:
                pending_token = connection.execute(
                    select(contacts_table.c.pending).where(contacts_table.c.sender_id == sender_id)
                ).scalar()
                values["pending"] = None
            updated = connection.execute(
                update(contacts_table).where(contacts_table.c.sender_id == sender_id).values(**values)
            ).rowcount
            if not updated:
                try:
                    with connection.begin_nested():
                        connection.execute(insert(contacts_table).values(sender_id=sender_id, **values))
                except IntegrityError:  # another worker inserted it meanwhile
                    connection.execute(
                        update(contacts_table).where(contacts_table.c.sender_id == sender_id).values(**values)
                    )
        return self._texts(pending_token)

    def _texts(self, token: str | None) -> list[str]:
        if not token:
            return []
        try:
            texts = json.loads(self._open(token))
        except (InvalidToken, ValueError):
            logger.error("Waiting replies could not be decrypted (was %s changed?): dropped", KEY_ENV)
            return []
        return [str(text) for text in texts]

    # -- replying later ---------------------------------------------------------------------
    async def lookup(self, sender_id: str) -> Contact | None:
        """The real address for ``sender_id``, or None if unknown (never wrote, erased, undecryptable)."""
        return await self._run(self._lookup, sender_id)

    def _lookup(self, sender_id: str) -> Contact | None:
        self._ensure_table()
        with self.engine.connect() as connection:
            row = connection.execute(
                select(
                    contacts_table.c.channel,
                    contacts_table.c.address,
                    contacts_table.c.last_inbound_at,
                    contacts_table.c.pending,
                ).where(contacts_table.c.sender_id == sender_id)
            ).first()
        if row is None:
            return None
        try:
            address = self._open(row.address)
        except InvalidToken:
            logger.error("The address of a conversation could not be decrypted (was %s changed?)", KEY_ENV)
            return None
        return Contact(sender_id, row.channel, address, float(row.last_inbound_at), len(self._texts(row.pending)))

    async def add_pending(self, sender_id: str, texts: list[str]) -> int:
        """Queue ``texts`` until the person writes again; return how many were already waiting."""
        return await self._run(self._add_pending, sender_id, list(texts))

    def _add_pending(self, sender_id: str, texts: list[str]) -> int:
        self._ensure_table()
        with self.engine.begin() as connection:
            token = connection.execute(
                select(contacts_table.c.pending).where(contacts_table.c.sender_id == sender_id)
            ).scalar()
            waiting = self._texts(token)
            connection.execute(
                update(contacts_table)
                .where(contacts_table.c.sender_id == sender_id)
                .values(pending=self._seal(json.dumps(waiting + texts, ensure_ascii=False)))
            )
        # the next message from this person must look for what is waiting
        self._written.pop(sender_id, None)
        return len(waiting)

    # -- forgetting -------------------------------------------------------------------------
    async def erase(self, sender_id: str) -> None:
        """Delete everything kept for ``sender_id`` (run with the conversation's erasure)."""
        self._written.pop(sender_id, None)
        await self._run(self._erase, sender_id)

    def _erase(self, sender_id: str) -> None:
        self._ensure_table()
        with self.engine.begin() as connection:
            connection.execute(delete(contacts_table).where(contacts_table.c.sender_id == sender_id))

    def erase_many(self, sender_ids: list[str]) -> int:
        """Delete what is kept for each of ``sender_ids`` (retention purge); how many addresses went."""
        if not sender_ids:
            return 0
        for sender_id in sender_ids:
            self._written.pop(sender_id, None)
        self._ensure_table()
        with self.engine.begin() as connection:
            return int(
                connection.execute(delete(contacts_table).where(contacts_table.c.sender_id.in_(sender_ids))).rowcount
                or 0
            )

    def purge_before(self, cutoff: float) -> int:
        """Delete the addresses of people silent since before ``cutoff`` (a time); how many."""
        self._written = {k: v for k, v in self._written.items() if v[1] >= cutoff}
        return self._purge(cutoff)

    async def purge_inactive(self, days: float, now: float | None = None) -> int:
        """Delete the addresses of people silent for more than ``days``; return how many."""
        cutoff = (time.time() if now is None else now) - days * 86400
        self._written = {k: v for k, v in self._written.items() if v[1] >= cutoff}
        return await self._run(self._purge, cutoff)

    def _purge(self, cutoff: float) -> int:
        self._ensure_table()
        with self.engine.begin() as connection:
            return int(
                connection.execute(delete(contacts_table).where(contacts_table.c.last_inbound_at < cutoff)).rowcount
                or 0
            )

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self.engine.dispose()


_default: ContactStore | None = None
_purged = False


async def _erase_hook(sender_id: str) -> None:
    if _default is not None:
        await _default.erase(sender_id)


def shared_contact_store() -> ContactStore:
    """The process-wide store (configured from the environment); registers its erase hook.

    Raises:
        ContactStoreError: a bad key (the channels then refuse requests until it is fixed).
    """
    global _default
    if _default is None:
        _default = ContactStore()
        register_erase_hook(_erase_hook)
        logger.info("Contact store ready (%s)", _default.engine.url.render_as_string())
    return _default


def set_shared_contact_store(store: ContactStore | None) -> None:
    """Use ``store`` as the process-wide store (tests, the benchmark)."""
    global _default
    _default = store
    if store is not None:
        register_erase_hook(_erase_hook)


async def purge_once() -> None:
    """Apply the retention period once per process (called when a channel starts)."""
    global _purged
    if _purged or _default is None:
        return
    _purged = True
    try:
        days = float(os.environ.get(RETENTION_ENV, DEFAULT_RETENTION_DAYS))
    except ValueError:
        logger.error("%s is not a number: using %d days", RETENTION_ENV, DEFAULT_RETENTION_DAYS)
        days = DEFAULT_RETENTION_DAYS
    try:
        removed = await _default.purge_inactive(days)
    except Exception:
        logger.exception("Could not purge old contacts")
        return
    if removed:
        logger.info("Deleted %d addresses of people silent for more than %g days", removed, days)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["new-key"]:
        print(Fernet.generate_key().decode())
        return 0
    print("usage: python -m bot.contacts new-key   (prints a key for BRUJULA_CONTACTS_KEY)", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
