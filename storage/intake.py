"""SQL that intake needs: pending unsure reports, recent cases of a reporter, look-alike cases."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from storage.cases import _COLUMNS, _record
from storage.records import CaseRecord
from storage.rows import first


@dataclass(slots=True)
class PendingReport:
    chat_id: int
    message_id: int
    user_id: int
    user_name: str
    text: str
    category: str
    level: int
    urgent: bool
    location: str | None
    confidence: float
    has_photo: bool
    created_at: int
    expires_at: int
    card_message_id: int | None
    status: str
    photo_file_id: str | None = None
    latitude: float | None = None
    longitude: float | None = None


_PENDING = (
    "chat_id, message_id, user_id, user_name, text, category, level, urgent, location,"
    " confidence, has_photo, created_at, expires_at, card_message_id, status,"
    " photo_file_id, latitude, longitude"
)


async def add_pending(conn: aiosqlite.Connection, pending: PendingReport) -> bool:
    """Remember an unsure report; False when this message is already waiting."""
    rows = await conn.execute_fetchall(
        f"INSERT INTO pending_reports ({_PENDING}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING RETURNING chat_id",
        (
            pending.chat_id, pending.message_id, pending.user_id, pending.user_name,
            pending.text, pending.category, pending.level, int(pending.urgent),
            pending.location, pending.confidence, int(pending.has_photo), pending.created_at,
            pending.expires_at, pending.card_message_id, pending.status,
            pending.photo_file_id, pending.latitude, pending.longitude,
        ),
    )  # fmt: skip
    return first(rows) is not None


async def get_pending(
    conn: aiosqlite.Connection, chat_id: int, message_id: int
) -> PendingReport | None:
    row = first(
        await conn.execute_fetchall(
            f"SELECT {_PENDING} FROM pending_reports WHERE chat_id = ? AND message_id = ?",
            (chat_id, message_id),
        )
    )
    if row is None:
        return None
    pending = PendingReport(*row)
    pending.urgent, pending.has_photo = bool(pending.urgent), bool(pending.has_photo)
    return pending


async def settle_pending(
    conn: aiosqlite.Connection, chat_id: int, message_id: int, status: str
) -> bool:
    """Close an open pending report once; False when it was settled before (a double tap)."""
    rows = await conn.execute_fetchall(
        "UPDATE pending_reports SET status = ? WHERE chat_id = ? AND message_id = ?"
        " AND status = 'open' RETURNING chat_id",
        (status, chat_id, message_id),
    )
    return first(rows) is not None


async def set_pending_card(
    conn: aiosqlite.Connection, chat_id: int, message_id: int, card_message_id: int
) -> None:
    await conn.execute(
        "UPDATE pending_reports SET card_message_id = ? WHERE chat_id = ? AND message_id = ?",
        (card_message_id, chat_id, message_id),
    )


async def expire_pending(conn: aiosqlite.Connection, now: int) -> list[PendingReport]:
    """Mark every open pending report past its time as expired and return them."""
    rows = await conn.execute_fetchall(
        f"UPDATE pending_reports SET status = 'expired' WHERE status = 'open' AND expires_at <= ?"
        f" RETURNING {_PENDING}",
        (now,),
    )
    result = []
    for row in rows:
        pending = PendingReport(*row)
        pending.urgent, pending.has_photo = bool(pending.urgent), bool(pending.has_photo)
        result.append(pending)
    return result


async def has_open_pending(
    conn: aiosqlite.Connection, chat_id: int, user_id: int, now: int
) -> bool:
    """Whether this person already has an unanswered unsure card in this chat."""
    rows = await conn.execute_fetchall(
        "SELECT 1 FROM pending_reports WHERE chat_id = ? AND user_id = ? AND status = 'open'"
        " AND expires_at > ? LIMIT 1",
        (chat_id, user_id, now),
    )
    return first(rows) is not None


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
