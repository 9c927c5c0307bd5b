"""PostgreSQL through asyncpg, shaped like the aiosqlite connection the storage modules use.

The storage modules write their SQL once, with `?` or `:name` placeholders, and call
`execute`, `execute_fetchall` and `executemany`; here those become asyncpg calls with `$n`
placeholders. Rows are asyncpg Records: indexed by position and by column name, iterable,
like aiosqlite.Row. NUMERIC results (SUM over BIGINT) come back as int when whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any

import asyncpg

# A string literal, a quoted identifier, a `::` cast, a `?` or a `:name` placeholder.
_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|::|\?|:([A-Za-z_][A-Za-z0-9_]*)")


@lru_cache(maxsize=2048)
def translate(sql: str) -> tuple[str, tuple[str, ...] | int]:
    """SQL with `?` or `:name` placeholders as asyncpg wants it (`$1`, `$2`…), outside literals.

    Returns the new SQL and either the number of `?` placeholders or the names in `$n` order
    (a name used twice is one parameter).
    """
    positional = 0
    names: list[str] = []

    def replace(match: re.Match[str]) -> str:
        nonlocal positional
        token = match.group(0)
        if token == "?":
            positional += 1
            return f"${positional}"
        name = match.group(1)
        if name is None:  # a literal, an identifier or a cast: kept as written
            return token
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    text = _TOKEN.sub(replace, sql)
    if positional and names:
        raise ValueError("SQL mixes ? and :name placeholders")
    return text, tuple(names) if names else positional


def arguments(sql: str, params: Sequence[Any] | Mapping[str, Any] | None) -> tuple[str, list[Any]]:
    text, shape = translate(sql)
    if params is None:
        params = ()
    if isinstance(shape, tuple):
        if not isinstance(params, Mapping):
            raise TypeError("named placeholders need a mapping of parameters")
        return text, [_text(params[name]) for name in shape]
    if isinstance(params, Mapping):
        if shape:
            raise TypeError("? placeholders need a sequence of parameters")
        return text, []
    values = [_text(v) for v in params]
    if len(values) != shape:
        raise ValueError(f"{shape} placeholders but {len(values)} parameters: {sql[:80]}")
    return text, values


def _text(value: Any) -> Any:
    """PostgreSQL's text holds no NUL character, which SQLite keeps: it becomes U+FFFD, so that
    a message carrying one is kept rather than failing every attempt."""
    if isinstance(value, str) and "\x00" in value:
        return value.replace("\x00", "\ufffd")
    return value


def _rows_returned(sql: str) -> bool:
    head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
    return head in ("SELECT", "WITH", "VALUES", "SHOW") or " RETURNING " in f" {sql.upper()} "


def _rowcount(status: str) -> int:
    """asyncpg's command tag ("UPDATE 3", "INSERT 0 1") as a row count."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else -1


def _numeric(text: str) -> int | float:
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() else float(value)


async def _setup(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec(
        "numeric", schema="pg_catalog", encoder=str, decoder=_numeric, format="text"
    )


class Cursor:
    """What `execute` gives: the rows (if the statement returns any) and the row count."""

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount
        self.lastrowid = None  # PostgreSQL has none: write `RETURNING id` instead

    async def fetchall(self) -> list[Any]:
        return list(self._rows)

    async def fetchone(self) -> Any | None:
        return self._rows[0] if self._rows else None

    async def close(self) -> None:
        return None


class _Executing:
    """`await conn.execute(…)` and `async with conn.execute(…) as cursor`, as in aiosqlite."""

    def __init__(self, coroutine: Any) -> None:
        self._coroutine = coroutine
        self._cursor: Cursor | None = None

    def __await__(self) -> Any:
        return self._coroutine.__await__()

    async def __aenter__(self) -> Cursor:
        self._cursor = await self._coroutine
        return self._cursor

    async def __aexit__(self, *exc: object) -> None:
        return None


class PgConnection:
    """One asyncpg connection (inside a write transaction), or the pool (for reads)."""

    dialect = "postgresql"

    def __init__(self, target: asyncpg.Connection | asyncpg.Pool) -> None:
        self._target = target

    async def _run(self, sql: str, params: Any) -> Cursor:
        text, values = arguments(sql, params)
        if _rows_returned(sql):
            rows = await self._target.fetch(text, *values)
            return Cursor(rows, len(rows))
        status = await self._target.execute(text, *values)
        return Cursor([], _rowcount(status))

    def execute(self, sql: str, params: Any = None) -> _Executing:
        return _Executing(self._run(sql, params))

    async def execute_fetchall(self, sql: str, params: Any = None) -> list[Any]:
        text, values = arguments(sql, params)
        return await self._target.fetch(text, *values)

    async def executemany(self, sql: str, seq: Iterable[Any]) -> None:
        rows = [arguments(sql, params)[1] for params in seq]
        if rows:
            await self._target.executemany(translate(sql)[0], rows)

    async def copy_rows(
        self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
    ) -> None:
        """Many rows at once with COPY (storage/transfer.py)."""
        await self._target.copy_records_to_table(table, records=rows, columns=list(columns))

    async def execute_script(self, script: str) -> None:
        """Several statements without parameters (a migration)."""
        await self._target.execute(script)


async def create_pool(url: str, *, max_size: int = 8) -> asyncpg.Pool:
    # timeout: how long to wait for the server to answer at all (a host that drops packets).
    return await asyncpg.create_pool(
        url, min_size=1, max_size=max_size, init=_setup, command_timeout=60, timeout=15
    )
