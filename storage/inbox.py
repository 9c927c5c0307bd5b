"""SQL for the inbox: updates as they came from the platform, stored before they are confirmed."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from storage.rows import first


@dataclass(frozen=True, slots=True)
class InboxRow:
    update_id: int
    kind: str
    chat_id: int | None
    message_id: int | None
    payload: str  # the update as the platform sent it (JSON)
    attempts: int = 0
    received_at: int = 0


async def store(conn: aiosqlite.Connection, rows: list[InboxRow], *, now: int) -> int:
    """Keep a batch; an update or a message stored before is skipped. Returns how many are new."""
    added = 0
    for row in rows:
        inserted = await conn.execute_fetchall(
            "INSERT INTO inbox (update_id, kind, chat_id, message_id, payload, received_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING update_id",
            (row.update_id, row.kind, row.chat_id, row.message_id, row.payload, now),
        )
        added += first(inserted) is not None
    return added


async def waiting(conn: aiosqlite.Connection, *, limit: int = 100) -> list[InboxRow]:
    """Updates not yet handled, in the order they came."""
    rows = await conn.execute_fetchall(
        "SELECT update_id, kind, chat_id, message_id, payload, attempts, received_at FROM inbox"
        " WHERE status = 'waiting' ORDER BY update_id LIMIT ?",
        (limit,),
    )
    return [InboxRow(*row) for row in rows]


async def mark_handled(conn: aiosqlite.Connection, update_id: int, *, now: int) -> None:
    await conn.execute(
        "UPDATE inbox SET status = 'handled', handled_at = ?, attempts = attempts + 1"
        " WHERE update_id = ?",
        (now, update_id),
    )


async def mark_attempt(
    conn: aiosqlite.Connection, update_id: int, error: str, *, give_up: bool, now: int
) -> None:
    """A failed attempt: the update waits for the next one, or is set aside as failed."""
    await conn.execute(
        "UPDATE inbox SET attempts = attempts + 1, last_error = ?,"
        " status = CASE WHEN ? = 1 THEN 'failed' ELSE status END,"
        " handled_at = CASE WHEN ? = 1 THEN ? ELSE handled_at END WHERE update_id = ?",
        (error[:500], int(give_up), int(give_up), now, update_id),
    )


async def last_update_id(conn: aiosqlite.Connection) -> int | None:
    row = first(await conn.execute_fetchall("SELECT MAX(update_id) FROM inbox"))
    return None if row is None or row[0] is None else int(row[0])


async def counts(conn: aiosqlite.Connection) -> dict[str, int]:
    rows = await conn.execute_fetchall(
        "SELECT status, COUNT(*) FROM inbox GROUP BY status ORDER BY status"
    )
    return {str(status): int(count) for status, count in rows}


async def forget_handled(conn: aiosqlite.Connection, *, before: int) -> int:
    """Handled updates older than this are of no further use."""
    rows = await conn.execute_fetchall(
        "DELETE FROM inbox WHERE status = 'handled' AND handled_at < ? RETURNING update_id",
        (before,),
    )
    return len(list(rows))
