"""Statistics for a scope (grid, community, street, district) over a period, from storage.

A period is a span of local days in the configured timezone; its figures are about the cohort
of cases reported in it (受理): how many are still open, resolved, rejected or overdue, how long
acceptance and resolution took (median and 90th percentile by nearest rank), how satisfied the
reporters were, likes and reopenings. `backlog` alone is not about the cohort: it counts every
case of the scope open right now, whenever reported.

Definitions (storage/stats.py computes them in SQL; the tests recompute them in plain Python):
- open: status new, assigned, accepted, escalated or reopened; resolved: resolved or closed.
- overdue: flagged by the deadline timer, resolved after its resolution deadline, or still
  open after it.
- time to accept / resolve: from the report to the case's current accepted_at / resolved_at
  (a reopened or escalated case counts its whole wait).
- satisfaction: every rating round counts once; rate = (满意 + 基本满意) / rated; unrated =
  resolved or closed cases whose current resolution has no rating, shown beside the rate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from bot.cases.roles import COMMUNITY, DISTRICT, GRID, STREET, positions_of
from nlp.taxonomy import CATEGORY_CODES
from storage import stats as stats_sql
from storage.records import Counts

if TYPE_CHECKING:
    from bot.config import Config
    from storage.db import Connection

ScopeKind = Literal["grid", "community", "street", "district"]
PeriodKind = Literal["today", "week", "month", "range"]
_KIND_RANK: dict[str, int] = {
    "grid": GRID,
    "community": COMMUNITY,
    "street": STREET,
    "district": DISTRICT,
}
_KIND_LETTER: dict[str, str] = {"grid": "g", "community": "c", "street": "s", "district": "d"}
_LETTER_KIND: dict[str, ScopeKind] = {"g": "grid", "c": "community", "s": "street", "d": "district"}
MAX_RANGE_DAYS = 366


class PeriodError(ValueError):
    """A period the user wrote that we cannot read; `code` picks the message shown."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(f"{code}: {text!r}")
        self.code = code
        self.text = text


class ScopeError(LookupError):
    """An unknown or ambiguous scope id; `candidates` lists what it could mean."""

    def __init__(self, text: str, candidates: tuple[str, ...] = ()) -> None:
        super().__init__(text)
        self.text = text
        self.candidates = candidates


# --- periods -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    """Local days first_day..last_day (inclusive) as [start, end) in UTC seconds."""

    kind: PeriodKind
    first_day: date
    last_day: date
    start: int
    end: int
    timezone: str = "Asia/Shanghai"

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def token(self) -> str:
        """A compact form for callback data: t, w, m or YYYYMMDD-YYYYMMDD."""
        if self.kind == "range":
            return f"{self.first_day:%Y%m%d}-{self.last_day:%Y%m%d}"
        return self.kind[0]

    def day_spans(self) -> list[tuple[date, int, int]]:
        """Each local day of the period as (day, start, end)."""
        zone = ZoneInfo(self.timezone)
        out = []
        for offset in range(self.days):
            day = self.first_day + timedelta(days=offset)
            out.append((day, _midnight(day, zone), _midnight(day + timedelta(days=1), zone)))
        return out

    def previous(self, config: Config) -> Period:
        """The period just before: yesterday, last week, last month, or as many days before."""
        if self.kind == "month":
            last = self.first_day - timedelta(days=1)
            return days_period(config, last.replace(day=1), last, "month")
        span = timedelta(days=self.days)
        return days_period(config, self.first_day - span, self.last_day - span, self.kind)


def _midnight(day: date, zone: ZoneInfo) -> int:
    return int(datetime.combine(day, time(0), zone).timestamp())


def days_period(config: Config, first: date, last: date, kind: PeriodKind = "range") -> Period:
    """The local days first..last (inclusive) in the configured timezone."""
    zone = config.calendar.zone
    return Period(
        kind=kind,
        first_day=first,
        last_day=last,
        start=_midnight(first, zone),
        end=_midnight(last + timedelta(days=1), zone),
        timezone=config.calendar.timezone,
    )


