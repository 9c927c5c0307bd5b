"""SQL for the messages that show a case: handlers' private cards, and residents' messages hidden
for their privacy."""

from __future__ import annotations

import aiosqlite

from storage.rows import first as _first


async def hold(
    conn: aiosqlite.Connection, *, case_id: int, chat_id: int, message_id: int, form: str, now: int
) -> bool:
    """Remember a message that shows this case in a handler's chat; False when known already."""
    cursor = await conn.execute(
        "INSERT INTO held_cards (case_id, chat_id, message_id, form, at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (chat_id, message_id) DO NOTHING",
        (case_id, chat_id, message_id, form, now),
    )
    return cursor.rowcount > 0


async def held(
    conn: aiosqlite.Connection, case_id: int, chat_id: int | None = None
) -> list[tuple[int, int, str]]:
    """(chat id, message id, form) of every message showing this case, oldest first."""
    sql = "SELECT chat_id, message_id, form FROM held_cards WHERE case_id = ?"
    args: tuple[int, ...] = (case_id,)
    if chat_id is not None:
        sql += " AND chat_id = ?"
        args += (chat_id,)
    rows = await conn.execute_fetchall(sql + " ORDER BY chat_id, message_id", args)
    return [(int(c), int(m), str(f)) for c, m, f in rows]


async def holders(conn: aiosqlite.Connection, case_id: int) -> list[int]:
    """The chats holding at least one message that shows this case."""
    rows = await conn.execute_fetchall(
        "SELECT DISTINCT chat_id FROM held_cards WHERE case_id = ? ORDER BY chat_id", (case_id,)
    )
    return [int(r[0]) for r in rows]


async def add_hidden(
    conn: aiosqlite.Connection, *, chat_id: int, message_id: int, case_id: int, what: str, now: int
) -> bool:
    cursor = await conn.execute(
        "INSERT INTO hidden_messages (chat_id, message_id, case_id, what, at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (chat_id, message_id) DO NOTHING",
        (chat_id, message_id, case_id, what, now),
    )
    return cursor.rowcount > 0


async def hidden_of(conn: aiosqlite.Connection, case_id: int) -> str | None:
    """What was hidden of the case's own message (phone, id_number, both), or None."""
    row = _first(
        await conn.execute_fetchall(
            "SELECT what FROM hidden_messages WHERE case_id = ? ORDER BY at LIMIT 1", (case_id,)
        )
    )
    return None if row is None else str(row[0])
