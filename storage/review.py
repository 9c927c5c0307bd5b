"""SQL for review items (messages that wait for the grid leader's 立案 / 不是) and for the
training labels that every human decision about a message leaves behind."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiosqlite

from storage.rows import first


@dataclass(slots=True)
class NewReview:
    chat_id: int
    message_id: int
    grid_id: str
    reviewer_id: int
    user_id: int
    user_name: str
    text: str  # as written while open (the case needs it); the masked words once decided
    masked_text: str
    parse: dict[str, Any]
    photo_file_id: str | None
    latitude: float | None
    longitude: float | None
    created_at: int
    expires_at: int


@dataclass(slots=True)
class ReviewRecord(NewReview):
    """A stored item: what was kept, and what became of it."""

    id: int
    batch_id: int | None
    status: str
    decided_by: int | None
    decided_at: int | None
    case_id: int | None


@dataclass(slots=True)
class LabelRecord:
    id: int
    source: str  # review, category, reject
    chat_id: int
    message_id: int
    case_id: int | None
    review_id: int | None
    text: str  # masked
    is_report: bool
    category: str | None
    level: int | None
    urgent: bool
    location: str | None
    parse: dict[str, Any]
    decided_by: int | None
    decided_at: int


_COLUMN_NAMES = (
    "id", "chat_id", "message_id", "grid_id", "reviewer_id", "user_id", "user_name", "text",
    "masked_text", "parse", "photo_file_id", "latitude", "longitude", "created_at", "expires_at",
    "batch_id", "status", "decided_by", "decided_at", "case_id",
)  # fmt: skip
_COLUMNS = ", ".join(_COLUMN_NAMES)
_LABEL_COLUMNS = (
    "id, source, chat_id, message_id, case_id, review_id, text, is_report, category, level,"
    " urgent, location, parse, decided_by, decided_at"
)


def _review(row: Any) -> ReviewRecord:
    fields = dict(zip(_COLUMN_NAMES, row, strict=True))
    fields["parse"] = json.loads(fields["parse"])
    return ReviewRecord(**fields)


def _label(row: Any) -> LabelRecord:
    values = list(row)
    values[7], values[10] = bool(values[7]), bool(values[10])
    values[12] = json.loads(values[12])
    return LabelRecord(*values)


async def add_review(conn: aiosqlite.Connection, new: NewReview) -> int | None:
    """Keep a message for review; None when this message waits (or waited) already."""
    row = first(
        await conn.execute_fetchall(
            "INSERT INTO review_items (chat_id, message_id, grid_id, reviewer_id, user_id,"
            " user_name, text, masked_text, parse, photo_file_id, latitude, longitude, created_at,"
            " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING RETURNING id",
            (
                new.chat_id, new.message_id, new.grid_id, new.reviewer_id, new.user_id,
                new.user_name, new.text, new.masked_text, json.dumps(new.parse, ensure_ascii=False),
                new.photo_file_id, new.latitude, new.longitude, new.created_at, new.expires_at,
            ),
        )
    )  # fmt: skip
    return None if row is None else int(row[0])


async def get_review(conn: aiosqlite.Connection, review_id: int) -> ReviewRecord | None:
    row = first(
        await conn.execute_fetchall(
            f"SELECT {_COLUMNS} FROM review_items WHERE id = ?", (review_id,)
        )
    )
    return None if row is None else _review(row)


async def reviewers_waiting(conn: aiosqlite.Connection) -> list[tuple[int, int, int]]:
    """(reviewer, oldest created_at, count) of open items not yet sent in a batch."""
    rows = await conn.execute_fetchall(
        "SELECT reviewer_id, MIN(created_at), COUNT(*) FROM review_items"
        " WHERE status = 'open' AND batch_id IS NULL GROUP BY reviewer_id ORDER BY reviewer_id"
    )
    return [(int(r[0]), int(r[1]), int(r[2])) for r in rows]


async def unbatched_of(
    conn: aiosqlite.Connection, reviewer_id: int, *, now: int, limit: int
) -> list[ReviewRecord]:
    """A reviewer's open items not yet sent and not yet expired, oldest first."""
    rows = await conn.execute_fetchall(
        f"SELECT {_COLUMNS} FROM review_items WHERE reviewer_id = ? AND status = 'open'"
        " AND batch_id IS NULL AND expires_at > ? ORDER BY created_at, id LIMIT ?",
        (reviewer_id, now, limit),
    )
    return [_review(r) for r in rows]


async def in_failed_batches(conn: aiosqlite.Connection) -> list[ReviewRecord]:
    """Open items whose message could not be delivered (the reviewer never started the bot or
    blocked it, or the outbox gave up)."""
    rows = await conn.execute_fetchall(
        f"SELECT {_COLUMNS} FROM review_items WHERE status = 'open' AND batch_id IN"
        " (SELECT id FROM outbox WHERE status = 'failed') ORDER BY created_at, id"
    )
    return [_review(r) for r in rows]


