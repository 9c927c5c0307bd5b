"""The deadline keeper's urgent timers: the alert repeated until someone accepts, and 到场.

Like the keeper's other timers they are derived from the case (its accept deadline, its
acceptance) and keyed by the deadline they serve, so a restart rebuilds them and a timer whose
deadline moved on does nothing. Escalation itself needs nothing new: an urgent case's accept
deadline is minutes away, and the keeper's accept deadline climbs it one level when it passes.

- `urgent_repeat` (seq 1, 2, …): every `repeat_minutes` while nobody has accepted, the alert
  with its buttons again to every responder; at the district it goes on until someone accepts.
- `on_scene_due` (seq 0, 1, …): `on_scene_minutes` after acceptance with no 到场, the person who
  accepted is reminded and the one above them is told; each `repeat_minutes` after that, the
  next one up the chain, up to the district's administrator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cases import emergency
from bot.cases.lifecycle import queue
from bot.cases.models import CaseStatus, NoticeKind
from bot.cases.roles import positions_of, reaches_grid
from bot.cases.routing import supervisor_of
from storage import deadlines as deadline_sql
from storage import events as event_sql
from storage.deadlines import TimerRecord
from storage.records import Notice

if TYPE_CHECKING:
    from bot.config import Config
    from storage.db import Connection
    from storage.records import CaseRecord

URGENT_REPEAT, ON_SCENE_DUE = "urgent_repeat", "on_scene_due"
KINDS = frozenset({URGENT_REPEAT, ON_SCENE_DUE})
TOP_LEVEL = 4

S = CaseStatus
_AWAITING_ACCEPT = frozenset({S.ASSIGNED, S.ESCALATED, S.REOPENED})


def timers_for(config: Config, case: CaseRecord) -> list[TimerRecord]:
    """The urgent timers a case's state calls for (none for a case that is not urgent)."""
    if not case.urgent:
        return []
    settings = config.emergency
    status = S(case.status)
    timers = []
    if status in _AWAITING_ACCEPT and case.accepted_at is None and case.accept_due:
        told = case.accept_due - settings.accept_minutes * 60
        first = told + settings.repeat_minutes * 60
        timers.append(TimerRecord(case.id, URGENT_REPEAT, case.accept_due, 1, first))
    due = _on_scene_due(config, case)
    if due is not None:
        timers.append(TimerRecord(case.id, ON_SCENE_DUE, due, 0, due))
    return timers


def _on_scene_due(config: Config, case: CaseRecord) -> int | None:
    if not case.urgent or S(case.status) is not S.ACCEPTED or case.accepted_at is None:
        return None
    return case.accepted_at + config.emergency.on_scene_minutes * 60


async def fire(
    conn: Connection, config: Config, case: CaseRecord, timer: TimerRecord, now: int
) -> tuple[str, int]:
    """Do one urgent timer's work in the caller's transaction: (outcome, notices queued)."""
    if timer.kind == URGENT_REPEAT:
        return await _repeat(conn, config, case, timer, now)
    return await _not_on_scene(conn, config, case, timer, now)


async def _repeat(
    conn: Connection, config: Config, case: CaseRecord, timer: TimerRecord, now: int
) -> tuple[str, int]:
    awaiting = (
        case.urgent
        and S(case.status) in _AWAITING_ACCEPT
        and case.accepted_at is None
        and case.accept_due == timer.due_at
    )
    if not awaiting:
        return "stale", 0
    sent = 0
    for notice in emergency.alert_notices(config, case, "repeat", seq=timer.seq):
        sent += await queue(conn, config, notice, now=now, urgent=True) is not None
    following = now + config.emergency.repeat_minutes * 60
    # Below the district the accept deadline climbs the case first; at the top it goes on.
    if following < timer.due_at or case.level >= TOP_LEVEL:
        await deadline_sql.add_timer(
            conn, TimerRecord(case.id, URGENT_REPEAT, timer.due_at, timer.seq + 1, following)
        )
    return "reminded", sent


async def _not_on_scene(
    conn: Connection, config: Config, case: CaseRecord, timer: TimerRecord, now: int
) -> tuple[str, int]:
    if _on_scene_due(config, case) != timer.due_at or case.assignee_id is None:
        return "stale", 0
    if emergency.arrived_at(await event_sql.list_events(conn, case.id), case) is not None:
        return "stale", 0
    chain = _chain_above(config, case)
    if timer.seq >= len(chain):
        return "stale", 0
    notices = [
        Notice(
            NoticeKind.SUPERVISOR_ALERT,
            chain[timer.seq],
            case_id=case.id,
            payload={"why": "not_on_scene", "due": timer.due_at, "seq": timer.seq},
            dedupe_key=f"on-scene:{case.id}:{timer.due_at}:{timer.seq}",
        )
    ]
    if timer.seq == 0:
        notices.append(
            Notice(
                NoticeKind.REMINDER,
                case.assignee_id,
                case_id=case.id,
                payload={"deadline": "on_scene", "due": timer.due_at},
                dedupe_key=f"on-scene-remind:{case.id}:{timer.due_at}",
            )
        )
    sent = 0
    for notice in notices:
        sent += await queue(conn, config, notice, now=now, urgent=True) is not None
    if timer.seq + 1 < len(chain):
        following = now + config.emergency.repeat_minutes * 60
        await deadline_sql.add_timer(
            conn, TimerRecord(case.id, ON_SCENE_DUE, timer.due_at, timer.seq + 1, following)
        )
    return "reminded", sent


def _chain_above(config: Config, case: CaseRecord) -> list[int]:
    """The people above whoever holds the case, nearest first: community, street, district,
    administrator (from the holder's own seat, so a grid leader's boss is the community)."""
    assert case.assignee_id is not None
    seats = [
        p.level
        for p in positions_of(config, case.assignee_id)
        if reaches_grid(config, p, case.grid_id) and p.level <= TOP_LEVEL
    ]
    start = min(seats, default=case.level)
    people = [supervisor_of(config, case.grid_id, level) for level in range(start, TOP_LEVEL + 1)]
    return [p for p in dict.fromkeys(people) if p is not None and p != case.assignee_id]
