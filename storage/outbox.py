"""SQL for the outbox: notices queued with the change that caused them, drained by a sender."""

from __future__ import annotations

import json
from typing import Any

import aiosqlite

from storage.db import one_at_a_time, skip_locked
from storage.records import Notice, OutboxRecord
from storage.rows import first as _first

# Outbox claims queue for this key on a server database (see claim).
_CLAIM_LOCK = 0x6F7574626F78

_COLUMN_NAMES = (
    "id", "case_id", "kind", "chat_id", "payload", "dedupe_key", "created_at", "not_before",
    "status", "attempts", "sent_at", "message_id", "last_error", "retry_since",
)  # fmt: skip
_COLUMNS = ", ".join(_COLUMN_NAMES)
_O_COLUMNS = ", ".join(f"o.{name}" for name in _COLUMN_NAMES)


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


# A notice may go now when it is due, nobody holds it, no drainer is serving its chat, and
# nothing ahead of it in its chat's line is waiting to be retried. The line is urgent cases
# first, then the order of queueing; a notice held for the quiet hours is not in it (it was never
# tried), so it holds up nothing.
_URGENT = "COALESCE((SELECT urgent FROM cases WHERE cases.id = {row}.case_id), 0)"
_SENDABLE = f"""
    o.status = 'pending' AND o.not_before <= :now
    AND (o.lease_until IS NULL OR o.lease_until <= :now)
    AND NOT EXISTS (
        SELECT 1 FROM outbox s
        WHERE s.chat_id = o.chat_id AND s.lease_until > :now AND s.status = 'pending'
    )
    AND NOT EXISTS (
        SELECT 1 FROM outbox w
        WHERE w.chat_id = o.chat_id AND w.retry_since IS NOT NULL AND w.status = 'pending'
          AND w.not_before > :now AND w.id != o.id
          AND ({_URGENT.format(row="w")} > {_URGENT.format(row="o")}
               OR ({_URGENT.format(row="w")} = {_URGENT.format(row="o")} AND w.id < o.id))
    )
"""


async def due(conn: aiosqlite.Connection, *, now: int, limit: int = 100) -> list[OutboxRecord]:
    """Notices that may go now, urgent cases' first, each chat's in its order."""
    rows = await conn.execute_fetchall(
        f"SELECT {_O_COLUMNS} FROM outbox o WHERE {_SENDABLE}"
        f" ORDER BY {_URGENT.format(row='o')} DESC, o.id LIMIT :limit",
        {"now": now, "limit": limit},
    )
    return [_record(row) for row in rows]


async def claim(
    conn: aiosqlite.Connection, *, now: int, owner: str, lease: int, limit: int = 100
) -> list[OutboxRecord]:
    """Take the notices that may go now (see `due`) for one drainer until now + lease, in the
    order to send them. One statement inside the write transaction, so two drainers never take
    one row.

    On SQLite claims run one at a time (`BEGIN IMMEDIATE`), so the "no drainer serves this
    chat" test in _SENDABLE sees every earlier claim. A server database running claims side by
    side must serialise them, and do (`one_at_a_time`, an advisory lock until the transaction
    ends): SKIP LOCKED keeps two claims off one row, not off one chat."""
    await one_at_a_time(conn, _CLAIM_LOCK)
    rows = await conn.execute_fetchall(
        "-- claim: every notice that may go now, of chats nobody serves\n"
        "UPDATE outbox SET lease_until = :until, claimed_by = :owner WHERE id IN ("
        f" SELECT o.id FROM outbox o WHERE {_SENDABLE}"
        f" ORDER BY {_URGENT.format(row='o')} DESC, o.id LIMIT :limit{skip_locked(conn)})"
        f" RETURNING {_COLUMNS}, {_URGENT.format(row='outbox')}",
        {"now": now, "until": now + lease, "owner": owner, "limit": limit},
    )
    ordered = sorted(rows, key=lambda row: (-int(row[-1]), int(row[0])))
    return [_record(list(row)[:-1]) for row in ordered]


async def renew(conn: aiosqlite.Connection, *, owner: str, until: int) -> int:
    """Extend this drainer's claims on the notices it still holds; returns how many."""
    cursor = await conn.execute(
        "UPDATE outbox SET lease_until = ? WHERE claimed_by = ? AND status = 'pending'"
        " AND lease_until IS NOT NULL",
        (until, owner),
    )
    return cursor.rowcount


async def release(conn: aiosqlite.Connection, ids: list[int], *, owner: str) -> None:
    """Give claimed notices back untouched (their chat must wait, or the drainer stops)."""
    if ids:
        marks = ",".join("?" * len(ids))
        await conn.execute(
            "UPDATE outbox SET lease_until = NULL, claimed_by = NULL"
            f" WHERE claimed_by = ? AND id IN ({marks})",
            (owner, *ids),
        )