def local_today(config: Config, now: int) -> date:
    """Today's date in the configured timezone."""
    return datetime.fromtimestamp(now, config.calendar.zone).date()


_ALIASES: dict[str, PeriodKind] = {
    "today": "today", "今天": "today", "今日": "today", "t": "today",
    "week": "week", "本周": "week", "周": "week", "w": "week",
    "month": "month", "本月": "month", "月": "month", "m": "month",
}  # fmt: skip
_DATE = r"(\d{4})-?(\d{1,2})-?(\d{1,2})"
_RANGE = re.compile(rf"^{_DATE}(?:\s*(?:\.\.|~|～|—|至|到|-)\s*{_DATE})?$")


def parse_period(
    text: str | None, config: Config, now: int, default: PeriodKind = "week"
) -> Period:
    """today | week | month | YYYY-MM-DD..YYYY-MM-DD (or one day, or the token form)."""
    text = (text or "").strip().lower()
    today = local_today(config, now)
    kind = _ALIASES.get(text or default)
    if kind == "today":
        return days_period(config, today, today, "today")
    if kind == "week":
        monday = today - timedelta(days=today.weekday())
        return days_period(config, monday, monday + timedelta(days=6), "week")
    if kind == "month":
        first = today.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return days_period(config, first, following - timedelta(days=1), "month")
    match = _RANGE.match(text)
    if match is None:
        raise PeriodError("unreadable", text)
    try:
        first = date(int(match[1]), int(match[2]), int(match[3]))
        last = date(int(match[4]), int(match[5]), int(match[6])) if match[4] else first
    except ValueError:
        raise PeriodError("bad_date", text) from None
    if last < first:
        raise PeriodError("reversed", text)
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise PeriodError("too_long", text)
    return days_period(config, first, last, "range")


def parse_period_token(token: str, config: Config, now: int) -> Period:
    """The inverse of Period.token()."""
    if token in ("t", "w", "m"):
        return parse_period(token, config, now)
    first, _, last = token.partition("-")
    if not (len(first) == len(last) == 8 and first.isdigit() and last.isdigit()):
        raise PeriodError("unreadable", token)
    return parse_period(f"{first}..{last}", config, now)


# --- scopes and who may see them -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scope:
    """Where figures are about: one grid, community, street, or the whole district."""

    kind: ScopeKind
    id: str

    def token(self) -> str:
        """g:chenghe-1, c:chenghe, s:zhaobaoshan, d:zhenhai (ids alone can collide)."""
        return f"{_KIND_LETTER[self.kind]}:{self.id}"

    def grid_ids(self, config: Config) -> list[str]:
        """The grids inside the scope, in configuration order."""
        return [g.id for g in config.grids() if self.contains(config, g.id)]

    def contains(self, config: Config, grid_id: str) -> bool:
        if self.kind == "district":
            return True
        if self.kind == "street":
            return config.street_of(grid_id).id == self.id
        if self.kind == "community":
            return config.community_of(grid_id).id == self.id
        return grid_id == self.id

    def name(self, config: Config) -> str:
        """The Chinese name people know the scope by."""
        if self.kind == "grid":
            grid = config.grid(self.id)
            return grid.name if grid else self.id
        if self.kind == "community":
            community = config.community(self.id)
            return community.name if community else self.id
        if self.kind == "street":
            street = config.street(self.id)
            return street.name if street else self.id
        return config.district.name


