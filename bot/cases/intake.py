"""Intake: from a resident's message to a case, a question, a "me too", or nothing at all.

The bot must never be noisy in a group: chatter is ignored, an unsure report goes quietly to the
grid leader for review (bot/cases/review.py), and a repeated problem joins the first case.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from bot.cases.lifecycle import Change, TransitionError, open_case, queue, transition
from bot.cases.models import OPEN_STATUSES, Action, NoticeKind
from bot.cases.privacy import queue_hide, what_to_hide
from bot.cases.review import became_case, edit_waiting, keep_for_review
from nlp.decide import action
from nlp.greeting import calls_the_bot
from nlp.parse import ParseResult
from nlp.place_match import places_overlap
from storage import attachments as attachment_sql
from storage import cases as case_sql
from storage import feedback as feedback_sql
from storage import intake as intake_sql
from storage import users as user_sql
from storage.records import CaseRecord, NewCase, Notice

if TYPE_CHECKING:
    from bot.config import Config, Grid
    from bot.timing.clock import Clock
    from nlp.parse import Parser
    from storage.db import Database

# A photo or pin sent by the reporter this soon after a report belongs to it.
ATTACH_WINDOW_SECONDS = 10 * 60
# Texts longer than this are stored whole but parsed by their beginning.
MAX_TEXT = 4000


class Decision(StrEnum):
    IGNORED = "ignored"  # chatter, or nothing to act on: say nothing
    OPENED = "opened"  # a new case
    REVIEW = "review"  # unsure: kept for the grid leader's 立案 / 不是; the group hears nothing
    JOINED = "joined"  # the same problem as an open case: 同问
    ATTACHED = "attached"  # a photo or pin added to the reporter's recent case
    LIMITED = "limited"  # too many cases from this resident this minute
    DUPLICATE = "duplicate"  # this very message was handled before (a redelivered update)
    UNKNOWN_CHAT = "unknown_chat"  # a group that is no grid of the configuration
    REPEATED = "repeated"  # the reporter again on their own open case: it is in hand
    NEEDS_TEXT = "needs_text"  # /report with nothing in it: say what is wanted
    HOW_TO = "how_to"  # the bot addressed by name with no report in it: say how to report


@dataclass(slots=True)
class Incoming:
    """A resident's message as the core sees it."""

    chat_id: int
    message_id: int
    user_id: int
    user_name: str
    text: str = ""
    photo_file_id: str | None = None
    location: tuple[float, float] | None = None
    forced: bool = False  # /report or a mention: always a case
    addressed: bool = False  # a mention (@gridbot, @网格通): a case, or the how-to for chatter
    anonymous: bool = False
    grid_id: str | None = None  # for private reports: the grid the resident chose
    username: str | None = None


@dataclass(slots=True)
class IntakeResult:
    decision: Decision
    case: CaseRecord | None = None
    parse: ParseResult | None = None
    followers: int = 0  # for JOINED: how many people now share the case


