"""The case lifecycle: one table of allowed transitions, and the one function that applies them.

Every change of a case goes through `transition` inside one write transaction, which writes the
new state, an event row (the audit trail) and the notices to send (the outbox). Nothing else
changes a case.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.cases import emergency
from bot.cases.cards import refresh_notices
from bot.cases.corrections import record_case_decision
from bot.cases.models import OPEN_STATUSES, Action, CaseStatus, NoticeKind, Role
from bot.cases.roles import highest_level_over, is_staff, roles_for
from bot.cases.routing import Route, route_case, supervisor_of
from bot.timing.quiet import release_time
from bot.timing.worktime import working_deadline
from nlp.hazard import hazard_of
from nlp.taxonomy import CATEGORY_CODES
from storage import cases as case_sql
from storage import conversations as conversation_sql
from storage import events as event_sql
from storage import outbox as outbox_sql
from storage.db import Connection
from storage.records import CaseRecord, NewCase, Notice

if TYPE_CHECKING:
    from bot.config import Config
    from bot.timing.clock import Clock
    from storage.db import Database

S = CaseStatus
_WORKING = frozenset({S.ASSIGNED, S.ACCEPTED, S.ESCALATED, S.REOPENED})
_AWAITING_ACCEPT = frozenset({S.ASSIGNED, S.ESCALATED, S.REOPENED})


@dataclass(frozen=True, slots=True)
class Rule:
    sources: frozenset[CaseStatus]
    target: CaseStatus | None  # None: the state stays
    roles: frozenset[Role]
    note_required: bool = False  # for people; the system always says why in its own words


TRANSITIONS: dict[Action, Rule] = {
    Action.ASSIGN: Rule(frozenset({S.NEW}), S.ASSIGNED, frozenset({Role.SYSTEM, Role.ADMIN})),
    # An urgent case goes to several people at once: whoever accepts first takes it.
    Action.ACCEPT: Rule(
        frozenset({S.ASSIGNED, S.ESCALATED, S.REOPENED}),
        S.ACCEPTED,
        frozenset({Role.ASSIGNEE, Role.RESPONDER}),
    ),
    # A grid worker who fixes it on the spot may resolve without accepting first.
    Action.RESOLVE: Rule(_WORKING, S.RESOLVED, frozenset({Role.ASSIGNEE})),
    Action.ESCALATE: Rule(
        _WORKING,
        S.ESCALATED,
        frozenset({Role.ASSIGNEE, Role.SUPERVISOR, Role.ADMIN, Role.SYSTEM}),
        note_required=True,
    ),
    Action.REASSIGN: Rule(
        _WORKING, S.ASSIGNED, frozenset({Role.ASSIGNEE, Role.SUPERVISOR, Role.ADMIN})
    ),
    Action.REJECT: Rule(
        frozenset({S.NEW}) | _WORKING,
        S.REJECTED,
        frozenset({Role.ASSIGNEE, Role.SUPERVISOR, Role.ADMIN}),
        note_required=True,
    ),
    Action.CLOSE: Rule(
        frozenset({S.RESOLVED}), S.CLOSED, frozenset({Role.REPORTER, Role.SYSTEM, Role.ADMIN})
    ),
    Action.REOPEN: Rule(
        frozenset({S.RESOLVED}), S.REOPENED, frozenset({Role.REPORTER, Role.SUPERVISOR, Role.ADMIN})
    ),
    Action.EDIT: Rule(OPEN_STATUSES, None, frozenset({Role.REPORTER})),
    Action.ARRIVE: Rule(frozenset({S.ACCEPTED}), None, frozenset({Role.ASSIGNEE})),
}


class TransitionError(Exception):
    """A change that is not allowed; `code` is stable for adapters, the text is for logs."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Change:
    """What a transition did."""

    case: CaseRecord
    before: CaseStatus | None
    event_id: int
    notices: tuple[int, ...]
    # Notices the quiet hours hold, by kind: when each goes out. An adapter must not tell
    # anyone such a notice was sent; it says when it will be.
    held: Mapping[str, int] = field(default_factory=dict)

    def held_until(self, kind: NoticeKind) -> int | None:
        """When this change's notice of `kind` goes out, if the quiet hours hold it; else None."""
        return self.held.get(kind)


