"""高频问题: recurring words and places, against the period before, over the generated history."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.config import Config
from bot.reports.hot_topics import hot_topics, keywords
from bot.reports.stats import Period, Scope, parse_period
from handlers.stats_text import render_hot_topics
from storage.db import Database
from tests.history import HISTORY_NOW, HOT, History

NOW = HISTORY_NOW
HOT_GRID, HOT_PHRASE, HOT_PLACE = HOT  # the history repeats this in the grid's last week


def _cases(config: Config, history: History, scope: Scope, period: Period) -> list[dict]:
    grids = set(scope.grid_ids(config))
    return [
        c
        for c in history.case_dicts()
        if c["grid_id"] in grids
        and period.start <= c["created_at"] < period.end
        and c["status"] != "rejected"
    ]


@pytest.mark.parametrize("scope", [Scope("grid", HOT_GRID), Scope("district", "zhenhai")])
async def test_places_are_counted_per_case_against_the_period_before(
    hdb: Database, config: Config, history: tuple[Path, History], scope: Scope
) -> None:
    period = parse_period("2026-11-18..2026-11-25", config, NOW)
    hot = await hot_topics(hdb.reader, config, scope, period, limit=50)
    now = Counter(c["location"] for c in _cases(config, history[1], scope, period) if c["location"])
    before_period = period.previous(config)
    before = Counter(
        c["location"] for c in _cases(config, history[1], scope, before_period) if c["location"]
    )
    assert {t.term: (t.count, t.previous) for t in hot.places} == {
        place: (n, before[place]) for place, n in now.items() if n >= 2
    }
    assert hot.cases == len(_cases(config, history[1], scope, period))


async def test_a_repeated_complaint_rises_to_the_top(
    hdb: Database, config: Config, history: tuple[Path, History]
) -> None:
    scope = Scope("grid", HOT_GRID)
    period = parse_period("2026-11-18..2026-11-25", config, NOW)
    hot = await hot_topics(hdb.reader, config, scope, period)
    assert hot.places[0].term == HOT_PLACE and hot.places[0].change > 0
    top = {t.term for t in hot.words[:3]}
    assert top == {"电动车", "楼道", "充电"}
    # each case counts once: as many as the texts that say it, nothing from the week before
    texts = [c["text"] for c in _cases(config, history[1], scope, period)]
    charging = next(t for t in hot.words if t.term == "充电")
    assert charging.count == sum("充电" in t for t in texts)
    assert charging.previous == 0 and charging.change == charging.count


async def test_terms_seen_once_are_not_topics(hdb: Database, config: Config) -> None:
    period = parse_period("today", config, NOW)
    hot = await hot_topics(hdb.reader, config, Scope("grid", "qinyong-1"), period, min_count=2)
    assert all(t.count >= 2 for t in hot.words + hot.places)


def test_keywords_leave_out_places_numbers_and_politeness() -> None:
    words = keywords("福业街菜场门口闻到煤气味，麻烦尽快处理，联系电话13812345678", ["福业街菜场"])
    assert "煤气味" in words
    assert not any(w in ("福业街菜场", "麻烦", "尽快", "处理") for w in words)
    assert not any(ch.isdigit() for w in words for ch in w)


async def test_hot_topics_render_as_short_chinese_text(hdb: Database, config: Config) -> None:
    period = parse_period("2026-11-18..2026-11-25", config, NOW)
    hot = await hot_topics(hdb.reader, config, Scope("grid", HOT_GRID), period, limit=3)
    text = render_hot_topics(config, hot, limit=3)
    assert text.startswith("🔥 高频问题 · 城河二网格")
    assert f"{HOT_PLACE} " in text and "↑" in text
