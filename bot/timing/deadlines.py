"""The deadline keeper: reminders (催办), automatic escalation, overdue chasing, rating follow-up
and digests, all derived from the database, so a restart loses no timer and sends nothing twice.

Each `tick` does three things, at the clock's now:

1. Sync: every case changed since the last sync gets the timers its current deadlines call for
   (a reminder before accept_due and resolve_due, the deadlines themselves, the rating reminder
   and the unrated close), keyed by the deadline they serve. A keeper's first tick looks at every
   live case, which is how a restart rebuilds the schedule.
2. Fire: each due timer in its own write transaction, which re-reads the case, does the work
   (queue a notice, escalate, flag, close) and marks the timer fired: all of it or nothing.
   A timer whose deadline has moved on (accepted, escalated, reassigned, reopened, rated) is
   marked stale and does nothing.
3. Digests: one run per period, recorded in the same transaction as its notices.

Decisions where the issue is silent:

- The reminder comes when `Policy.remind_at` (75%) of a deadline's window has passed, counted
  in working time like the deadline itself (real time for urgent cases).
- A missed resolve deadline escalates too ("超时未办结，自动上报"): a case nobody finishes climbs
  the levels just like one nobody accepts; each level gets its full time from the moment it is
  told.
- `overdue` means "missed a deadline at some level". The first automatic escalation sets it (its
  ESCALATE event says `"overdue": true`); at the district level there is no level left, so the
  keeper writes an `overdue` event (the state stays), sets the flag, and reminds the assignee and
  the district staff once per working day until the case is resolved or moved.
- Rating follow-up counts real time from the resolution: a reminder after a day, the unrated
  close after three. The close writes no rating, so it never counts as satisfied.
- The morning digest goes to every grid leader at `Policy.digest_time` on working days; a bot
  that was down then sends it when it comes back, up to the end of that working day. The weekly
  summary of the previous ISO week goes to every street's staff on the first working day of the
  week at the same time (or later that week, if the bot was down).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from bot.cases.lifecycle import queue, transition
from bot.cases.models import Action, CaseStatus, NoticeKind
from bot.timing import emergency_timers
from bot.timing.digest import DAILY, WEEKLY, daily_payloads, week_period, weekly_payloads
from bot.timing.worktime import is_working_day, working_deadline, working_time_before
from storage import cases as case_sql
from storage import deadlines as deadline_sql
from storage import events as event_sql
from storage.deadlines import TimerRecord
from storage.records import CaseRecord, Notice

if TYPE_CHECKING:
    from bot.config import Config
    from bot.timing.clock import Clock
    from storage.db import Connection, Database

log = logging.getLogger(__name__)

S = CaseStatus
OVERDUE_EVENT = "overdue"  # the action of the event that flags a case overdue at the top level
TOP_LEVEL = 4

# Timer kinds: what a timer does when it fires.
ACCEPT_REMIND, ACCEPT_DUE = "accept_remind", "accept_due"
RESOLVE_REMIND, RESOLVE_DUE = "resolve_remind", "resolve_due"
OVERDUE_ACCEPT, OVERDUE_RESOLVE = "overdue_accept", "overdue_resolve"
RATING_REMIND, RATING_CLOSE = "rating_remind", "rating_close"

_AWAITING_ACCEPT = frozenset({S.ASSIGNED, S.ESCALATED, S.REOPENED})
_WORKING = frozenset({S.ASSIGNED, S.ACCEPTED, S.ESCALATED, S.REOPENED})
_LIVE = tuple(sorted(_WORKING | {S.RESOLVED}))

# The notes of the system's own events (shown in a case's timeline).
NOTES = {
    "accept_timeout": "超时未受理，自动上报",
    "resolve_timeout": "超时未办结，自动上报",
    "accept_overdue": "区级超时未受理，已标记超期",
    "resolve_overdue": "区级超时未办结，已标记超期",
    "unrated": "三天未评价，自动结案",
}

_SYNC_MARK = "synced_to"
_MAX_DAYS = 3 * 366


@dataclass(frozen=True, slots=True)
class Policy:
    """When the keeper acts; the defaults are what the issue asks for."""

    remind_at: float = 0.75  # share of a deadline's window after which the assignee is reminded
    rating_reminder_hours: float = 24
    rating_close_hours: float = 72
    digest_time: time = time(8, 0)  # local, on working days
    retry_seconds: int = 300  # a timer whose work failed is tried again this much later
    sync_margin_seconds: int = 300  # re-read changes this far behind the mark (late commits)


@dataclass(slots=True)
class TickReport:
    """What one tick did."""

    now: int
    scheduled: int = 0  # timers the sync added
    reminders: int = 0  # reminder notices queued (before a deadline, and overdue repeats)
    escalated: list[int] = field(default_factory=list)  # case ids escalated automatically
    overdue: list[int] = field(default_factory=list)  # case ids flagged at the top level
    rating_reminders: int = 0
    closed_unrated: list[int] = field(default_factory=list)
    digests: int = 0  # digest notices queued
    stale: int = 0  # timers whose deadline had moved on
    errors: int = 0  # timers whose work failed (tried again later)

    @property
    def queued_anything(self) -> bool:
        return bool(
            self.reminders
            or self.escalated
            or self.overdue
            or self.rating_reminders
            or self.closed_unrated
            or self.digests
        )


class DeadlineKeeper:
    """Finds and handles everything due at the clock's now; `tick` is safe to repeat."""

    def __init__(
        self, db: Database, config: Config, clock: Clock, policy: Policy | None = None
    ) -> None:
        self.db = db
        self.config = config
        self.clock = clock
        self.policy = policy or Policy()
        self._lock = asyncio.Lock()
        self._synced_all = False

    async def tick(self) -> TickReport:
        """Schedule what changed, fire what is due, queue the digests that are due."""
        async with self._lock:
            now = self.clock.now()
            report = TickReport(now=now)
            report.scheduled = await self._sync(now)
            await self._fire_due(now, report)
            await self._digests(now, report)
            return report

    async def next_due(self) -> int | None:
        """When something is next due (UTC seconds; now or earlier when it is due already)."""
        async with self._lock:
            now = self.clock.now()
            await self._sync(now)
            candidates = [
                await deadline_sql.next_timer_at(self.db.reader),
                await self._next_daily(now),
                await self._next_weekly(now),
            ]
        found = [c for c in candidates if c is not None]
        return min(found) if found else None

    # --- sync ------------------------------------------------------------------------------------

    async def _sync(self, now: int) -> int:
        added = 0
        async with self.db.write() as conn:
            mark = await deadline_sql.get_state(conn, _SYNC_MARK)
            since = None  # a new keeper looks at every live case: the schedule is rebuilt
            if self._synced_all and mark is not None:
                since = mark - self.policy.sync_margin_seconds
            for case in await deadline_sql.cases_changed_since(conn, since, _LIVE):
                for timer in self._timers_for(case):
                    added += await deadline_sql.add_timer(conn, timer)
            await deadline_sql.set_state(conn, _SYNC_MARK, max(now, mark or 0))
        self._synced_all = True
        return added

    def _timers_for(self, case: CaseRecord) -> list[TimerRecord]:
        """The timers a case's current state and deadlines call for."""
        status = S(case.status)
        timers = emergency_timers.timers_for(self.config, case)
        if status in _AWAITING_ACCEPT and case.accepted_at is None and case.accept_due:
            # An urgent case's alert is repeated until accepted (emergency_timers) instead.
            if not case.urgent:
                remind = self._remind_at(case, case.accept_due, accept=True)
                timers.append(TimerRecord(case.id, ACCEPT_REMIND, case.accept_due, 0, remind))
            timers.append(TimerRecord(case.id, ACCEPT_DUE, case.accept_due, 0, case.accept_due))
        if status in _WORKING and case.resolve_due:
            remind = self._remind_at(case, case.resolve_due, accept=False)
            timers.append(TimerRecord(case.id, RESOLVE_REMIND, case.resolve_due, 0, remind))
            timers.append(TimerRecord(case.id, RESOLVE_DUE, case.resolve_due, 0, case.resolve_due))
        if status is S.RESOLVED and case.resolved_at is not None:
            round_, resolved = case.reopen_count, case.resolved_at
            reminder = resolved + round(self.policy.rating_reminder_hours * 3600)
            close = resolved + round(self.policy.rating_close_hours * 3600)
            timers.append(TimerRecord(case.id, RATING_REMIND, resolved, round_, reminder))
            timers.append(TimerRecord(case.id, RATING_CLOSE, resolved, round_, close))
        return timers

    def _remind_at(self, case: CaseRecord, due: int, *, accept: bool) -> int:
        if case.urgent:  # minutes to accept and hours to resolve, in real time
            urgent = self.config.emergency
            window = urgent.accept_minutes * 60 if accept else urgent.resolve_hours * 3600
            return due - round(window * (1 - self.policy.remind_at))
        limits = self.config.deadlines[case.level]
        lead = (limits.accept_hours if accept else limits.resolve_hours) * (
            1 - self.policy.remind_at
        )
        return working_time_before(self.config.calendar, due, lead)

    # --- fire ------------------------------------------------------------------------------------

    async def _fire_due(self, now: int, report: TickReport) -> None:
        seen: set[tuple[int, str, int, int]] = set()
        while True:
            timers = await deadline_sql.due_timers(self.db.reader, now=now)
            fresh = [t for t in timers if (t.case_id, t.kind, t.due_at, t.seq) not in seen]
            if not fresh:
                return
            for timer in fresh:
                seen.add((timer.case_id, timer.kind, timer.due_at, timer.seq))
                await self._fire_one(timer, now, report)

    async def _fire_one(self, timer: TimerRecord, now: int, report: TickReport) -> None:
        try:
            async with self.db.write() as conn:
                if not await deadline_sql.claim_timer(conn, timer, now=now):
                    return  # fired by someone else meanwhile
                outcome, count = await self._fire(conn, timer, now)
                await deadline_sql.set_outcome(conn, timer, outcome)
        except Exception as error:  # one bad case must not stop the others
            log.exception("deadline timer %s failed", timer)
            report.errors += 1
            async with self.db.write() as conn:
                await deadline_sql.postpone_timer(
                    conn, timer, fire_at=now + self.policy.retry_seconds, error=repr(error)
                )
            return
        if outcome == "stale":
            report.stale += 1
        elif outcome == "escalated":
            report.escalated.append(timer.case_id)
        elif outcome == "overdue":
            report.overdue.append(timer.case_id)
            report.reminders += count
        elif outcome == "reminded":
            report.reminders += count
        elif outcome == "rating_reminded":
            report.rating_reminders += count
        elif outcome == "closed":
            report.closed_unrated.append(timer.case_id)

    async def _fire(self, conn: Connection, timer: TimerRecord, now: int) -> tuple[str, int]:
        """Do one timer's work in the caller's transaction: (outcome, notices queued)."""
        case = await case_sql.get_case(conn, timer.case_id)
        if case is None:
            return "stale", 0
        if timer.kind not in emergency_timers.KINDS and not self._still_current(case, timer, now):
            return "stale", 0
        kind = timer.kind
        if kind in emergency_timers.KINDS:
            return await emergency_timers.fire(conn, self.config, case, timer, now)
        if kind in (ACCEPT_REMIND, RESOLVE_REMIND):
            if now >= timer.due_at:
                return "late", 0  # the deadline itself is due: it acts instead
            which = "accept" if kind == ACCEPT_REMIND else "resolve"
            sent = await self._remind(conn, case, which, timer.due_at, now)
            return "reminded", sent
        if kind in (ACCEPT_DUE, RESOLVE_DUE):
            which = "accept" if kind == ACCEPT_DUE else "resolve"
            if case.level < TOP_LEVEL:
                await self._escalate(conn, case, which, timer.due_at, now)
                return "escalated", 0
            sent = await self._flag_overdue(conn, case, which, timer.due_at, now)
            return "overdue", sent
        if kind in (OVERDUE_ACCEPT, OVERDUE_RESOLVE):
            which = "accept" if kind == OVERDUE_ACCEPT else "resolve"
            sent = await self._chase(conn, case, which, timer.due_at, timer.seq, now)
            return "reminded", sent
        if kind == RATING_REMIND:
            round_ = case.reopen_count
            queued = await queue(
                conn,
                self.config,
                Notice(
                    NoticeKind.RATING_REQUEST,
                    case.reporter_id,
                    case_id=case.id,
                    payload={"round": round_, "reminder": True},
                    dedupe_key=f"rate-remind:{case.id}:{round_}",
                ),
                now=now,
                urgent=case.urgent,
            )
            return "rating_reminded", int(queued is not None)
        if kind == RATING_CLOSE:
            await transition(
                conn, self.config, case.id, Action.CLOSE, None, now=now,
                note=NOTES["unrated"], data={"reason": "unrated", "round": case.reopen_count},
            )  # fmt: skip
            return "closed", 0
        raise ValueError(f"unknown timer kind {kind!r}")

    def _still_current(self, case: CaseRecord, timer: TimerRecord, now: int) -> bool:
        """Whether the deadline a timer serves is still the case's deadline, unmet."""
        status = S(case.status)
        awaiting_accept = (
            status in _AWAITING_ACCEPT
            and case.accepted_at is None
            and case.accept_due == timer.due_at
        )
        resolving = status in _WORKING and case.resolve_due == timer.due_at
        if timer.kind in (ACCEPT_REMIND, ACCEPT_DUE):
            return awaiting_accept
        if timer.kind in (RESOLVE_REMIND, RESOLVE_DUE):
            return resolving
        if timer.kind == OVERDUE_ACCEPT:
            # Once the resolve deadline has passed too, its own series takes over.
            return awaiting_accept and case.level >= TOP_LEVEL and (case.resolve_due or 0) > now
        if timer.kind == OVERDUE_RESOLVE:
            return resolving and case.level >= TOP_LEVEL
        if timer.kind in (RATING_REMIND, RATING_CLOSE):
            return (
                status is S.RESOLVED
                and case.resolved_at == timer.due_at
                and case.reopen_count == timer.seq
            )
        return False

    def _reminder_payload(self, case: CaseRecord, which: str, due: int) -> dict[str, Any]:
        local = datetime.fromtimestamp(due, self.config.calendar.zone)
        return {
            "deadline": which,
            "due": due,
            "due_text": f"{local.month}月{local.day}日 {local:%H:%M}",
            "number": case.number,
            "category": case.category,
            "level": case.level,
        }

    async def _remind(
        self, conn: Connection, case: CaseRecord, which: str, due: int, now: int
    ) -> int:
        if case.assignee_id is None:
            return 0
        queued = await queue(
            conn,
            self.config,
            Notice(
                NoticeKind.REMINDER,
                case.assignee_id,
                case_id=case.id,
                payload=self._reminder_payload(case, which, due),
                dedupe_key=f"remind:{which}:{case.id}:{due}",
            ),
            now=now,
            urgent=case.urgent,
        )
        return int(queued is not None)

    async def _escalate(
        self, conn: Connection, case: CaseRecord, which: str, due: int, now: int
    ) -> None:
        """One level up; the first missed deadline also flags the case overdue (same event)."""
        if not case.overdue:
            await case_sql.update_case(conn, case.id, now, overdue=True)
        await transition(
            conn, self.config, case.id, Action.ESCALATE, None, now=now,
            note=NOTES[f"{which}_timeout"],
            data={"reason": f"{which}_timeout", "due": due, "overdue": True},
        )  # fmt: skip

    async def _flag_overdue(
        self, conn: Connection, case: CaseRecord, which: str, due: int, now: int
    ) -> int:
        """At the top level: flag the case overdue with an event, and start the daily chase."""
        if not case.overdue:
            await case_sql.update_case(conn, case.id, now, overdue=True)
        await event_sql.insert_event(
            conn,
            case_id=case.id,
            at=now,
            actor_id=None,
            action=OVERDUE_EVENT,
            from_status=case.status,
            to_status=case.status,
            note=NOTES[f"{which}_overdue"],
            data={"deadline": which, "due": due, "level": case.level},
        )
        return await self._chase(conn, case, which, due, 0, now)

    async def _chase(
        self,
        conn: Connection,
        case: CaseRecord,
        which: str,
        due: int,
        seq: int,
        now: int,
    ) -> int:
        """Remind the district of an overdue case, and schedule the next reminder."""
        people = [case.assignee_id, *self.config.district.staff]
        if not self.config.district.staff:
            people += self.config.district.admins[:1]
        payload = {**self._reminder_payload(case, which, due), "overdue": True, "seq": seq}
        sent = 0
        for user_id in dict.fromkeys(p for p in people if p is not None):
            queued = await queue(
                conn,
                self.config,
                Notice(
                    NoticeKind.REMINDER,
                    user_id,
                    case_id=case.id,
                    payload=payload,
                    dedupe_key=f"overdue:{which}:{case.id}:{due}:{seq}:{user_id}",
                ),
                now=now,
                urgent=case.urgent,
            )
            sent += queued is not None
        kind = OVERDUE_ACCEPT if which == "accept" else OVERDUE_RESOLVE
        await deadline_sql.add_timer(
            conn, TimerRecord(case.id, kind, due, seq + 1, self._next_workday(now, case.urgent))
        )
        return sent

    def _next_workday(self, now: int, urgent: bool) -> int:
        """One working day later (a real day for urgent cases)."""
        if urgent:
            return now + 86400
        calendar = self.config.calendar
        day = datetime.combine(date.min, calendar.work_end) - datetime.combine(
            date.min, calendar.work_start
        )
        return working_deadline(calendar, now, day.total_seconds() / 3600)

    # --- digests ---------------------------------------------------------------------------------

    def _local(self, now: int) -> datetime:
        return datetime.fromtimestamp(now, self.config.calendar.zone)

    def _daily_window(self) -> tuple[time, time]:
        start, end = self.policy.digest_time, self.config.calendar.work_end
        return (start, end) if end > start else (start, time.max)

    async def _digests(self, now: int, report: TickReport) -> None:
        local = self._local(now)
        today = local.date()
        calendar = self.config.calendar
        if not is_working_day(calendar, today):
            return
        start, end = self._daily_window()
        if start <= local.time() < end:
            report.digests += await self._daily(today, now)
        if local.time() >= self.policy.digest_time:
            report.digests += await self._weekly(today, now)

    async def _daily(self, today: date, now: int) -> int:
        async with self.db.write() as conn:
            previous = await deadline_sql.last_digest_run(conn, DAILY)
            if not await deadline_sql.claim_digest_run(conn, DAILY, today.isoformat(), now=now):
                return 0
            since = previous if previous is not None else now - 86400
            sent = 0
            for leader, grid_id, payload in await daily_payloads(
                conn, self.config, day=today, since=since
            ):
                sent += await self._queue_digest(
                    conn, leader, payload, f"digest:{grid_id}:{today.isoformat()}", now
                )
            return sent

    async def _weekly(self, today: date, now: int) -> int:
        monday = today - timedelta(days=today.isoweekday() - 1 + 7)
        period = week_period(monday)
        if await deadline_sql.digest_run_done(self.db.reader, WEEKLY, period):
            return 0
        async with self.db.write() as conn:
            if not await deadline_sql.claim_digest_run(conn, WEEKLY, period, now=now):
                return 0
            sent = 0
            for street_id, payload in await weekly_payloads(
                conn, self.config, monday=monday, now=now
            ):
                street = self.config.street(street_id)
                # The summary's picture: cases per day by category over the week.
                chart = {
                    "chart": "c",
                    "scope": f"s:{street_id}",
                    "period": f"{monday:%Y%m%d}-{monday + timedelta(days=6):%Y%m%d}",
                    "asked_at": now,
                }
                for user_id in dict.fromkeys(street.staff if street else []):
                    sent += await self._queue_digest(
                        conn, user_id, payload, f"weekly:{street_id}:{period}:{user_id}", now
                    )
                    await queue(
                        conn,
                        self.config,
                        Notice(NoticeKind.CHART, user_id, payload=chart,
                               dedupe_key=f"weekly-chart:{street_id}:{period}:{user_id}"),
                        now=now,
                        urgent=False,
                    )  # fmt: skip
            return sent

    async def _queue_digest(
        self, conn: Connection, user_id: int, payload: dict[str, Any], key: str, now: int
    ) -> int:
        queued = await queue(
            conn,
            self.config,
            Notice(NoticeKind.DIGEST, user_id, payload=payload, dedupe_key=key),
            now=now,
            urgent=False,
        )
        return int(queued is not None)

    async def _next_daily(self, now: int) -> int | None:
        local = self._local(now)
        zone = self.config.calendar.zone
        for offset in range(_MAX_DAYS):
            day = local.date() + timedelta(days=offset)
            if not is_working_day(self.config.calendar, day):
                continue
            start, end = self._daily_window()
            if offset == 0:
                if local.time() < start:
                    return int(datetime.combine(day, start, zone).timestamp())
                done = await deadline_sql.digest_run_done(self.db.reader, DAILY, day.isoformat())
                if local.time() < end and not done:
                    return now
                continue
            return int(datetime.combine(day, start, zone).timestamp())
        return None

    async def _next_weekly(self, now: int) -> int | None:
        local = self._local(now)
        zone = self.config.calendar.zone
        start = self.policy.digest_time
        for offset in range(_MAX_DAYS):
            day = local.date() + timedelta(days=offset)
            if not is_working_day(self.config.calendar, day):
                continue
            monday = day - timedelta(days=day.isoweekday() - 1 + 7)
            if await deadline_sql.digest_run_done(self.db.reader, WEEKLY, week_period(monday)):
                continue
            at = datetime.combine(day, start, zone)
            return max(now, int(at.timestamp()))
        return None
