"""SQL for photos and location pins attached to cases (by Telegram file id or coordinates)."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from storage.rows import first as _first


@dataclass(slots=True)
class Attachment:
    id: int
    case_id: int
    kind: str
    file_id: str | None
    latitude: float | None
    longitude: float | None
    added_by: int
    message_id: int | None
    at: int


async def add_attachment(
    conn: aiosqlite.Connection,
    *,
    case_id: int,
    kind: str,
    added_by: int,
    at: int,
    file_id: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    message_id: int | None = None,
) -> int:
    return int(
        (
            _first(
                await conn.execute_fetchall(
                    "INSERT INTO attachments (case_id, kind, file_id, latitude, longitude, added_by,"
                    " message_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    (case_id, kind, file_id, latitude, longitude, added_by, message_id, at),
                )
            )
        )[0]
    )


async def list_attachments(conn: aiosqlite.Connection, case_id: int) -> list[Attachment]:
    return [
        Attachment(*row)
        for row in await conn.execute_fetchall(
            "SELECT id, case_id, kind, file_id, latitude, longitude, added_by, message_id, at"
            " FROM attachments WHERE case_id = ? ORDER BY id",
            (case_id,),
        )
    ]
