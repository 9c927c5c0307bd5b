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
- With several workers (webhook mode) an update is claimed before it is handled, with a lease
  that the worker renews while it works: of each chat ("lane") only the oldest waiting update
  can be claimed, so a chat's updates are handled one after the other, in order, whichever
  worker takes them; a killed worker's claim runs out and another worker takes the update.
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
    lane: int | None = None  # the chat whose order it keeps (a button's chat, too)


def received_from(data: dict[str, Any]) -> Received:
    """An update as the Bot API sends it (JSON), with the keys the inbox needs; ValueError when it
    is not an update (no integer update_id, or nothing else in it)."""
    update_id = data.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        raise ValueError("an update needs an integer update_id")
    kind = next((key for key in data if key != "update_id"), None)
    if kind is None:
        raise ValueError("an update needs something besides its update_id")
    body = data.get(kind)
    chat_id = message_id = lane = None
    if isinstance(body, dict):
        chat = body.get("chat")
        chat_id = _int(chat.get("id")) if isinstance(chat, dict) else None
        message_id = _int(body.get("message_id"))
        lane = chat_id
        if lane is None:  # a button: the chat of the message it sits on, or the person
            message = body.get("message")
            inner = message.get("chat") if isinstance(message, dict) else None
            sender = body.get("from")
            lane = _int(inner.get("id")) if isinstance(inner, dict) else None
            if lane is None and isinstance(sender, dict):
                lane = _int(sender.get("id"))
    return Received(update_id, kind, chat_id, message_id, data, lane)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


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
                     json.dumps(u.data, ensure_ascii=False, separators=(",", ":")), lane=u.lane)
            for u in batch
        ]  # fmt: skip
        async with self.db.write() as conn:
            return await inbox_sql.store(conn, rows, now=self.clock.now())

    async def waiting(self, limit: int = 100) -> list[Stored]:
        rows = await inbox_sql.waiting(self.db.reader, limit=limit)
        return [Stored(r.update_id, json.loads(r.payload), r.attempts, r.received_at) for r in rows]

    async def claim(self, owner: str, *, lease: int, limit: int) -> list[Stored]:
        """Take waiting updates for this worker (see storage.inbox.claim), in update order."""
        now = self.clock.now()
        if not await inbox_sql.claimable(self.db.reader, now=now):
            return []  # idle workers ask often: a read, not a write transaction
        async with self.db.write() as conn:
            rows = await inbox_sql.claim(conn, now=now, owner=owner, lease=lease, limit=limit)
        return [Stored(r.update_id, json.loads(r.payload), r.attempts, r.received_at) for r in rows]

    async def renew(self, owner: str, *, lease: int) -> int:
        async with self.db.write() as conn:
            return await inbox_sql.renew(conn, owner=owner, until=self.clock.now() + lease)

    async def release(self, owner: str, update_ids: list[int] | None = None) -> None:
        """Give claimed updates back at once (None: all this worker holds), so that another
        worker need not wait for the lease to run out."""
        async with self.db.write() as conn:
            await inbox_sql.release(conn, update_ids, owner=owner)

    async def handled(self, update_id: int) -> None:
        async with self.db.write() as conn:
            await inbox_sql.mark_handled(conn, update_id, now=self.clock.now())

    async def failed(
        self, update_id: int, error: str, attempts: int, *, retry: bool, hold: float = 0
    ) -> bool:
        """Count a failed attempt; True when the update is set aside for good (at once when
        trying again cannot help, e.g. a bug; after MAX_ATTEMPTS for a passing fault). A worker
        passes `hold`: nobody claims the update (nor its chat's later ones) for that long."""
        give_up = not retry or attempts + 1 >= MAX_ATTEMPTS
        now = self.clock.now()
        hold_until = now + max(1, round(hold)) if hold and not give_up else None
        async with self.db.write() as conn:
            await inbox_sql.mark_attempt(
                conn, update_id, error, give_up=give_up, now=now, hold_until=hold_until
            )
        return give_up

    async def counts(self) -> dict[str, int]:
        return await inbox_sql.counts(self.db.reader)

    async def forget_old(self) -> int:
        async with self.db.write() as conn:
            return await inbox_sql.forget_handled(conn, before=self.clock.now() - KEEP_SECONDS)
