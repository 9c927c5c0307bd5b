"""SQL for the audit trail: one row per change of a case, never updated or deleted."""

from __future__ import annotations

import json
from typing import Any

import aiosqlite

from storage.records import EventRecord
from storage.rows import first as _first


async def insert_event(
    conn: aiosqlite.Connection,
    *,
    case_id: int,
    at: int,
    actor_id: int | None,
    action: str,
    from_status: str | None,
    to_status: str,
    note: str | None = None,
    data: dict[str, Any] | None = None,
) -> int:
    row = _first(
        await conn.execute_fetchall(
            "INSERT INTO case_events (case_id, at, actor_id, action, from_status, to_status,"
            " note, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                case_id,
                at,
                actor_id,
                action,
                from_status,
                to_status,
                note,
                json.dumps(data, ensure_ascii=False) if data else None,
            ),
        )
    )
    return int(row[0])


async def list_events(conn: aiosqlite.Connection, case_id: int) -> list[EventRecord]:
    """A case's events in the order they happened."""
    rows = await conn.execute_fetchall(
        "SELECT id, case_id, at, actor_id, action, from_status, to_status, note, data"
        " FROM case_events WHERE case_id = ? ORDER BY id",
        (case_id,),
    )
    return [
        EventRecord(*row[:8], data=json.loads(row[8]) if row[8] else {})  # type: ignore[misc]  # the row's first eight columns are the record's fields, in order
        for row in rows
    ]


async def insert_events(conn: aiosqlite.Connection, rows: list[dict[str, Any]]) -> list[int]:
    """Several events in one statement (same keys as insert_event); their ids in order."""
    if not rows:
        return []
    values = []
    for row in rows:
        data = row.get("data")
        values += [
            row["case_id"], row["at"], row.get("actor_id"), row["action"], row.get("from_status"),
            row["to_status"], row.get("note"), json.dumps(data, ensure_ascii=False) if data else None,
        ]  # fmt: skip
    placeholders = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?)"] * len(rows))
    result = await conn.execute_fetchall(
        "INSERT INTO case_events (case_id, at, actor_id, action, from_status, to_status, note, data)"
        f" VALUES {placeholders} RETURNING id",
        values,
    )
    return sorted(int(r[0]) for r in result)
