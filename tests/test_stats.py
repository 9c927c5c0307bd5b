"""The /stats figures over a generated three-month history, each recomputed in plain Python."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.cases.models import OPEN_STATUSES
from bot.config import Config
from bot.reports.stats import Figures, Period, Scope, figures, parse_period
from nlp.taxonomy import CATEGORY_CODES
from storage import stats as stats_sql
from storage.db import Database
from tests.history import HISTORY_NOW, History

NOW = HISTORY_NOW
OPEN = {s.value for s in OPEN_STATUSES}
DONE = {"resolved", "closed"}


# --- the independent computation: plain Python over the generated rows ----------------------


def overdue(case: dict[str, Any], now: int) -> bool:
    """Flagged, resolved after its deadline, or open after it."""
    if case["overdue"]:
        return True
    due = case["resolve_due"]
    if due is None:
        return False
    if case["resolved_at"] is not None:
        return case["resolved_at"] > due
    return case["status"] in OPEN and due < now


def nearest_rank(values: list[int], percent: int) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = -(-percent * len(ordered) // 100)  # ceil
    return ordered[max(rank, 1) - 1]


@dataclass
class Expected:
    counts: dict[str, int]
    by_category: dict[str, dict[str, int]]
    by_grid: dict[str, dict[str, int]]
    accept: tuple[int, int | None, int | None]
    resolve: tuple[int, int | None, int | None]
    scores: Counter[str]
    unrated: int
    likes: int
    backlog: int


def _count(cases: list[dict[str, Any]], now: int) -> dict[str, int]:
    return {
        "new": len(cases),
        "open": sum(c["status"] in OPEN for c in cases),
        "resolved": sum(c["status"] in DONE for c in cases),
        "rejected": sum(c["status"] == "rejected" for c in cases),
        "overdue": sum(overdue(c, now) for c in cases),
        "urgent": sum(bool(c["urgent"]) for c in cases),
        "reopened": sum(c["reopen_count"] > 0 for c in cases),
    }


def expected(config: Config, history: History, scope: Scope, period: Period) -> Expected:
    grids = set(scope.grid_ids(config))
    every = [c for c in history.case_dicts() if c["grid_id"] in grids]
    cases = [c for c in every if period.start <= c["created_at"] < period.end]
    ids = {c["id"] for c in cases}
    ratings = [r for r in history.ratings if r[0] in ids]
    rated_rounds = {(r[0], r[1]) for r in ratings}
    accept = [c["accepted_at"] - c["created_at"] for c in cases if c["accepted_at"] is not None]
    resolve = [c["resolved_at"] - c["created_at"] for c in cases if c["resolved_at"] is not None]
    return Expected(
        counts=_count(cases, NOW),
        by_category={
            k: _count([c for c in cases if c["category"] == k], NOW) for k in CATEGORY_CODES
        },
        by_grid={g: _count([c for c in cases if c["grid_id"] == g], NOW) for g in grids},
        accept=(len(accept), nearest_rank(accept, 50), nearest_rank(accept, 90)),
        resolve=(len(resolve), nearest_rank(resolve, 50), nearest_rank(resolve, 90)),
        scores=Counter(r[3] for r in ratings),
        unrated=sum(
            c["status"] in DONE and (c["id"], c["reopen_count"]) not in rated_rounds for c in cases
        ),
        likes=sum(1 for like in history.likes if like[0] in ids),
        backlog=sum(c["status"] in OPEN for c in every),
    )


def _as_dict(counts: Any) -> dict[str, int]:
    return {
        k: getattr(counts, k)
        for k in ("new", "open", "resolved", "rejected", "overdue", "urgent", "reopened")
    }


def assert_matches(fig: Figures, exp: Expected) -> None:
    assert _as_dict(fig.totals) == exp.counts
    assert {k: _as_dict(v) for k, v in fig.by_category.items()} == exp.by_category
    assert {k: _as_dict(v) for k, v in fig.by_grid.items()} == exp.by_grid
    assert (fig.accept.count, fig.accept.median, fig.accept.p90) == exp.accept
    assert (fig.resolve.count, fig.resolve.median, fig.resolve.p90) == exp.resolve
    s = fig.satisfaction
    assert (s.satisfied, s.basic, s.unsatisfied) == (
        exp.scores["satisfied"],
        exp.scores["basic"],
        exp.scores["unsatisfied"],
    )
    assert s.unrated == exp.unrated
    rated = sum(exp.scores.values())
    expected_rate = (exp.scores["satisfied"] + exp.scores["basic"]) / rated if rated else None
    assert s.rate == expected_rate
    assert fig.likes == exp.likes
    assert fig.backlog == exp.backlog


# --- the figures ------------------------------------------------------------------------------

SCOPES = [
    Scope("grid", "chenghe-2"),
    Scope("grid", "qinyong-1"),
    Scope("community", "luotuo"),
    Scope("community", "qinyong"),
    Scope("street", "zhaobaoshan"),
    Scope("street", "luotuo"),
    Scope("district", "zhenhai"),
]
PERIODS = [
    "today",
    "week",
    "month",
    "2026-09-01..2026-11-30",
    "2026-10-01",
    "2026-08-01..2026-09-15",
]


def test_history_is_several_thousand_cases_over_three_months(history: tuple[Path, History]) -> None:
    _, h = history
    days = {c["created_at"] // 86400 for c in h.case_dicts()}
    assert len(h.cases) > 5000
    assert len(days) > 85
    assert {c["status"] for c in h.case_dicts()} >= {"closed", "resolved", "accepted", "rejected"}


@pytest.mark.parametrize("scope", SCOPES, ids=lambda s: s.token())
@pytest.mark.parametrize("period_text", PERIODS)
async def test_every_figure_matches_an_independent_count(
    hdb: Database, config: Config, history: tuple[Path, History], scope: Scope, period_text: str
) -> None:
    period = parse_period(period_text, config, NOW)
    fig = await figures(hdb.reader, config, scope, period, NOW)
    assert_matches(fig, expected(config, history[1], scope, period))


async def test_the_street_figures_are_not_trivial(
    hdb: Database, config: Config, history: tuple[Path, History]
) -> None:
    period = parse_period("2026-09-01..2026-11-30", config, NOW)
    fig = await figures(hdb.reader, config, Scope("street", "zhaobaoshan"), period, NOW)
    t = fig.totals
    assert t.new > 1000 and t.resolved > 0 and t.overdue > 0 and t.reopened > 0 and t.rejected > 0
    assert fig.satisfaction.unrated > 0 and fig.likes > 0
    assert fig.accept.median < fig.accept.p90 < fig.resolve.p90


async def test_grids_of_a_street_add_up_to_the_street(hdb: Database, config: Config) -> None:
    period = parse_period("month", config, NOW)
    street = await figures(hdb.reader, config, Scope("street", "luotuo"), period, NOW)
    total = 0
    for grid_id in street.by_grid:
        grid = await figures(hdb.reader, config, Scope("grid", grid_id), period, NOW)
        assert _as_dict(grid.totals) == _as_dict(street.by_grid[grid_id])
        total += grid.totals.new
    assert total == street.totals.new


async def test_an_empty_period_has_zeros_and_no_rate(hdb: Database, config: Config) -> None:
    period = parse_period("2025-01-01..2025-01-31", config, NOW)
    fig = await figures(hdb.reader, config, Scope("district", "zhenhai"), period, NOW)
    assert fig.totals.new == 0
    assert fig.accept.count == 0 and fig.accept.median is None
    assert fig.satisfaction.rate is None
    assert fig.backlog > 0  # the backlog is about now, not the period


async def test_a_case_just_before_local_midnight_belongs_to_that_day(
    db: Database, config: Config
) -> None:
    from tests.conftest import local_ts
    from tests.test_risk import case_row

    async with db.write() as conn:
        await stats_sql.insert_history(
            conn,
            cases=[
                case_row(config, 1, "chenghe-1", local_ts("2026-11-24 23:59")),
                case_row(config, 2, "chenghe-1", local_ts("2026-11-25 00:00")),
            ],
        )
    scope = Scope("grid", "chenghe-1")
    today = await figures(db.reader, config, scope, parse_period("today", config, NOW), NOW)
    yesterday = await figures(
        db.reader, config, scope, parse_period("2026-11-24", config, NOW), NOW
    )
    assert today.totals.new == 1 and yesterday.totals.new == 1


def test_storage_knows_the_same_open_statuses_as_the_core() -> None:
    assert set(stats_sql.OPEN_STATUSES) == OPEN
