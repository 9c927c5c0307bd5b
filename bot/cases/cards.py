"""Live cards: the messages that show a case to its handlers follow the case as it moves.

Every private message that puts a case before a handler (the assignment, a reminder, a case
opened from /todo) is kept when sent. When the case changes, each chat holding one is sent one
`HELD_CARDS` notice through the outbox; the adapter then edits every copy there: the state line
of the newest, and buttons only on the newest copy of the person who now works the case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.cases.models import HELD_FORMS, OPEN_STATUSES, Action, CaseStatus, NoticeKind, Score
from storage import cards as card_sql
from storage import events as event_sql
from storage import feedback as feedback_sql
from storage.records import Notice

if TYPE_CHECKING:
    from storage.db import Connection
    from storage.records import CaseRecord, EventRecord, OutboxRecord, RatingRecord

# The stages a handler's card names in its first line.
NEW, REASSIGNED, ESCALATED, ACCEPTED, REOPENED = (
    "new",
    "reassigned",
    "escalated",
    "accepted",
    "reopened",
)
RESOLVED, CLOSED, REJECTED, MOVED = "resolved", "closed", "rejected", "moved"


@dataclass(frozen=True, slots=True)
class CardState:
    """What a handler's card says about where the case stands, for one holder."""

    stage: str
    works_it: bool  # the holder is the case's assignee and it is open: buttons belong here
    reopened_because: str | None = None  # why it came back (the resident's words, or a note)
    note: str | None = None  # the escalation's or rejection's reason
    score: str | None = None  # the reporter's rating, once closed
    arrived: bool = False  # 到场 pressed since the case was last accepted (urgent cases)


def card_state(
    case: CaseRecord, holder: int, events: list[EventRecord], ratings: list[RatingRecord]
) -> CardState:
    """Where the case stands for someone holding its card."""
    status = CaseStatus(case.status)
    works_it = status in OPEN_STATUSES and case.assignee_id == holder
    moves = [e for e in events if e.action not in (Action.EDIT, Action.ARRIVE)]
    last = moves[-1] if moves else None
    because = None
    if case.reopen_count:
        reopen = next((e for e in reversed(moves) if e.action == Action.REOPEN), None)
        rating = next(
            (
                r
                for r in ratings
                if r.round == case.reopen_count - 1 and r.score == Score.UNSATISFIED
            ),
            None,
        )
        because = (rating.reason if rating and rating.reason else None) or (
            reopen.note if reopen else None
        )
    score = ratings[-1].score if ratings and status == CaseStatus.CLOSED else None
    if status in OPEN_STATUSES and not works_it:
        stage = MOVED
    elif status == CaseStatus.REOPENED:
        stage = REOPENED
    elif status == CaseStatus.ESCALATED:
        stage = ESCALATED
    elif status == CaseStatus.ACCEPTED:
        stage = ACCEPTED
    elif status == CaseStatus.ASSIGNED:
        stage = REASSIGNED if last is not None and last.action == Action.REASSIGN else NEW
    elif status == CaseStatus.RESOLVED:
        stage = RESOLVED
    elif status == CaseStatus.CLOSED:
        stage = CLOSED
    else:
        stage = REJECTED
    note = (
        last.note if last is not None and last.action in (Action.ESCALATE, Action.REJECT) else None
    )
    since = case.accepted_at or 0
    arrived = case.accepted_at is not None and any(
        e.action == Action.ARRIVE and e.at >= since for e in events
    )
    return CardState(
        stage, works_it, because if status in OPEN_STATUSES else None, note, score, arrived
    )


async def load_state(conn: Connection, case: CaseRecord, holder: int) -> CardState:
    events = await event_sql.list_events(conn, case.id)
    ratings = await feedback_sql.list_ratings(conn, case.id)
    return card_state(case, holder, events, ratings)


async def refresh_notices(conn: Connection, case_id: int) -> list[Notice]:
    """One `HELD_CARDS` notice for every chat that holds a message showing this case."""
    return [
        Notice(NoticeKind.HELD_CARDS, chat_id, case_id=case_id)
        for chat_id in await card_sql.holders(conn, case_id)
    ]


def held_form(notice: OutboxRecord) -> str | None:
    """How a sent notice is kept, if it shows a case to a handler privately."""
    if notice.case_id is None or notice.chat_id <= 0:
        return None
    form = notice.payload.get("held")
    return str(form) if form in ("card", "buttons") else HELD_FORMS.get(notice.kind)


async def hold_sent(
    conn: Connection, notice: OutboxRecord, message_id: int, *, now: int
) -> Notice | None:
    """Keep a sent card; when the chat held older copies, the notice that takes their buttons."""
    form = held_form(notice)
    if form is None or notice.case_id is None:
        return None
    await card_sql.hold(
        conn, case_id=notice.case_id, chat_id=notice.chat_id, message_id=message_id,
        form=form, now=now,
    )  # fmt: skip
    copies = await card_sql.held(conn, notice.case_id, notice.chat_id)
    if len(copies) < 2:
        return None
    # Only the older copies change: the new one was just rendered, with words of its own (an
    # urgent alert's repeat says which repeat it is).
    return Notice(
        NoticeKind.HELD_CARDS, notice.chat_id, case_id=notice.case_id,
        payload={"older_than": message_id},
    )  # fmt: skip
