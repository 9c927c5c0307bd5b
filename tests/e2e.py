"""The real bot on the local Bot API server, for end-to-end tests: one object to drive both.

The simulator is seeded from the example configuration (as `gridbot demo` does), the bot's
Application polls it, and the test acts as residents and handlers through the control API.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.cli.demo_people import DEMO_BOT, simulator_spec
from bot.config import Config
from bot.services import Services
from bot.timing.clock import ManualClock
from handlers.app import build_application, start_application, stop_application
from simulator.client import ControlClient
from simulator.seed import seed
from simulator.server import SimulatorServer
from storage import cases as case_sql
from storage import outbox as outbox_sql
from storage.records import CaseRecord

BOT_ID = int(DEMO_BOT["token"].split(":")[0])
GROUP = -1001000001101  # 城河一网格群
LEADER, WORKER, COMMUNITY = 100001, 100002, 100101
WANG, LI, ZHANG = 9000001, 9000002, 9000003  # demo residents; 张小姐 never started the bot
STRANGER = 9999999
# Seconds the bot waits for the simulator. PTB's 5 s can run out on a loaded machine, and a send
# that timed out waits for a retry on the held clock, which these tests never move for it: the
# awaited message would simply not come (seen once in CI, /my's hint to the group).
SERVER_TIMEOUT = 60.0


async def outbox_idle(reader: Any, *, now: int) -> bool:
    """Nothing due in the outbox and nothing being sent (a claimed notice is not due, but not
    in the chat yet either)."""
    return await outbox_sql.idle(reader, now=now)


class Live:
    """A running simulator and bot, with the few verbs the tests speak in."""

    def __init__(
        self, server: SimulatorServer, control: ControlClient, services: Services, application: Any
    ) -> None:
        self.server = server
        self.control = control
        self.services = services
        self.application = application
        self.clock: ManualClock = services.clock  # type: ignore[assignment]  # the e2e services are built with a ManualClock
        self.processed = 0  # the highest update id the Application has finished with
        process = application.process_update

        async def counted(update: object) -> None:
            try:
                await process(update)
            finally:
                update_id = getattr(update, "update_id", 0)
                self.processed = max(self.processed, update_id)

        application.process_update = counted

    async def say(
        self, chat: int, user_id: int, text: str | None = None, **kw: Any
    ) -> dict[str, Any]:
        return await self.control.send(chat, user_id, text, **kw)

    async def settle(self) -> None:
        """Wait until the bot has handled every update so far and its outbox has nothing due."""
        last = self.server.state.bots[BOT_ID].next_update_id - 1
        drainer = self.application.bot_data.drainer
        deadline = time.monotonic() + SERVER_TIMEOUT  # as long as the bot waits for a send
        while time.monotonic() < deadline:
            if self.processed >= last:
                drainer.poke()
                if await outbox_idle(self.services.db.reader, now=self.clock.now()):
                    return
            await asyncio.sleep(0.02)
        raise AssertionError("the bot did not settle")

    async def bot_messages(self, chat: int) -> list[dict[str, Any]]:
        """The bot's messages in a chat (a user id for a private chat), oldest first."""
        return [
            m
            for m in await self.control.transcript(chat)
            if m.get("from", {}).get("id") == BOT_ID and not m.get("deleted")
        ]

    async def last_bot_message(self, chat: int) -> dict[str, Any]:
        messages = await self.bot_messages(chat)
        assert messages, f"the bot said nothing in {chat}"
        return messages[-1]

    async def press(
        self, chat: int, message: dict[str, Any], user_id: int, label: str
    ) -> dict[str, Any]:
        """Press the button with this label on a bot message; returns the callback's answer."""
        data = button_data(message, label)
        return await self.control.press(
            chat, message["message_id"], user_id, data=data, timeout=SERVER_TIMEOUT
        )

    async def press_as(
        self, chat: int, message: dict[str, Any], user_id: int, data: str
    ) -> dict[str, Any]:
        """Send any callback data from a message's button, as a modified client could."""
        result = await self.control.press(
            chat, message["message_id"], user_id, data=data, forge=True, timeout=SERVER_TIMEOUT
        )
        assert result["answered"], f"no answer to {data!r}"
        return result["answer"]

    async def case(self, number: str | None = None) -> CaseRecord:
        if number is None:
            cases = await case_sql.list_cases(self.services.db.reader, limit=1000)
            assert cases, "no case was opened"
            return max(cases, key=lambda c: c.id)
        found = await case_sql.get_case_by_number(self.services.db.reader, number)
        assert found is not None
        return found

    async def case_count(self) -> int:
        return await case_sql.count_cases(self.services.db.reader)


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    markup = message.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def button_data(message: dict[str, Any], label: str) -> str:
    for button in buttons(message):
        if button.get("text") == label:
            return button["callback_data"]
    raise AssertionError(
        f"no button {label!r} on {message.get('text')!r}: {[b.get('text') for b in buttons(message)]}"
    )


@asynccontextmanager
async def running_bot(
    db_path: str | Path,
    config: Config,
    clock: ManualClock,
    *,
    deadlines: bool = True,
    server: SimulatorServer | None = None,
    rate_limit: bool = False,
) -> AsyncIterator[Live]:
    """The simulator seeded like the demo (or the one given, as after a restart: Telegram's
    update ids go on), and the real bot on this database and clock."""
    async with contextlib.AsyncExitStack() as stack:
        if server is None:
            server = await stack.enter_async_context(SimulatorServer())
            await seed(server, simulator_spec(config))
        services = await Services.open(config, db_path, clock=clock)
        application = build_application(
            services,
            token=DEMO_BOT["token"],
            base_url=server.api_base_url,
            base_file_url=server.file_base_url,
            rate_limit=rate_limit,
            deadlines=deadlines,
            timeout=SERVER_TIMEOUT,
        )
        control = ControlClient(server.base_url)
        running = Live(server, control, services, application)
        await start_application(application)
        # The JobQueue runs on real time, the bot on the held clock: its first keeper tick (1 s
        # in, at 10:00 on a working day: the grid leaders' daily digests) and review sweep (5 s)
        # would land inside whichever test runs long on a loaded machine, and a test reading
        # the leader's last message would read the digest. The tests tick and sweep themselves.
        jobs = application.job_queue
        if jobs is not None:
            for job in jobs.jobs():
                job.schedule_removal()
        try:
            yield running
        finally:
            await stop_application(application)
            await control.close()
            await services.close()


@pytest.fixture
def live_target(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str | Path]:
    """The end-to-end bot's database: SQLite, or PostgreSQL with GRIDBOT_TEST_BACKEND=postgresql
    (to try the whole end-to-end suite on it; the storage tests run on both anyway)."""
    if os.environ.get("GRIDBOT_TEST_BACKEND") != "postgresql":
        yield tmp_path / "e2e.sqlite3"
        return
    server = request.getfixturevalue("pg_server")
    name, url = server.new_database()
    try:
        yield url
    finally:
        server.drop_database(name)


@pytest.fixture
async def live(live_target: str | Path, config: Config) -> AsyncIterator[Live]:
    from tests.conftest import local_ts

    # Office hours on a working day: quiet hours would rightly hold private notices.
    clock = ManualClock(local_ts("2026-11-25 10:00"))
    async with running_bot(live_target, config, clock) as running:
        yield running
