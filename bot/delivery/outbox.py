"""The outbox drainer: delivers queued notices with retries, so no message is lost.

Notices are written in the same transaction as the change that caused them; this loop sends
them through an adapter's `Delivery`. Different chats are served concurrently, one chat in
order: urgent cases' notices first, then the order of queueing (a case card before its edits).
A user who never started the bot (403) is reached by a mention in the grid group instead,
unless they reported anonymously.

A notice is claimed before it is sent (a lease in the database), so two drainers on one database
never send the same row, nor two notices of one chat at once. A notice the API did not take for a
passing reason (network, 5xx, timeout) is tried again after a wait that doubles up to a cap, with
jitter so that a crowd of notices does not return all at once; it is given up only when it has
been failing for the configured age (a day by default), or at once on a permanent error (400).

What a timed-out send leaves possible: the Bot API answers nothing when a request times out and
offers no way to ask whether a message arrived, nor a key to make a send idempotent. So a send
that timed out after Telegram took it is sent again: the chat may see that message twice (for a
case card: two cards; edits and replies then go to the copy whose id we know, and the other keeps
the words it had). Card updates are edits and so are safe to repeat; buttons on a repeated
private notice are checked against the database when pressed, so a copy cannot act twice. A
notice is never given up for a timeout alone: a missing card is worse than a second one. A
drainer that dies between the send and recording it leaves a claim that runs out after the
lease, and that notice, too, is sent again; until then its chat waits (at most LEASE_SECONDS
after a restart). While a drainer works through what it claimed (a group's notices at 20 a
minute can take longer than a lease) it renews its claims, so that a slow drain never lets
another worker take and send them too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections import deque
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

FORBIDDEN = outbox_sql.FORBIDDEN  # how a notice that could not reach its person is marked
FIRST_RETRY_SECONDS = 5
# Longer than one chat's share of a drain may take (PTB's timeouts, the connection pool's 30 s),
# so that a claim never runs out while its send is still under way; short enough that a chat
# held by a drainer that died is served again soon.
LEASE_SECONDS = 120
# A lane that could send nothing (what its notice follows is under way elsewhere) looks again
# after this long rather than at once.
LANE_RETRY_SECONDS = 0.2
# The drainer's queue of claimed chats (see OutboxDrainer.run): refilled with this many notices
# whenever fewer chats than lanes wait in it, so that it holds under a second of sending.
CLAIM_CHUNK = 16
# Telegram takes 20 messages a minute in one group (a 429 past that, for up to a minute). The
# outbox paces each group itself over a sliding minute, and keeps the last few of the 20 for
# urgent cases: in a group busy with ordinary cards, an urgent card still goes at once.
GROUP_PER_MINUTE = 20
GROUP_URGENT_RESERVE = 2
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
    uncertain: bool = False  # timed out: the message may have arrived all the same


class Delivery(Protocol):
    async def deliver(self, notice: OutboxRecord, case: CaseRecord | None) -> Delivered: ...


@dataclass(frozen=True, slots=True)
class Backoff:
    """Waits between attempts: doubling from `first` up to `cap`, each drawn between half and
    all of that ("equal jitter"), so notices that failed together come back spread out."""

    first: float = FIRST_RETRY_SECONDS
    cap: float = 300

    def wait(self, failures: int, rng: random.Random) -> int:
        ceiling = min(self.cap, self.first * 2 ** min(max(failures - 1, 0), 30))
        return max(1, round(rng.uniform(ceiling / 2, ceiling)))


class OutboxDrainer:
    def __init__(
        self,
        db: Database,
        config: Config,
        clock: Clock,
        delivery: Delivery,
        *,
        parallel: int = 8,
        rng: random.Random | None = None,
        name: str | None = None,
        lease: int = LEASE_SECONDS,
        claim_limit: int = 200,
    ) -> None:
        self.db = db
        self.config = config
        self.clock = clock
        self.delivery = delivery
        self.backoff = Backoff(cap=config.delivery.backoff_cap_seconds)
        self.give_up_after = round(config.delivery.give_up_after_hours * 3600)
        self.rng = rng or random.Random()  # injected for tests: jitter they can predict
        # Names this drainer's claims; unique per process and start.
        self.name = name or uuid.uuid4().hex
        self.lease = lease
        self.claim_limit = claim_limit  # smaller with several workers: each takes a share
        self._wake = asyncio.Event()
        self.parallel = parallel
        self._limit = asyncio.Semaphore(parallel)
        self._stopped = False

    def poke(self) -> None:
        """Something was queued: drain now rather than at the next timer."""
        self._wake.set()

    async def drain_once(self, limit: int | None = None) -> int:
        """Deliver every notice that may go now; returns how many were tried (a notice given back
        untried, because what it follows goes out this round, does not count: no busy loop)."""
        if not await outbox_sql.due(self.db.reader, now=self.clock.now(), limit=1):
            return 0  # a read: an idle drainer takes no write transaction to learn it
        async with self.db.write() as conn:
            claimed = await outbox_sql.claim(
                conn, now=self.clock.now(), owner=self.name, lease=self.lease,
                limit=self.claim_limit if limit is None else limit,
            )  # fmt: skip
        if not claimed:
            return 0
        by_chat: dict[int, list[OutboxRecord]] = {}
        for notice in claimed:  # in sending order: chats with urgent notices come first
            by_chat.setdefault(notice.chat_id, []).append(notice)
        renewing = asyncio.create_task(self._renew(), name="outbox-lease")
        try:
            tried = await asyncio.gather(*(self._serve_chat(items) for items in by_chat.values()))
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
        return sum(tried)

    async def _renew(self) -> None:
        """Keep the claims of this round while it lasts (a third of the lease between renewals)."""
        while True:
            await asyncio.sleep(self.lease / 3)
            try:
                async with self.db.write() as conn:
                    await outbox_sql.renew(
                        conn, owner=self.name, until=self.clock.now() + self.lease
                    )
            except Exception:  # a busy database: the next renewal tries again
                log.warning("renewing the outbox claims failed", exc_info=True)

    async def _serve_chat(self, notices: list[OutboxRecord]) -> int:
        tried = 0
        async with self._limit:
            for index, notice in enumerate(notices):
                # Shutting down: what is left stays queued for the next start. This chat must
                # wait: the rest go back, keeping their place behind the one that waits.
                if self._stopped:
                    left = notices[index:]
                elif (delay := await self._waiting_for(notice)) is not None:
                    if delay > 0:  # what it follows waits: so does it, keeping its place in line
                        async with self.db.write() as conn:
                            await outbox_sql.mark_retry(
                                conn, notice.id, now=self.clock.now(),
                                not_before=self.clock.now() + delay,
                                error="waiting for the notice it follows", counts=False,
                                owner=self.name,
                            )  # fmt: skip
                        tried += 1
                        left = notices[index + 1 :]
                    else:  # what it follows goes out in this round: this chat, in the next
                        left = notices[index:]
                elif notice.chat_id < 0 and (pause := await self._group_pause(notice)) > 0:
                    # The group has had its share of this minute: this notice (and its chat's
                    # less urgent ones, behind it) waits for room, freeing the lane for others.
                    async with self.db.write() as conn:
                        await outbox_sql.mark_retry(
                            conn, notice.id, now=self.clock.now(),
                            not_before=self.clock.now() + pause,
                            error="paced: 20 messages a minute in a group", counts=False,
                            owner=self.name,
                        )  # fmt: skip
                    tried += 1
                    left = notices[index + 1 :]
                else:
                    tried += 1
                    if await self._deliver_one(notice):
                        continue
                    left = notices[index + 1 :]
                async with self.db.write() as conn:
                    await outbox_sql.release(conn, [n.id for n in left], owner=self.name)
                return tried
        return tried

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

    async def _group_pause(self, notice: OutboxRecord) -> int:
        """Seconds until this group has room for the notice within Telegram's 20 a minute (0:
        now). Ordinary notices leave GROUP_URGENT_RESERVE of the minute to urgent cases'."""
        urgent = False
        if notice.case_id is not None:
            case = await case_sql.get_case(self.db.reader, notice.case_id)
            urgent = case is not None and case.urgent
        room = GROUP_PER_MINUTE if urgent else GROUP_PER_MINUTE - GROUP_URGENT_RESERVE
        now = self.clock.now()
        # Seconds are whole in the database: a send recorded at second s may have gone at s + 1,
        # so a message counts for 61 seconds, not 60.
        sent = [
            at
            for at in await outbox_sql.recent_send_times(
                self.db.reader, notice.chat_id, last=GROUP_PER_MINUTE
            )
            if at > now - 61
        ]
        if len(sent) < room:
            return 0
        return max(1, sent[len(sent) - room] + 61 - now)

    async def _deliver_one(self, notice: OutboxRecord) -> bool:
        """Deliver one claimed notice; False when its chat must wait before the next."""
        case = None
        if notice.case_id is not None:
            case = await case_sql.get_case(self.db.reader, notice.case_id)
        try:
            result = await self.delivery.deliver(notice, case)
        except Exception as error:  # an adapter bug must not stop the loop
            log.exception("delivering notice %s failed", notice.id)
            result = Delivered(ok=False, retry_after=30, error=repr(error))
        now = self.clock.now()
        mine = self.name
        async with self.db.write() as conn:
            if result.ok:
                if not await outbox_sql.mark_sent(
                    conn, notice.id, now=now, message_id=result.message_id, owner=mine
                ):
                    log.warning("notice %s was sent after its claim ran out", notice.id)
                if result.message_id is not None:
                    older = await hold_sent(conn, notice, result.message_id, now=now)
                    if older is not None:  # the older copies in that chat lose their buttons
                        await queue(conn, self.config, older, now=now, urgent=True)
                return True
            if result.forbidden:
                await outbox_sql.mark_failed(
                    conn, notice.id, error=f"{outbox_sql.FORBIDDEN}: {result.error or ''}",
                    owner=mine,
                )  # fmt: skip
                if notice.chat_id > 0:
                    await user_sql.set_blocked(conn, notice.chat_id)
                await self._fall_back_to_group(conn, notice, case, now)
                await self._say_instead(conn, notice, now)
                return True
            if result.retry_after is not None and result.throttled:
                delay = max(1, round(result.retry_after))
                await outbox_sql.mark_retry(
                    conn, notice.id, now=now, not_before=now + delay,
                    error=result.error or "throttled", counts=False, owner=mine,
                )  # fmt: skip
                return False
            failing_since = notice.retry_since if notice.retry_since is not None else now
            if result.retry_after is not None and now - failing_since < self.give_up_after:
                delay = max(
                    self.backoff.wait(notice.attempts + 1, self.rng), round(result.retry_after)
                )
                error = result.error or "retry"
                log.info("notice %s not sent (%s): next try in %ss", notice.id, error, delay)
                await outbox_sql.mark_retry(
                    conn, notice.id, now=now, not_before=now + delay,
                    error=f"uncertain: {error}" if result.uncertain else error, owner=mine,
                )  # fmt: skip
                return False
            await outbox_sql.mark_failed(
                conn, notice.id, error=result.error or "failed", owner=mine
            )
            log.warning("notice %s (%s) given up: %s", notice.id, notice.kind, result.error)
            return True

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
        """Drain until stopped. Up to `parallel` chats are served at once, each in a lane of its
        own, taken from a short queue of claimed chats (under a second of sending), refilled
        CLAIM_CHUNK notices at a time, urgent cases' first, when fewer chats than lanes wait in
        it. So an urgent notice waits for the short queue, never for a whole round of 200 (a
        round lasted as long as its slowest chat: a busy group at 20 messages a minute held
        every other chat, urgent ones too); and the outbox is not sorted for every single lane,
        which would starve the intake of the process's time."""
        lanes: set[asyncio.Task[int]] = set()
        ready: deque[list[OutboxRecord]] = deque()
        claim_now = True
        # A busy group at 20 a minute can hold its lane past a lease: the claims are renewed.
        renewing = asyncio.create_task(self._renew(), name="outbox-lease")
        try:
            while not self._stopped:
                self._wake.clear()
                if claim_now and len(ready) < self.parallel:
                    ready.extend(await self._claim_lanes(min(CLAIM_CHUNK, self.claim_limit)))
                while ready and len(lanes) < self.parallel:
                    lanes.add(asyncio.create_task(self._serve_chat(ready.popleft())))
                wait = idle_seconds
                if not lanes:
                    # Nothing in flight: the next chance is a notice falling due or a claim
                    # running out.
                    next_at = await outbox_sql.next_due_at(self.db.reader, after=self.clock.now())
                    if next_at is not None:
                        wait = min(idle_seconds, max(0.05, next_at - self.clock.now()))
                waker = asyncio.ensure_future(self._wake.wait())
                done, _ = await asyncio.wait(
                    {*lanes, waker}, timeout=wait, return_when=asyncio.FIRST_COMPLETED
                )
                waker.cancel()
                finished = done - {waker}
                lanes -= finished
                tried = 0
                for lane in finished:
                    if lane.exception() is not None:  # a database error: its claims run out
                        log.error("an outbox lane failed", exc_info=lane.exception())
                        tried += 1
                    else:
                        tried += lane.result()
                # A lane that gave its notices back untried (what they follow is being sent in
                # another lane) is not claimed again at once: no busy loop.
                claim_now = self._wake.is_set() or not done or tried > 0
                if not claim_now and not lanes and not ready:
                    await asyncio.sleep(LANE_RETRY_SECONDS)
                    claim_now = True
        finally:
            # Stopping: each lane sends the notice it is at and gives the rest back, and what
            # was claimed but not started goes back at once.
            if lanes:
                await asyncio.gather(*lanes, return_exceptions=True)
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
            if ready:
                async with self.db.write() as conn:
                    await outbox_sql.release(
                        conn, [n.id for items in ready for n in items], owner=self.name
                    )

    async def _claim_lanes(self, limit: int) -> list[list[OutboxRecord]]:
        """Claim up to `limit` notices that may go now, grouped by chat, each chat's in order."""
        if not await outbox_sql.due(self.db.reader, now=self.clock.now(), limit=1):
            return []  # a read: an idle drainer (or worker) takes no write transaction to learn it
        async with self.db.write() as conn:
            claimed = await outbox_sql.claim(
                conn, now=self.clock.now(), owner=self.name, lease=self.lease, limit=limit
            )
        by_chat: dict[int, list[OutboxRecord]] = {}
        for notice in claimed:  # in sending order: chats with urgent notices come first
            by_chat.setdefault(notice.chat_id, []).append(notice)
        return list(by_chat.values())

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
