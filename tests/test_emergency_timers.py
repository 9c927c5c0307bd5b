"""The keeper's urgent timers: the alert repeated until accepted, climbing by the minute, 到场."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.cases.models import Action, NoticeKind
from bot.config import Config
from bot.timing.clock import ManualClock
from tests.conftest import local_ts
from tests.deadline_harness import Process

LEADER, COMMUNITY, STREET_STAFF = 100001, 100101, 100201
NIGHT = local_ts("2026-11-25 23:30")
MINUTE = 60


@pytest.fixture
async def bot(tmp_path: Path, config: Config, clock: ManualClock) -> AsyncIterator[Process]:
    clock.set(NIGHT)
    process = await Process(tmp_path / "gridbot.sqlite3", config, clock).start()
    yield process
    await process.close()


async def _alerts(bot: Process, case_id: int, user_id: int) -> list[int]:
    """The repeat numbers of the urgent alerts a person got (0: the first alert)."""
    return [
        n.payload.get("seq", 0)
        for n in await bot.notices(NoticeKind.ASSIGNED, case_id=case_id)
        if n.chat_id == user_id and n.payload.get("urgent")
    ]


async def test_every_responder_is_alerted_at_once_and_again_every_three_minutes(
    bot: Process,
) -> None:
    case = await bot.open_case(urgent=True, category="fire_hazard", level=1)
    assert (await bot.events(case.id))[0].data["hazard"] == "fire"  # the category says so
    assert await _alerts(bot, case.id, LEADER) == [0]
    assert await _alerts(bot, case.id, COMMUNITY) == [0]
    for minutes in (3, 6, 9):
        await bot.tick_at(NIGHT + minutes * MINUTE)
    assert await _alerts(bot, case.id, LEADER) == [0, 1, 2, 3]
    # Ten minutes of silence: the community holds it now, and everyone is alerted again.
    report = await bot.tick_at(NIGHT + 10 * MINUTE)
    assert report.escalated == [case.id]
    climbed = await bot.case(case.id)
    assert (climbed.level, climbed.assignee_id) == (2, COMMUNITY)
    assert climbed.accept_due == NIGHT + 20 * MINUTE


async def test_a_restart_loses_no_repeat_and_sends_none_twice(bot: Process) -> None:
    case = await bot.open_case(urgent=True, category="fire_hazard", level=1)
    await bot.tick_at(NIGHT + 3 * MINUTE)
    await bot.restart()
    await bot.tick_at(NIGHT + 3 * MINUTE)
    await bot.tick_at(NIGHT + 6 * MINUTE)
    assert await _alerts(bot, case.id, LEADER) == [0, 1, 2]


async def test_accepting_stops_the_repeats(bot: Process) -> None:
    case = await bot.open_case(urgent=True, category="fire_hazard", level=1)
    await bot.act(case.id, Action.ACCEPT, COMMUNITY)  # the community was nearer this time
    await bot.tick_at(NIGHT + 9 * MINUTE)
    assert await _alerts(bot, case.id, LEADER) == [0]
    assert (await bot.case(case.id)).assignee_id == COMMUNITY


async def test_no_arrival_climbs_the_chain_a_step_at_a_time_until_someone_is_there(
    bot: Process,
) -> None:
    case = await bot.open_case(urgent=True, category="fire_hazard", level=1)
    await bot.act(case.id, Action.ACCEPT, LEADER)
    await bot.tick_at(NIGHT + 30 * MINUTE)
    alerts = await bot.notices(NoticeKind.SUPERVISOR_ALERT, case_id=case.id)
    assert [n.chat_id for n in alerts] == [COMMUNITY]
    await bot.tick_at(NIGHT + 33 * MINUTE)
    alerts = await bot.notices(NoticeKind.SUPERVISOR_ALERT, case_id=case.id)
    assert [n.chat_id for n in alerts] == [COMMUNITY, STREET_STAFF]
    await bot.act(case.id, Action.ARRIVE, LEADER)
    await bot.tick_at(NIGHT + 40 * MINUTE)
    assert len(await bot.notices(NoticeKind.SUPERVISOR_ALERT, case_id=case.id)) == 2


async def test_a_second_arrival_is_refused(bot: Process) -> None:
    from bot.cases.lifecycle import TransitionError

    case = await bot.open_case(urgent=True, category="fire_hazard", level=1)
    await bot.act(case.id, Action.ACCEPT, LEADER)
    await bot.act(case.id, Action.ARRIVE, LEADER)
    with pytest.raises(TransitionError):
        await bot.act(case.id, Action.ARRIVE, LEADER)


async def test_a_responder_who_never_started_the_bot_is_mentioned_in_the_group_once(
    bot: Process, config: Config
) -> None:
    from bot.delivery.outbox import Delivered, OutboxDrainer
    from tests.test_outbox import RecordingDelivery

    case = await bot.open_case(urgent=True, category="fire_hazard", level=1)
    delivery = RecordingDelivery()
    delivery.script[COMMUNITY] = [Delivered(ok=False, forbidden=True, error="403")] * 10
    drainer = OutboxDrainer(bot.db, config, bot.clock, delivery)
    for minutes in (0, 3, 6, 9):
        await bot.tick_at(NIGHT + minutes * MINUTE)
        await drainer.drain_once()
        await drainer.drain_once()
    group = config.grid(case.grid_id).chat_id
    assert delivery.sent.count((NoticeKind.ASSIGNED, group)) == 1  # not every three minutes
    assert delivery.sent.count((NoticeKind.ASSIGNED, LEADER)) == 4  # the leader hears each one
