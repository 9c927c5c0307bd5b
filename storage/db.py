"""The database: SQLite (a file, the default) or PostgreSQL (a `postgresql://` URL), numbered
migrations for each, and the write discipline.

Storage modules take a `Connection` and write their SQL once, with `?` or `:name`
placeholders; on PostgreSQL the connection is storage/pg.py's adapter, which translates them.
The few places where the two dialects must differ ask `dialect(conn)`, or use the helpers
here:

- `skip_locked(conn)`: append to a claim query (`SELECT … FOR UPDATE SKIP LOCKED` on
  PostgreSQL, nothing on SQLite, where the write transaction already excludes every other
  writer). Use it in a `db.write()` transaction, on a query over one table, e.g.
  `f"SELECT id FROM outbox WHERE … ORDER BY id LIMIT ?{skip_locked(conn)}"`: a second worker
  claiming at the same time skips the rows the first holds instead of waiting for them.
- `json_text(conn, column, key)`: a top-level field of a JSON text column, as text.
- `reset_ids(conn, table)`: after rows were inserted with explicit ids, the next generated id
  follows the largest (SQLite does so by itself).

Writes are one transaction each (`async with db.write() as conn`), and inside one process one
at a time, on both backends: the core relies on that (a claim and the work it guards, a case
number and the case). Reads (`db.reader`) go on meanwhile: WAL on SQLite, the pool on
PostgreSQL. Between processes, SQLite serialises all writers (BEGIN IMMEDIATE); PostgreSQL
does not, which is what `skip_locked` is for.
"""

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
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiosqlite

from storage.rows import first as _first

Connection = Any
"""One open connection, as the core passes it into storage/ functions (never opens its own):
an aiosqlite.Connection or storage.pg.PgConnection, with the same methods."""

SQLITE, POSTGRESQL = "sqlite", "postgresql"
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")
_MIGRATION_DIRS = {SQLITE: "migrations", POSTGRESQL: "migrations_pg"}
# Taken by every process that migrates a PostgreSQL database, so that two starting at once
# do not both apply a migration.
_MIGRATION_LOCK = 0x67726964


class DatabaseError(RuntimeError):
    """The database cannot be opened: a clear reason for a person, never a traceback."""


def dialect(conn: Any) -> str:
    """ "sqlite" or "postgresql": which SQL this connection (or Database) speaks."""
    return getattr(conn, "dialect", SQLITE)


def skip_locked(conn: Any) -> str:
    """The suffix of a claim query: rows another transaction holds are skipped on PostgreSQL."""
    return " FOR UPDATE SKIP LOCKED" if dialect(conn) == POSTGRESQL else ""


async def one_at_a_time(conn: Any, key: int) -> None:
    """Serialise the rest of this write transaction with every other one that names `key`, in
    any process: a transaction-level advisory lock on PostgreSQL; nothing on SQLite, where
    `BEGIN IMMEDIATE` already lets one writer at a time in."""
    if dialect(conn) == POSTGRESQL:
        await conn.execute("SELECT pg_advisory_xact_lock(?)", (key,))


def json_text(conn: Any, column: str, key: str) -> str:
    """SQL for the top-level field `key` of the JSON text in `column` (NULL when absent)."""
    if not re.fullmatch(r"[a-z_]+", key):
        raise ValueError(f"not a plain JSON key: {key!r}")
    if dialect(conn) == POSTGRESQL:
        # json, not jsonb: jsonb refuses a \u0000 anywhere in the document.
        return f"(({column})::json ->> '{key}')"
    return f"json_extract({column}, '$.{key}')"


async def reset_ids(conn: Any, table: str) -> None:
    """After inserts with explicit ids, generated ids go on past the largest (PostgreSQL)."""
    if dialect(conn) == POSTGRESQL:
        await conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
            f" COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        )


