"""Review: a message that may be a report, but not surely, goes quietly to the grid leader.

The group hears nothing. The item is kept in the database (a restart loses none); after a short
window the leader's waiting items go out together as one private message through the outbox (so
quiet hours and retries apply), each with 立案 / 不是. 立案 opens the case exactly as if the
resident had reported it; 不是 closes the item. Both are labels for retraining (corrections.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from bot.cases import corrections
from bot.cases.lifecycle import queue
from bot.cases.models import NoticeKind
from bot.cases.roles import positions_of, reaches_grid
from bot.timing.quiet import release_time
from nlp.parse import ParseResult
from nlp.pii import find_pii, mask_pii
from storage import cases as case_sql
from storage import review as review_sql
from storage.db import Connection
from storage.records import Notice

if TYPE_CHECKING:
    from bot.cases.intake import Incoming, Intake, IntakeResult
    from bot.config import Config, Grid
    from bot.timing.clock import Clock
    from storage.db import Database

# One message holds at most this many items: a screen's worth, far inside Telegram's limits.
BATCH_SIZE = 8
# What the leader sees of each message in the list (the case keeps the words whole).
SHOWN_CHARS = 200


class ReviewStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"  # 立案
    REJECTED = "rejected"  # 不是
    EXPIRED = "expired"


class ReviewError(Exception):
    """A decision that cannot be made; `code` is stable for adapters: not_found, forbidden,
    decided (with the earlier outcome in `item`), expired, limited."""

    def __init__(self, code: str, item: ReviewItem | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.item = item


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """One item as an adapter shows it: masked words, no unmasked personal data."""

    id: int
    grid_id: str
    author: str
    text: str
    category: str | None
    created_at: int
    status: ReviewStatus
    decided_by: int | None
    case_number: str | None = None

    @classmethod
    def of(cls, record: review_sql.ReviewRecord, case_number: str | None = None) -> ReviewItem:
        text = record.masked_text
        return cls(
            id=record.id, grid_id=record.grid_id, author=mask_pii(record.user_name),
            text=text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…",
            category=record.parse.get("category"), created_at=record.created_at,
            status=ReviewStatus(record.status), decided_by=record.decided_by,
            case_number=case_number,
        )  # fmt: skip

    def payload(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "grid": self.grid_id,
            "author": self.author,
            "text": self.text,
            "category": self.category,
            "at": self.created_at,
        }


@dataclass(frozen=True, slots=True)
class Decided:
    """What a decision did: the item now, and for 立案 the intake result (OPENED, JOINED…)."""

    item: ReviewItem
    batch_id: int | None
    chat_id: int  # where the original message is
    message_id: int
    result: IntakeResult | None = None


def reviewers_of(config: Config, grid_id: str) -> list[int]:
    """Who reviews a grid's messages, in order: its leader, else the community, else the street."""
    chain = [
        config.grid(grid_id).leader,  # type: ignore[union-attr]
        config.community_of(grid_id).staff[0],
        config.street_of(grid_id).staff[0],
    ]
    return list(dict.fromkeys(chain))


def may_review(config: Config, user_id: int, grid_id: str) -> bool:
    """The grid's leader, or anyone who oversees that grid in its chain (workers, community,
    street, district staff, admins); departments judge cases of their categories, not messages."""
    grid = config.grid(grid_id)
    if grid is None:
        return False
    if user_id == grid.leader:
        return True
    return any(
        p.department_id is None and reaches_grid(config, p, grid_id)
        for p in positions_of(config, user_id)
    )


async def keep_for_review(
    conn: Connection,
    config: Config,
    incoming: Incoming,
    grid: Grid,
    parse: ParseResult,
    *,
    now: int,
) -> bool:
    """Put an unsure message in its grid leader's queue, in the caller's transaction; False when
    this message is queued already (a redelivered update)."""
    text = incoming.text.strip()
    new = review_sql.NewReview(
        chat_id=incoming.chat_id, message_id=incoming.message_id, grid_id=grid.id,
        reviewer_id=grid.leader, user_id=incoming.user_id, user_name=incoming.user_name,
        text=text, masked_text=mask_pii(text), parse=corrections.masked_parse(parse),
        photo_file_id=incoming.photo_file_id,
        latitude=incoming.location[0] if incoming.location else None,
        longitude=incoming.location[1] if incoming.location else None,
        created_at=now, expires_at=now + config.intake.review_expire_hours * 3600,
    )  # fmt: skip
    return await review_sql.add_review(conn, new) is not None


async def edit_waiting(
    conn: Connection, chat_id: int, message_id: int, user_id: int, text: str
) -> bool:
    """The author edited a message that waits for review: it is decided in its new words."""
    return await review_sql.edit_open(
        conn, chat_id, message_id, user_id, text=text, masked_text=mask_pii(text)
    )


async def became_case(
    conn: Connection, chat_id: int, message_id: int, case_id: int, *, by: int, now: int
) -> bool:
    """A message that waited for review and is now a case waits no more: the leader's 立案 on
    it later shows that case instead of opening a second one."""
    return await review_sql.settle_as_case(conn, chat_id, message_id, case_id, by=by, now=now)