def allowed(action: Action, status: CaseStatus, roles: frozenset[Role]) -> bool:
    """Whether someone holding these roles may take this action in this state."""
    rule = TRANSITIONS[action]
    return status in rule.sources and bool(rule.roles & roles)


def _deadlines(config: Config, level: int, urgent: bool, now: int) -> dict[str, int]:
    if urgent:
        return emergency.urgent_deadlines(config, now)
    limits = config.deadlines[level]
    return {
        "accept_due": working_deadline(config.calendar, now, limits.accept_hours, urgent=urgent),
        "resolve_due": working_deadline(config.calendar, now, limits.resolve_hours, urgent=urgent),
    }


def _hazard(category: str, text: str, urgent: bool) -> dict[str, str]:
    """The hazard an urgent case was opened (or edited) for, kept in its event for the record."""
    return {"hazard": hazard_of(category, text)} if urgent else {}


def _year(now: int, config: Config) -> int:
    from zoneinfo import ZoneInfo

    return datetime.fromtimestamp(now, UTC).astimezone(ZoneInfo(config.calendar.timezone)).year


async def queue(
    conn: Connection, config: Config, notice: Notice, *, now: int, urgent: bool
) -> int | None:
    """Put a notice in the outbox, held past the quiet hours unless it is urgent."""
    if notice.not_before is None:
        notice.not_before = release_time(config, now, notice.kind, urgent=urgent)
    return await outbox_sql.enqueue(conn, notice, now=now)


async def _queue_all(
    conn: Connection, config: Config, notices: list[Notice], case: CaseRecord, now: int
) -> tuple[int, ...]:
    for notice in notices:
        notice.case_id = case.id
        if notice.not_before is None:
            notice.not_before = release_time(config, now, notice.kind, urgent=case.urgent)
    return tuple(await outbox_sql.enqueue_many(conn, notices, now=now))


def _held(notices: list[Notice], now: int) -> dict[str, int]:
    """The queued notices that wait past now (the quiet hours), by kind: the earliest of each."""
    held: dict[str, int] = {}
    for notice in notices:
        if notice.not_before is not None and notice.not_before > now:
            held[notice.kind] = min(held.get(notice.kind, notice.not_before), notice.not_before)
    return held


def _assignment_notices(
    config: Config, case: CaseRecord, route_inform: tuple[int, ...], why: str
) -> list[Notice]:
    if case.urgent and S(case.status) in _AWAITING_ACCEPT:
        # Danger: everyone near it gets the buttons at once; the others are told.
        notices = emergency.alert_notices(config, case, why)
        alerted = {n.chat_id for n in notices}
        notices.extend(
            Notice(NoticeKind.INFORM, user_id, payload={"why": why})
            for user_id in route_inform
            if user_id not in alerted
        )
        return notices
    notices = []
    if case.assignee_id is not None:
        notices.append(Notice(NoticeKind.ASSIGNED, case.assignee_id, payload={"why": why}))
    notices.extend(
        Notice(NoticeKind.INFORM, user_id, payload={"why": why}) for user_id in route_inform
    )
    return notices


def _card_update(case: CaseRecord) -> list[Notice]:
    if case.card_chat_id is None:
        return [Notice(NoticeKind.CARD_UPDATE, case.chat_id)]
    return [Notice(NoticeKind.CARD_UPDATE, case.card_chat_id)]