def is_url(target: str | Path) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def masked(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def migrations(which: str = SQLITE) -> list[tuple[int, str, str]]:
    """The numbered migrations of one dialect, in order: (number, name, sql)."""
    found = []
    for entry in resources.files("storage").joinpath(_MIGRATION_DIRS[which]).iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [number for number, _, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"migrations must be numbered 001, 002, … without gaps: {numbers}")
    return found


class Database:
    """The database the core holds: `open` gives the SQLite or the PostgreSQL one.

    Both offer `write()` (a transaction, one writer at a time in this process), `reader`
    (a connection for reads outside a transaction), `schema_version()` and `close()`.
    """

    dialect = SQLITE
    path: str

    @classmethod
    async def open(cls, target: str | Path) -> Database:
        """Open (or create) the database and bring its schema up to date: a file path for
        SQLite, a `postgresql://` URL for PostgreSQL."""
        if is_url(target):
            return await PgDatabase.open_url(str(target))
        return await SqliteDatabase.open_file(target)

    async def close(self) -> None:
        raise NotImplementedError

    async def schema_version(self) -> int:
        raise NotImplementedError

    def write(self) -> contextlib.AbstractAsyncContextManager[Any]:
        raise NotImplementedError

    @property
    def reader(self) -> Any:
        raise NotImplementedError


class SqliteDatabase(Database):
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

    dialect = SQLITE

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self._conn = conn
        self._reader = conn  # a second connection once the schema is current (see open)
        self.path = path
        self._write_lock = asyncio.Lock()
        self._file_lock: int | None = None  # the descriptor of FILE.lock, once opened

    @classmethod
    async def open_file(cls, path: str | Path) -> SqliteDatabase:
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
        for number, name, sql in migrations(SQLITE):
            if number <= current:
                continue
            async with self._write_lock:
                await self._conn.execute("BEGIN IMMEDIATE")
                try:
                    # executescript would commit on its own; run statement by statement instead.
                    for statement in _split_sql(sql):
                        await self._conn.execute(statement)
                    await self._conn.execute(f"PRAGMA user_version = {number}")
                except Exception as error:
                    await self._conn.execute("ROLLBACK")
                    raise RuntimeError(f"migration {name} failed: {error}") from error
                except BaseException:
                    # Cancelled (a signal during start-up): rolled back, and no error of ours.
                    await self._conn.execute("ROLLBACK")
                    raise
                # Outside the try, as in write(): a signal while COMMIT is awaited cancels the wait,
                # not the COMMIT (it runs in aiosqlite's thread all the same), so a ROLLBACK after it
                # would find no transaction ("cannot rollback") and turn a clean stop into an error.
                await self._conn.execute("COMMIT")

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


class PgDatabase(Database):
    """A pool of connections to one PostgreSQL database.

    Writes take a connection and a transaction each, one at a time in this process (as on
    SQLite); reads take any free connection of the pool.
    """

    dialect = POSTGRESQL

    def __init__(self, pool: Any, url: str) -> None:
        from storage.pg import PgConnection

        self._pool = pool
        self._reader = PgConnection(pool)
        self.path = url
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open_url(cls, url: str) -> PgDatabase:
        from storage.pg import create_pool

        try:
            pool = await create_pool(url)
        except (TimeoutError, OSError) as error:
            raise DatabaseError(f"cannot reach PostgreSQL at {masked(url)}: {error}") from error
        except Exception as error:  # asyncpg's: a wrong password, a missing database
            raise DatabaseError(f"cannot open PostgreSQL at {masked(url)}: {error}") from error
        db = cls(pool, url)
        try:
            await db._migrate()
        except BaseException:
            await db.close()
            raise
        return db

    async def close(self) -> None:
        await self._pool.close()

    async def schema_version(self) -> int:
        async with self._pool.acquire() as raw:
            return await _pg_version(raw)

    async def _migrate(self) -> None:
        from storage.pg import PgConnection

        steps = migrations(POSTGRESQL)
        async with self._pool.acquire() as raw:
            if await _pg_version(raw) >= len(steps):
                return
            async with self._write_lock, raw.transaction():
                await raw.execute(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
                await raw.execute(
                    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"
                )
                current = await _pg_version(raw)
                if current == 0 and not await raw.fetchval("SELECT COUNT(*) FROM schema_version"):
                    await raw.execute("INSERT INTO schema_version (version) VALUES (0)")
                conn = PgConnection(raw)
                for number, name, sql in steps:
                    if number <= current:
                        continue
                    try:
                        async with raw.transaction():  # a savepoint: the error names the step
                            await conn.execute_script(sql)
                    except Exception as error:
                        raise RuntimeError(f"migration {name} failed: {error}") from error
                    await raw.execute("UPDATE schema_version SET version = $1", number)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Any]:
        """A write transaction: all of it or nothing, one writer at a time in this process."""
        from storage.pg import PgConnection

        async with self._write_lock, self._pool.acquire() as raw, raw.transaction():
            yield PgConnection(raw)

    @property
    def reader(self) -> Any:
        """Reads outside a transaction: each statement on a free connection of the pool."""
        return self._reader


async def _pg_version(raw: Any) -> int:
    exists = await raw.fetchval("SELECT to_regclass('schema_version') IS NOT NULL")
    if not exists:
        return 0
    return int(await raw.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_version"))


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
