"""SQL for the users the bot has met."""

from __future__ import annotations

import aiosqlite

from storage.records import UserRecord
from storage.rows import first as _first


async def upsert_user(
    conn: aiosqlite.Connection, *, user_id: int, name: str, username: str | None, now: int
) -> None:
    """Remember a user, refreshing the name they go by now."""
    await conn.execute(
        "INSERT INTO users (id, name, username, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET name = excluded.name, username = excluded.username,"
        " last_seen = excluded.last_seen",
        (user_id, name, username, now, now),
    )


async def set_started(conn: aiosqlite.Connection, user_id: int, started: bool) -> None:
    await conn.execute(
        "UPDATE users SET started_bot = ?, blocked = CASE WHEN ? = 1 THEN 0 ELSE blocked END"
        " WHERE id = ?",
        (int(started), int(started), user_id),
    )


async def set_blocked(conn: aiosqlite.Connection, user_id: int) -> None:
    await conn.execute("UPDATE users SET blocked = 1 WHERE id = ?", (user_id,))


async def get_user(conn: aiosqlite.Connection, user_id: int) -> UserRecord | None:
    row = _first(
        await conn.execute_fetchall(
            "SELECT id, name, username, started_bot, blocked, first_seen, last_seen"
            " FROM users WHERE id = ?",
            (user_id,),
        )
    )
    if row is None:
        return None
    record = UserRecord(*row)
    record.started_bot = bool(record.started_bot)
    record.blocked = bool(record.blocked)
    return record


async def claim_start_nudge(
    conn: aiosqlite.Connection, user_id: int, *, now: int, every: int
) -> bool:
    """Whether a /start reminder may go to this person now (none in the last `every` seconds);
    claims it when so."""
    cursor = await conn.execute(
        "UPDATE users SET start_nudged_at = ? WHERE id = ?"
        " AND (start_nudged_at IS NULL OR start_nudged_at <= ?)",
        (now, user_id, now - every),
    )
    if cursor.rowcount:
        return True
    # Someone the bot never met (a handler from the configuration) is met now.
    row = _first(await conn.execute_fetchall("SELECT 1 FROM users WHERE id = ?", (user_id,)))
    if row is not None:
        return False
    await conn.execute(
        "INSERT INTO users (id, name, first_seen, last_seen, start_nudged_at) VALUES (?, ?, ?, ?, ?)",
        (user_id, str(user_id), now, now, now),
    )
    return True