class ReviewDesk:
    """Review items: kept by intake, batched to leaders, decided by them."""

    def __init__(self, db: Database, config: Config, clock: Clock, intake: Intake) -> None:
        self.db = db
        self.config = config
        self.clock = clock
        self.intake = intake

    async def send_due(self) -> int:
        """Queue one message per leader whose oldest waiting item has waited the batch window;
        nothing during the quiet hours, so the night's items go out as one in the morning.
        Returns how many messages were queued."""
        now = self.clock.now()
        if release_time(self.config, now, NoticeKind.REVIEW_BATCH, urgent=False) > now:
            return 0
        window = self.config.intake.review_batch_minutes * 60
        queued = 0
        async with self.db.write() as conn:
            await review_sql.expire(conn, now)
            await self._pass_on_undelivered(conn)
            for reviewer, oldest, count in await review_sql.reviewers_waiting(conn):
                if oldest + window > now and count < BATCH_SIZE:
                    continue
                while items := await review_sql.unbatched_of(
                    conn, reviewer, now=now, limit=BATCH_SIZE
                ):
                    notice = Notice(
                        NoticeKind.REVIEW_BATCH, reviewer,
                        payload={"items": [ReviewItem.of(i).payload() for i in items]},
                        dedupe_key=f"review:{reviewer}:{items[0].id}",
                    )  # fmt: skip
                    batch_id = await queue(conn, self.config, notice, now=now, urgent=False)
                    assert (
                        batch_id is not None
                    )  # the first item went to no other batch of this reviewer
                    await review_sql.set_batch(conn, [i.id for i in items], batch_id)
                    queued += 1
        return queued

    async def _pass_on_undelivered(self, conn: Connection) -> None:
        """A leader who cannot be reached (never started the bot, blocked it) must not sit on
        residents' messages: their items go up the chain, to the community, then the street."""
        for record in await review_sql.in_failed_batches(conn):
            chain = reviewers_of(self.config, record.grid_id)
            later = (
                chain[chain.index(record.reviewer_id) + 1 :] if record.reviewer_id in chain else []
            )
            if later:
                await review_sql.reroute(conn, record.id, later[0])

    async def expire(self) -> int:
        async with self.db.write() as conn:
            return await review_sql.expire(conn, self.clock.now())

    async def decide(self, review_id: int, user_id: int, *, accept: bool) -> Decided:
        """立案 (accept) or 不是, checked against the configuration: never the button alone."""
        from bot.cases.intake import Decision, Incoming

        record = await review_sql.get_review(self.db.reader, review_id)
        if record is None:
            raise ReviewError("not_found")
        if not may_review(self.config, user_id, record.grid_id):
            raise ReviewError("forbidden")
        grid = self.config.grid(record.grid_id)
        assert grid is not None  # may_review found it
        now = self.clock.now()
        async with self.db.write() as conn:
            settled = await review_sql.settle(
                conn, review_id, ReviewStatus.ACCEPTED if accept else ReviewStatus.REJECTED,
                by=user_id, now=now,
            )  # fmt: skip
            if settled is None:
                raise await self._why_not(conn, review_id, now)
            result = None
            if accept:
                # The original words, author, photo and pin: as if the resident had reported it.
                incoming = Incoming(
                    chat_id=record.chat_id, message_id=record.message_id,
                    user_id=record.user_id, user_name=record.user_name, text=record.text,
                    photo_file_id=record.photo_file_id, location=_pin(record),
                )  # fmt: skip
                # The stored parse is masked; the words still are not, so the message's phone
                # or ID number is found again and the group message removed like any report's.
                parse = ParseResult.model_validate(
                    {**record.parse, "pii": find_pii(record.text), "is_report": True}
                )
                result = await self.intake.open_in(conn, incoming, grid, parse, now)
                if result.decision is Decision.LIMITED:
                    raise ReviewError("limited")  # rolls the decision back: press again later
                if result.case is not None:
                    await review_sql.set_case(conn, review_id, result.case.id)
            await corrections.record_review(
                conn, review_id=review_id, chat_id=record.chat_id, message_id=record.message_id,
                masked_text=record.masked_text, parse=record.parse, is_report=accept,
                decided_by=user_id, now=now,
                case_id=result.case.id if result and result.case else None,
            )  # fmt: skip
        number = result.case.number if result and result.case else None
        return Decided(
            ReviewItem.of(settled, number),
            settled.batch_id,
            record.chat_id,
            record.message_id,
            result,
        )

    async def _why_not(self, conn: Connection, review_id: int, now: int) -> ReviewError:
        record = await review_sql.get_review(conn, review_id)
        assert record is not None
        if record.status == ReviewStatus.OPEN:  # past its time, not yet swept
            return ReviewError("expired", ReviewItem.of(record))
        if record.status == ReviewStatus.EXPIRED:
            return ReviewError("expired", ReviewItem.of(record))
        return ReviewError("decided", await self._item(conn, record))

    async def batch(self, batch_id: int) -> list[ReviewItem]:
        """The items of one sent batch as they stand now, to redraw its message."""
        records = await review_sql.batch_items(self.db.reader, batch_id)
        return [await self._item(self.db.reader, r) for r in records]

    async def _item(self, conn: Connection, record: review_sql.ReviewRecord) -> ReviewItem:
        number = None
        if record.case_id is not None:
            case = await case_sql.get_case(conn, record.case_id)
            number = case.number if case else None
        return ReviewItem.of(record, number)


def _pin(record: review_sql.ReviewRecord) -> tuple[float, float] | None:
    if record.latitude is None or record.longitude is None:
        return None
    return (record.latitude, record.longitude)
