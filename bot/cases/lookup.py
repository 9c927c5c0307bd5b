"""What adapters read about cases, people and sent messages, and the few plain facts they record.

Adapters never reach storage/ themselves: they ask this object, which the services hold.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cases.cards import CardState, load_state
from bot.cases.models import OPEN_STATUSES
from storage import attachments as attachment_sql
from storage import cards as card_sql
from storage import cases as case_sql
from storage import events as event_sql
from storage import feedback as feedback_sql
from storage import outbox as outbox_sql
from storage import users as user_sql

if TYPE_CHECKING:
    from bot.timing.clock import Clock
    from storage.db import Database
    from storage.records import CaseRecord, EventRecord, OutboxRecord, RatingRecord, UserRecord


class Lookup:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    # --- cases ---------------------------------------------------------------------------------

    async def case(self, case_id: int) -> CaseRecord | None:
        return await case_sql.get_case(self.db.reader, case_id)

    async def case_by_number(self, number: str) -> CaseRecord | None:
        return await case_sql.get_case_by_number(self.db.reader, number)

    async def events(self, case_id: int) -> list[EventRecord]:
        """The case's audit trail, oldest first."""
        return await event_sql.list_events(self.db.reader, case_id)

    async def reported_by(self, user_id: int, *, limit: int) -> list[CaseRecord]:
        return await case_sql.list_cases(self.db.reader, reporter_id=user_id, limit=limit)

    async def open_cases_of(self, user_id: int, *, limit: int) -> list[CaseRecord]:
        """The cases assigned to someone and not yet closed."""
        statuses = [s.value for s in OPEN_STATUSES]
        return await case_sql.list_cases(
            self.db.reader, assignee_id=user_id, statuses=statuses, limit=limit
        )

    async def followers(self, case_id: int) -> int:
        """How many other people reported the same problem (同问)."""
        return await feedback_sql.count_followers(self.db.reader, case_id)

    async def add_photo(
        self, case_id: int, file_id: str, *, added_by: int, message_id: int | None
    ) -> None:
        """A photo sent with a case's resolution, kept beside the case."""
        async with self.db.write() as conn:
            await attachment_sql.add_attachment(
                conn, case_id=case_id, kind="photo", file_id=file_id, added_by=added_by,
                message_id=message_id, at=self.clock.now(),
            )  # fmt: skip

    async def card_state(self, case: CaseRecord, holder: int) -> CardState:
        """Where the case stands for someone holding its card (cards.py)."""
        return await load_state(self.db.reader, case, holder)

    async def held(self, case_id: int, chat_id: int) -> list[tuple[int, int, str]]:
        """(chat, message, form) of the messages showing this case in one handler's chat."""
        return await card_sql.held(self.db.reader, case_id, chat_id)

    async def hidden_of(self, case_id: int) -> str | None:
        """What of the case's own message the bot removed for the resident's privacy."""
        return await card_sql.hidden_of(self.db.reader, case_id)

    async def latest_rating(self, case_id: int) -> RatingRecord | None:
        ratings = await feedback_sql.list_ratings(self.db.reader, case_id)
        return ratings[-1] if ratings else None

    # --- people ---------------------------------------------------------------------------------

    async def user(self, user_id: int) -> UserRecord | None:
        return await user_sql.get_user(self.db.reader, user_id)

    async def started(self, user_id: int, *, name: str, username: str | None) -> None:
        """Someone pressed /start: remember them, and that the bot may now write to them."""
        async with self.db.write() as conn:
            await user_sql.upsert_user(
                conn, user_id=user_id, name=name, username=username, now=self.clock.now()
            )
            await user_sql.set_started(conn, user_id, True)

    # --- what was sent -------------------------------------------------------------------------

    async def sent_by_key(self, dedupe_key: str) -> OutboxRecord | None:
        return await outbox_sql.sent_by_key(self.db.reader, dedupe_key)

    async def sent_message(self, case_id: int, kind: str) -> tuple[int, int] | None:
        """(chat, message) of the last sent notice of this kind for the case."""
        return await outbox_sql.sent_message(self.db.reader, case_id, kind)

    async def notices_for(self, case_id: int) -> list[OutboxRecord]:
        return await outbox_sql.list_for_case(self.db.reader, case_id)

    async def outbox_counts(self) -> dict[str, int]:
        """Notices by status (pending, sent, failed)."""
        return await outbox_sql.counts_by_status(self.db.reader)
