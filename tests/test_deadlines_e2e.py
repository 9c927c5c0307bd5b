"""End to end over the local Bot API server: an unaccepted case climbs from the grid to the street.

The real python-telegram-bot Application (handlers/app.py) sends every notice through the outbox
to the simulator; the deadline keeper runs on a held clock, so the test moves time itself and
reads what each person received in their private chat.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.config import Config
from bot.services import Services
from bot.timing.clock import ManualClock
from bot.timing.deadlines import DeadlineKeeper
from handlers import app as handlers_app
from handlers import schedule
from handlers.digest_text import RENDERERS
from simulator.seed import seed
from simulator.server import SimulatorServer
from storage import deadlines as deadline_sql
from tests.conftest import local_ts
from tests.e2e import SERVER_TIMEOUT, outbox_idle
from tests.factories import RESIDENT, new_case

TOKEN = "123456:deadline-e2e"
GRID = "chenghe-1"
LEADER, COMMUNITY, STREET_DEPT, STREET_STAFF = 100001, 100101, 100306, 100201


class Running:
    """The simulator, the bot's services and its Application, started together."""

    def __init__(self, server: SimulatorServer, services: Services, application: Any) -> None:
        self.server = server
        self.services = services
        self.application = application
        self.bot_id = int(TOKEN.split(":")[0])

    def inbox(self, user_id: int) -> list[str]:
        chat = self.server.state.private_chat(self.bot_id, user_id)
        if chat is None:
            return []
        return [m.text or "" for m in chat.messages.values() if m.sender_id == self.bot_id]

    async def deliver(self) -> None:
        """Wake the outbox drainer and wait until it is idle."""
        drainer = self.application.bot_data.drainer
        for _ in range(200):
            drainer.poke()
            await asyncio.sleep(0.05)
            if await outbox_idle(self.services.db.reader, now=self.services.clock.now()):
                return
        raise AssertionError("the outbox did not drain")


@pytest.fixture
async def running(db_target: str, config: Config) -> AsyncIterator[Running]:
    async with SimulatorServer() as server:
        server.register_bot(TOKEN, username="gridbot", first_name="网格通")
        grid = config.grid(GRID)
        assert grid is not None
        await seed(
            server,
            {
                "users": [{"id": u.id, "name": u.name} for u in config.users]
                + [{"id": RESIDENT, "name": "李阿姨"}],
                "groups": [
                    {
                        "chat_id": grid.chat_id,
                        "title": grid.name,
                        "members": [grid.leader, *grid.workers, RESIDENT],
                        "admins": [grid.leader],
                    }
                ],
                "started": True,
            },
        )
        clock = ManualClock(local_ts("2026-11-25 10:00"))
        services = await Services.open(config, db_target, clock=clock)
        services.extras["renderers"] = RENDERERS
        application = handlers_app.build_application(
            services,
            token=TOKEN,
            base_url=server.api_base_url,
            base_file_url=server.file_base_url,
            rate_limit=False,
            timeout=SERVER_TIMEOUT,
        )
        try:
            async with application:
                # run_polling would call post_init (which starts the outbox drainer); we poll nothing.
                assert application.post_init is not None
                await application.post_init(application)
                # The application runs its own keeper on the JobQueue; the test ticks it too.
                services.extras["deadlines"] = application.bot_data.keeper
                await application.start()
                try:
                    yield Running(server, services, application)
                finally:
                    await application.stop()
                    if application.post_stop is not None:
                        await application.post_stop(application)
        finally:
            await services.close()


async def test_an_unaccepted_case_escalates_from_grid_to_street_and_everyone_is_told(
    running: Running, config: Config
) -> None:
    services = running.services
    clock: ManualClock = services.clock  # type: ignore[assignment]  # built with a ManualClock above
    keeper: DeadlineKeeper = services.extras["deadlines"]  # type: ignore[assignment]  # put there by the fixture above
    grid = config.grid(GRID)
    assert grid is not None
    change = await services.lifecycle.open_case(new_case(config, GRID), group_chat_id=grid.chat_id)
    assert change is not None
    number = change.case.number
    await running.deliver()
    assert any(number in text for text in running.inbox(LEADER))

    clock.set(local_ts("2026-11-25 11:30"))  # three quarters of the two hours: 催办
    await keeper.tick()
    await running.deliver()
    assert any("催办" in text and number in text for text in running.inbox(LEADER))

    clock.set(local_ts("2026-11-25 12:00"))  # not accepted in time: up to the community
    report = await keeper.tick()
    assert report.escalated == [change.case.id]
    await running.deliver()
    assert any(number in text for text in running.inbox(COMMUNITY))
    assert any("已上报到社区" in text for text in running.inbox(RESIDENT))

    clock.set(local_ts("2026-11-25 16:00"))  # four more working hours: up to the street
    report = await keeper.tick()
    assert report.escalated == [change.case.id]
    await running.deliver()
    assert any(number in text for text in running.inbox(STREET_DEPT))
    assert any(number in text and "上报" in text for text in running.inbox(STREET_STAFF))
    assert any("已上报到街道" in text for text in running.inbox(RESIDENT))
    # The grid leader heard of each move of a case in their grid, and nobody got anything twice.
    for user_id in (LEADER, COMMUNITY, STREET_DEPT, STREET_STAFF, RESIDENT):
        inbox = running.inbox(user_id)
        assert len(inbox) == len(set(inbox)), (user_id, inbox)


async def test_the_job_queue_ticks_the_keeper_as_the_application_starts(running: Running) -> None:
    jobs = running.application.job_queue.get_jobs_by_name(schedule.JOB_NAME)
    assert [job.job.trigger.interval.total_seconds() for job in jobs] == [schedule.TICK_SECONDS]
    for _ in range(300):  # the start-up tick rebuilds the schedule from the database
        if await deadline_sql.get_state(running.services.db.reader, "synced_to") is not None:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the keeper did not tick at start")