class Intake:
    """Turns incoming messages into decisions, writing through the lifecycle."""

    def __init__(self, db: Database, config: Config, clock: Clock, parser: Parser) -> None:
        self.db = db
        self.config = config
        self.clock = clock
        self.parser = parser

    def grid_for(self, incoming: Incoming) -> Grid | None:
        if incoming.grid_id is not None:
            return self.config.grid(incoming.grid_id)
        return self.config.grid_by_chat(incoming.chat_id)

    async def remember_user(self, user_id: int, name: str, username: str | None = None) -> None:
        async with self.db.write() as conn:
            await user_sql.upsert_user(
                conn, user_id=user_id, name=name, username=username, now=self.clock.now()
            )

    async def receive(self, incoming: Incoming) -> IntakeResult:
        """Decide what a message is and act on it."""
        grid = self.grid_for(incoming)
        if grid is None:
            return IntakeResult(Decision.UNKNOWN_CHAT)
        existing = await case_sql.get_case_by_message(
            self.db.reader, incoming.chat_id, incoming.message_id
        )
        if existing is not None:
            return IntakeResult(Decision.DUPLICATE, case=existing)
        text = (incoming.text or "").strip()
        has_media = incoming.photo_file_id is not None or incoming.location is not None
        if not text and has_media and not incoming.forced:
            return await self._attach_late(incoming)
        if not text and not has_media:
            # A bare mention is a call for help with nothing to act on yet, never an empty case.
            if incoming.addressed:
                return IntakeResult(Decision.HOW_TO)
            return IntakeResult(Decision.NEEDS_TEXT if incoming.forced else Decision.IGNORED)
        parse = self.parser.parse(
            text[:MAX_TEXT],
            has_photo=incoming.photo_file_id is not None,
            has_location=incoming.location is not None,
        )
        if incoming.addressed and not has_media and (not parse.is_report or calls_the_bot(text)):
            # 「@网格通 在吗」: a greeting or a question, not a problem to guess a category for.
            return IntakeResult(Decision.HOW_TO, parse=parse)
        settings = self.config.intake
        if not incoming.forced:
            # Danger is always a case; everything else by the parser's P(report) (nlp.decide).
            what = action(parse, settings.report_confidence, settings.unsure_confidence)
            if what == "ignore":
                return IntakeResult(Decision.IGNORED, parse=parse)
            if what == "review":
                return await self._keep_for_review(incoming, grid, parse)
        return await self.open(incoming, grid, parse)

    async def open(self, incoming: Incoming, grid: Grid, parse: ParseResult) -> IntakeResult:
        """Open a case (or join a look-alike) for a message already judged to be a report."""
        now = self.clock.now()
        async with self.db.write() as conn:
            result = await self.open_in(conn, incoming, grid, parse, now)
            if result.case is not None and result.decision in (Decision.OPENED, Decision.JOINED):
                # An edit that told of danger: the review item of the same message is settled.
                await became_case(
                    conn, incoming.chat_id, incoming.message_id, result.case.id,
                    by=incoming.user_id, now=now,
                )  # fmt: skip
            return result

    async def open_in(
        self, conn: Any, incoming: Incoming, grid: Grid, parse: ParseResult, now: int
    ) -> IntakeResult:
        category = parse.category or "other"
        level = parse.level or 1
        settings = self.config.intake
        await user_sql.upsert_user(
            conn, user_id=incoming.user_id, name=incoming.user_name,
            username=incoming.username, now=now,
        )  # fmt: skip
        recent = await intake_sql.count_recent_cases(conn, incoming.user_id, now - 60)
        if recent >= settings.max_cases_per_minute:
            return IntakeResult(Decision.LIMITED, parse=parse)
        twin = await self._look_alike(conn, grid.id, category, parse.location, now)
        if twin is not None and twin.reporter_id == incoming.user_id:
            # The reporter saying it again: the same case, not a second voice (the link is kept
            # so that a redelivered message adds nothing twice; counts leave the reporter out).
            linked = await feedback_sql.add_follower(
                conn, case_id=twin.id, user_id=incoming.user_id, chat_id=incoming.chat_id,
                message_id=incoming.message_id, now=now,
            )  # fmt: skip
            if linked:
                await self._attach(conn, twin.id, incoming, now)
                await self._hide_pii(conn, twin.id, incoming, parse, now)
            return IntakeResult(Decision.REPEATED, case=twin, parse=parse)
        if twin is not None:
            linked = await feedback_sql.add_follower(
                conn, case_id=twin.id, user_id=incoming.user_id, chat_id=incoming.chat_id,
                message_id=incoming.message_id, now=now,
            )  # fmt: skip
            count = await feedback_sql.count_followers(conn, twin.id)
            if linked:  # a redelivered message must not add its photo twice
                await self._attach(conn, twin.id, incoming, now)
                # A 同问 with a phone number is hidden like the first report's.
                await self._hide_pii(conn, twin.id, incoming, parse, now)
            # The first case's card shows how many people share the problem now.
            await queue(
                conn, self.config, Notice(NoticeKind.CARD_UPDATE, grid.chat_id, case_id=twin.id),
                now=now, urgent=twin.urgent,
            )  # fmt: skip
            return IntakeResult(Decision.JOINED, case=twin, parse=parse, followers=count)
        new = NewCase(
            grid_id=grid.id,
            community_id=self.config.community_of(grid.id).id,
            street_id=self.config.street_of(grid.id).id,
            reporter_id=incoming.user_id,
            reporter_name=incoming.user_name,
            chat_id=incoming.chat_id,
            message_id=incoming.message_id,
            text=incoming.text.strip() or "（图片报事）",
            category=category,
            level=level,
            urgent=parse.urgent,
            location=parse.location,
            confidence=parse.confidence,
            anonymous=incoming.anonymous,
        )
        change = await open_case(conn, self.config, new, now=now, group_chat_id=grid.chat_id)
        if change is None:
            case = await case_sql.get_case_by_message(conn, incoming.chat_id, incoming.message_id)
            return IntakeResult(Decision.DUPLICATE, case=case, parse=parse)
        await self._attach(conn, change.case.id, incoming, now)
        await self._hide_pii(conn, change.case.id, incoming, parse, now)
        return IntakeResult(Decision.OPENED, case=change.case, parse=parse)

    async def _hide_pii(
        self, conn: Any, case_id: int, incoming: Incoming, parse: ParseResult, now: int
    ) -> None:
        """The group message of a case's reporter or follower that shows a phone or ID number
        is removed once it belongs to a case (the case keeps the words)."""
        what = what_to_hide(parse)
        if what is not None:
            await queue_hide(
                conn, self.config, case_id=case_id, chat_id=incoming.chat_id,
                message_id=incoming.message_id, what=what, now=now,
            )  # fmt: skip

    async def _look_alike(
        self, conn: object, grid_id: str, category: str, location: str | None, now: int
    ) -> CaseRecord | None:
        if not location:
            return None
        since = now - self.config.intake.duplicate_window_hours * 3600
        candidates = await intake_sql.similar_open_cases(
            conn,
            grid_id,
            category,
            since,
            [s.value for s in OPEN_STATUSES],  # type: ignore[arg-type]  # statuses as plain str, which storage compares
        )
        return next((c for c in candidates if places_overlap(c.location, location)), None)

    async def _attach(self, conn: object, case_id: int, incoming: Incoming, now: int) -> None:
        if incoming.photo_file_id:
            await attachment_sql.add_attachment(
                conn, case_id=case_id, kind="photo", file_id=incoming.photo_file_id,  # type: ignore[arg-type]  # conn is typed object here: it comes from the caller's transaction
                added_by=incoming.user_id, message_id=incoming.message_id, at=now,
            )  # fmt: skip
        if incoming.location:
            await attachment_sql.add_attachment(
                conn, case_id=case_id, kind="location", latitude=incoming.location[0],  # type: ignore[arg-type]  # conn is typed object here: it comes from the caller's transaction
                longitude=incoming.location[1], added_by=incoming.user_id,
                message_id=incoming.message_id, at=now,
            )  # fmt: skip

    async def _attach_late(self, incoming: Incoming) -> IntakeResult:
        now = self.clock.now()
        async with self.db.write() as conn:
            case = await intake_sql.latest_case_of(
                conn, incoming.user_id, incoming.chat_id, now - ATTACH_WINDOW_SECONDS
            )
            if case is None or case.status not in OPEN_STATUSES:
                return IntakeResult(Decision.IGNORED)
            await self._attach(conn, case.id, incoming, now)
        return IntakeResult(Decision.ATTACHED, case=case)

    async def _keep_for_review(
        self, incoming: Incoming, grid: Grid, parse: ParseResult
    ) -> IntakeResult:
        async with self.db.write() as conn:
            kept = await keep_for_review(
                conn, self.config, incoming, grid, parse, now=self.clock.now()
            )
        return IntakeResult(Decision.REVIEW if kept else Decision.DUPLICATE, parse=parse)

    async def edit(self, chat_id: int, message_id: int, user_id: int, text: str) -> Change | None:
        """An edited message updates its case's text; the event log keeps the original. A
        message still waiting for review is reviewed (and opened) in its new words."""
        case = await case_sql.get_case_by_message(self.db.reader, chat_id, message_id)
        if case is None and text.strip():
            async with self.db.write() as conn:
                await edit_waiting(conn, chat_id, message_id, user_id, text.strip())
        if case is None or case.reporter_id != user_id or not text.strip():
            return None
        if case.text == text.strip():
            return None
        # The new words are read again: danger they reveal makes the case urgent.
        urgent = self.parser.parse(text.strip()[:MAX_TEXT]).urgent
        try:
            async with self.db.write() as conn:
                return await transition(
                    conn, self.config, case.id, Action.EDIT, user_id, now=self.clock.now(),
                    text=text.strip(), urgent=urgent,
                )  # fmt: skip
        except TransitionError:
            return None

    async def danger_in_edit(self, incoming: Incoming) -> IntakeResult:
        """An edited message that made no case: it becomes one only if it now tells of danger
        (otherwise a resident tidying a chat message would open cases after the fact)."""
        text = (incoming.text or "").strip()
        if not text:
            return IntakeResult(Decision.IGNORED)
        parse = self.parser.parse(text[:MAX_TEXT])
        if not (parse.is_report and parse.urgent):
            return IntakeResult(Decision.IGNORED, parse=parse)
        return await self.receive(incoming)
