"""The emergency response: what kind of danger a report is, whom to call, who must act now.

The parser says whether a message is urgent and which words decided it; this module turns that
into a response (data only; the adapter words it):

- the hazard (gas, fire, …, `general`) is named by nlp.hazard from the category and the words;
- `response_for` adds the numbers to call and the district's own advice line, if it wrote one;
- `responders` are the people nearest to it who get the case with buttons at once, whatever its
  level and whatever the hour: the grid leader, the community and the level's handler. Whoever
  accepts first takes it;
- urgent cases count minutes: each level has `accept_minutes` before the case climbs, the alert
  is repeated every `repeat_minutes` until someone accepts, and the acceptor has
  `on_scene_minutes` to say they are there (到场).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.cases.models import Action, NoticeKind
from bot.cases.routing import route_case
from nlp.hazard import hazard_of
from storage.records import Notice

if TYPE_CHECKING:
    from bot.config import Config
    from storage.records import CaseRecord, EventRecord


@dataclass(frozen=True, slots=True)
class Response:
    """What the group card says first for an urgent case."""

    hazard: str
    calls: tuple[tuple[str, str], ...]  # (service, number), in order
    advice: str | None  # the district's own line; None: the adapter's default for the hazard


def response_for(config: Config, case: CaseRecord) -> Response:
    """The numbers to call and the advice for an urgent case, from the configuration."""
    settings = config.emergency
    hazard = hazard_of(case.category, case.text)
    return Response(
        hazard=hazard,
        calls=tuple(settings.calls_for(hazard)),
        advice=settings.advice.get(hazard),
    )


def responders(config: Config, case: CaseRecord) -> tuple[int, ...]:
    """Who gets an urgent case with buttons at once: the grid leader, the community and the
    level's handler (and whoever holds it now), nearest first."""
    grid = config.grid(case.grid_id)
    if grid is None:
        return ()
    people: list[int] = [grid.leader, *config.community_of(case.grid_id).staff[:1]]
    routed = route_case(config, case.grid_id, case.category, case.level, True)
    people.append(routed.assignee_id)
    if case.assignee_id is not None:
        people.append(case.assignee_id)
    return tuple(dict.fromkeys(people))


def urgent_deadlines(config: Config, now: int) -> dict[str, int]:
    """An urgent case's deadlines in real minutes, from the moment a level is told."""
    settings = config.emergency
    return {
        "accept_due": now + settings.accept_minutes * 60,
        "resolve_due": now + round(settings.resolve_hours * 3600),
    }


def alert_notices(config: Config, case: CaseRecord, why: str, *, seq: int = 0) -> list[Notice]:
    """The urgent alert, with buttons, to every responder; `why` says how it got to them
    (new, escalate, reassign, reopen, edit, repeat) and `seq` counts the repeats."""
    notices = []
    for user_id in responders(config, case):
        payload: dict[str, Any] = {"why": why, "urgent": True}
        key = None
        if seq:
            payload["seq"] = seq
            key = f"urgent:{case.id}:{case.accept_due}:{seq}:{user_id}"
        notices.append(
            Notice(NoticeKind.ASSIGNED, user_id, case_id=case.id, payload=payload, dedupe_key=key)
        )
    return notices


def may_take_over(config: Config, user_id: int, case: CaseRecord) -> bool:
    """Whether this person may accept an urgent case that was sent to someone else."""
    return case.urgent and user_id in responders(config, case)


def take_over(config: Config, case: CaseRecord, user_id: int) -> dict[str, Any]:
    """The fields of an urgent case that a responder other than its assignee accepts: the case is
    theirs now; the department stays only if they belong to it."""
    department = next((d for d in config.departments if d.id == case.department_id), None)
    keep = department is not None and user_id in department.handlers
    return {"assignee_id": user_id, "department_id": case.department_id if keep else None}


def role_of(config: Config, user_id: int, grid_id: str) -> tuple[str, str | None]:
    """The seat by which a person serves a grid, nearest first: (title, department id).

    Titles are those of bot.cases.roles.Position (grid_leader, community_staff, department, …).
    """
    from bot.cases.roles import positions_of, reaches_grid

    seats = sorted(
        (p for p in positions_of(config, user_id) if reaches_grid(config, p, grid_id)),
        key=lambda p: p.level,
    )
    if not seats:
        return "staff", None
    return seats[0].title, seats[0].department_id


def arrived_at(events: list[EventRecord], case: CaseRecord) -> int | None:
    """When the person who accepted the case said they were there (since its last acceptance)."""
    since = case.accepted_at or 0
    found = [e.at for e in events if e.action == Action.ARRIVE and e.at >= since]
    return found[-1] if found else None