async def next_due_at(conn: aiosqlite.Connection, *, after: int | None = None) -> int | None:
    """When the next pending notice falls due or a claim runs out (after `after`, if given)."""
    after_clause = "" if after is None else " AND not_before > :after"
    lease_clause = "" if after is None else " AND lease_until > :after"
    row = _first(
        await conn.execute_fetchall(
            "SELECT MIN(at) FROM ("
            f" SELECT MIN(not_before) AS at FROM outbox WHERE status = 'pending'{after_clause}"
            " UNION ALL SELECT MIN(lease_until) FROM outbox"
            f" WHERE status = 'pending' AND lease_until IS NOT NULL{lease_clause}) AS times",
            {"after": after},
        )
    )
    return None if row is None or row[0] is None else int(row[0])


async def idle(conn: aiosqlite.Connection, *, now: int) -> bool:
    """Nothing may go now (see `due`) and nothing is being sent. One statement, so one snapshot:
    asked in two, a notice queued by a send in flight (a card update after a removal) was not
    due yet while its chat was held, and the send had ended by the second question."""
    row = _first(
        await conn.execute_fetchall(
            f"SELECT NOT EXISTS (SELECT 1 FROM outbox o WHERE {_SENDABLE})"
            " AND NOT EXISTS (SELECT 1 FROM outbox WHERE status = 'pending'"
            " AND lease_until IS NOT NULL)",
            {"now": now},
        )
    )
    return row is not None and bool(row[0])


def _owned(owner: str | None) -> str:
    return "" if owner is None else " AND claimed_by = :owner"


async def mark_sent(
    conn: aiosqlite.Connection,
    outbox_id: int,
    *,
    now: int,
    message_id: int | None,
    owner: str | None = None,
) -> bool:
    """Sent; False when the claim was no longer this drainer's (its lease ran out)."""
    cursor = await conn.execute(
        "UPDATE outbox SET status = 'sent', sent_at = :now, message_id = :message_id,"
        " attempts = attempts + 1, last_error = NULL, retry_since = NULL, lease_until = NULL,"
        f" claimed_by = NULL WHERE id = :id{_owned(owner)}",
        {"now": now, "message_id": message_id, "id": outbox_id, "owner": owner},
    )
    return cursor.rowcount == 1


async def mark_retry(
    conn: aiosqlite.Connection,
    outbox_id: int,
    *,
    now: int,
    not_before: int,
    error: str,
    counts: bool = True,
    owner: str | None = None,
) -> None:
    """Try again at not_before; the notice keeps its place in its chat's line meanwhile.
    `counts` is False for a wait the API asked for (429): no attempt is used up."""
    await conn.execute(
        f"UPDATE outbox SET attempts = attempts + {1 if counts else 0}, not_before = :not_before,"
        " last_error = :error, retry_since = COALESCE(retry_since, :now), lease_until = NULL,"
        f" claimed_by = NULL WHERE id = :id{_owned(owner)}",
        {"not_before": not_before, "error": error[:500], "now": now, "id": outbox_id,
         "owner": owner},
    )  # fmt: skip


async def mark_failed(
    conn: aiosqlite.Connection, outbox_id: int, *, error: str, owner: str | None = None
) -> None:
    await conn.execute(
        "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = :error,"
        f" lease_until = NULL, claimed_by = NULL WHERE id = :id{_owned(owner)}",
        {"error": error[:500], "id": outbox_id, "owner": owner},
    )


FORBIDDEN = "forbidden"  # last_error prefix of a private notice the person could not be sent


async def release_forbidden(
    conn: aiosqlite.Connection, chat_id: int, *, kinds: list[str], since: int, now: int
) -> int:
    """Send again, now, the case notices that failed because this person had not started the bot
    (or had blocked it), written since `since`; returns how many."""
    marks = ",".join("?" * len(kinds))
    cursor = await conn.execute(
        "UPDATE outbox SET status = 'pending', not_before = ?, last_error = 'released by /start',"
        " retry_since = NULL"
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
    rows = await conn.execute_fetchall(
        "SELECT status, COUNT(*) FROM outbox GROUP BY status ORDER BY status"
    )
    return {str(status): int(count) for status, count in rows}


async def recent_send_times(conn: aiosqlite.Connection, chat_id: int, *, last: int) -> list[int]:
    """When the chat's `last` newest messages were sent, oldest first: enough to pace a group at
    Telegram's 20 a minute. Telegram numbers a chat's messages upwards, so the newest are the
    highest ids (walked down the (chat_id, message_id) index); an edit keeps its message's id,
    and the first send of each id is what counted."""
    rows = await conn.execute_fetchall(
        "SELECT MIN(sent_at) FROM outbox WHERE chat_id = ? AND status = 'sent'"
        " AND message_id IS NOT NULL GROUP BY message_id ORDER BY message_id DESC LIMIT ?",
        (chat_id, last),
    )
    return sorted(int(row[0]) for row in rows if row[0] is not None)