def parse_scope(text: str, config: Config) -> Scope:
    """A scope from `kind:id` (kind grid/community/street/district or g/c/s/d) or a bare id."""
    text = text.strip()
    kind_text, sep, scope_id = text.partition(":")
    if sep:
        kind = _LETTER_KIND.get(kind_text) or (kind_text if kind_text in _KIND_RANK else None)
        if kind is None:
            raise ScopeError(text)
        scope = Scope(kind, scope_id)  # type: ignore[arg-type]  # kind is checked against the scope kinds just above
        if not _exists(config, scope):
            raise ScopeError(text)
        return scope
    found = [
        Scope(kind, text)  # type: ignore[arg-type]  # kind is checked against the scope kinds just above
        for kind in ("grid", "community", "street", "district")
        if _exists(config, Scope(kind, text))  # type: ignore[arg-type]  # kind is checked against the scope kinds just above
    ]
    if len(found) == 1:
        return found[0]
    raise ScopeError(text, tuple(s.token() for s in found))


def _exists(config: Config, scope: Scope) -> bool:
    if scope.kind == "grid":
        return config.grid(scope.id) is not None
    if scope.kind == "community":
        return config.community(scope.id) is not None
    if scope.kind == "street":
        return config.street(scope.id) is not None
    return scope.id == config.district.id


def scopes_for(config: Config, user_id: int) -> list[Scope]:
    """The scopes a user's seats reach, widest first; empty for residents."""
    scopes: dict[Scope, int] = {}
    for position in positions_of(config, user_id):
        if position.level >= DISTRICT:
            scope = Scope("district", config.district.id)
        elif position.level == STREET:
            scope = Scope("street", position.scope_id)
        elif position.level == COMMUNITY:
            scope = Scope("community", position.scope_id)
        else:
            scope = Scope("grid", position.scope_id)
        scopes[scope] = min(position.level, DISTRICT)
    return sorted(scopes, key=lambda s: -scopes[s])


def may_see(config: Config, user_id: int, scope: Scope) -> bool:
    """Whether one of the user's seats covers the whole scope."""
    for mine in scopes_for(config, user_id):
        if mine.kind == "district":
            return True
        if _KIND_RANK[mine.kind] < _KIND_RANK[scope.kind]:
            continue
        if mine == scope:
            return True
        grids = scope.grid_ids(config)
        if grids and all(mine.contains(config, g) for g in grids):
            return True
    return False


# --- figures ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Durations:
    """How many cases got there, and the median and 90th percentile in seconds."""

    count: int
    median: int | None
    p90: int | None


@dataclass(slots=True)
class Satisfaction:
    satisfied: int = 0
    basic: int = 0
    unsatisfied: int = 0
    unrated: int = 0

    @property
    def rated(self) -> int:
        return self.satisfied + self.basic + self.unsatisfied

    @property
    def rate(self) -> float | None:
        """(满意 + 基本满意) / rated; None when nothing was rated."""
        return (self.satisfied + self.basic) / self.rated if self.rated else None

    def add(self, score: str, n: int) -> None:
        setattr(self, score, getattr(self, score) + n)


@dataclass(slots=True)
class Figures:
    """Everything /stats shows for one scope and period."""

    scope: Scope
    period: Period
    totals: Counts
    by_category: dict[str, Counts]
    by_grid: dict[str, Counts]
    accept: Durations
    resolve: Durations
    satisfaction: Satisfaction
    satisfaction_by_grid: dict[str, Satisfaction]
    likes: int
    likes_by_grid: dict[str, int]
    backlog: int
    backlog_by_grid: dict[str, int] = field(default_factory=dict)


def cohort(config: Config, scope: Scope, start: int, end: int) -> stats_sql.Cohort:
    """The storage cohort of a scope's cases reported in [start, end)."""
    return stats_sql.Cohort(tuple(scope.grid_ids(config)), CATEGORY_CODES, start, end)


