"""考核: how well each handler and each grid kept their deadlines and satisfied residents.

Over the cases reported in a period (rejected ones left out):

- acceptance on time = accepted by the acceptance deadline / cases accepted or past that deadline
- resolution on time = resolved by the resolution deadline / cases resolved or past it
- satisfaction = (满意 + 基本满意) / ratings
- reopen rate = cases reopened at least once / cases

A handler is judged on the cases now assigned to them, by their own deadlines; a case the
deadline timer escalated away from them (overdue) also counts against their resolution, so
letting a case run over does not make it vanish from their record. A grid is judged on all its
cases, and a resolution counts as on time only if the case was never overdue at any level.

score = 100 · (0.25·acceptance + 0.35·resolution + 0.25·satisfaction + 0.15·(1 − reopen rate)),
where a part with nothing to measure (no rating yet, say) is left out and the remaining weights
are scaled up to 1. The monthly ranking of a street orders its grids and handlers by score;
those with fewer than `min_cases` cases are listed apart, unranked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from bot.reports.stats import Period, Scope, cohort, days_period
from storage import stats as stats_sql

if TYPE_CHECKING:
    from bot.config import Config
    from storage.db import Connection

WEIGHTS: dict[str, float] = {"accept": 0.25, "resolve": 0.35, "satisfaction": 0.25, "reopen": 0.15}
MIN_CASES = 5


@dataclass(slots=True)
class Tally:
    """The raw counts an assessment is made of."""

    cases: int = 0
    accept_due: int = 0
    accepted_on_time: int = 0
    resolve_due: int = 0
    resolved_on_time: int = 0
    reopened: int = 0
    satisfied: int = 0  # 满意 + 基本满意
    rated: int = 0
    escalated_away: int = 0  # handlers only: overdue cases the timer took from them


@dataclass(frozen=True, slots=True)
class Assessment:
    kind: Literal["grid", "handler"]
    key: str  # the grid id, or the handler's user id as text
    tally: Tally
    accept_rate: float | None
    resolve_rate: float | None
    satisfaction: float | None
    reopen_rate: float | None
    score: float

    @property
    def cases(self) -> int:
        return self.tally.cases


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def composite(
    accept: float | None, resolve: float | None, satisfaction: float | None, reopen: float | None
) -> float:
    """The weighted score out of 100, leaving out the parts with nothing to measure."""
    parts = {
        "accept": accept,
        "resolve": resolve,
        "satisfaction": satisfaction,
        "reopen": None if reopen is None else 1 - reopen,
    }
    weight = sum(WEIGHTS[k] for k, v in parts.items() if v is not None)
    if not weight:
        return 0.0
    return round(100 * sum(WEIGHTS[k] * v for k, v in parts.items() if v is not None) / weight, 1)


def assessment_of(kind: Literal["grid", "handler"], key: str, t: Tally) -> Assessment:
    accept = _ratio(t.accepted_on_time, t.accept_due)
    resolve = _ratio(t.resolved_on_time, t.resolve_due)
    satisfaction = _ratio(t.satisfied, t.rated)
    reopen = _ratio(t.reopened, t.cases - t.escalated_away)
    return Assessment(
        kind=kind,
        key=key,
        tally=t,
        accept_rate=accept,
        resolve_rate=resolve,
        satisfaction=satisfaction,
        reopen_rate=reopen,
        score=composite(accept, resolve, satisfaction, reopen),
    )


async def assess(
    conn: Connection, config: Config, scope: Scope, period: Period, now: int
) -> tuple[list[Assessment], list[Assessment]]:
    """(grids, handlers) of the scope over the period, best score first."""
    which = cohort(config, scope, period.start, period.end)
    rows = await stats_sql.assessment_counts(conn, which, now)
    lost = await stats_sql.escalated_away(conn, which)
    grids = {g: Tally() for g in scope.grid_ids(config)}
    handlers: dict[int, Tally] = {}
    for row in rows:
        g = grids.setdefault(row.grid_id, Tally())
        g.cases += row.cases
        g.accept_due += row.accept_due
        g.accepted_on_time += row.accepted_on_time
        g.resolve_due += row.resolve_due
        g.resolved_on_time += row.resolved_clean
        g.reopened += row.reopened
        g.satisfied += row.satisfied + row.basic
        g.rated += row.satisfied + row.basic + row.unsatisfied
        if row.assignee_id is None:
            continue
        h = handlers.setdefault(row.assignee_id, Tally())
        h.cases += row.cases
        h.accept_due += row.accept_due
        h.accepted_on_time += row.accepted_on_time
        h.resolve_due += row.resolve_due
        h.resolved_on_time += row.resolved_on_time
        h.reopened += row.reopened
        h.satisfied += row.satisfied + row.basic
        h.rated += row.satisfied + row.basic + row.unsatisfied
    for user_id, n in lost.items():
        h = handlers.setdefault(user_id, Tally())
        h.cases += n
        h.resolve_due += n
        h.escalated_away += n
    return (
        _ordered([assessment_of("grid", g, t) for g, t in grids.items() if t.cases]),
        _ordered([assessment_of("handler", str(u), t) for u, t in handlers.items()]),
    )


def _ordered(items: list[Assessment]) -> list[Assessment]:
    return sorted(items, key=lambda a: (-a.score, -a.cases, a.key))


@dataclass(frozen=True, slots=True)
class Ranking:
    scope: Scope
    period: Period
    grids: list[Assessment]
    handlers: list[Assessment]
    unranked: list[Assessment]
    min_cases: int


def month_period(config: Config, day: date) -> Period:
    """The calendar month containing `day`."""
    first = day.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return days_period(config, first, last, "month")


async def monthly_ranking(
    conn: Connection,
    config: Config,
    street_id: str,
    month: date,
    now: int,
    *,
    min_cases: int = MIN_CASES,
) -> Ranking:
    """A street's grids and handlers for the month containing `month`, ranked by score."""
    scope = Scope("street", street_id)
    period = month_period(config, month)
    grids, handlers = await assess(conn, config, scope, period, now)
    return Ranking(
        scope=scope,
        period=period,
        grids=[a for a in grids if a.cases >= min_cases],
        handlers=[a for a in handlers if a.cases >= min_cases],
        unranked=[a for a in grids + handlers if a.cases < min_cases],
        min_cases=min_cases,
    )
