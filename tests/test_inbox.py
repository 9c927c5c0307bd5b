"""The inbox: updates are stored before Telegram is told they arrived, handled from there, and
the questions the bot waits on outlive a restart."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.cases.models import CaseStatus
from bot.cli.demo_people import DEMO_BOT, simulator_spec
from bot.config import Config
from bot.delivery.inbox import Inbox, Received
from bot.services import Services
from bot.timing.clock import ManualClock
from handlers.app import build_application, start_application, stop_application
from simulator.client import ControlClient
from simulator.seed import seed
from simulator.server import SimulatorServer
from storage.db import Database
from tests.conftest import local_ts
from tests.e2e import GROUP, LEADER, SERVER_TIMEOUT, WANG, Live

REPORT = "/report 城河小区3号楼门口的垃圾桶盖子掉了 麻烦网格员看一下"


def _message(update_id: int, chat_id: int, message_id: int) -> Received:
    data = {"update_id": update_id, "message": {"message_id": message_id, "chat": {"id": chat_id}}}
    return Received(update_id, "message", chat_id, message_id, data)


async def test_an_update_is_stored_once_and_a_message_once(
    db: Database, clock: ManualClock
) -> None:
    inbox = Inbox(db, clock)
    assert await inbox.store([_message(1, -100, 7), _message(2, -100, 8)]) == 2
    # The same update again (fetched twice), and the same message under a new update id.
    assert await inbox.store([_message(1, -100, 7), _message(3, -100, 7)]) == 0
    assert [s.update_id for s in await inbox.waiting()] == [1, 2]


async def test_handled_updates_leave_the_queue_and_failures_are_set_aside(
    db: Database, clock: ManualClock
) -> None:
    inbox = Inbox(db, clock)
    await inbox.store([_message(1, -100, 7), _message(2, -100, 8), _message(3, -100, 9)])
    await inbox.handled(1)
    assert not await inbox.failed(2, "NetworkError", 0, retry=True)  # tried again later
    assert await inbox.failed(3, "KeyError", 0, retry=False)  # a bug: set aside at once
    waiting = await inbox.waiting()
    assert [(s.update_id, s.attempts) for s in waiting] == [(2, 1)]
    assert await inbox.counts() == {"handled": 1, "waiting": 1, "failed": 1}


async def test_handled_updates_are_forgotten_after_a_week_and_waiting_ones_never(
    db: Database, clock: ManualClock
) -> None:
    inbox = Inbox(db, clock)
    await inbox.store([_message(1, -100, 7), _message(2, -100, 8)])
    await inbox.handled(1)
    clock.advance(8 * 24 * 3600)
    assert await inbox.forget_old() == 1
    assert await inbox.counts() == {"waiting": 1}


@asynccontextmanager
async def _world(config: Config) -> AsyncIterator[tuple[SimulatorServer, ControlClient]]:
    async with SimulatorServer() as server:
        await seed(server, simulator_spec(config))
        async with ControlClient(server.base_url) as control:
            yield server, control


@asynccontextmanager
async def _bot(
    server: SimulatorServer, control: ControlClient, db_path: Path, config: Config
) -> AsyncIterator[Live]:
    services = await Services.open(config, db_path, clock=ManualClock(local_ts("2026-11-25 10:00")))
    application = build_application(
        services, token=DEMO_BOT["token"], base_url=server.api_base_url,
        base_file_url=server.file_base_url, rate_limit=False, deadlines=False,
        timeout=SERVER_TIMEOUT,
    )  # fmt: skip
    live = Live(server, control, services, application)
    await start_application(application)
    try:
        yield live
    finally:
        await stop_application(application)
        await services.close()


async def test_an_update_stored_but_not_handled_is_handled_after_a_restart(
    tmp_path: Path, config: Config
) -> None:
    db_path = tmp_path / "inbox.sqlite3"
    async with _world(config) as (server, control):
        async with _bot(server, control, db_path, config) as live:
            # The handlers are down: the update is fetched and stored, then the process "dies".
            live.application.bot_data.inbox.handle_one = _never
            await live.say(GROUP, WANG, REPORT)
            for _ in range(200):
                if (await live.services.inbox.counts()).get("waiting"):
                    break
                await _pause()
            assert await live.case_count() == 0
        async with _bot(server, control, db_path, config) as live:
            await live.settle()
            assert await live.case_count() == 1
            assert len(await live.bot_messages(GROUP)) == 1  # the card, once
            assert (await live.services.inbox.counts()) == {"handled": 1}


async def _never(stored: object) -> None:
    await _pause(3600)


async def _pause(seconds: float = 0.02) -> None:
    import asyncio

    await asyncio.sleep(seconds)


async def test_a_reason_asked_before_a_restart_is_taken_after_it(
    tmp_path: Path, config: Config
) -> None:
    db_path = tmp_path / "inbox.sqlite3"
    async with _world(config) as (server, control):
        async with _bot(server, control, db_path, config) as live:
            await live.say(GROUP, WANG, REPORT)
            await live.settle()
            case = await live.case()
            await live.press(LEADER, await live.last_bot_message(LEADER), LEADER, "退回")
            await live.settle()
        async with _bot(server, control, db_path, config) as live:
            await live.say(LEADER, LEADER, "该垃圾桶属于小区物业，已转告物业")
            await live.settle()
            assert (await live.case(case.number)).status == CaseStatus.REJECTED
            assert "该垃圾桶属于小区物业" in (await live.last_bot_message(WANG))["text"]


async def test_an_answer_after_the_hour_is_told_it_came_too_late(
    tmp_path: Path, config: Config
) -> None:
    db_path = tmp_path / "inbox.sqlite3"
    async with _world(config) as (server, control), _bot(server, control, db_path, config) as live:
        await live.say(GROUP, WANG, REPORT)
        await live.settle()
        case = await live.case()
        await live.press(LEADER, await live.last_bot_message(LEADER), LEADER, "办结")
        await live.settle()
        live.clock.advance(3601)
        await live.say(LEADER, LEADER, "已经修好了")
        await live.settle()
        said = (await live.last_bot_message(LEADER))["text"]
        assert "超过一小时" in said and case.number in said
        assert (await live.case(case.number)).status != CaseStatus.RESOLVED


async def test_the_private_report_goes_on_after_a_restart(tmp_path: Path, config: Config) -> None:
    db_path = tmp_path / "inbox.sqlite3"
    async with _world(config) as (server, control):
        async with _bot(server, control, db_path, config) as live:
            await live.say(WANG, WANG, "/report")
            await live.settle()
            await live.say(WANG, WANG, "小区东门的路灯坏了一个星期了")
            await live.settle()
        async with _bot(server, control, db_path, config) as live:
            for label in ("跳过", "跳过", "城河一网格", "实名"):
                await live.press(WANG, await live.last_bot_message(WANG), WANG, label)
                await live.settle()
            case = await live.case()
            assert "路灯" in case.text and case.grid_id
            assert case.number in (await live.last_bot_message(WANG))["text"]