async def open_case(
    conn: Connection,
    config: Config,
    new: NewCase,
    *,
    now: int,
    group_chat_id: int | None,
) -> Change | None:
    """Create a case and assign it by routing, in the caller's transaction.

    Returns None when the same (chat, message) already made a case: a redelivered update.
    `group_chat_id` is where the case card goes (None: no card, e.g. no group to show it in).
    """
    number = await case_sql.next_number(conn, _year(now, config))
    route = route_case(config, new.grid_id, new.category, new.level, new.urgent)
    initial: dict[str, Any] = {
        "status": S.ASSIGNED,
        "level": route.level,
        "assignee_id": route.assignee_id,
        "department_id": route.department_id,
        **_deadlines(config, route.level, new.urgent, now),
    }
    if group_chat_id is not None:
        initial["card_chat_id"] = group_chat_id
    case = await case_sql.insert_case(conn, new, number=number, now=now, **initial)
    if case is None:
        # Give the number back, so numbers stay without gaps.
        await case_sql.give_back_number(conn, _year(now, config))
        return None
    # The audit trail still tells both steps: the resident opened it, routing assigned it.
    event_ids = await event_sql.insert_events(
        conn,
        [
            {"case_id": case.id, "at": now, "actor_id": new.reporter_id, "action": Action.OPEN,
             "from_status": None, "to_status": S.NEW,
             "data": {"category": new.category, "level": new.level, "urgent": new.urgent,
                      **_hazard(new.category, new.text, new.urgent)}},
            {"case_id": case.id, "at": now, "actor_id": None, "action": Action.ASSIGN,
             "from_status": S.NEW, "to_status": S.ASSIGNED,
             "data": {"assignee_id": route.assignee_id, "department_id": route.department_id,
                      "level": route.level, "inform": list(route.inform)}},
        ],
    )  # fmt: skip
    notices = []
    if group_chat_id is not None:
        notices.append(Notice(NoticeKind.CASE_CARD, group_chat_id, dedupe_key=f"card:{case.id}"))
    notices += _assignment_notices(config, case, route.inform, "new")
    ids = await _queue_all(conn, config, notices, case, now)
    return Change(
        case=case, before=None, event_id=event_ids[-1], notices=ids, held=_held(notices, now)
    )


