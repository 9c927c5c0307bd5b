"""SQL for cases: insert with a yearly human number, read, update, list."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from typing import Any

import aiosqlite

from storage.records import CaseRecord, NewCase
from storage.rows import first as _first

# The columns are the record's fields, in its order: declared once, in storage/records.py.
_COLUMNS = ", ".join(f.name for f in fields(CaseRecord))
_BOOLEAN = [f.name for f in fields(CaseRecord) if f.type == "bool"]  # SQLite keeps 0/1
UPDATABLE = frozenset(
    {
        "text",
        "category",
        "level",
        "urgent",
        "location",
        "status",
        "assignee_id",
        "department_id",
        "accept_due",
        "resolve_due",
        "accepted_at",
        "resolved_at",
        "closed_at",
        "reopen_count",
        "escalation_count",
        "overdue",
        "card_chat_id",
        "card_message_id",
        "anonymous",
    }
)


def _record(row: aiosqlite.Row | tuple[Any, ...]) -> CaseRecord:
    record = CaseRecord(*row)
    for name in _BOOLEAN:
        setattr(record, name, bool(getattr(record, name)))
    return record


async def next_number(conn: aiosqlite.Connection, year: int) -> str:
    """The next human case number of the year, like 2026-000123 (inside a write transaction)."""
    row = _first(
        await conn.execute_fetchall(
            "INSERT INTO case_counters (year, last) VALUES (?, 1) "
            "ON CONFLICT (year) DO UPDATE SET last = case_counters.last + 1 RETURNING last",
            (year,),
        )
    )
    return f"{year}-{int(row[0]):06d}"


async def give_back_number(conn: aiosqlite.Connection, year: int) -> None:
    """Undo `next_number` in the same transaction, so that numbers stay without gaps."""
    await conn.execute("UPDATE case_counters SET last = last - 1 WHERE year = ?", (year,))


_INITIAL = (
    "status",
    "level",
    "assignee_id",
    "department_id",
    "accept_due",
    "resolve_due",
    "card_chat_id",
)


async def insert_case(
    conn: aiosqlite.Connection, new: NewCase, *, number: str, now: int, **initial: Any
) -> CaseRecord | None:
    """Insert a case with its first state; None when this (chat, message) already made one.

    `initial` holds the routed fields (status, level, assignee_id, department_id, deadlines,
    card_chat_id), so a new case costs one statement.
    """
    unknown = set(initial) - set(_INITIAL)
    if unknown:
        raise ValueError(f"not initial case fields: {sorted(unknown)}")
    fields = {"level": new.level, **initial}
    names = [n for n in _INITIAL if n in fields]
    row = _first(
        await conn.execute_fetchall(
            "INSERT INTO cases (number, grid_id, community_id, street_id, reporter_id, reporter_name,"
            " anonymous, chat_id, message_id, text, category, urgent, location, confidence,"
            f" created_at, updated_at, {', '.join(names)})"
            f" VALUES ({', '.join('?' * (16 + len(names)))})"
            f" ON CONFLICT (chat_id, message_id) DO NOTHING RETURNING {_COLUMNS}",
            (
                number, new.grid_id, new.community_id, new.street_id, new.reporter_id,
                new.reporter_name, int(new.anonymous), new.chat_id, new.message_id, new.text,
                new.category, int(new.urgent), new.location, new.confidence, now, now,
                *(fields[n] for n in names),
            ),
        )
    )  # fmt: skip
    return None if row is None else _record(row)


async def get_case(conn: aiosqlite.Connection, case_id: int) -> CaseRecord | None:
    row = _first(
        await conn.execute_fetchall(f"SELECT {_COLUMNS} FROM cases WHERE id = ?", (case_id,))
    )
    return None if row is None else _record(row)


async def get_case_by_number(conn: aiosqlite.Connection, number: str) -> CaseRecord | None:
    row = _first(
        await conn.execute_fetchall(f"SELECT {_COLUMNS} FROM cases WHERE number = ?", (number,))
    )
    return None if row is None else _record(row)


async def get_case_by_message(
    conn: aiosqlite.Connection, chat_id: int, message_id: int
) -> CaseRecord | None:
    row = _first(
        await conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM cases WHERE chat_id = ? AND message_id = ?",
            (chat_id, message_id),
        )
    )
    return None if row is None else _record(row)


async def update_case(conn: aiosqlite.Connection, case_id: int, now: int, **fields: Any) -> None:
    """Set the given columns (only those a transition may change) and the update time."""
    unknown = set(fields) - UPDATABLE
    if unknown:
        raise ValueError(f"cases has no updatable column {sorted(unknown)}")
    names = sorted(fields)
    values = [int(v) if name in _BOOLEAN else v for name, v in ((n, fields[n]) for n in names)]
    assignments = ", ".join(f"{name} = ?" for name in names + ["updated_at"])
    await conn.execute(f"UPDATE cases SET {assignments} WHERE id = ?", (*values, now, case_id))


async def list_cases(
    conn: aiosqlite.Connection,
    *,
    assignee_id: int | None = None,
    reporter_id: int | None = None,
    grid_id: str | None = None,
    statuses: Iterable[str] | None = None,
    limit: int = 50,
) -> list[CaseRecord]:
    """Cases filtered by the given fields, urgent first, then oldest first."""
    where, params = [], []
    for column, value in (
        ("assignee_id", assignee_id),
        ("reporter_id", reporter_id),
        ("grid_id", grid_id),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if statuses is not None:
        statuses = list(statuses)
        where.append(f"status IN ({', '.join('?' * len(statuses))})")
        params.extend(statuses)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    order = "ORDER BY urgent DESC, created_at ASC, id ASC"
    if reporter_id is not None and assignee_id is None:
        order = "ORDER BY created_at DESC, id DESC"
    rows = await conn.execute_fetchall(
        f"SELECT {_COLUMNS} FROM cases {clause} {order} LIMIT ?", (*params, limit)
    )
    return [_record(row) for row in rows]


async def count_cases(conn: aiosqlite.Connection) -> int:
    row = _first(await conn.execute_fetchall("SELECT COUNT(*) FROM cases"))
    return int(row[0])
