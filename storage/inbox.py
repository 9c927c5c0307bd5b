"""SQL for the inbox: updates as they came from the platform, stored before they are confirmed."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from storage.db import skip_locked
from storage.rows import first

_COLUMNS = "update_id, kind, chat_id, message_id, payload, attempts, received_at"


@dataclass(frozen=True, slots=True)
class InboxRow:
    update_id: int
    kind: str
    chat_id: int | None
    message_id: int | None
    payload: str  # the update as the platform sent it (JSON)
    attempts: int = 0
    received_at: int = 0
    lane: int | None = None  # the chat whose order it keeps (None: no order to keep)


async def store(conn: aiosqlite.Connection, rows: list[InboxRow], *, now: int) -> int:
    """Keep a batch; an update or a message stored before is skipped. Returns how many are new."""
    added = 0
    for row in rows:
        inserted = await conn.execute_fetchall(
            "INSERT INTO inbox (update_id, kind, chat_id, message_id, payload, received_at, lane)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING update_id",
            (row.update_id, row.kind, row.chat_id, row.message_id, row.payload, now, row.lane),
        )
        added += first(inserted) is not None
    return added


async def waiting(conn: aiosqlite.Connection, *, limit: int = 100) -> list[InboxRow]:
    """Updates not yet handled, in the order they came."""
    rows = await conn.execute_fetchall(
        f"SELECT {_COLUMNS} FROM inbox WHERE status = 'waiting' ORDER BY update_id LIMIT ?",
        (limit,),
    )
    return [InboxRow(*row) for row in rows]


async def claim(
    conn: aiosqlite.Connection, *, now: int, owner: str, lease: int, limit: int
) -> list[InboxRow]:
    """Take waiting updates for one worker until now + lease: of each lane only the first still
    waiting (so a chat's updates are handled one after the other, in order), none another worker
    holds, oldest first. Returned in update order."""
    rows = await conn.execute_fetchall(
        "-- claim: the first waiting update of each lane that nobody holds\n"
        "UPDATE inbox SET lease_until = :until, claimed_by = :owner WHERE update_id IN ("
        " SELECT i.update_id FROM inbox i"
        " WHERE i.status = 'waiting' AND (i.lease_until IS NULL OR i.lease_until <= :now)"
        " AND (i.lane IS NULL OR NOT EXISTS (SELECT 1 FROM inbox e WHERE e.lane = i.lane"
        " AND e.status = 'waiting' AND e.update_id < i.update_id))"
        f" ORDER BY i.update_id LIMIT :limit{skip_locked(conn)})"
        f" RETURNING {_COLUMNS}",
        {"until": now + lease, "owner": owner, "now": now, "limit": limit},
    )
    return sorted((InboxRow(*row) for row in rows), key=lambda r: r.update_id)


async def claimable(conn: aiosqlite.Connection, *, now: int) -> bool:
    """Whether a claim could find anything (a read: idle workers ask this, not claim)."""
    row = first(
        await conn.execute_fetchall(
            "SELECT 1 FROM inbox WHERE status = 'waiting'"
            " AND (lease_until IS NULL OR lease_until <= ?) LIMIT 1",
            (now,),
        )
    )
    return row is not None


async def renew(conn: aiosqlite.Connection, *, owner: str, until: int) -> int:
    """Extend this worker's claims on the updates it still holds; returns how many."""
    cursor = await conn.execute(
        "UPDATE inbox SET lease_until = ? WHERE claimed_by = ? AND status = 'waiting'",
        (until, owner),
    )
    return cursor.rowcount


async def release(conn: aiosqlite.Connection, update_ids: list[int] | None, *, owner: str) -> None:
    """Give claimed updates back unhandled (the worker stops); None: all this worker holds."""
    if update_ids is None:
        await conn.execute(
            "UPDATE inbox SET lease_until = NULL, claimed_by = NULL"
            " WHERE claimed_by = ? AND status = 'waiting'",
            (owner,),
        )
    elif update_ids:
        marks = ",".join("?" * len(update_ids))
        await conn.execute(
            "UPDATE inbox SET lease_until = NULL, claimed_by = NULL"
            f" WHERE claimed_by = ? AND status = 'waiting' AND update_id IN ({marks})",
            (owner, *update_ids),
        )


async def mark_handled(conn: aiosqlite.Connection, update_id: int, *, now: int) -> None:
    """Handled; claimed_by stays, saying which worker handled it."""
    await conn.execute(
        "UPDATE inbox SET status = 'handled', handled_at = ?, attempts = attempts + 1,"
        " lease_until = NULL WHERE update_id = ?",
        (now, update_id),
    )


async def mark_attempt(
    conn: aiosqlite.Connection,
    update_id: int,
    error: str,
    *,
    give_up: bool,
    now: int,
    hold_until: int | None = None,
) -> None:
    """A failed attempt: the update waits for the next one (claimed by nobody until
    `hold_until`: its lane waits with it), or is set aside as failed."""
    await conn.execute(
        "UPDATE inbox SET attempts = attempts + 1, last_error = ?,"
        " status = CASE WHEN ? = 1 THEN 'failed' ELSE status END,"
        " handled_at = CASE WHEN ? = 1 THEN ? ELSE handled_at END,"
        " lease_until = ?, claimed_by = NULL WHERE update_id = ?",
        (error[:500], int(give_up), int(give_up), now, hold_until, update_id),
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