async def reroute(conn: aiosqlite.Connection, review_id: int, reviewer_id: int) -> None:
    """Give an item to another reviewer, to be sent in their next batch."""
    await conn.execute(
        "UPDATE review_items SET reviewer_id = ?, batch_id = NULL WHERE id = ?",
        (reviewer_id, review_id),
    )


async def set_batch(conn: aiosqlite.Connection, review_ids: list[int], batch_id: int) -> None:
    await conn.executemany(
        "UPDATE review_items SET batch_id = ? WHERE id = ?", [(batch_id, i) for i in review_ids]
    )


async def batch_items(conn: aiosqlite.Connection, batch_id: int) -> list[ReviewRecord]:
    rows = await conn.execute_fetchall(
        f"SELECT {_COLUMNS} FROM review_items WHERE batch_id = ? ORDER BY created_at, id",
        (batch_id,),
    )
    return [_review(r) for r in rows]


async def settle(
    conn: aiosqlite.Connection, review_id: int, status: str, *, by: int, now: int
) -> ReviewRecord | None:
    """Decide an open, unexpired item once, dropping its unmasked words; None when it was
    decided or had expired before (a second press)."""
    row = first(
        await conn.execute_fetchall(
            "UPDATE review_items SET status = ?, decided_by = ?, decided_at = ?, text = masked_text"
            f" WHERE id = ? AND status = 'open' AND expires_at > ? RETURNING {_COLUMNS}",
            (status, by, now, review_id, now),
        )
    )
    return None if row is None else _review(row)


async def edit_open(
    conn: aiosqlite.Connection,
    chat_id: int,
    message_id: int,
    user_id: int,
    *,
    text: str,
    masked_text: str,
) -> bool:
    """New words for an open item of this author; False when there is none."""
    rows = await conn.execute_fetchall(
        "UPDATE review_items SET text = ?, masked_text = ? WHERE chat_id = ? AND message_id = ?"
        " AND user_id = ? AND status = 'open' RETURNING id",
        (text, masked_text, chat_id, message_id, user_id),
    )
    return first(rows) is not None


async def settle_as_case(
    conn: aiosqlite.Connection, chat_id: int, message_id: int, case_id: int, *, by: int, now: int
) -> bool:
    """The waiting item of this message became a case another way (its author's edit told of
    danger): accepted, with that case, its unmasked words dropped; False when none waited."""
    rows = await conn.execute_fetchall(
        "UPDATE review_items SET status = 'accepted', decided_by = ?, decided_at = ?, case_id = ?,"
        " text = masked_text WHERE chat_id = ? AND message_id = ? AND status = 'open' RETURNING id",
        (by, now, case_id, chat_id, message_id),
    )
    return first(rows) is not None


async def set_case(conn: aiosqlite.Connection, review_id: int, case_id: int) -> None:
    await conn.execute("UPDATE review_items SET case_id = ? WHERE id = ?", (case_id, review_id))


async def expire(conn: aiosqlite.Connection, now: int) -> int:
    """Mark open items past their time as expired, dropping their unmasked words; how many."""
    cursor = await conn.execute(
        "UPDATE review_items SET status = 'expired', text = masked_text"
        " WHERE status = 'open' AND expires_at <= ?",
        (now,),
    )
    return cursor.rowcount


async def add_label(
    conn: aiosqlite.Connection,
    *,
    source: str,
    chat_id: int,
    message_id: int,
    text: str,
    is_report: bool,
    category: str | None,
    level: int | None,
    urgent: bool,
    location: str | None,
    parse: dict[str, Any],
    decided_by: int | None,
    decided_at: int,
    case_id: int | None = None,
    review_id: int | None = None,
) -> int:
    row = first(
        await conn.execute_fetchall(
            "INSERT INTO training_labels (source, chat_id, message_id, case_id, review_id, text,"
            " is_report, category, level, urgent, location, parse, decided_by, decided_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                source, chat_id, message_id, case_id, review_id, text, int(is_report), category,
                level, int(urgent), location, json.dumps(parse, ensure_ascii=False), decided_by,
                decided_at,
            ),
        )
    )  # fmt: skip
    assert row is not None
    return int(row[0])


async def latest_labels(conn: aiosqlite.Connection) -> list[LabelRecord]:
    """The newest label of every message, oldest message first: a later decision about the same
    message (a category changed twice, a case accepted then 退回) replaces the earlier one."""
    rows = await conn.execute_fetchall(
        f"SELECT {_LABEL_COLUMNS} FROM training_labels WHERE id IN"
        " (SELECT MAX(id) FROM training_labels GROUP BY chat_id, message_id) ORDER BY id"
    )
    return [_label(r) for r in rows]


async def labels_of_message(
    conn: aiosqlite.Connection, chat_id: int, message_id: int
) -> list[LabelRecord]:
    rows = await conn.execute_fetchall(
        f"SELECT {_LABEL_COLUMNS} FROM training_labels WHERE chat_id = ? AND message_id = ?"
        " ORDER BY id",
        (chat_id, message_id),
    )
    return [_label(r) for r in rows]