async def figures(
    conn: Connection, config: Config, scope: Scope, period: Period, now: int
) -> Figures:
    """The figures of a scope over a period (reads only)."""
    which = cohort(config, scope, period.start, period.end)
    grid_ids = list(which.grid_ids)
    by_grid = {g: Counts() for g in grid_ids}
    by_category = {c: Counts() for c in CATEGORY_CODES}
    totals = Counts()
    satisfaction = Satisfaction()
    sat_by_grid = {g: Satisfaction() for g in grid_ids}
    accepted = resolved = 0
    for row in await stats_sql.case_counts(conn, which, now):
        totals.add(row)
        by_grid[row.grid_id].add(row)
        by_category[row.category].add(row)
        # unrated = resolved or closed, less those whose current round is rated (below)
        satisfaction.unrated += row.resolved
        sat_by_grid[row.grid_id].unrated += row.resolved
        accepted += row.accepted_at
        resolved += row.resolved_at
    for grid_id, score, n, current in await stats_sql.rating_counts(conn, which):
        satisfaction.add(score, n)
        sat_by_grid[grid_id].add(score, n)
        satisfaction.unrated -= current
        sat_by_grid[grid_id].unrated -= current
    likes = await stats_sql.like_counts(conn, which)
    backlog = await stats_sql.backlog(conn, grid_ids)
    return Figures(
        scope=scope,
        period=period,
        totals=totals,
        by_category=by_category,
        by_grid=by_grid,
        accept=await _durations(conn, which, "accepted_at", accepted),
        resolve=await _durations(conn, which, "resolved_at", resolved),
        satisfaction=satisfaction,
        satisfaction_by_grid=sat_by_grid,
        likes=sum(likes.values()),
        likes_by_grid={g: likes.get(g, 0) for g in grid_ids},
        backlog=sum(backlog.values()),
        backlog_by_grid={g: backlog.get(g, 0) for g in grid_ids},
    )


async def _durations(
    conn: Connection,
    which: stats_sql.Cohort,
    until: Literal["accepted_at", "resolved_at"],
    count: int,
) -> Durations:
    n, values = await stats_sql.duration_percentiles(
        conn, which, until=until, percents=(50, 90), count=count
    )
    return Durations(count=n, median=values.get(50), p90=values.get(90))


@dataclass(frozen=True, slots=True)
class Refused:
    """Why a user gets no figures: "resident", "scope" (not theirs) or "period"."""

    reason: str
    detail: str = ""  # the period error's code, or the scope asked for
    text: str = ""  # what the user wrote


async def figures_for_user(
    conn: Connection,
    config: Config,
    user_id: int,
    now: int,
    *,
    period_text: str | None = None,
    scope_text: str | None = None,
) -> Figures | Refused:
    """What /stats shows this user: their widest scope, or a narrower one they name."""
    mine = scopes_for(config, user_id)
    if not mine:
        return Refused("resident")
    try:
        period = parse_period(period_text, config, now)
    except PeriodError as error:
        return Refused("period", error.code, error.text)
    scope = mine[0]
    if scope_text:
        try:
            scope = parse_scope(scope_text, config)
        except ScopeError:
            return Refused("scope", scope_text)
        if not may_see(config, user_id, scope):
            return Refused("scope", scope_text)
    return await figures(conn, config, scope, period, now)


# --- series for charts -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DailySeries:
    """Per local day: cases reported by category, and ratings of those cases by score."""

    days: list[date]
    cases: dict[str, list[int]]  # category -> count per day
    ratings: dict[str, list[int]]  # score -> count per day


async def daily_series(
    conn: Connection, config: Config, scope: Scope, period: Period
) -> DailySeries:
    """Day-by-day counts over the period, for the charts."""
    spans = period.day_spans()
    bounds = [(s, e) for _, s, e in spans]
    which = cohort(config, scope, period.start, period.end)
    cases: dict[str, list[int]] = {}
    for i, category, n in await stats_sql.span_counts(conn, which, bounds):
        cases.setdefault(category, [0] * len(spans))[i] = n
    ratings = {s: [0] * len(spans) for s in ("satisfied", "basic", "unsatisfied")}
    for i, score, n in await stats_sql.span_ratings(conn, which, bounds):
        ratings.setdefault(score, [0] * len(spans))[i] = n
    return DailySeries(days=[d for d, _, _ in spans], cases=cases, ratings=ratings)
