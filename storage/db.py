"""The SQLite connection: pragmas, numbered migrations and the write discipline."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

import aiosqlite

from storage.rows import first as _first

Connection = aiosqlite.Connection
"""One open connection, as the core passes it into storage/ functions (never opens its own)."""

_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def skip_locked(conn: object) -> str:
    """What ends a claim's inner SELECT: "" on SQLite, where `BEGIN IMMEDIATE` already lets one
    writer at a time claim (so two workers never take one row); " FOR UPDATE SKIP LOCKED" on a
    server database, where several claims run at once and each passes over the rows another
    claim holds. Every claim query in storage/ is one statement marked `-- claim` that ends its
    row choice with this."""
    return " FOR UPDATE SKIP LOCKED" if getattr(conn, "dialect", "sqlite") == "postgresql" else ""


def migrations() -> list[tuple[int, str, str]]:
    """The numbered migrations shipped in storage/migrations, in order: (number, name, sql)."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [number for number, _, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"migrations must be numbered 001, 002, … without gaps: {numbers}")
    return found


class Database:
    """One connection per process; writes are serialised so handlers never meet a locked database.

    SQLite allows one writer at a time. Inside a process an asyncio lock orders the writers;
    `BEGIN IMMEDIATE` with a busy timeout covers a second process on the same file (WAL lets
    readers go on meanwhile). Processes of one bot (a webhook listener and its workers) also
    queue for an advisory lock on FILE.lock before they begin: SQLite's busy handler waits by
    sleeping and trying again, which under steady contention wastes most of the time, while a
    process waiting on the lock is woken the moment it is free (measured: 3 workers handled
    about twice the updates a second with it; bench/bench_workers.py). The kernel drops the
    lock of a process that dies, so a kill -9 never leaves it held.
    """

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self._conn = conn
        self._reader = conn  # a second connection once the schema is current (see open)
        self.path = path
        self._write_lock = asyncio.Lock()
        self._file_lock: int | None = None  # the descriptor of FILE.lock, once opened

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        """Open (or create) the database file and bring its schema up to date."""
        path = str(path)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = await _connect(path)
        db = cls(conn, path)
        try:
            await conn.execute("PRAGMA journal_mode = WAL")
            await db._migrate()
            if path != ":memory:":
                # Reads on their own connection (and thread) go on while a write is under way:
                # WAL gives each read the last committed state.
                db._reader = await _connect(path)
                await db._reader.execute("PRAGMA query_only = ON")
        except BaseException:
            # A failed or cancelled start leaves no connection (and no thread) behind.
            await db.close()
            raise
        return db

    async def close(self) -> None:
        if self._file_lock is not None:
            os.close(self._file_lock)
            self._file_lock = None
        if self._reader is not self._conn:
            await self._reader.close()
        await self._conn.close()

    async def schema_version(self) -> int:
        row = _first(await self._conn.execute_fetchall("PRAGMA user_version"))
        return int(row[0])

    async def _migrate(self) -> None:
        current = await self.schema_version()
        for number, name, sql in migrations():
            if number <= current:
                continue
            async with self._write_lock:
                await self._conn.execute("BEGIN IMMEDIATE")
                try:
                    # executescript would commit on its own; run statement by statement instead.
                    for statement in _split_sql(sql):
                        await self._conn.execute(statement)
                    await self._conn.execute(f"PRAGMA user_version = {number}")
                    await self._conn.execute("COMMIT")
                except Exception as error:
                    await self._conn.execute("ROLLBACK")
                    raise RuntimeError(f"migration {name} failed: {error}") from error
                except BaseException:
                    # Cancelled (a signal during start-up): rolled back, and no error of ours.
                    await self._conn.execute("ROLLBACK")
                    raise

    @asynccontextmanager
    async def write(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction: all of it or nothing, one writer at a time."""
        async with self._write_lock, self._between_processes():
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            else:
                await self._conn.execute("COMMIT")

    @asynccontextmanager
    async def _between_processes(self) -> AsyncIterator[None]:
        """The advisory lock on FILE.lock (see the class): waited for in a thread."""
        if self.path == ":memory:":
            yield
            return
        if self._file_lock is None:
            self._file_lock = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        fd = self._file_lock
        taking = asyncio.ensure_future(asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX))
        try:
            await asyncio.shield(taking)
        except asyncio.CancelledError:
            # The thread takes the lock all the same, later: give it back as soon as it has.
            taking.add_done_callback(
                lambda done: done.exception() is None and fcntl.flock(fd, fcntl.LOCK_UN)
            )
            raise
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    @property
    def reader(self) -> aiosqlite.Connection:
        """The connection for reads outside a transaction (WAL gives a consistent snapshot)."""
        return self._reader


async def _connect(path: str) -> aiosqlite.Connection:
    # aiosqlite connects in a thread of its own: cancelled half-way, that thread would finish
    # later and call back into a closed event loop. Let it finish, close it, then give way.
    connecting = asyncio.ensure_future(_configured(path))
    try:
        return await asyncio.shield(connecting)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await (await connecting).close()
        raise


async def _configured(path: str) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = aiosqlite.Row
    await conn.execute("PRAGMA busy_timeout = 10000")
    await conn.execute("PRAGMA synchronous = NORMAL")
    await conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _split_sql(script: str) -> list[str]:
    """Statements of a migration script; our scripts keep one `;` at the end of each statement."""
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    text = "\n".join(line.split("--", 1)[0] if "'" not in line else line for line in lines)
    return [part.strip() for part in text.split(";") if part.strip()]
