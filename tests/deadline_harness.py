"""A bot process for the deadline tests: a database file, a lifecycle and a keeper, restartable."""

from __future__ import annotations

from pathlib import Path

from bot.cases.feedback import Feedback
from bot.cases.lifecycle import Lifecycle
from bot.cases.models import Action
from bot.config import Config
from bot.timing.clock import ManualClock
from bot.timing.deadlines import DeadlineKeeper, TickReport
from storage import cases as case_sql
from storage import events as event_sql
from storage import outbox as outbox_sql
from storage.db import Database
from storage.records import CaseRecord, EventRecord, OutboxRecord
from tests.factories import new_case

EVERYTHING = 2**40  # a time after every notice's not_before


class Process:
    """What one run of the bot holds; `restart` closes it and opens a new one on the same file."""

    def __init__(self, path: str | Path, config: Config, clock: ManualClock) -> None:
        self.path = path
        self.config = config
        self.clock = clock
        self.db: Database
        self.keeper: DeadlineKeeper
        self.lifecycle: Lifecycle
        self.feedback: Feedback

    async def start(self) -> Process:
        self.db = await Database.open(self.path)
        self.keeper = DeadlineKeeper(self.db, self.config, self.clock)
        self.lifecycle = Lifecycle(self.db, self.config, self.clock)
        self.feedback = Feedback(self.db, self.config, self.clock)
        return self

    async def restart(self) -> None:
        await self.db.close()
        await self.start()

    async def close(self) -> None:
        await self.db.close()

    async def open_case(self, grid_id: str = "chenghe-1", **kwargs: object) -> CaseRecord:
        grid = self.config.grid(grid_id)
        assert grid is not None
        change = await self.lifecycle.open_case(
            new_case(self.config, grid_id, **kwargs),  # type: ignore[arg-type]  # test data given as loose keyword arguments
            group_chat_id=grid.chat_id,
        )
        assert change is not None
        return change.case

    async def act(self, case_id: int, action: Action, actor_id: int | None, **kw: object) -> None:
        await self.lifecycle.apply(case_id, action, actor_id, **kw)  # type: ignore[arg-type]  # test data given as loose keyword arguments

    async def tick_at(self, when: int) -> TickReport:
        self.clock.set(when)
        return await self.keeper.tick()

    async def case(self, case_id: int) -> CaseRecord:
        found = await case_sql.get_case(self.db.reader, case_id)
        assert found is not None
        return found

    async def events(self, case_id: int) -> list[EventRecord]:
        return await event_sql.list_events(self.db.reader, case_id)

    async def notices(
        self, kind: str | None = None, *, case_id: int | None = None
    ) -> list[OutboxRecord]:
        """Every queued notice (none is ever sent here), optionally of one kind or case."""
        found = await outbox_sql.due(self.db.reader, now=EVERYTHING, limit=100_000)
        return [
            n
            for n in found
            if (kind is None or n.kind == kind) and (case_id is None or n.case_id == case_id)
        ]
