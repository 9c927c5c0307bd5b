"""The deadline keeper: reminders before a deadline, escalation at it, the chain to the district."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.cases.models import Action, CaseStatus, NoticeKind
from bot.config import Config
from bot.timing.clock import ManualClock
from bot.timing.deadlines import NOTES, OVERDUE_EVENT
from tests.conftest import local_ts
from tests.deadline_harness import Process
from tests.factories import RESIDENT

LEADER, COMMUNITY, STREET_DEPT, DISTRICT_DEPT = 100001, 100101, 100306, 100409
STREET_STAFF, DISTRICT_STAFF = 100201, (100501, 100502)
WED_10 = local_ts("2026-11-25 10:00")  # the clock fixture's start: level 1 accept due 12:00


@pytest.fixture
async def bot(db_target: str, config: Config, clock: ManualClock) -> AsyncIterator[Process]:
    process = await Process(db_target, config, clock).start()
    yield process
    await process.close()


async def test_assignee_is_reminded_when_three_quarters_of_the_accept_window_have_passed(
    bot: Process,
) -> None:
    case = await bot.open_case()
    assert case.accept_due == local_ts("2026-11-25 12:00")
    await bot.tick_at(local_ts("2026-11-25 11:29"))
    assert await bot.notices(NoticeKind.REMINDER) == []
    report = await bot.tick_at(local_ts("2026-11-25 11:30"))
    [reminder] = await bot.notices(NoticeKind.REMINDER)
    assert report.reminders == 1
    assert reminder.chat_id == LEADER
    assert reminder.payload["deadline"] == "accept"
    assert reminder.payload["due"] == case.accept_due
    assert reminder.payload["number"] == case.number
    assert reminder.not_before == local_ts("2026-11-25 11:30")


async def test_a_second_tick_sends_no_second_reminder(bot: Process) -> None:
    await bot.open_case()
    await bot.tick_at(local_ts("2026-11-25 11:30"))
    report = await bot.tick_at(local_ts("2026-11-25 11:31"))
    assert report.reminders == 0
    assert len(await bot.notices(NoticeKind.REMINDER)) == 1


async def test_an_accepted_case_is_neither_reminded_to_accept_nor_escalated(bot: Process) -> None:
    case = await bot.open_case()
    await bot.act(case.id, Action.ACCEPT, LEADER)
    await bot.tick_at(local_ts("2026-11-25 12:00"))
    assert [n.payload["deadline"] for n in await bot.notices(NoticeKind.REMINDER)] == []
    assert (await bot.case(case.id)).status == CaseStatus.ACCEPTED


async def test_unaccepted_case_escalates_one_level_at_the_accept_deadline(bot: Process) -> None:
    case = await bot.open_case()
    report = await bot.tick_at(local_ts("2026-11-25 12:00"))
    assert report.escalated == [case.id]
    moved = await bot.case(case.id)
    assert (moved.status, moved.level, moved.assignee_id) == (CaseStatus.ESCALATED, 2, COMMUNITY)
    escalation = (await bot.events(case.id))[-1]
    assert escalation.action == Action.ESCALATE
    assert escalation.actor_id is None
    assert escalation.note == NOTES["accept_timeout"] == "超时未受理，自动上报"


async def test_escalation_tells_the_new_assignee_the_supervisor_the_old_assignee_and_reporter(
    bot: Process,
) -> None:
    case = await bot.open_case(level=2)  # community → street department; the street oversees
    await bot.tick_at(case.accept_due)
    told = {
        (n.kind, n.chat_id) for n in await bot.notices(case_id=case.id) if n.created_at > WED_10
    }
    assert (NoticeKind.ASSIGNED, STREET_DEPT) in told
    assert (NoticeKind.SUPERVISOR_ALERT, STREET_STAFF) in told
    assert (NoticeKind.INFORM, COMMUNITY) in told
    assert (NoticeKind.REPORTER_UPDATE, RESIDENT) in told


async def test_the_first_missed_deadline_flags_the_case_overdue(bot: Process) -> None:
    case = await bot.open_case()
    assert not case.overdue
    await bot.tick_at(case.accept_due)
    assert (await bot.case(case.id)).overdue
    assert (await bot.events(case.id))[-1].data["overdue"] is True


async def test_accepted_case_escalates_when_not_resolved_in_time(bot: Process) -> None:
    case = await bot.open_case()
    await bot.act(case.id, Action.ACCEPT, LEADER)
    assert case.resolve_due == local_ts("2026-11-27 16:00")  # 24 working hours (9 a day)
    await bot.tick_at(case.resolve_due - 1)
    assert (await bot.case(case.id)).level == 1
    await bot.tick_at(case.resolve_due)
    moved = await bot.case(case.id)
    assert (moved.level, moved.status) == (2, CaseStatus.ESCALATED)
    assert (await bot.events(case.id))[-1].note == "超时未办结，自动上报"


async def test_the_resolve_reminder_comes_a_quarter_of_the_window_before_the_deadline(
    bot: Process,
) -> None:
    case = await bot.open_case()
    await bot.act(case.id, Action.ACCEPT, LEADER)
    # 6 working hours before Friday 16:00: Friday 10:00.
    await bot.tick_at(local_ts("2026-11-27 09:59"))
    assert await bot.notices(NoticeKind.REMINDER) == []
    await bot.tick_at(local_ts("2026-11-27 10:00"))
    [reminder] = await bot.notices(NoticeKind.REMINDER)
    assert reminder.payload["deadline"] == "resolve"


async def test_an_unanswered_case_climbs_grid_community_street_district(bot: Process) -> None:
    case = await bot.open_case()
    chain = []
    for _ in range(3):
        await bot.tick_at((await bot.case(case.id)).accept_due)
        moved = await bot.case(case.id)
        chain.append((moved.level, moved.assignee_id))
    assert chain == [(2, COMMUNITY), (3, STREET_DEPT), (4, DISTRICT_DEPT)]


async def test_past_the_district_deadline_the_case_is_flagged_and_the_district_reminded_daily(
    bot: Process,
) -> None:
    case = await bot.open_case(level=4)
    assert case.accept_due == local_ts("2026-11-27 16:00")  # 24 working hours
    report = await bot.tick_at(case.accept_due)
    assert report.overdue == [case.id] and report.escalated == []
    flagged = await bot.case(case.id)
    assert (flagged.level, flagged.status, flagged.overdue) == (4, CaseStatus.ASSIGNED, True)
    event = (await bot.events(case.id))[-1]
    assert (event.action, event.from_status, event.to_status) == (
        OVERDUE_EVENT,
        CaseStatus.ASSIGNED,
        CaseStatus.ASSIGNED,
    )
    first = await bot.notices(NoticeKind.REMINDER)
    overdue = [n for n in first if n.payload.get("overdue")]
    assert {n.chat_id for n in overdue} == {DISTRICT_DEPT, *DISTRICT_STAFF}
    # One working day later (over the weekend): Monday 16:00, and again on Tuesday.
    await bot.tick_at(local_ts("2026-11-30 15:59"))
    assert len([n for n in await bot.notices(NoticeKind.REMINDER) if n.payload.get("overdue")]) == 3
    await bot.tick_at(local_ts("2026-11-30 16:00"))
    await bot.tick_at(local_ts("2026-12-01 16:00"))
    repeats = [
        n.payload["seq"]
        for n in await bot.notices(NoticeKind.REMINDER)
        if n.chat_id == DISTRICT_DEPT
    ]
    assert repeats == [0, 1, 2]


async def test_district_reminders_stop_once_the_case_is_accepted(bot: Process) -> None:
    case = await bot.open_case(level=4)
    await bot.tick_at(case.accept_due)
    await bot.act(case.id, Action.ACCEPT, DISTRICT_DEPT)
    report = await bot.tick_at(local_ts("2026-11-30 16:00"))
    assert report.reminders == 0
    assert report.stale == 1


async def test_a_reassigned_case_gets_new_deadlines_and_the_old_timers_do_nothing(
    bot: Process,
) -> None:
    case = await bot.open_case()
    await bot.tick_at(local_ts("2026-11-25 10:30"))
    bot.clock.set(local_ts("2026-11-25 11:00"))
    await bot.act(case.id, Action.REASSIGN, LEADER, assignee_id=100002, note="交给网格员")
    report = await bot.tick_at(local_ts("2026-11-25 12:00"))
    assert report.escalated == [] and report.stale >= 1
    moved = await bot.case(case.id)
    assert moved.accept_due == local_ts("2026-11-25 13:00")
    await bot.tick_at(local_ts("2026-11-25 13:00"))
    assert (await bot.case(case.id)).level == 2


async def test_next_due_names_the_next_reminder(bot: Process) -> None:
    await bot.open_case()
    await bot.tick_at(local_ts("2026-11-25 10:05"))  # today's digests go out: nothing else due
    assert await bot.keeper.next_due() == local_ts("2026-11-25 11:30")