async def transition(
    conn: Connection,
    config: Config,
    case_id: int,
    action: Action,
    actor_id: int | None,
    *,
    now: int,
    note: str | None = None,
    assignee_id: int | None = None,
    department_id: str | None = None,
    text: str | None = None,
    data: dict[str, Any] | None = None,
    urgent: bool = False,
    category: str | None = None,
) -> Change:
    """Apply one action to one case in the caller's write transaction, or raise TransitionError.

    REASSIGN with a `category` is 转派 to another category: the case is routed afresh for it."""
    case = await case_sql.get_case(conn, case_id)
    if case is None:
        raise TransitionError("not_found", f"case {case_id} does not exist")
    rule = TRANSITIONS.get(action)
    if rule is None:
        raise TransitionError("unknown_action", f"{action} is not a transition")
    before = CaseStatus(case.status)
    roles = roles_for(config, actor_id, case)
    if not rule.roles & roles:
        raise TransitionError("forbidden", f"{actor_id} may not {action} case {case.number}")
    if before not in rule.sources:
        raise TransitionError("invalid_state", f"cannot {action} a case that is {before}")
    note = (note or "").strip() or None
    if rule.note_required and actor_id is not None and not note:
        raise TransitionError("note_required", f"{action} needs a reason")

    target = rule.target or before
    fields: dict[str, Any] = {"status": target}
    event_data: dict[str, Any] = dict(data or {})
    notices: list[Notice] = []
    inform: tuple[int, ...] = ()

    if action is Action.ACCEPT:
        fields["accepted_at"] = now
        if actor_id != case.assignee_id and actor_id is not None:
            # A responder near an urgent case takes it over; the trail says from whom.
            fields.update(emergency.take_over(config, case, actor_id))
            event_data.update(from_assignee=case.assignee_id, assignee_id=actor_id, responder=True)
        notices.append(_reporter_update(case, "accepted", actor_id, note))
    elif action is Action.RESOLVE:
        fields["resolved_at"] = now
        if case.accepted_at is None:
            fields["accepted_at"] = now
        round_ = case.reopen_count
        notices.append(
            Notice(
                NoticeKind.RATING_REQUEST,
                case.reporter_id,
                payload={"round": round_, "note": note},
                dedupe_key=f"rate:{case.id}:{round_}",
            )
        )
        group = config.grid(case.grid_id)
        if group is not None:
            notices.append(
                Notice(
                    NoticeKind.RESOLUTION,
                    group.chat_id,
                    # After the private question: if it cannot reach the reporter, this
                    # message asks them instead (the adapter's RESOLUTION).
                    payload={"round": round_, "note": note, "after": f"rate:{case.id}:{round_}"},
                    dedupe_key=f"resolution:{case.id}:{round_}",
                )
            )
    elif action is Action.ESCALATE:
        if case.level >= 4:
            raise TransitionError("top_level", f"case {case.number} is already at district level")
        route = route_case(config, case.grid_id, case.category, case.level + 1, case.urgent)
        inform = _escalation_inform(config, case, route)
        fields.update(_route_fields(config, route, case.urgent, now))
        fields["escalation_count"] = case.escalation_count + 1
        event_data.update(
            from_level=case.level,
            to_level=route.level,
            from_assignee=case.assignee_id,
            assignee_id=route.assignee_id,
        )
        notices.append(_reporter_update(case, "escalated", actor_id, note))
    elif action is Action.REASSIGN:
        if category is not None and category != case.category:
            fields.update(_recategorisation(config, case, category, now))
            event_data.update(from_category=case.category, category=category)
        else:
            fields.update(_reassignment(config, case, assignee_id, department_id, now))
        event_data.update(
            from_assignee=case.assignee_id,
            assignee_id=fields.get("assignee_id", case.assignee_id),
            department_id=fields.get("department_id", case.department_id),
        )
    elif action is Action.REJECT:
        notices.append(_reporter_update(case, "rejected", actor_id, note))
    elif action is Action.CLOSE:
        fields["closed_at"] = now
    elif action is Action.REOPEN:
        fields.update(_deadlines(config, case.level, case.urgent, now))
        fields.update(reopen_count=case.reopen_count + 1, resolved_at=None, accepted_at=None)
        supervisor = supervisor_of(config, case.grid_id, case.level)
        if supervisor is not None and supervisor != case.assignee_id:
            notices.append(
                Notice(NoticeKind.SUPERVISOR_ALERT, supervisor, payload={"why": "reopened"})
            )
    elif action is Action.ARRIVE:
        events = await event_sql.list_events(conn, case.id)
        if emergency.arrived_at(events, case) is not None:
            raise TransitionError("invalid_state", f"someone is on the scene of {case.number}")
        notices.append(_reporter_update(case, "arrived", actor_id, note))
    elif action is Action.EDIT:
        if text is None or not text.strip():
            raise TransitionError("note_required", "an edit needs the new text")
        fields["text"] = text
        event_data["old_text"] = case.text
        if urgent and not case.urgent:
            # An edit that reveals danger starts the response at once; an edit never lowers it.
            fields.update(urgent=True, **_deadlines(config, case.level, True, now))
            event_data.update(urgent=True, **_hazard(case.category, text, True))

    await case_sql.update_case(conn, case.id, now, **fields)
    event_id = await event_sql.insert_event(
        conn,
        case_id=case.id,
        at=now,
        actor_id=actor_id,
        action=action,
        from_status=before,
        to_status=target,
        note=note,
        data=event_data,
    )
    updated = await case_sql.get_case(conn, case.id)
    assert updated is not None
    # A person saying what the message is (退回, another category) is a label for retraining.
    await record_case_decision(
        conn, case, updated, action, actor_id, now=now, reason=event_data.get("reason")
    )
    moved = (updated.assignee_id, updated.department_id) != (case.assignee_id, case.department_id)
    if action in (Action.ESCALATE, Action.REOPEN) or (action is Action.REASSIGN and moved):
        notices += _assignment_notices(config, updated, inform, action.value)
    if action is Action.ACCEPT and case.urgent:
        # The others who were alerted stand down: someone is on the way.
        notices += [
            Notice(NoticeKind.INFORM, user_id, payload={"why": "taken", "by": actor_id})
            for user_id in emergency.responders(config, case)
            if user_id != actor_id
        ]
    if event_data.get("urgent") is True and action is Action.EDIT:
        route = route_case(config, case.grid_id, case.category, case.level, True)
        group = updated.card_chat_id or updated.chat_id
        notices.append(Notice(NoticeKind.CASE_CARD, group, dedupe_key=f"card-urgent:{case.id}"))
        notices += _assignment_notices(config, updated, route.inform, "edit")
    if action is Action.ESCALATE:
        supervisor = supervisor_of(config, case.grid_id, case.level)
        if supervisor is not None and supervisor not in (updated.assignee_id, *inform):
            notices.append(
                Notice(NoticeKind.SUPERVISOR_ALERT, supervisor, payload={"why": "escalated"})
            )
    notices += _card_update(updated)
    # Every card a handler holds follows the case (cards.py): the state line, fitting buttons.
    notices += await refresh_notices(conn, updated.id)
    ids = await _queue_all(conn, config, notices, updated, now)
    return Change(
        case=updated, before=before, event_id=event_id, notices=ids, held=_held(notices, now)
    )


