"""The questions the bot is waiting on a person to answer: a handler's 办结 note, a 退回 or 上报
reason, the why of a 👎, and the steps of a private /report.

They live in the database, not in the process: after a restart (or on a second worker) the
answer still lands where it belongs, and an answer that comes too late is told so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from storage import conversations as conversation_sql
from storage.conversations import ConversationRecord

Question = ConversationRecord
"""An open question: who, on which topic (PROMPT or REPORT), its op, step and data so far."""

if TYPE_CHECKING:
    from bot.timing.clock import Clock
    from storage.db import Database

PROMPT = "prompt"  # a note, a reason or a photo the bot asked for
REPORT = "report"  # the private step-by-step report

# A question unanswered for this long is dropped: a message days later is not its answer.
WINDOWS = {PROMPT: 60 * 60, REPORT: 30 * 60}


@dataclass(frozen=True, slots=True)
class Waiting:
    """What the bot waits on from a person on one topic: the question, or that it expired."""

    question: ConversationRecord | None
    expired: ConversationRecord | None = None


class Conversations:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def ask(
        self,
        user_id: int,
        topic: str,
        op: str,
        *,
        step: str,
        case_id: int | None = None,
        data: dict[str, Any] | None = None,
        round_: int = 0,
    ) -> ConversationRecord | None:
        """Open a question (replacing the person's earlier one on this topic, which is returned
        when it was still awaited)."""
        now = self.clock.now()
        record = ConversationRecord(
            user_id=user_id, topic=topic, op=op, case_id=case_id, step=step, data=data or {},
            round=round_, asked_at=now, expires_at=now + WINDOWS[topic],
        )  # fmt: skip
        async with self.db.write() as conn:
            earlier = await conversation_sql.get(conn, user_id, topic)
            await conversation_sql.put(conn, record)
        if earlier is not None and earlier.expires_at > now:
            return earlier
        return None

    async def advance(self, record: ConversationRecord, *, step: str, **data: Any) -> None:
        """The next step of the same question, with its own window."""
        now = self.clock.now()
        record.step = step
        record.data = {**record.data, **data}
        record.asked_at, record.expires_at = now, now + WINDOWS[record.topic]
        async with self.db.write() as conn:
            await conversation_sql.put(conn, record)

    async def waiting(self, user_id: int, topic: str) -> Waiting:
        """The open question, or the expired one (which is closed now, to be said once)."""
        record = await conversation_sql.get(self.db.reader, user_id, topic)
        if record is None:
            return Waiting(None)
        if record.expires_at > self.clock.now():
            return Waiting(record)
        async with self.db.write() as conn:
            closed = await conversation_sql.delete(conn, user_id, topic, asked_at=record.asked_at)
        return Waiting(None, expired=record if closed else None)

    async def close(self, user_id: int, topic: str) -> bool:
        async with self.db.write() as conn:
            return await conversation_sql.delete(conn, user_id, topic)
