"""The core's services, created once at start and closed at shutdown (no module globals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cases.conversations import Conversations
from bot.cases.feedback import Feedback
from bot.cases.intake import Intake
from bot.cases.lifecycle import Lifecycle
from bot.cases.lookup import Lookup
from bot.cases.privacy import Privacy
from bot.cases.review import ReviewDesk
from bot.delivery.inbox import Inbox
from bot.timing.clock import Clock, SystemClock
from nlp.parse import Parser, get_parser
from storage.db import Database  # adapters hold it only to hand it back to the core

if TYPE_CHECKING:
    from bot.config import Config


@dataclass
class Services:
    db: Database
    config: Config
    clock: Clock
    parser: Parser
    lifecycle: Lifecycle
    intake: Intake
    feedback: Feedback
    lookup: Lookup
    privacy: Privacy
    conversations: Conversations
    inbox: Inbox
    review: ReviewDesk
    extras: dict[str, object] = field(default_factory=dict)  # optional features register here

    @classmethod
    async def open(
        cls,
        config: Config,
        db_path: str | Path,
        *,
        clock: Clock | None = None,
        parser: Parser | None = None,
    ) -> Services:
        clock = clock or SystemClock()
        parser = parser or get_parser(config.place_names())
        db = await Database.open(db_path)
        intake = Intake(db, config, clock, parser)
        return cls(
            db=db,
            config=config,
            clock=clock,
            parser=parser,
            lifecycle=Lifecycle(db, config, clock),
            intake=intake,
            feedback=Feedback(db, config, clock),
            lookup=Lookup(db, clock),
            privacy=Privacy(db, config, clock),
            conversations=Conversations(db, clock),
            inbox=Inbox(db, clock),
            review=ReviewDesk(db, config, clock, intake),
        )

    async def close(self) -> None:
        await self.db.close()
