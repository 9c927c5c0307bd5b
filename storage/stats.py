"""SQL for the statistics: aggregates over cases, events, ratings and likes, scoped and timed.

Every figure is computed from the rows themselves (no counters that could drift). Most take a
Cohort: the cases reported in [start, end) (UTC seconds) in some grids, which is how the core
passes a grid, community, street or the district.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any, Literal

import aiosqlite

from storage.cases import _record as case_record
from storage.db import POSTGRESQL, dialect, json_text, reset_ids
from storage.records import CaseRecord, Counts
from storage.rows import first as _first

# Mirrors bot.models.OPEN_STATUSES (storage imports nothing from bot; a test keeps them equal).
OPEN_STATUSES: tuple[str, ...] = ("new", "assigned", "accepted", "escalated", "reopened")
DONE_STATUSES: tuple[str, ...] = ("resolved", "closed")
_OPEN_SQL = "('new', 'assigned', 'accepted', 'escalated', 'reopened')"
# Sort once, read several ranks: the hint (SQLite 3.35+) keeps the sorted CTE from being inlined.
_MATERIALIZED = "MATERIALIZED " if sqlite3.sqlite_version_info >= (3, 35) else ""

# Late: flagged by the deadline timer, resolved after its deadline, or still open past it.
_OVERDUE_SQL = (
    "(c.overdue = 1 OR (c.resolve_due IS NOT NULL AND ("
    "(c.resolved_at IS NOT NULL AND c.resolved_at > c.resolve_due)"
    f" OR (c.resolved_at IS NULL AND c.status IN {_OPEN_SQL} AND c.resolve_due < :now))))"
)


_DONE_SQL = "c.status IN ('resolved', 'closed')"
_REJECTED_SQL = "c.status = 'rejected'"


def _join(conn: Any) -> str:
    """An inner join whose order SQLite keeps as written (its CROSS JOIN); PostgreSQL's planner
    chooses its own order (its CROSS JOIN takes no ON)."""
    return "JOIN" if dialect(conn) == POSTGRESQL else "CROSS JOIN"


def _open_index(conn: Any) -> str:
    return "" if dialect(conn) == POSTGRESQL else " INDEXED BY cases_open"


def _count(condition: str) -> str:
    """How many rows meet the condition: SQLite would sum the condition itself, PostgreSQL
    sums no booleans."""
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"


@dataclass(frozen=True, slots=True)
class Cohort:
    """The cases reported in [start, end) in these grids and categories.

    Scopes are given as their grids (the core knows which grids a street holds), and the
    categories are listed too: with both as IN lists, SQLite walks the cases_cohort index
    (grid, category, created) one contiguous range per pair, already in GROUP BY order.
    """

    grid_ids: tuple[str, ...]
    categories: tuple[str, ...]
    start: int
    end: int

    def where(self, alias: str = "c") -> tuple[str, dict[str, Any]]:
        """The WHERE fragment and its named parameters."""
        params: dict[str, Any] = {"start": self.start, "end": self.end}
        grids = ", ".join(f":g{i}" for i in range(len(self.grid_ids))) or "NULL"
        cats = ", ".join(f":k{i}" for i in range(len(self.categories))) or "NULL"
        params.update({f"g{i}": g for i, g in enumerate(self.grid_ids)})
        params.update({f"k{i}": k for i, k in enumerate(self.categories)})
        sql = (
            f"{alias}.grid_id IN ({grids}) AND {alias}.category IN ({cats})"
            f" AND {alias}.created_at >= :start AND {alias}.created_at < :end"
        )
        return sql, params


@dataclass(slots=True, kw_only=True)
class CaseCounts(Counts):
    """The counts of one (grid, category) cell of a cohort."""

    grid_id: str
    category: str
    accepted_at: int  # cases with an acceptance time (for the percentiles)
    resolved_at: int  # cases with a resolution time


async def case_counts(conn: aiosqlite.Connection, cohort: Cohort, now: int) -> list[CaseCounts]:
    """The cohort counted by grid and category in one pass over the covering index."""
    if not cohort.grid_ids:
        return []
    where, params = cohort.where()
    rows = await conn.execute_fetchall(
        "SELECT c.grid_id, c.category, COUNT(*),"
        f" {_count(f'c.status IN {_OPEN_SQL}')},"
        f" {_count(_DONE_SQL)},"
        f" {_count(_REJECTED_SQL)},"
        f" {_count(_OVERDUE_SQL)},"
        " SUM(c.urgent),"
        f" {_count('c.reopen_count > 0')},"
        f" {_count('c.accepted_at IS NOT NULL')},"
        f" {_count('c.resolved_at IS NOT NULL')}"
        f" FROM cases c WHERE {where} GROUP BY c.grid_id, c.category"
        " ORDER BY c.grid_id, c.category",
        {**params, "now": now},
    )
    names = ("new", "open", "resolved", "rejected", "overdue", "urgent", "reopened")
    names += ("accepted_at", "resolved_at")
    return [
        CaseCounts(
            grid_id=row[0],
            category=row[1],
            **{n: int(v or 0) for n, v in zip(names, row[2:], strict=True)},
        )
        for row in rows
    ]


async def rating_counts(
    conn: aiosqlite.Connection, cohort: Cohort
) -> list[tuple[str, str, int, int]]:
    """(grid, score, ratings, of which rate the current resolution of a resolved or closed case).

    Every rating round of the cohort's cases counts; the second number lets the caller find
    the unrated: resolved or closed cases minus those whose current round was rated.
    """
    if not cohort.grid_ids:
        return []
    where, params = cohort.where()
    # On SQLite, CROSS JOIN keeps the cases (found by the index) as the outer loop.
    rows = await conn.execute_fetchall(
        "SELECT c.grid_id, r.score, COUNT(*),"
        f" {_count(f'r.round = c.reopen_count AND {_DONE_SQL}')}"
        f" FROM cases c {_join(conn)} ratings r ON r.case_id = c.id WHERE {where}"
        " GROUP BY c.grid_id, r.score ORDER BY c.grid_id, r.score",
        params,
    )
    return [(str(g), str(s), int(n), int(current or 0)) for g, s, n, current in rows]


async def like_counts(conn: aiosqlite.Connection, cohort: Cohort) -> dict[str, int]:
    """Likes (点赞) on the cohort's cases, by grid."""
    if not cohort.grid_ids:
        return {}
    where, params = cohort.where()
    rows = await conn.execute_fetchall(
        f"SELECT c.grid_id, COUNT(*) FROM cases c {_join(conn)} likes l ON l.case_id = c.id"
        f" WHERE {where} GROUP BY c.grid_id ORDER BY c.grid_id",
        params,
    )
    return {str(g): int(n) for g, n in rows}


