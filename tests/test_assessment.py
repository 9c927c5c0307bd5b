"""考核 per handler and per grid, and the monthly street ranking, recomputed in plain Python."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from bot.config import Config
from bot.reports.assessment import WEIGHTS, Tally, assess, composite, month_period, monthly_ranking
from bot.reports.stats import Scope
from handlers.stats_text import render_ranking
from storage.db import Database
from tests.history import HISTORY_NOW, History
from tests.test_stats import overdue

NOW = HISTORY_NOW


def _score(t: Tally) -> float:
    """The documented composite, written out again."""
    parts: dict[str, float] = {}
    if t.accept_due:
        parts["accept"] = t.accepted_on_time / t.accept_due
    if t.resolve_due:
        parts["resolve"] = t.resolved_on_time / t.resolve_due
    if t.rated:
        parts["satisfaction"] = t.satisfied / t.rated
    if t.cases - t.escalated_away:
        parts["reopen"] = 1 - t.reopened / (t.cases - t.escalated_away)
    weight = sum(WEIGHTS[k] for k in parts)
    return round(100 * sum(WEIGHTS[k] * v for k, v in parts.items()) / weight, 1) if weight else 0.0


def expected(
    config: Config, history: History, scope: Scope, start: int, end: int
) -> tuple[dict[str, Tally], dict[str, Tally]]:
    grids = set(scope.grid_ids(config))
    cases = [
        c
        for c in history.case_dicts()
        if c["grid_id"] in grids and start <= c["created_at"] < end and c["status"] != "rejected"
    ]
    ids = {c["id"] for c in cases}
    scores: dict[int, list[str]] = defaultdict(list)
    for r in history.ratings:
        if r[0] in ids:
            scores[r[0]].append(r[3])
    by_grid: dict[str, Tally] = defaultdict(Tally)
    by_handler: dict[str, Tally] = defaultdict(Tally)
    for c in cases:
        accept_due = c["accepted_at"] is not None or (
            c["accept_due"] is not None and c["accept_due"] <= NOW
        )
        accepted = c["accepted_at"] is not None and c["accepted_at"] <= c["accept_due"]
        resolve_due = c["resolved_at"] is not None or (
            c["resolve_due"] is not None and c["resolve_due"] <= NOW
        )
        own_time = c["resolved_at"] is not None and c["resolved_at"] <= c["resolve_due"]
        clean = c["resolved_at"] is not None and not overdue(c, NOW)
        good = sum(s in ("satisfied", "basic") for s in scores[c["id"]])
        for tally, resolved in (
            (by_grid[c["grid_id"]], clean),
            (by_handler[str(c["assignee_id"])], own_time),
        ):
            tally.cases += 1
            tally.accept_due += accept_due
            tally.accepted_on_time += accepted
            tally.resolve_due += resolve_due
            tally.resolved_on_time += resolved
            tally.reopened += c["reopen_count"] > 0
            tally.satisfied += good
            tally.rated += len(scores[c["id"]])
    lost: dict[int, set[int]] = defaultdict(set)
    for case_id, _, actor, action, _, _, _, data in history.events:
        if case_id in ids and action == "escalate" and actor is None:
            lost[json.loads(data)["from_assignee"]].add(case_id)
    for user_id, taken in lost.items():
        t = by_handler[str(user_id)]
        t.cases += len(taken)
        t.resolve_due += len(taken)
        t.escalated_away += len(taken)
    return dict(by_grid), dict(by_handler)


@pytest.mark.parametrize(
    "scope",
    [Scope("street", "zhaobaoshan"), Scope("district", "zhenhai"), Scope("grid", "yufan-2")],
)
@pytest.mark.parametrize("month", [date(2026, 10, 1), date(2026, 11, 1)])
async def test_assessment_matches_an_independent_count(
    hdb: Database, config: Config, history: tuple[Path, History], scope: Scope, month: date
) -> None:
    period = month_period(config, month)
    grids, handlers = await assess(hdb.reader, config, scope, period, NOW)
    want_grids, want_handlers = expected(config, history[1], scope, period.start, period.end)
    assert {a.key: a.tally for a in grids} == want_grids
    assert {a.key: a.tally for a in handlers} == want_handlers
    for a in grids + handlers:
        assert a.score == _score(a.tally)
    assert any(t.escalated_away for t in want_handlers.values())  # the history has such cases


async def test_the_monthly_ranking_orders_a_street_by_score(hdb: Database, config: Config) -> None:
    ranking = await monthly_ranking(hdb.reader, config, "luotuo", date(2026, 10, 15), NOW)
    assert (ranking.period.first_day, ranking.period.last_day) == (
        date(2026, 10, 1),
        date(2026, 10, 31),
    )
    assert {a.key for a in ranking.grids} <= {"luotuo-1", "luotuo-2", "yufan-1", "yufan-2"}
    assert len(ranking.grids) == 4
    for ranked in (ranking.grids, ranking.handlers):
        keys = [(-a.score, -a.cases, a.key) for a in ranked]
        assert keys == sorted(keys)
        assert all(a.cases >= ranking.min_cases for a in ranked)
    assert all(a.cases < ranking.min_cases for a in ranking.unranked)
    text = render_ranking(config, ranking)
    assert text.startswith("🏅 骆驼街道 月度考核 · 2026年10月")
    assert "1. " in text and "按时办结" in text


def test_composite_leaves_out_what_cannot_be_measured() -> None:
    assert composite(1.0, 1.0, 1.0, 0.0) == 100.0
    assert composite(0.5, 0.5, None, 0.0) == pytest.approx(
        round(100 * (0.25 * 0.5 + 0.35 * 0.5 + 0.15) / 0.75, 1)
    )
    assert composite(None, None, None, None) == 0.0
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)
