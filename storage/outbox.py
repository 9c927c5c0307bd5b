"""SQL for the outbox: notices queued with the change that caused them, drained by a sender."""

from __future__ import annotations

import json
from typing import Any

import aiosqlite

from storage.records import Notice, OutboxRecord
from storage.rows import first as _first

_COLUMNS = (
    "id, case_id, kind, chat_id, payload, dedupe_key, created_at, not_before, status, attempts,"
    " sent_at, message_id, last_error"
)


def _record(row: Any) -> OutboxRecord:
    values = list(row)
    values[4] = json.loads(values[4]) if values[4] else {}
    return OutboxRecord(*values)


async def enqueue(conn: aiosqlite.Connection, notice: Notice, *, now: int) -> int | None:
    """Queue a notice; None when one with the same dedupe key was queued before."""
    row = _first(
        await conn.execute_fetchall(
            "INSERT INTO outbox (case_id, kind, chat_id, payload, dedupe_key, created_at, not_before)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
            (
                notice.case_id,
                notice.kind,
                notice.chat_id,
                json.dumps(notice.payload, ensure_ascii=False),
                notice.dedupe_key,
                now,
                notice.not_before if notice.not_before is not None else now,
            ),
        )
    )
    return None if row is None else int(row[0])


async def enqueue_many(conn: aiosqlite.Connection, notices: list[Notice], *, now: int) -> list[int]:
    """Queue several notices in one statement; those whose dedupe key was used are skipped."""
    if not notices:
        return []
    values: list[Any] = []
    for notice in notices:
        values += [
            notice.case_id, notice.kind, notice.chat_id,
            json.dumps(notice.payload, ensure_ascii=False), notice.dedupe_key, now,
            notice.not_before if notice.not_before is not None else now,
        ]  # fmt: skip
    placeholders = ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * len(notices))
    rows = await conn.execute_fetchall(
        "INSERT INTO outbox (case_id, kind, chat_id, payload, dedupe_key, created_at, not_before)"
        f" VALUES {placeholders} ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
        values,
    )
    return sorted(int(r[0]) for r in rows)


async def due(conn: aiosqlite.Connection, *, now: int, limit: int = 100) -> list[OutboxRecord]:
    """Pending notices whose time has come, oldest first."""
    rows = await conn.execute_fetchall(
        f"SELECT {_COLUMNS} FROM outbox WHERE status = 'pending' AND not_before <= ?"
        " ORDER BY not_before, id LIMIT ?",
        (now, limit),
    )
    return [_record(row) for row in rows]


async def next_due_at(conn: aiosqlite.Connection) -> int | None:
    """When the earliest pending notice becomes due."""
    row = _first(
        await conn.execute_fetchall("SELECT MIN(not_before) FROM outbox WHERE status = 'pending'")
    )
    return None if row is None or row[0] is None else int(row[0])


async def mark_sent(
    conn: aiosqlite.Connection, outbox_id: int, *, now: int, message_id: int | None
) -> None:
    await conn.execute(
        "UPDATE outbox SET status = 'sent', sent_at = ?, message_id = ?, attempts = attempts + 1,"
        " last_error = NULL WHERE id = ?",
        (now, message_id, outbox_id),
    )


async def mark_retry(
    conn: aiosqlite.Connection, outbox_id: int, *, not_before: int, error: str
) -> None:
    await conn.execute(
        "UPDATE outbox SET attempts = attempts + 1, not_before = ?, last_error = ? WHERE id = ?",
        (not_before, error[:500], outbox_id),
    )


async def defer(
    conn: aiosqlite.Connection, outbox_id: int, *, not_before: int, reason: str
) -> None:
    """Later, through no fault of this notice (rate limited, or behind an earlier one): it keeps
    all its attempts."""
    await conn.execute(
        "UPDATE outbox SET not_before = ?, last_error = ? WHERE id = ?",
        (not_before, reason[:500], outbox_id),
    )


async def mark_failed(conn: aiosqlite.Connection, outbox_id: int, *, error: str) -> None:
    await conn.execute(
        "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?",
        (error[:500], outbox_id),
    )


FORBIDDEN = "forbidden"  # last_error prefix of a private notice the person could not be sent


async def release_forbidden(
    conn: aiosqlite.Connection, chat_id: int, *, kinds: list[str], since: int, now: int
) -> int:
    """Send again, now, the case notices that failed because this person had not started the bot
    (or had blocked it), written since `since`; returns how many."""
    marks = ",".join("?" * len(kinds))
    cursor = await conn.execute(
        "UPDATE outbox SET status = 'pending', not_before = ?, last_error = 'released by /start'"
        f" WHERE chat_id = ? AND status = 'failed' AND last_error LIKE '{FORBIDDEN}%'"
        f" AND case_id IS NOT NULL AND created_at >= ? AND kind IN ({marks})",
        (now, chat_id, since, *kinds),
    )
    return cursor.rowcount


async def list_for_case(conn: aiosqlite.Connection, case_id: int) -> list[OutboxRecord]:
    rows = await conn.execute_fetchall(
        f"SELECT {_COLUMNS} FROM outbox WHERE case_id = ? ORDER BY id", (case_id,)
    )
    return [_record(row) for row in rows]


async def get(conn: aiosqlite.Connection, outbox_id: int) -> OutboxRecord | None:
    row = _first(
        await conn.execute_fetchall(f"SELECT {_COLUMNS} FROM outbox WHERE id = ?", (outbox_id,))
    )
    return None if row is None else _record(row)


async def sent_message(
    conn: aiosqlite.Connection, case_id: int, kind: str
) -> tuple[int, int] | None:
    """(chat id, message id) of the newest sent notice of this kind for a case, e.g. its card."""
    row = _first(
        await conn.execute_fetchall(
            "SELECT chat_id, message_id FROM outbox WHERE case_id = ? AND kind = ?"
            " AND status = 'sent' AND message_id IS NOT NULL ORDER BY id DESC LIMIT 1",
            (case_id, kind),
        )
    )
    return None if row is None else (int(row[0]), int(row[1]))


async def case_of_message(
    conn: aiosqlite.Connection, chat_id: int, message_id: int
) -> tuple[int, str] | None:
    """(case id, kind) of the notice that became this message."""
    row = _first(
        await conn.execute_fetchall(
            "SELECT case_id, kind FROM outbox WHERE chat_id = ? AND message_id = ?"
            " AND case_id IS NOT NULL ORDER BY id DESC LIMIT 1",
            (chat_id, message_id),
        )
    )
    return None if row is None else (int(row[0]), str(row[1]))


async def sent_by_key(conn: aiosqlite.Connection, dedupe_key: str) -> OutboxRecord | None:
    """The notice queued under this key (sent or not)."""
    row = _first(
        await conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM outbox WHERE dedupe_key = ?", (dedupe_key,)
        )
    )
    return None if row is None else _record(row)


async def counts_by_status(conn: aiosqlite.Connection) -> dict[str, int]:
    rows = await conn.execute_fetchall("SELECT status, COUNT(*) FROM outbox GROUP BY status")
    return {str(status): int(count) for status, count in rows}
