"""A restart in the middle of each rule: the bot stopped and started on the same database file.

Nothing may be sent twice, and nothing may be lost: the schedule is rebuilt from the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.cases.models import Action, NoticeKind
from bot.config import Config
from bot.timing import deadlines
from bot.timing.clock import ManualClock
from tests.conftest import local_ts
from tests.deadline_harness import Process

LEADER, DISTRICT_DEPT = 100001, 100409


@pytest.fixture
async def bot(db_target: str, config: Config, clock: ManualClock) -> AsyncIterator[Process]:
    process = await Process(db_target, config, clock).start()
    yield process
    await process.close()


async def _escalations(bot: Process, case_id: int) -> int:
    return sum(e.action == Action.ESCALATE for e in await bot.events(case_id))


async def test_a_reminder_is_not_sent_again_after_a_restart(bot: Process) -> None:
    await bot.open_case()
    await bot.tick_at(local_ts("2026-11-25 11:30"))
    await bot.restart()
    await bot.tick_at(local_ts("2026-11-25 11:30"))
    await bot.tick_at(local_ts("2026-11-25 11:45"))
    assert len(await bot.notices(NoticeKind.REMINDER)) == 1


async def test_a_case_opened_before_the_keeper_ever_ran_is_scheduled_on_start(
    bot: Process,
) -> None:
    case = await bot.open_case()
    await bot.restart()
    await bot.tick_at(local_ts("2026-11-25 11:30"))
    assert [n.case_id for n in await bot.notices(NoticeKind.REMINDER)] == [case.id]


async def test_a_bot_down_through_the_deadline_escalates_once_when_it_is_back(
    bot: Process,
) -> None:
    case = await bot.open_case()
    await bot.tick_at(local_ts("2026-11-25 10:30"))
    await bot.restart()  # down from 10:30 to 13:00: past the reminder and the deadline
    report = await bot.tick_at(local_ts("2026-11-25 13:00"))
    assert report.escalated == [case.id]
    assert report.reminders == 0  # too late to remind: the deadline acted instead
    await bot.restart()
    await bot.tick_at(local_ts("2026-11-25 13:00"))
    assert await _escalations(bot, case.id) == 1
    # The new level got its full time from the moment it was told: 4 working hours.
    assert (await bot.case(case.id)).accept_due == local_ts("2026-11-25 17:00")


async def test_the_escalation_chain_goes_on_across_restarts(bot: Process) -> None:
    case = await bot.open_case()
    levels = []
    for _ in range(3):
        await bot.tick_at((await bot.case(case.id)).accept_due)
        await bot.restart()
        await bot.tick_at(bot.clock.now())
        levels.append((await bot.case(case.id)).level)
    assert levels == [2, 3, 4]
    assert await _escalations(bot, case.id) == 3


async def test_the_district_chase_repeats_once_a_day_across_restarts(bot: Process) -> None:
    case = await bot.open_case(level=4)
    await bot.tick_at(case.accept_due)
    await bot.restart()
    await bot.tick_at(case.accept_due)
    await bot.tick_at(local_ts("2026-11-30 16:00"))
    await bot.restart()
    await bot.tick_at(local_ts("2026-11-30 16:10"))
    seqs = [
        n.payload["seq"]
        for n in await bot.notices(NoticeKind.REMINDER)
        if n.chat_id == DISTRICT_DEPT
    ]
    assert seqs == [0, 1]
    assert sum(e.action == "overdue" for e in await bot.events(case.id)) == 1


async def test_rating_follow_up_survives_a_restart_without_repeating(bot: Process) -> None:
    case = await bot.open_case()
    await bot.act(case.id, Action.RESOLVE, LEADER, note="已修好")
    resolved = bot.clock.now()
    await bot.tick_at(resolved + 86400)
    await bot.restart()
    await bot.tick_at(resolved + 86400)
    await bot.tick_at(resolved + 3 * 86400)
    await bot.restart()
    await bot.tick_at(resolved + 3 * 86400)
    reminders = [
        n for n in await bot.notices(NoticeKind.RATING_REQUEST) if n.payload.get("reminder")
    ]
    assert len(reminders) == 1
    assert sum(e.action == Action.CLOSE for e in await bot.events(case.id)) == 1


async def test_digests_are_not_sent_again_after_a_restart(bot: Process, config: Config) -> None:
    await bot.tick_at(local_ts("2026-11-23 08:00"))  # Monday: daily and weekly
    before = len(await bot.notices(NoticeKind.DIGEST))
    await bot.restart()
    report = await bot.tick_at(local_ts("2026-11-23 08:01"))
    assert report.digests == 0
    assert len(await bot.notices(NoticeKind.DIGEST)) == before
    assert before == len(config.grids()) + sum(len(s.staff) for s in config.streets)


async def test_a_digest_missed_while_down_goes_out_when_the_bot_is_back_that_day(
    bot: Process, config: Config
) -> None:
    await bot.tick_at(local_ts("2026-11-25 07:00"))
    await bot.restart()  # down over 08:00
    report = await bot.tick_at(local_ts("2026-11-25 14:00"))
    assert report.digests >= len(config.grids())


async def test_two_processes_on_one_database_send_everything_once(
    bot: Process, config: Config, tmp_path: Path
) -> None:
    case = await bot.open_case()
    other = await Process(bot.path, config, bot.clock).start()
    try:
        bot.clock.set(local_ts("2026-11-25 08:00"))
        await asyncio.gather(bot.keeper.tick(), other.keeper.tick())
        bot.clock.set(local_ts("2026-11-25 11:30"))
        await asyncio.gather(bot.keeper.tick(), other.keeper.tick())
        bot.clock.set(local_ts("2026-11-25 12:00"))
        await asyncio.gather(bot.keeper.tick(), other.keeper.tick())
    finally:
        await other.close()
    assert len(await bot.notices(NoticeKind.REMINDER)) == 1
    assert len(await bot.notices(NoticeKind.DIGEST)) == len(config.grids()) + sum(
        len(s.staff) for s in config.streets
    )
    assert await _escalations(bot, case.id) == 1


async def test_work_that_fails_is_rolled_back_and_tried_again_later(
    bot: Process, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = await bot.open_case()
    real = deadlines.transition
    failures = iter([RuntimeError("the database went away")])

    async def flaky(*args: object, **kwargs: object) -> object:
        error = next(failures, None)
        if error is not None:
            raise error
        return await real(*args, **kwargs)  # type: ignore[arg-type]  # a spy passes the real call's arguments through

    monkeypatch.setattr(deadlines, "transition", flaky)
    report = await bot.tick_at(local_ts("2026-11-25 12:00"))
    assert report.errors == 1 and report.escalated == []
    assert not (await bot.case(case.id)).overdue  # the flag went with the failed escalation
    report = await bot.tick_at(local_ts("2026-11-25 12:05"))
    assert report.escalated == [case.id]
    assert await _escalations(bot, case.id) == 1
