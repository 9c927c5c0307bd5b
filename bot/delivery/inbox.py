"""The inbox: every update is stored before the platform is told it arrived, and handled from
here, so that neither a crash nor a redelivery loses or doubles a report.

What holds (the adapter's loop keeps to it):

- An update is written here (one transaction per batch) before the next `getUpdates` confirms
  it; a crash before that commit leaves it unconfirmed, and the platform sends it again.
- It is handled from here in update order and marked handled only after its handlers ran. A
  crash in between leaves it waiting, and the next start handles it again. That second run is
  harmless because every effect is keyed: a case by (chat, message), a card by its case, a
  reply by (update, how many replies before it), a 同问 by (case, person, message), a rating by
  its round, and a question's answer closes the question in the transaction that uses it.
- The same update id, or a new message (chat, message) under another update id, is stored once.
- What the handlers send directly (a button's answer, an edit of the message a button sat on)
  is not keyed: a rerun may repeat it, which Telegram shows as the same state again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from storage import inbox as inbox_sql
from storage.inbox import InboxRow

if TYPE_CHECKING:
    from bot.timing.clock import Clock
    from storage.db import Database

# An update whose handlers failed this often is set aside (status 'failed') for a person to see.
MAX_ATTEMPTS = 3
# Handled updates are kept this long, for the audit of what came in.
KEEP_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True, slots=True)
class Received:
    """One update as the adapter hands it over: its id, what it is, and its raw data."""

    update_id: int
    kind: str  # message, edited_message, callback_query, message_reaction, …
    chat_id: int | None
    message_id: int | None
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Stored:
    update_id: int
    data: dict[str, Any]
    attempts: int
    received_at: int


class Inbox:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def store(self, batch: list[Received]) -> int:
        """Keep a batch in one transaction; returns how many were new."""
        rows = [
            InboxRow(u.update_id, u.kind, u.chat_id, u.message_id,
                     json.dumps(u.data, ensure_ascii=False, separators=(",", ":")))
            for u in batch
        ]  # fmt: skip
        async with self.db.write() as conn:
            return await inbox_sql.store(conn, rows, now=self.clock.now())

    async def waiting(self, limit: int = 100) -> list[Stored]:
        rows = await inbox_sql.waiting(self.db.reader, limit=limit)
        return [Stored(r.update_id, json.loads(r.payload), r.attempts, r.received_at) for r in rows]

    async def handled(self, update_id: int) -> None:
        async with self.db.write() as conn:
            await inbox_sql.mark_handled(conn, update_id, now=self.clock.now())

    async def failed(self, update_id: int, error: str, attempts: int, *, retry: bool) -> bool:
        """Count a failed attempt; True when the update is set aside for good (at once when
        trying again cannot help, e.g. a bug; after MAX_ATTEMPTS for a passing fault)."""
        give_up = not retry or attempts + 1 >= MAX_ATTEMPTS
        async with self.db.write() as conn:
            await inbox_sql.mark_attempt(
                conn, update_id, error, give_up=give_up, now=self.clock.now()
            )
        return give_up

    async def counts(self) -> dict[str, int]:
        return await inbox_sql.counts(self.db.reader)

    async def forget_old(self) -> int:
        async with self.db.write() as conn:
            return await inbox_sql.forget_handled(conn, before=self.clock.now() - KEEP_SECONDS)
