"""SQL that intake needs: recent cases of a reporter, look-alike cases."""

from __future__ import annotations

import aiosqlite

from storage.cases import _COLUMNS, _record
from storage.records import CaseRecord
from storage.rows import first


async def count_recent_cases(conn: aiosqlite.Connection, reporter_id: int, since: int) -> int:
    row = first(
        await conn.execute_fetchall(
            "SELECT COUNT(*) FROM cases WHERE reporter_id = ? AND created_at >= ?",
            (reporter_id, since),
        )
    )
    return int(row[0])


async def latest_case_of(
    conn: aiosqlite.Connection, reporter_id: int, chat_id: int, since: int
) -> CaseRecord | None:
    """The reporter's newest case from this chat since a time: where a late photo belongs."""
    row = first(
        await conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM cases WHERE reporter_id = ? AND chat_id = ?"
            " AND created_at >= ? ORDER BY created_at DESC, id DESC LIMIT 1",
            (reporter_id, chat_id, since),
        )
    )
    return None if row is None else _record(row)


async def similar_open_cases(
    conn: aiosqlite.Connection, grid_id: str, category: str, since: int, statuses: list[str]
) -> list[CaseRecord]:
    """Open cases of the same grid and category since a time, oldest first (同问 candidates)."""
    rows = await conn.execute_fetchall(
        f"SELECT {_COLUMNS} FROM cases WHERE grid_id = ? AND category = ? AND created_at >= ?"
        f" AND status IN ({', '.join('?' * len(statuses))}) ORDER BY created_at, id LIMIT 50",
        (grid_id, category, since, *statuses),
    )
    return [_record(row) for row in rows]