async def duration_percentiles(
    conn: aiosqlite.Connection,
    cohort: Cohort,
    *,
    until: Literal["accepted_at", "resolved_at"],
    percents: Sequence[int] = (50, 90),
    count: int | None = None,
) -> tuple[int, dict[int, int]]:
    """(how many, {percent: seconds}) of the time from report to `until`, by nearest rank.

    The p-th percentile is the value at rank k = ceil(p·n/100) of the n durations sorted.
    SQLite sorts the durations once into a materialised CTE and reads each rank from it by
    OFFSET, so only the wanted values leave the database. `count` (n) may come from
    case_counts to save a pass.
    """
    if until not in ("accepted_at", "resolved_at"):
        raise ValueError(f"unknown duration end {until!r}")
    if not cohort.grid_ids:
        return 0, {}
    where, params = cohort.where()
    durations = (
        f"SELECT c.{until} - c.created_at AS d FROM cases c WHERE {where} AND c.{until} IS NOT NULL"
    )
    if count is None:
        row = _first(
            await conn.execute_fetchall(f"SELECT COUNT(*) FROM ({durations}) AS durations", params)
        )
        count = int(row[0])
    if count == 0:
        return 0, {}
    ranks = [max(1, (count * p + 99) // 100) for p in percents]
    picks = ", ".join(f"(SELECT d FROM sorted LIMIT 1 OFFSET {rank - 1})" for rank in ranks)
    row = _first(
        await conn.execute_fetchall(
            f"WITH sorted AS {_MATERIALIZED}({durations} ORDER BY d) SELECT {picks}", params
        )
    )
    values = {p: int(v) for p, v in zip(percents, row, strict=True) if v is not None}
    return count, values


async def backlog(conn: aiosqlite.Connection, grid_ids: Sequence[str]) -> dict[str, int]:
    """Cases of these grids open right now, whenever reported (the partial index cases_open)."""
    if not grid_ids:
        return {}
    marks = ", ".join("?" * len(grid_ids))
    rows = await conn.execute_fetchall(
        # Named on SQLite, because without ANALYZE its planner prefers the wider cases_cohort.
        f"SELECT grid_id, COUNT(*) FROM cases{_open_index(conn)} WHERE status IN {_OPEN_SQL}"
        f" AND grid_id IN ({marks}) GROUP BY grid_id ORDER BY grid_id",
        tuple(grid_ids),
    )
    return {str(g): int(n) for g, n in rows}


async def grid_volumes(
    conn: aiosqlite.Connection, grid_ids: Sequence[str], start: int, end: int
) -> dict[str, int]:
    """Cases reported per grid in [start, end), counted inside the (grid, created) index."""
    if not grid_ids:
        return {}
    marks = ", ".join("?" * len(grid_ids))
    rows = await conn.execute_fetchall(
        f"SELECT grid_id, COUNT(*) FROM cases WHERE grid_id IN ({marks})"
        " AND created_at >= ? AND created_at < ? GROUP BY grid_id ORDER BY grid_id",
        (*grid_ids, start, end),
    )
    return {str(g): int(n) for g, n in rows}


def _spans_cte(spans: Sequence[tuple[int, int]]) -> tuple[str, dict[str, Any]]:
    # Typed, since PostgreSQL takes an untyped VALUES parameter for text.
    values = ", ".join(
        f"(CAST(:i{i} AS BIGINT), CAST(:s{i} AS BIGINT), CAST(:e{i} AS BIGINT))"
        for i in range(len(spans))
    )
    params: dict[str, Any] = {}
    for i, (s, e) in enumerate(spans):
        params.update({f"i{i}": i, f"s{i}": s, f"e{i}": e})
    return f"WITH spans (i, s, e) AS (VALUES {values})", params


def _span_cohort(cohort: Cohort, spans: Sequence[tuple[int, int]]) -> Cohort:
    return Cohort(
        cohort.grid_ids, cohort.categories, min(s for s, _ in spans), max(e for _, e in spans)
    )


async def span_counts(
    conn: aiosqlite.Connection, cohort: Cohort, spans: Sequence[tuple[int, int]]
) -> list[tuple[int, str, int]]:
    """(span index, category, cases reported) for each [start, end) span, e.g. local days."""
    if not spans or not cohort.grid_ids:
        return []
    cte, span_params = _spans_cte(spans)
    where, params = _span_cohort(cohort, spans).where()
    rows = await conn.execute_fetchall(
        f"{cte} SELECT spans.i, c.category, COUNT(*) FROM spans {_join(conn)} cases c"
        f" ON c.created_at >= spans.s AND c.created_at < spans.e WHERE {where}"
        " GROUP BY spans.i, c.category ORDER BY spans.i, c.category",
        {**params, **span_params},
    )
    return [(int(i), str(cat), int(n)) for i, cat, n in rows]


async def span_ratings(
    conn: aiosqlite.Connection, cohort: Cohort, spans: Sequence[tuple[int, int]]
) -> list[tuple[int, str, int]]:
    """(span index, score, ratings) of the cases reported in each span."""
    if not spans or not cohort.grid_ids:
        return []
    cte, span_params = _spans_cte(spans)
    where, params = _span_cohort(cohort, spans).where()
    rows = await conn.execute_fetchall(
        f"{cte} SELECT spans.i, r.score, COUNT(*) FROM spans {_join(conn)} cases c"
        " ON c.created_at >= spans.s AND c.created_at < spans.e"
        f" {_join(conn)} ratings r ON r.case_id = c.id WHERE {where}"
        " GROUP BY spans.i, r.score ORDER BY spans.i, r.score",
        {**params, **span_params},
    )
    return [(int(i), str(score), int(n)) for i, score, n in rows]


@dataclass(slots=True)
class AssessmentCounts:
    """One (assignee, grid) cell of a cohort's non-rejected cases, for the assessment (考核)."""

    assignee_id: int | None
    grid_id: str
    cases: int
    accept_due: int  # accepted, or the acceptance deadline has passed
    accepted_on_time: int
    resolve_due: int  # resolved, or the resolution deadline has passed
    resolved_on_time: int  # by the current assignee's own deadline
    resolved_clean: int  # resolved and never late at any level (not overdue)
    reopened: int
    satisfied: int
    basic: int
    unsatisfied: int


async def assessment_counts(
    conn: aiosqlite.Connection, cohort: Cohort, now: int
) -> list[AssessmentCounts]:
    """The cohort's non-rejected cases by current assignee and grid, with deadline keeping."""
    if not cohort.grid_ids:
        return []
    where, params = cohort.where()

    def score(name: str) -> str:
        return (
            f"SUM((SELECT COUNT(*) FROM ratings r WHERE r.case_id = c.id AND r.score = '{name}'))"
        )

    rows = await conn.execute_fetchall(
        "SELECT c.assignee_id, c.grid_id, COUNT(*),"
        f" {_count('c.accepted_at IS NOT NULL OR c.accept_due <= :now')},"
        f" {_count('c.accepted_at IS NOT NULL AND c.accepted_at <= c.accept_due')},"
        f" {_count('c.resolved_at IS NOT NULL OR c.resolve_due <= :now')},"
        f" {_count('c.resolved_at IS NOT NULL AND c.resolved_at <= c.resolve_due')},"
        f" {_count(f'c.resolved_at IS NOT NULL AND NOT {_OVERDUE_SQL}')},"
        f" {_count('c.reopen_count > 0')},"
        f" {score('satisfied')}, {score('basic')}, {score('unsatisfied')}"
        f" FROM cases c WHERE {where} AND c.status != 'rejected'"
        # NULLs (no assignee) first on both backends, as SQLite sorts them.
        " GROUP BY c.assignee_id, c.grid_id"
        " ORDER BY c.assignee_id IS NOT NULL, c.assignee_id, c.grid_id",
        {**params, "now": now},
    )
    return [
        AssessmentCounts(
            None if row[0] is None else int(row[0]), str(row[1]), *(int(v or 0) for v in row[2:])
        )
        for row in rows
    ]


async def escalated_away(conn: aiosqlite.Connection, cohort: Cohort) -> dict[int, int]:
    """Per former assignee: the cohort's cases the deadline timer took from them (overdue)."""
    if not cohort.grid_ids:
        return {}
    where, params = cohort.where()
    who = json_text(conn, "e.data", "from_assignee")
    rows = await conn.execute_fetchall(
        f"SELECT {who}, COUNT(DISTINCT c.id)"
        f" FROM cases c {_join(conn)} case_events e ON e.case_id = c.id"
        f" WHERE {where} AND c.status != 'rejected' AND e.action = 'escalate'"
        f" AND e.actor_id IS NULL AND {who} IS NOT NULL GROUP BY {who}",
        params,
    )
    return {int(who): int(n) for who, n in rows}


async def case_texts(
    conn: aiosqlite.Connection, cohort: Cohort, *, limit: int = -1
) -> list[tuple[str, str, str | None]]:
    """(grid, text, place) of the cohort's cases but those rejected as no case; newest first."""
    if not cohort.grid_ids:
        return []
    where, params = cohort.where()
    rows = await conn.execute_fetchall(
        f"SELECT c.grid_id, c.text, c.location FROM cases c WHERE {where}"
        " AND c.status != 'rejected' ORDER BY c.created_at DESC, c.id DESC"
        # No limit when negative, as SQLite reads LIMIT -1; PostgreSQL refuses one.
        + (" LIMIT :limit" if limit >= 0 else ""),
        {**params, "limit": limit},
    )
    return [(str(g), str(t), None if loc is None else str(loc)) for g, t, loc in rows]


@dataclass(slots=True, kw_only=True)
class ExportRow(CaseRecord):
    """One case as the exports show it: the case record (its `overdue` by the statistics' rule,
    not only the timer's flag), with its last note, place pin, photos, likes and rating."""

    last_note: str | None
    latitude: float | None
    longitude: float | None
    photos: int
    likes: int
    score: str | None  # the rating of the current round, if any


_EXPORT_FIELDS = [f.name for f in fields(CaseRecord)]
_EXPORT_CASE_COLUMNS = ", ".join(f"c.{name}" for name in _EXPORT_FIELDS)


async def export_rows(conn: aiosqlite.Connection, cohort: Cohort, now: int) -> list[ExportRow]:
    """Every case of the cohort, oldest first, with its last note and place pin."""
    if not cohort.grid_ids:
        return []
    where, params = cohort.where()
    rows = await conn.execute_fetchall(
        f"SELECT {_EXPORT_CASE_COLUMNS}, {_OVERDUE_SQL},"
        " (SELECT e.note FROM case_events e WHERE e.case_id = c.id AND e.note IS NOT NULL"
        "  ORDER BY e.id DESC LIMIT 1),"
        " (SELECT a.latitude FROM attachments a WHERE a.case_id = c.id AND a.kind = 'location'"
        "  ORDER BY a.id DESC LIMIT 1),"
        " (SELECT a.longitude FROM attachments a WHERE a.case_id = c.id AND a.kind = 'location'"
        "  ORDER BY a.id DESC LIMIT 1),"
        " (SELECT COUNT(*) FROM attachments a WHERE a.case_id = c.id AND a.kind = 'photo'),"
        " (SELECT COUNT(*) FROM likes l WHERE l.case_id = c.id),"
        " (SELECT r.score FROM ratings r WHERE r.case_id = c.id AND r.round = c.reopen_count)"
        f" FROM cases c WHERE {where} ORDER BY c.created_at, c.id",
        {**params, "now": now},
    )
    out = []
    width = len(_EXPORT_FIELDS)
    for row in rows:
        case = case_record(row[:width])
        case.overdue = bool(row[width])
        last_note, latitude, longitude, photos, likes, score = row[width + 1 :]
        out.append(
            ExportRow(
                *(getattr(case, name) for name in _EXPORT_FIELDS),
                last_note=last_note,
                latitude=latitude,
                longitude=longitude,
                photos=photos,
                likes=likes,
                score=score,
            )
        )
    return out


async def earliest_case(conn: aiosqlite.Connection) -> int | None:
    """When the first case was reported, for exports without a start date."""
    row = _first(await conn.execute_fetchall("SELECT MIN(created_at) FROM cases"))
    return None if row is None or row[0] is None else int(row[0])


# --- risk colour memory: a grid alerts once when it turns red or orange -------------------


async def risk_colours(conn: aiosqlite.Connection) -> dict[str, tuple[str, int]]:
    """Each grid's last seen risk colour and since when: {grid: (colour, since)}."""
    rows = await conn.execute_fetchall(
        "SELECT grid_id, colour, since FROM grid_risk ORDER BY grid_id"
    )
    return {str(g): (str(c), int(s)) for g, c, s in rows}


async def set_risk_colour(
    conn: aiosqlite.Connection, grid_id: str, colour: str, score: float, *, now: int
) -> None:
    """Remember a grid's colour; `since` moves only when the colour changes."""
    await conn.execute(
        "INSERT INTO grid_risk (grid_id, colour, score, since, checked_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (grid_id) DO UPDATE SET"
        " since = CASE WHEN grid_risk.colour = excluded.colour THEN grid_risk.since ELSE excluded.since END,"
        " colour = excluded.colour, score = excluded.score, checked_at = excluded.checked_at",
        (grid_id, colour, score, now, now),
    )


# --- bulk loading of a ready-made history (tests, benchmarks, imports) --------------------

HISTORY_CASE_COLUMNS: tuple[str, ...] = (
    "id",
    "number",
    "grid_id",
    "community_id",
    "street_id",
    "reporter_id",
    "reporter_name",
    "anonymous",
    "chat_id",
    "message_id",
    "text",
    "category",
    "level",
    "urgent",
    "location",
    "confidence",
    "status",
    "assignee_id",
    "department_id",
    "accept_due",
    "resolve_due",
    "created_at",
    "updated_at",
    "accepted_at",
    "resolved_at",
    "closed_at",
    "reopen_count",
    "escalation_count",
    "overdue",
)
HISTORY_EVENT_COLUMNS = (
    "case_id",
    "at",
    "actor_id",
    "action",
    "from_status",
    "to_status",
    "note",
    "data",
)
HISTORY_RATING_COLUMNS = ("case_id", "round", "rater_id", "score", "reason", "at")
HISTORY_LIKE_COLUMNS = ("case_id", "user_id", "at")


def _insert(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


async def insert_history(
    conn: aiosqlite.Connection,
    *,
    cases: Iterable[Sequence[Any]] = (),
    events: Iterable[Sequence[Any]] = (),
    ratings: Iterable[Sequence[Any]] = (),
    likes: Iterable[Sequence[Any]] = (),
) -> None:
    """Insert rows in the HISTORY_*_COLUMNS orders with executemany, in the caller's transaction."""
    await conn.executemany(_insert("cases", HISTORY_CASE_COLUMNS), cases)
    await conn.executemany(_insert("case_events", HISTORY_EVENT_COLUMNS), events)
    await conn.executemany(_insert("ratings", HISTORY_RATING_COLUMNS), ratings)
    await conn.executemany(_insert("likes", HISTORY_LIKE_COLUMNS), likes)
    await reset_ids(conn, "cases")


async def count_all_cases(conn: aiosqlite.Connection) -> int:
    """SELECT COUNT(*) FROM cases: the yardstick the statistics benchmark measures against."""
    row = _first(await conn.execute_fetchall("SELECT COUNT(*) FROM cases"))
    return int(row[0])