def _reporter_update(case: CaseRecord, what: str, actor_id: int | None, note: str | None) -> Notice:
    return Notice(
        NoticeKind.REPORTER_UPDATE,
        case.reporter_id,
        payload={"event": what, "actor_id": actor_id, "note": note},
    )


def _route_fields(config: Config, route: Route, urgent: bool, now: int) -> dict[str, Any]:
    return {
        "level": route.level,
        "assignee_id": route.assignee_id,
        "department_id": route.department_id,
        "accepted_at": None,
        **_deadlines(config, route.level, urgent, now),
    }


def _escalation_inform(config: Config, case: CaseRecord, route: Route) -> tuple[int, ...]:
    """The new level's informed people and the previous assignee, who must know it moved."""
    people = list(route.inform)
    if case.assignee_id is not None:
        people.append(case.assignee_id)
    return tuple(dict.fromkeys(p for p in people if p != route.assignee_id))


def _recategorisation(config: Config, case: CaseRecord, category: str, now: int) -> dict[str, Any]:
    """Another category at the same level: routed afresh, so a department's case moves to the
    department for the new category; at grid or community level it usually stays put."""
    if category not in CATEGORY_CODES:
        raise TransitionError("unknown_category", f"no category {category}")
    route = route_case(config, case.grid_id, category, case.level, case.urgent)
    fields: dict[str, Any] = {"category": category}
    if (route.assignee_id, route.department_id) != (case.assignee_id, case.department_id):
        fields.update(_route_fields(config, route, case.urgent, now))
    return fields


def _reassignment(
    config: Config,
    case: CaseRecord,
    assignee_id: int | None,
    department_id: str | None,
    now: int,
) -> dict[str, Any]:
    if department_id is not None:
        department = next((d for d in config.departments if d.id == department_id), None)
        if department is None:
            raise TransitionError("unknown_department", f"no department {department_id}")
        if case.category not in department.categories:
            raise TransitionError(
                "wrong_department", f"{department.name} does not handle {case.category}"
            )
        if department.level == 3 and department.street != config.street_of(case.grid_id).id:
            raise TransitionError("wrong_department", f"{department.name} serves another street")
        target = assignee_id if assignee_id is not None else department.handlers[0]
        if target not in department.handlers:
            raise TransitionError("unknown_assignee", f"{target} is not in {department.name}")
        level = department.level
    else:
        if assignee_id is None:
            raise TransitionError("unknown_assignee", "reassign needs a person or a department")
        if not is_staff(config, assignee_id):
            raise TransitionError("unknown_assignee", f"{assignee_id} handles no cases")
        if highest_level_over(config, assignee_id, case.grid_id, case) == 0:
            # A person elsewhere (another grid, another street's office) cannot take it over.
            raise TransitionError("unknown_assignee", f"{assignee_id} does not serve this grid")
        target, level = assignee_id, case.level
    if target == case.assignee_id and department_id == case.department_id:
        raise TransitionError("same_assignee", "the case is already with them")
    return {
        "assignee_id": target,
        "department_id": department_id,
        "level": level,
        "accepted_at": None,
        **_deadlines(config, level, case.urgent, now),
    }


class Lifecycle:
    """The lifecycle bound to a database, a configuration and a clock: what the adapters call."""

    def __init__(self, db: Database, config: Config, clock: Clock) -> None:
        self.db = db
        self.config = config
        self.clock = clock

    async def open_case(self, new: NewCase, *, group_chat_id: int | None) -> Change | None:
        async with self.db.write() as conn:
            return await open_case(
                conn, self.config, new, now=self.clock.now(), group_chat_id=group_chat_id
            )

    async def apply(
        self,
        case_id: int,
        action: Action,
        actor_id: int | None,
        *,
        answers: tuple[int, str] | None = None,
        **kwargs: Any,
    ) -> Change:
        """Apply one change; `answers` (person, topic) is the question this change answers,
        closed in the same transaction so that a rerun of the same answer finds it closed."""
        async with self.db.write() as conn:
            change = await transition(
                conn, self.config, case_id, action, actor_id, now=self.clock.now(), **kwargs
            )
            if answers is not None:
                await conversation_sql.delete(conn, *answers)
            return change
