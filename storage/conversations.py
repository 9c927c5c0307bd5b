"""SQL for the questions the bot is waiting on a person to answer (one per person and topic)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import aiosqlite

from storage.rows import first


@dataclass(slots=True)
class ConversationRecord:
    user_id: int
    topic: str  # prompt (a note, a reason, a photo) | report (the private /report steps)
    op: str
    case_id: int | None
    step: str
    data: dict[str, Any] = field(default_factory=dict)
    round: int = 0
    asked_at: int = 0
    expires_at: int = 0


_COLUMNS = "user_id, topic, op, case_id, step, data, round, asked_at, expires_at"


def _record(row: Any) -> ConversationRecord:
    values = list(row)
    values[5] = json.loads(values[5]) if values[5] else {}
    return ConversationRecord(*values)


async def put(conn: aiosqlite.Connection, record: ConversationRecord) -> None:
    """Open or replace the person's question on this topic."""
    await conn.execute(
        f"INSERT INTO conversations ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (user_id, topic) DO UPDATE SET op = excluded.op,"
        " case_id = excluded.case_id, step = excluded.step, data = excluded.data,"
        " round = excluded.round, asked_at = excluded.asked_at, expires_at = excluded.expires_at",
        (
            record.user_id, record.topic, record.op, record.case_id, record.step,
            json.dumps(record.data, ensure_ascii=False), record.round, record.asked_at,
            record.expires_at,
        ),
    )  # fmt: skip


async def get(conn: aiosqlite.Connection, user_id: int, topic: str) -> ConversationRecord | None:
    row = first(
        await conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM conversations WHERE user_id = ? AND topic = ?",
            (user_id, topic),
        )
    )
    return None if row is None else _record(row)


async def delete(
    conn: aiosqlite.Connection, user_id: int, topic: str, *, asked_at: int | None = None
) -> bool:
    """Close the question; with `asked_at`, only that very question (not one asked since)."""
    sql = "DELETE FROM conversations WHERE user_id = ? AND topic = ?"
    params: tuple[Any, ...] = (user_id, topic)
    if asked_at is not None:
        sql += " AND asked_at = ?"
        params += (asked_at,)
    rows = await conn.execute_fetchall(sql + " RETURNING user_id", params)
    return first(rows) is not None
