"""Ratings and likes: one tap records a rating; 👎 reopens; likes never count as satisfaction."""

from __future__ import annotations

import pytest

from bot.cases.feedback import Feedback
from bot.cases.lifecycle import Lifecycle, TransitionError
from bot.cases.models import Action, CaseStatus, NoticeKind, Score
from bot.config import Config
from bot.timing.clock import ManualClock
from storage import feedback as feedback_sql
from storage import outbox as outbox_sql
from storage.db import Database
from tests.conftest import local_ts
from tests.factories import NEIGHBOUR, RESIDENT, new_case

LEADER, COMMUNITY = 100001, 100101


async def _resolved_case(db: Database, config: Config, clock: ManualClock) -> int:
    lifecycle = Lifecycle(db, config, clock)
    case_id = (await lifecycle.open_case(new_case(config), group_chat_id=None)).case.id
    await lifecycle.apply(case_id, Action.RESOLVE, LEADER, note="已修好")
    return case_id


async def test_a_thumbs_up_closes_the_case_with_one_tap(
    db: Database, config: Config, clock: ManualClock
) -> None:
    case_id = await _resolved_case(db, config, clock)
    rated = await Feedback(db, config, clock).rate(case_id, RESIDENT, Score.SATISFIED)
    assert rated.change.case.status == CaseStatus.CLOSED
    ratings = await feedback_sql.list_ratings(db.reader, case_id)
    assert [(r.round, r.score) for r in ratings] == [(0, "satisfied")]


async def test_only_the_reporter_may_rate(db: Database, config: Config, clock: ManualClock) -> None:
    case_id = await _resolved_case(db, config, clock)
    with pytest.raises(TransitionError) as refused:
        await Feedback(db, config, clock).rate(case_id, NEIGHBOUR, Score.SATISFIED)
    assert refused.value.code == "forbidden"
    assert await feedback_sql.list_ratings(db.reader, case_id) == []


async def test_a_second_tap_changes_nothing(
    db: Database, config: Config, clock: ManualClock
) -> None:
    case_id = await _resolved_case(db, config, clock)
    feedback = Feedback(db, config, clock)
    await feedback.rate(case_id, RESIDENT, Score.BASIC)
    with pytest.raises(TransitionError):
        await feedback.rate(case_id, RESIDENT, Score.UNSATISFIED)
    assert [r.score for r in await feedback_sql.list_ratings(db.reader, case_id)] == ["basic"]


async def test_thumbs_down_reopens_to_the_assignee_and_passes_the_reason_on(
    db: Database, config: Config, clock: ManualClock
) -> None:
    case_id = await _resolved_case(db, config, clock)
    feedback = Feedback(db, config, clock)
    rated = await feedback.rate(case_id, RESIDENT, Score.UNSATISFIED)
    assert (
        rated.change.case.status == CaseStatus.REOPENED and rated.change.case.assignee_id == LEADER
    )
    passed = await feedback.explain(case_id, RESIDENT, rated.round, "灯还是不亮")
    assert passed is not None and passed.held_until is None  # office hours: it goes out now
    notices = await outbox_sql.list_for_case(db.reader, case_id)
    told = {n.chat_id for n in notices if n.payload.get("reason") == "灯还是不亮"}
    assert told == {LEADER, COMMUNITY}
    assert (NoticeKind.SUPERVISOR_ALERT, COMMUNITY) in {(n.kind, n.chat_id) for n in notices}


async def test_a_reason_given_at_night_waits_for_the_morning(
    db: Database, config: Config, clock: ManualClock
) -> None:
    case_id = await _resolved_case(db, config, clock)
    feedback = Feedback(db, config, clock)
    clock.set(local_ts("2026-11-25 23:40"))
    rated = await feedback.rate(case_id, RESIDENT, Score.UNSATISFIED)
    passed = await feedback.explain(case_id, RESIDENT, rated.round, "灯还是不亮")
    assert passed is not None and passed.held_until == local_ts("2026-11-26 07:30")
    reasons = [
        n for n in await outbox_sql.list_for_case(db.reader, case_id) if n.payload.get("reason")
    ]
    assert reasons and all(n.not_before == local_ts("2026-11-26 07:30") for n in reasons)


async def test_after_reopening_the_next_resolution_is_rated_again(
    db: Database, config: Config, clock: ManualClock
) -> None:
    case_id = await _resolved_case(db, config, clock)
    feedback = Feedback(db, config, clock)
    await feedback.rate(case_id, RESIDENT, Score.UNSATISFIED)
    await Lifecycle(db, config, clock).apply(case_id, Action.RESOLVE, LEADER, note="换了新灯")
    rated = await feedback.rate(case_id, RESIDENT, Score.SATISFIED)
    assert rated.round == 1 and rated.change.case.status == CaseStatus.CLOSED


async def test_likes_count_on_the_resolution_message_only(
    db: Database, config: Config, clock: ManualClock
) -> None:
    case_id = await _resolved_case(db, config, clock)
    notices = await outbox_sql.list_for_case(db.reader, case_id)
    resolution = next(n for n in notices if n.kind == NoticeKind.RESOLUTION)
    async with db.write() as conn:
        await outbox_sql.mark_sent(conn, resolution.id, now=clock.now(), message_id=555)
    feedback = Feedback(db, config, clock)
    assert await feedback.react(resolution.chat_id, 555, NEIGHBOUR, True) == 1
    assert await feedback.react(resolution.chat_id, 555, NEIGHBOUR, True) == 1  # once per person
    assert await feedback.react(resolution.chat_id, 555, RESIDENT, True) == 2
    assert await feedback.react(resolution.chat_id, 556, NEIGHBOUR, True) is None
    assert await feedback.react(resolution.chat_id, 555, NEIGHBOUR, False) == 1
    assert await feedback_sql.list_ratings(db.reader, case_id) == []  # likes are no rating
