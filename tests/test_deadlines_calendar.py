"""The keeper on the calendar: holidays, make-up working days (调休), quiet hours, urgent cases."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.cases.models import Action, NoticeKind
from bot.config import Config
from bot.timing.clock import ManualClock
from tests.conftest import local_ts
from tests.deadline_harness import Process

LEADER = 100001


@pytest.fixture
async def bot(db_target: str, config: Config, clock: ManualClock) -> AsyncIterator[Process]:
    process = await Process(db_target, config, clock).start()
    yield process
    await process.close()


async def test_a_case_opened_on_the_friday_before_a_holiday_is_due_only_after_it(
    bot: Process,
) -> None:
    # 清明: Saturday 4 April to Monday 6 April 2026 are off; half an hour is left on Friday.
    bot.clock.set(local_ts("2026-04-03 17:00"))
    case = await bot.open_case()
    assert case.accept_due == local_ts("2026-04-07 10:00")
    await bot.tick_at(local_ts("2026-04-06 12:00"))
    assert (await bot.case(case.id)).level == 1
    await bot.tick_at(local_ts("2026-04-07 09:59"))
    assert (await bot.case(case.id)).level == 1
    await bot.tick_at(local_ts("2026-04-07 10:00"))
    assert (await bot.case(case.id)).level == 2


async def test_the_reminder_before_a_holiday_deadline_comes_after_the_holiday(
    bot: Process,
) -> None:
    bot.clock.set(local_ts("2026-04-03 17:00"))
    await bot.open_case()
    await bot.tick_at(local_ts("2026-04-07 09:29"))
    assert await bot.notices(NoticeKind.REMINDER) == []
    await bot.tick_at(local_ts("2026-04-07 09:30"))
    assert len(await bot.notices(NoticeKind.REMINDER)) == 1


async def test_a_make_up_saturday_counts_as_a_working_day(bot: Process) -> None:
    # Saturday 10 October 2026 is a working day (调休) after the National Day holidays.
    bot.clock.set(local_ts("2026-10-09 17:00"))
    case = await bot.open_case()
    assert case.accept_due == local_ts("2026-10-10 10:00")
    report = await bot.tick_at(local_ts("2026-10-10 10:00"))
    assert report.escalated == [case.id]


async def test_a_reminder_due_at_night_is_held_until_the_quiet_hours_end(bot: Process) -> None:
    # Resolved at 23:00: the rating reminder falls due a day later, at 23:00 again.
    case = await bot.open_case()
    bot.clock.set(local_ts("2026-11-25 23:00"))
    await bot.act(case.id, Action.RESOLVE, LEADER, note="已修好")
    await bot.tick_at(local_ts("2026-11-26 23:00"))
    [reminder] = [
        n for n in await bot.notices(NoticeKind.RATING_REQUEST) if n.payload.get("reminder")
    ]
    assert reminder.not_before == local_ts("2026-11-27 07:30")


async def test_an_urgent_case_counts_real_time_and_ignores_quiet_hours(bot: Process) -> None:
    # Saturday 23:00: an urgent case must be accepted within minutes ([emergency]), weekend or not.
    bot.clock.set(local_ts("2026-11-28 23:00"))
    case = await bot.open_case(urgent=True, category="fire_hazard")
    assert case.accept_due == local_ts("2026-11-28 23:10")
    await bot.tick_at(local_ts("2026-11-28 23:03"))
    repeats = [n for n in await bot.notices(NoticeKind.ASSIGNED) if n.payload.get("seq") == 1]
    assert repeats and {n.not_before for n in repeats} == {local_ts("2026-11-28 23:03")}
    report = await bot.tick_at(local_ts("2026-11-28 23:10"))
    assert report.escalated == [case.id]


async def test_a_non_urgent_case_is_not_escalated_over_the_weekend(bot: Process) -> None:
    bot.clock.set(local_ts("2026-11-27 17:00"))  # Friday
    case = await bot.open_case()
    await bot.tick_at(local_ts("2026-11-29 20:00"))  # Sunday evening
    assert (await bot.case(case.id)).level == 1
    assert case.accept_due == local_ts("2026-11-30 10:00")
