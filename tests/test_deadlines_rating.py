"""Rating follow-up: one reminder after a day, the unrated close after three, never 'satisfied'."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.cases.lifecycle import TransitionError
from bot.cases.models import Action, CaseStatus, NoticeKind, Score
from bot.config import Config
from bot.timing.clock import ManualClock
from storage import feedback as feedback_sql
from tests.conftest import local_ts
from tests.deadline_harness import Process
from tests.factories import RESIDENT

LEADER, STREET_STAFF = 100001, 100201
RESOLVED_AT = local_ts("2026-11-25 11:00")


@pytest.fixture
async def bot(db_target: str, config: Config, clock: ManualClock) -> AsyncIterator[Process]:
    process = await Process(db_target, config, clock).start()
    yield process
    await process.close()


async def _resolved(bot: Process) -> int:
    case = await bot.open_case()
    bot.clock.set(RESOLVED_AT)
    await bot.act(case.id, Action.RESOLVE, LEADER, note="已修好")
    return case.id


async def _rating_reminders(bot: Process) -> list[int]:
    return [
        n.chat_id for n in await bot.notices(NoticeKind.RATING_REQUEST) if n.payload.get("reminder")
    ]


async def test_the_reporter_is_reminded_to_rate_once_after_a_day(bot: Process) -> None:
    await _resolved(bot)
    await bot.tick_at(RESOLVED_AT + 86400 - 1)
    assert await _rating_reminders(bot) == []
    report = await bot.tick_at(RESOLVED_AT + 86400)
    assert report.rating_reminders == 1
    await bot.tick_at(RESOLVED_AT + 2 * 86400)
    assert await _rating_reminders(bot) == [RESIDENT]


async def test_an_unrated_case_closes_as_unrated_after_three_days(bot: Process) -> None:
    case_id = await _resolved(bot)
    await bot.tick_at(RESOLVED_AT + 3 * 86400 - 1)
    assert (await bot.case(case_id)).status == CaseStatus.RESOLVED
    report = await bot.tick_at(RESOLVED_AT + 3 * 86400)
    assert report.closed_unrated == [case_id]
    close = (await bot.events(case_id))[-1]
    assert (close.action, close.actor_id, close.to_status) == (Action.CLOSE, None, "closed")
    assert close.data["reason"] == "unrated"
    assert close.note == "三天未评价，自动结案"


async def test_the_unrated_close_records_no_rating(bot: Process) -> None:
    case_id = await _resolved(bot)
    await bot.tick_at(RESOLVED_AT + 3 * 86400)
    assert await feedback_sql.list_ratings(bot.db.reader, case_id) == []
    with pytest.raises(TransitionError):
        await bot.feedback.rate(case_id, RESIDENT, Score.SATISFIED)


async def test_the_weekly_summary_never_counts_an_unrated_close_as_satisfied(
    bot: Process,
) -> None:
    await _resolved(bot)
    await bot.tick_at(RESOLVED_AT + 3 * 86400)  # Saturday 28 November: closed unrated
    await bot.tick_at(local_ts("2026-11-30 08:00"))  # Monday: the summary of last week
    [summary] = [
        n.payload
        for n in await bot.notices(NoticeKind.DIGEST)
        if n.chat_id == STREET_STAFF and n.payload["type"] == "weekly"
    ]
    assert summary["unrated"] == 1
    assert summary["rated"] == 0
    assert summary["satisfaction"] is None
    assert summary["ratings"] == {"satisfied": 0, "basic": 0, "unsatisfied": 0}


async def test_a_rated_case_is_neither_reminded_nor_closed_by_the_keeper(bot: Process) -> None:
    case_id = await _resolved(bot)
    await bot.feedback.rate(case_id, RESIDENT, Score.BASIC)
    report = await bot.tick_at(RESOLVED_AT + 3 * 86400)
    assert report.rating_reminders == 0 and report.closed_unrated == []
    assert [e.actor_id for e in await bot.events(case_id) if e.action == Action.CLOSE] == [RESIDENT]


async def test_each_resolution_round_gets_its_own_follow_up(bot: Process) -> None:
    case_id = await _resolved(bot)
    await bot.feedback.rate(case_id, RESIDENT, Score.UNSATISFIED)  # reopens
    await bot.act(case_id, Action.RESOLVE, LEADER, note="重新修好了")
    await bot.tick_at(RESOLVED_AT + 86400)
    [reminder] = [
        n for n in await bot.notices(NoticeKind.RATING_REQUEST) if n.payload.get("reminder")
    ]
    assert reminder.payload["round"] == 1
