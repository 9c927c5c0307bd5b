"""Copy a district's SQLite database into PostgreSQL (`gridbot migrate`).

The target's schema is brought up to date first; then every table is copied in the order its
references need (cases before their events), all in one PostgreSQL transaction that is
committed only when each table holds as many rows as the source: a failure half-way leaves the
target as it was. The source is read in one read transaction, so a district that keeps running
meanwhile is copied as it was at one moment (what it writes after that moment is not copied:
stop the bot for the switch).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from storage.db import POSTGRESQL, SQLITE, Database, DatabaseError, reset_ids

_CHUNK = 5000


class TransferError(DatabaseError):
    """The copy cannot be made; the message says why (nothing was written)."""


@dataclass(frozen=True, slots=True)
class Copied:
    table: str
    source: int  # rows in the SQLite table
    target: int  # rows in the PostgreSQL table after the copy


async def _tables(db: Database) -> list[str]:
    rows = await db.reader.execute_fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY name"
    )
    return [str(r[0]) for r in rows]


async def _references(db: Database, table: str) -> set[str]:
    rows = await db.reader.execute_fetchall(f"PRAGMA foreign_key_list({table})")
    return {str(r[2]) for r in rows if str(r[2]) != table}


async def _columns(db: Database, table: str) -> list[str]:
    return [str(r[1]) for r in await db.reader.execute_fetchall(f"PRAGMA table_info({table})")]


async def copy_order(db: Database) -> list[str]:
    """The SQLite tables, each after the tables it refers to (then by name)."""
    tables = await _tables(db)
    needs = {table: await _references(db, table) for table in tables}
    ordered: list[str] = []
    while len(ordered) < len(tables):
        ready = [t for t in tables if t not in ordered and needs[t] <= set(ordered)]
        if not ready:
            raise TransferError(f"tables refer to each other in a circle: {sorted(needs)}")
        ordered.extend(ready)
    return ordered


async def _target_columns(target: Database) -> dict[str, list[str]]:
    rows = await target.reader.execute_fetchall(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
    )
    found: dict[str, list[str]] = {}
    for table, column in rows:
        found.setdefault(str(table), []).append(str(column))
    return found


async def transfer(
    source_path: str | Path,
    target_url: str,
    *,
    progress: Callable[[Copied], None] | None = None,
) -> list[Copied]:
    """Copy every table of the SQLite file into the PostgreSQL database; the rows per table.

    Refuses (TransferError) a missing file, an unreachable target and a target that holds data
    already; the target is left untouched then.
    """
    path = Path(source_path)
    if not await asyncio.to_thread(path.is_file):
        raise TransferError(f"no SQLite database at {path}")
    source = await Database.open(path)
    try:
        if source.dialect != SQLITE:
            raise TransferError(f"{path} is not a SQLite database")
        target = await Database.open(target_url)
        try:
            if target.dialect != POSTGRESQL:
                raise TransferError("the target must be a postgresql:// URL")
            return await _copy(source, target, progress)
        finally:
            await target.close()
    finally:
        await source.close()


async def _copy(
    source: Database, target: Database, progress: Callable[[Copied], None] | None
) -> list[Copied]:
    order = await copy_order(source)
    columns_there = await _target_columns(target)
    missing = [t for t in order if t not in columns_there]
    if missing:
        raise TransferError(f"the target has no table {', '.join(missing)}")
    holding = []
    for table in order:
        row = await target.reader.execute_fetchall(f"SELECT EXISTS (SELECT 1 FROM {table})")
        if row[0][0]:
            holding.append(table)
    if holding:
        what = "cases" if "cases" in holding else ", ".join(holding)
        raise TransferError(
            f"the target already holds {what}: migrate copies into an empty database only"
        )
    reading = source.reader
    copied: list[Copied] = []
    await reading.execute("BEGIN")  # one snapshot of the source for every table
    try:
        async with target.write() as conn:
            for table in order:
                columns = await _columns(source, table)
                unknown = [c for c in columns if c not in columns_there[table]]
                if unknown:
                    raise TransferError(f"the target's {table} has no column {', '.join(unknown)}")
                names = ", ".join(columns)
                async with reading.execute(f"SELECT {names} FROM {table} ORDER BY rowid") as cur:
                    while rows := await cur.fetchmany(_CHUNK):
                        await conn.copy_rows(table, columns, [tuple(r) for r in rows])
                if "id" in columns:
                    await reset_ids(conn, table)
                there = await conn.execute_fetchall(f"SELECT COUNT(*) FROM {table}")
                here = await reading.execute_fetchall(f"SELECT COUNT(*) FROM {table}")
                done = Copied(table, int(here[0][0]), int(there[0][0]))
                if done.source != done.target:
                    raise TransferError(
                        f"{table}: {done.source} rows in the source but {done.target} copied"
                    )
                copied.append(done)
                if progress is not None:
                    progress(done)
    finally:
        await reading.execute("COMMIT")
    return copied
