"""The desk's own small database: staff sessions, the login limit and the audit log.

SQLAlchemy Core on ``BRUJULA_DESK_DB_URL`` (SQLite by default, PostgreSQL in production so that all
Rasa replicas share sessions, limits and one audit trail). Session tokens are stored hashed: a copy of
the database does not let anyone sign in. Calls are short and synchronous; callers run them in a
thread (:meth:`DeskStorage.run`) to keep the event loop free.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa

logger = logging.getLogger(__name__)
audit_logger = logging.getLogger("bot.handoff.audit")

T = TypeVar("T")

_metadata = sa.MetaData()

sessions_table = sa.Table(
    "desk_sessions",
    _metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("last_seen", sa.Float, nullable=False),
)

limits_table = sa.Table(
    "desk_login_limits",
    _metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False, default=0),
    sa.Column("inflight", sa.Integer, nullable=False, default=0),  # password checks running now
    sa.Column("blocked_until", sa.Float, nullable=False, default=0.0),
    sa.Column("last_at", sa.Float, nullable=False),
)

refs_table = sa.Table(
    # A conversation's id on the desk: random, kept only while the conversation exists. "Delete my
    # data" removes the row, so the audit rows written under the old id link to nobody, and a person who
    # comes back gets a new id (a keyed hash of the sender would have given the same one again).
    "desk_refs",
    _metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("ref", sa.String(32), nullable=False, unique=True),
    sa.Column("created_at", sa.Float, nullable=False),
)

audit_table = sa.Table(
    "desk_audit",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Float, nullable=False, index=True),
    sa.Column("staff", sa.String(64), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("conversation", sa.String(255)),
    sa.Column("detail", sa.Text),
    sa.Column("ip", sa.String(64)),
)


def create_tables(engine: sa.engine.Engine, metadata: sa.MetaData, tries: int = 5) -> None:
    """``create_all``, tolerating another replica creating the same tables at the same instant.

    On a fresh database two replicas starting together both see no table and both run CREATE TABLE:
    the second fails (PostgreSQL: a unique index of the catalogue; SQLite: "table ... already exists").
    Trying again finds the tables.
    """
    for attempt in range(tries):
        try:
            metadata.create_all(engine)
            return
        except (sa.exc.IntegrityError, sa.exc.ProgrammingError, sa.exc.OperationalError):
            if attempt == tries - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class StaffSession:
    token: str
    username: str
    csrf_token: str
    created_at: float
    last_seen: float


class DeskStorage:
    def __init__(self, url: str) -> None:
        kwargs: dict[str, Any] = {}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False}
            if url in ("sqlite://", "sqlite:///:memory:"):  # one in-memory database for every thread
                kwargs["poolclass"] = sa.pool.StaticPool
        else:  # a connection left over from before a database restart is replaced, not used (no 500)
            kwargs["pool_pre_ping"] = True
        self.engine = sa.create_engine(url, future=True, **kwargs)
        create_tables(self.engine, _metadata)
        self.url_for_logs = self.engine.url.render_as_string(hide_password=True)

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(None, function, *args)

    # -- sessions -------------------------------------------------------------------------------
    def create_session(self, username: str, now: float | None = None) -> StaffSession:
        now = now or time.time()
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            conn.execute(
                sessions_table.insert().values(
                    token_hash=_hash(token), username=username, csrf_token=csrf, created_at=now, last_seen=now
                )
            )
        return StaffSession(token, username, csrf, now, now)

    def check_session(
        self, token: str, idle_seconds: float, max_seconds: float, now: float | None = None
    ) -> tuple[StaffSession | None, str]:
        """``(session, "ok")``, or ``(None, "missing" | "expired")``. A valid session's idle clock restarts.

        Only a request without any token is "missing": a token the database no longer knows belonged to
        a session that timed out (sign-out also removes the cookie).
        """
        now = now or time.time()
        if not token:
            return None, "missing"
        key = _hash(token)
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(sessions_table).where(sessions_table.c.token_hash == key)).mappings().first()
            if row is None:  # a cookie for a session that ended (timed out, or purged): say it expired
                return None, "expired"
            if now - row["last_seen"] > idle_seconds or now - row["created_at"] > max_seconds:
                conn.execute(sessions_table.delete().where(sessions_table.c.token_hash == key))
                return None, "expired"
            if now - row["last_seen"] > 15:  # fewer writes: a 15 s resolution is plenty for a 30 min timeout
                conn.execute(sessions_table.update().where(sessions_table.c.token_hash == key).values(last_seen=now))
        return StaffSession(token, row["username"], row["csrf_token"], row["created_at"], now), "ok"

    def end_session(self, token: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(sessions_table.delete().where(sessions_table.c.token_hash == _hash(token)))

    def end_sessions_of(self, username: str) -> int:
        with self.engine.begin() as conn:
            return int(conn.execute(sessions_table.delete().where(sessions_table.c.username == username)).rowcount)

    def purge_sessions(self, idle_seconds: float, max_seconds: float, now: float | None = None) -> None:
        now = now or time.time()
        with self.engine.begin() as conn:
            conn.execute(
                sessions_table.delete().where(
                    sa.or_(
                        sessions_table.c.last_seen < now - idle_seconds, sessions_table.c.created_at < now - max_seconds
                    )
                )
            )

    # -- desk ids -------------------------------------------------------------------------------
    def ref_for(self, sender_id: str, now: float | None = None) -> str:
        """The desk id of ``sender_id``, created (random) on first use; the same on every replica."""
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(refs_table.c.ref).where(refs_table.c.sender_id == sender_id)).first()
            if row is not None:
                return str(row[0])
        try:
            with self.engine.begin() as conn:
                ref = secrets.token_hex(16)
                conn.execute(refs_table.insert().values(sender_id=sender_id, ref=ref, created_at=now or time.time()))
                return ref
        except sa.exc.IntegrityError:  # another replica created it at the same instant
            with self.engine.begin() as conn:
                return str(
                    conn.execute(sa.select(refs_table.c.ref).where(refs_table.c.sender_id == sender_id)).scalar_one()
                )

    def existing_ref(self, sender_id: str) -> str | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(refs_table.c.ref).where(refs_table.c.sender_id == sender_id)).first()
        return str(row[0]) if row else None

    def forget_refs(self, sender_ids: list[str]) -> int:
        """Unlink the desk ids of erased or purged conversations (their audit rows stay, linked to nobody)."""
        if not sender_ids:
            return 0
        with self.engine.begin() as conn:
            return int(conn.execute(refs_table.delete().where(refs_table.c.sender_id.in_(sender_ids))).rowcount)

    # -- login rate limit -----------------------------------------------------------------------
    # A try is counted BEFORE its password is checked, by one conditional UPDATE per key (atomic on
    # PostgreSQL and SQLite): 40 parallel tries cannot all pass a read-then-write check. Keys are per
    # (address, account) and per address, never per account alone: nobody can lock staff out from
    # elsewhere. Each failure past the limit doubles the wait (BACKOFF_BASE_SECONDS, 2x, 4x...).
    BACKOFF_BASE_SECONDS = 30.0
    BACKOFF_MAX_SECONDS = 3600.0
    STALE_INFLIGHT_SECONDS = 120.0  # a replica that died during a check does not hold a slot forever

    def begin_login_attempt(self, limits: dict[str, int], window_seconds: float, now: float | None = None) -> float:
        """Reserve one password check under every key of ``limits`` (key -> failures allowed).

        Returns 0 if the check may run (call :meth:`end_login_attempt` afterwards), else the seconds to wait.
        """
        now = now or time.time()
        taken: list[str] = []
        t = limits_table
        wait = 0.0
        with self.engine.begin() as conn:
            for key, allowed in limits.items():
                self._ensure_limit_row(conn, key, now)
                # Forget old failures once the window passed without a block; free slots of dead checks.
                conn.execute(
                    t.update()
                    .where(t.c.key == key, t.c.last_at < now - window_seconds, t.c.blocked_until <= now)
                    .values(failures=0, inflight=0)
                )
                conn.execute(
                    t.update()
                    .where(t.c.key == key, t.c.inflight > 0, t.c.last_at < now - self.STALE_INFLIGHT_SECONDS)
                    .values(inflight=0)
                )
                reserved = conn.execute(
                    t.update()
                    .where(
                        t.c.key == key,
                        t.c.blocked_until <= now,
                        # under the limit, or the one try allowed when a block has just run out
                        sa.or_(
                            t.c.failures + t.c.inflight < allowed, sa.and_(t.c.inflight == 0, t.c.failures >= allowed)
                        ),
                    )
                    .values(inflight=t.c.inflight + 1, last_at=now)
                ).rowcount
                if reserved != 1:
                    row = conn.execute(sa.select(t.c.blocked_until).where(t.c.key == key)).first()
                    wait = max(1.0, (row[0] if row else now) - now)
                    break
                taken.append(key)
            if wait:
                for key in taken:  # give back what this refused try reserved
                    conn.execute(t.update().where(t.c.key == key, t.c.inflight > 0).values(inflight=t.c.inflight - 1))
        return wait

    def _ensure_limit_row(self, conn: Any, key: str, now: float) -> None:
        dialect = self.engine.dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            conn.execute(
                pg_insert(limits_table)
                .values(key=key, failures=0, inflight=0, blocked_until=0.0, last_at=now)
                .on_conflict_do_nothing()
            )
        elif dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            conn.execute(
                sqlite_insert(limits_table)
                .values(key=key, failures=0, inflight=0, blocked_until=0.0, last_at=now)
                .on_conflict_do_nothing()
            )
        else:
            if conn.execute(sa.select(limits_table.c.key).where(limits_table.c.key == key)).first() is None:
                conn.execute(
                    limits_table.insert().values(key=key, failures=0, inflight=0, blocked_until=0.0, last_at=now)
                )

    def end_login_attempt(self, limits: dict[str, int], success: bool, now: float | None = None) -> None:
        """Release the reservation; a success clears the keys, a failure counts (and may start a block)."""
        now = now or time.time()
        t = limits_table
        with self.engine.begin() as conn:
            for key, allowed in limits.items():
                if success:
                    conn.execute(t.delete().where(t.c.key == key))
                    continue
                conn.execute(
                    t.update()
                    .where(t.c.key == key)
                    .values(
                        inflight=sa.case((t.c.inflight > 0, t.c.inflight - 1), else_=0),
                        failures=t.c.failures + 1,
                        last_at=now,
                    )
                )
                row = conn.execute(sa.select(t.c.failures).where(t.c.key == key)).first()
                failures = int(row[0]) if row else 0
                if failures >= allowed:
                    block = min(self.BACKOFF_MAX_SECONDS, self.BACKOFF_BASE_SECONDS * 2 ** min(failures - allowed, 16))
                    conn.execute(t.update().where(t.c.key == key).values(blocked_until=now + block))

    # -- audit ----------------------------------------------------------------------------------
    def audit(
        self,
        staff: str,
        action: str,
        conversation: str | None = None,
        detail: dict[str, Any] | None = None,
        ip: str | None = None,
        now: float | None = None,
    ) -> None:
        """Write who did what, when, to which conversation (pseudonymous id). Never message text."""
        now = now or time.time()
        detail_text = json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else None
        with self.engine.begin() as conn:
            row_id = conn.execute(
                audit_table.insert().values(
                    at=now, staff=staff[:64], action=action, conversation=conversation, detail=detail_text, ip=ip
                )
            ).inserted_primary_key[0]
        # The log line names the audit row, not the conversation: logs cannot be erased on request, and
        # the desk id in them would link a person's trail to whoever can read the desk database.
        audit_logger.info(
            "desk audit #%s: staff=%s action=%s detail=%s", row_id, staff[:64], action, detail_text or "-"
        )

    def audit_entries(
        self, limit: int = 100, staff: str | None = None, conversation: str | None = None
    ) -> list[dict[str, Any]]:
        query = sa.select(audit_table).order_by(audit_table.c.id.desc()).limit(limit)
        if staff:
            query = query.where(audit_table.c.staff == staff)
        if conversation:
            query = query.where(audit_table.c.conversation == conversation)
        with self.engine.connect() as conn:
            rows = [dict(row) for row in conn.execute(query).mappings()]
        for row in rows:
            row["detail"] = json.loads(row["detail"]) if row["detail"] else None
        return rows


_shared: dict[str, DeskStorage] = {}


def shared_storage(url: str) -> DeskStorage:
    """One :class:`DeskStorage` per database URL in this process (erase and purge reuse it)."""
    if url not in _shared:
        _shared[url] = DeskStorage(url)
    return _shared[url]
