"""The outbox drainer: delivers queued notices with retries, so no message is lost.

Notices are written in the same transaction as the change that caused them; this loop sends
them through an adapter's `Delivery`. Different chats are served concurrently, one chat in
order (a case card before its edits). A user who never started the bot (403) is reached by a
mention in the grid group instead, unless they reported anonymously.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from bot.cases.cards import hold_sent
from bot.cases.lifecycle import queue
from bot.cases.models import NoticeKind
from storage import cases as case_sql
from storage import outbox as outbox_sql
from storage import users as user_sql
from storage.records import CaseRecord, Notice, OutboxRecord

if TYPE_CHECKING:
    from bot.config import Config
    from bot.timing.clock import Clock
    from storage.db import Database

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FORBIDDEN = outbox_sql.FORBIDDEN  # how a notice that could not reach its person is marked
# Notices to the reporter that can be said in the group, mentioning them, when private fails.
_GROUP_FALLBACK = frozenset(
    {NoticeKind.RATING_REQUEST, NoticeKind.REPORTER_UPDATE, NoticeKind.ASSIGNED}
)


# What a person who starts the bot late still gets, if written in the last week: why a case was
# rejected or escalated, the rating question (asked only while the case is still resolved), and
# a handler's assignment (with buttons only while it is still theirs).
_RESEND_ON_START = _GROUP_FALLBACK
RESEND_WINDOW = 7 * 24 * 3600
# A person who never started the bot is asked to, in the group, at most this often.
START_NUDGE_EVERY = 7 * 24 * 3600


@dataclass(frozen=True, slots=True)
class Delivered:
    """What the adapter says happened to one notice."""

    ok: bool
    message_id: int | None = None
    retry_after: float | None = None  # rate limited or a passing fault: try again later
    forbidden: bool = False  # the user never started the bot or blocked it
    throttled: bool = False  # with retry_after: told to wait (429), not failed; costs no attempt
    error: str | None = None  # a permanent error: give up on this notice


class Delivery(Protocol):
    async def deliver(self, notice: OutboxRecord, case: CaseRecord | None) -> Delivered: ...


class OutboxDrainer:
    def __init__(
        self, db: Database, config: Config, clock: Clock, delivery: Delivery, *, parallel: int = 8
    ) -> None:
        self.db = db
        self.config = config
        self.clock = clock
        self.delivery = delivery
        self._wake = asyncio.Event()
        self._limit = asyncio.Semaphore(parallel)
        self._stopped = False

    def poke(self) -> None:
        """Something was queued: drain now rather than at the next timer."""
        self._wake.set()

    async def drain_once(self, limit: int = 200) -> int:
        """Deliver every notice that is due now; returns how many were handled."""
        due = await outbox_sql.due(self.db.reader, now=self.clock.now(), limit=limit)
        by_chat: dict[int, list[OutboxRecord]] = defaultdict(list)
        for notice in due:
            by_chat[notice.chat_id].append(notice)
        await asyncio.gather(*(self._serve_chat(items) for items in by_chat.values()))
        return len(due)

    async def _serve_chat(self, notices: list[OutboxRecord]) -> None:
        async with self._limit:
            for index, notice in enumerate(notices):
                if self._stopped:
                    return  # shutting down: what is left stays queued for the next start
                delay = await self._waiting_for(notice)
                if delay == 0:
                    return  # what it follows goes out in this round: this chat, in the next
                if delay is None:
                    delay = await self._deliver_one(notice)
                if delay is not None:
                    # Keep this chat's order: what follows waits behind the delayed one.
                    async with self.db.write() as conn:
                        for later in notices[index + 1 :]:
                            await outbox_sql.defer(
                                conn, later.id, not_before=self.clock.now() + delay,
                                reason="waiting behind an earlier notice",
                            )  # fmt: skip
                    return

    async def _waiting_for(self, notice: OutboxRecord) -> int | None:
        """A notice that follows another (payload "after": its dedupe key) waits while that one
        is pending: 0 when it is due now, else the seconds until it is; None to go ahead.

        The resolution in the group follows the private rating question, whose fate decides
        whether the resolution itself must carry the rating buttons."""
        key = notice.payload.get("after")
        if not isinstance(key, str):
            return None
        first = await outbox_sql.sent_by_key(self.db.reader, key)
        if first is None or first.status != "pending":
            return None
        return max(0, first.not_before - self.clock.now())

    async def _deliver_one(self, notice: OutboxRecord) -> int | None:
        """Deliver one notice; returns a delay in seconds when the chat must wait."""
        case = None
        if notice.case_id is not None:
            case = await case_sql.get_case(self.db.reader, notice.case_id)
        try:
            result = await self.delivery.deliver(notice, case)
        except Exception as error:  # an adapter bug must not stop the loop
            log.exception("delivering notice %s failed", notice.id)
            result = Delivered(ok=False, retry_after=30, error=repr(error))
        now = self.clock.now()
        async with self.db.write() as conn:
            if result.ok:
                await outbox_sql.mark_sent(conn, notice.id, now=now, message_id=result.message_id)
                if result.message_id is not None:
                    older = await hold_sent(conn, notice, result.message_id, now=now)
                    if older is not None:  # the older copies in that chat lose their buttons
                        await queue(conn, self.config, older, now=now, urgent=True)
                return None
            if result.forbidden:
                await outbox_sql.mark_failed(
                    conn, notice.id, error=f"{outbox_sql.FORBIDDEN}: {result.error or ''}"
                )
                if notice.chat_id > 0:
                    await user_sql.set_blocked(conn, notice.chat_id)
                await self._fall_back_to_group(conn, notice, case, now)
                await self._say_instead(conn, notice, now)
                return None
            if result.retry_after is not None and result.throttled:
                delay = max(1, round(result.retry_after))
                await outbox_sql.defer(
                    conn, notice.id, not_before=now + delay, reason=result.error or "throttled"
                )
                return delay
            if result.retry_after is not None and notice.attempts + 1 < MAX_ATTEMPTS:
                delay = max(1, round(result.retry_after))
                await outbox_sql.mark_retry(
                    conn, notice.id, not_before=now + delay, error=result.error or "retry"
                )
                return delay
            await outbox_sql.mark_failed(conn, notice.id, error=result.error or "failed")
            log.warning("notice %s (%s) given up: %s", notice.id, notice.kind, result.error)
            return None

    async def _fall_back_to_group(
        self, conn: object, notice: OutboxRecord, case: CaseRecord | None, now: int
    ) -> None:
        if case is None or notice.kind not in _GROUP_FALLBACK or notice.chat_id < 0:
            return
        if case.anonymous and notice.chat_id == case.reporter_id:
            return  # the group must never learn who reported anonymously
        if notice.kind == NoticeKind.ASSIGNED and notice.payload.get("seq"):
            return  # an urgent alert's repeats: the first one's mention said it, once is enough
        if notice.kind == NoticeKind.RATING_REQUEST:
            # The resolution in the group carries the rating buttons and names them: one
            # message, not a resolution, a nudge and a question (see RESOLUTION in the adapter).
            return
        grid = self.config.grid(case.grid_id)
        if grid is None:
            return
        if not await user_sql.claim_start_nudge(
            conn,  # type: ignore[arg-type]  # the drainer's connection is typed loosely in storage's callback
            notice.chat_id, now=now, every=START_NUDGE_EVERY,
        ):  # fmt: skip
            return  # reminded lately: what they miss waits for their /start
        payload = dict(notice.payload)
        payload.update(mention=notice.chat_id, fallback_of=notice.id)
        await queue(
            conn,  # type: ignore[arg-type]  # the drainer's connection is typed loosely in storage's callback
            self.config,
            Notice(notice.kind, grid.chat_id, case_id=case.id, payload=payload,
                   dedupe_key=f"fallback:{notice.id}", not_before=now),
            now=now, urgent=case.urgent,
        )  # fmt: skip

    async def _say_instead(self, conn: object, notice: OutboxRecord, now: int) -> None:
        """A notice that carries its own words for when it cannot be delivered (if_forbidden)."""
        instead = notice.payload.get("if_forbidden")
        if not isinstance(instead, dict) or not isinstance(instead.get("chat_id"), int):
            return
        await queue(
            conn,  # type: ignore[arg-type]  # the drainer's connection is typed loosely in storage's callback
            self.config,
            Notice(NoticeKind.TEXT, instead["chat_id"], case_id=notice.case_id,
                   payload={"text": str(instead.get("text", ""))},
                   dedupe_key=f"instead:{notice.id}", not_before=now),
            now=now, urgent=True,
        )  # fmt: skip

    async def run(self, idle_seconds: float = 5.0) -> None:
        """Drain until stopped, waking when poked or when the next notice falls due."""
        while not self._stopped:
            handled = await self.drain_once()
            if handled:
                continue
            self._wake.clear()
            next_at = await outbox_sql.next_due_at(self.db.reader)
            wait = idle_seconds
            if next_at is not None:
                wait = min(idle_seconds, max(0.05, next_at - self.clock.now()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)

    async def release_for(self, user_id: int) -> int:
        """The person has just started the bot: what could not reach them lately goes now."""
        now = self.clock.now()
        async with self.db.write() as conn:
            count = await outbox_sql.release_forbidden(
                conn, user_id, kinds=sorted(_RESEND_ON_START), since=now - RESEND_WINDOW, now=now
            )
        if count:
            self.poke()
        return count

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()
