"""Feedback: the reporter's rating of a resolution, and residents' likes (点赞) in the group.

Only the reporter's rating counts towards satisfaction; likes are counted separately, and a
case never counts as satisfied without a rating.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.cases.cards import refresh_notices
from bot.cases.lifecycle import Change, TransitionError, queue, transition
from bot.cases.models import Action, CaseStatus, NoticeKind, Score
from bot.cases.routing import supervisor_of
from bot.timing.quiet import release_time
from storage import cases as case_sql
from storage import feedback as feedback_sql
from storage import outbox as outbox_sql
from storage.records import Notice, RatingRecord

if TYPE_CHECKING:
    from bot.config import Config
    from bot.timing.clock import Clock
    from storage.db import Database


@dataclass(frozen=True, slots=True)
class Rated:
    change: Change
    score: Score
    round: int


@dataclass(frozen=True, slots=True)
class PassedOn:
    """A 👎's reason, queued for the assignee and the supervisor."""

    held_until: int | None  # when it goes out, if the quiet hours hold it


class Feedback:
    def __init__(self, db: Database, config: Config, clock: Clock) -> None:
        self.db = db
        self.config = config
        self.clock = clock

    async def rate(self, case_id: int, rater_id: int, score: Score) -> Rated:
        """Record the reporter's one-tap rating: 👍/👌 close the case, 👎 reopens it."""
        now = self.clock.now()
        async with self.db.write() as conn:
            case = await case_sql.get_case(conn, case_id)
            if case is None:
                raise TransitionError("not_found", f"case {case_id} does not exist")
            if case.reporter_id != rater_id:
                raise TransitionError("forbidden", "only the reporter rates a case")
            if case.status != CaseStatus.RESOLVED:
                raise TransitionError("invalid_state", f"case {case.number} is {case.status}")
            round_ = case.reopen_count
            stored = await feedback_sql.insert_rating(
                conn, RatingRecord(case_id, round_, rater_id, score.value, None, now)
            )
            if not stored:
                raise TransitionError("invalid_state", "this resolution was rated already")
            action = Action.REOPEN if score is Score.UNSATISFIED else Action.CLOSE
            change = await transition(
                conn, self.config, case_id, action, rater_id, now=now,
                note="居民不满意" if action is Action.REOPEN else None,
                data={"score": score.value, "round": round_},
            )  # fmt: skip
        return Rated(change=change, score=score, round=round_)

    async def explain(
        self, case_id: int, rater_id: int, round_: int, reason: str
    ) -> PassedOn | None:
        """The optional why of a 👎, passed on to the assignee and the supervisor (None: not)."""
        reason = reason.strip()[:500]
        if not reason:
            return None
        now = self.clock.now()
        async with self.db.write() as conn:
            case = await case_sql.get_case(conn, case_id)
            if case is None or case.reporter_id != rater_id:
                return None
            ratings = await feedback_sql.list_ratings(conn, case_id)
            if not any(r.round == round_ and r.score == Score.UNSATISFIED for r in ratings):
                return None
            await feedback_sql.set_rating_reason(conn, case_id, round_, reason)
            people = {case.assignee_id, supervisor_of(self.config, case.grid_id, case.level)}
            # Staff hear it like the alert it follows: held past the quiet hours unless urgent.
            release = release_time(
                self.config, now, NoticeKind.SUPERVISOR_ALERT, urgent=case.urgent
            )
            for user_id in sorted(p for p in people if p is not None):
                await queue(
                    conn, self.config,
                    Notice(NoticeKind.TEXT, user_id, case_id=case_id,
                           payload={"template": "unsatisfied_reason", "reason": reason},
                           dedupe_key=f"why:{case_id}:{round_}:{user_id}", not_before=release),
                    now=now, urgent=case.urgent,
                )  # fmt: skip
            # The handler's card says why the case came back.
            for notice in await refresh_notices(conn, case_id):
                await queue(conn, self.config, notice, now=now, urgent=True)
        return PassedOn(held_until=release if release > now else None)

    async def react(self, chat_id: int, message_id: int, user_id: int, liked: bool) -> int | None:
        """A 👍 reaction on a resolution message in the group: a like for that case.

        Returns the case's like count, or None when the message is no resolution message.
        """
        found = await outbox_sql.case_of_message(self.db.reader, chat_id, message_id)
        if found is None or found[1] != NoticeKind.RESOLUTION:
            return None
        case_id = found[0]
        async with self.db.write() as conn:
            if liked:
                await feedback_sql.add_like(conn, case_id, user_id, self.clock.now())
            else:
                await feedback_sql.remove_like(conn, case_id, user_id)
            return await feedback_sql.count_likes(conn, case_id)
