"""Charts as PNG with every Chinese glyph present, and a clear error without a CJK font."""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from pathlib import Path

import matplotlib
import pytest
from matplotlib.figure import Figure

from bot.config import Config
from bot.reports import charts
from bot.reports.risk import assess
from bot.reports.stats import DailySeries, Scope, daily_series, parse_period
from storage.db import Database
from tests.history import HISTORY_NOW

NOW = HISTORY_NOW
PNG = b"\x89PNG\r\n\x1a\n"


def _strict(draw: Callable[[], bytes]) -> bytes:
    """Draw with every warning an error: matplotlib warns 'Glyph … missing from font(s)'."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return draw()


def test_the_glyph_check_catches_a_font_without_chinese() -> None:
    """The check itself works: drawing Chinese in DejaVu Sans alone does warn."""
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        figure = Figure()
        figure.add_subplot().set_title("每日案件")
        with pytest.warns(UserWarning, match="missing from font"):
            figure.savefig(io.BytesIO(), format="png")


def test_a_cjk_font_is_installed() -> None:
    assert charts.cjk_font()


@pytest.mark.parametrize("period_text", ["month", "2026-09-01..2026-11-30", "today"])
async def test_cases_and_satisfaction_charts_render_every_glyph(
    hdb: Database, config: Config, period_text: str
) -> None:
    scope = Scope("street", "zhaobaoshan")
    period = parse_period(period_text, config, NOW)
    series = await daily_series(hdb.reader, config, scope, period)
    for draw in (charts.cases_chart, charts.satisfaction_chart):
        png = _strict(lambda d=draw: d(config, scope, period, series))
        assert png.startswith(PNG) and len(png) > 10_000


async def test_the_risk_chart_renders_every_grid(hdb: Database, config: Config) -> None:
    risks = await assess(hdb.reader, config, NOW)
    scope = Scope("district", "zhenhai")
    png = _strict(lambda: charts.risk_chart(config, scope, risks, window_days=7))
    assert png.startswith(PNG)


async def test_daily_series_adds_up_to_the_figures(hdb: Database, config: Config) -> None:
    from bot.reports.stats import figures

    scope = Scope("community", "chenghe")
    period = parse_period("month", config, NOW)
    series = await daily_series(hdb.reader, config, scope, period)
    fig = await figures(hdb.reader, config, scope, period, NOW)
    assert len(series.days) == 30
    assert sum(map(sum, series.cases.values())) == fig.totals.new
    assert {c: sum(v) for c, v in series.cases.items()} == {
        c: n.new for c, n in fig.by_category.items() if n.new
    }
    s = fig.satisfaction
    assert [sum(series.ratings[k]) for k in ("satisfied", "basic", "unsatisfied")] == [
        s.satisfied,
        s.basic,
        s.unsatisfied,
    ]


def test_an_empty_period_still_draws(config: Config) -> None:
    period = parse_period("2026-11-01..2026-11-03", config, NOW)
    empty = DailySeries(
        days=[d for d, _, _ in period.day_spans()],
        cases={},
        ratings={"satisfied": [0] * 3, "basic": [0] * 3, "unsatisfied": [0] * 3},
    )
    scope = Scope("grid", "chenghe-1")
    assert _strict(lambda: charts.cases_chart(config, scope, period, empty)).startswith(PNG)
    assert _strict(lambda: charts.satisfaction_chart(config, scope, period, empty)).startswith(PNG)


def test_without_a_cjk_font_the_error_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(charts, "CJK_FAMILIES", ("No Such Font",))
    monkeypatch.setattr(charts, "CJK_FONT_FILES", (Path("/nonexistent/font.ttc"),))
    with pytest.raises(charts.FontMissing, match="fonts-wqy-microhei"):
        charts.cjk_font()
