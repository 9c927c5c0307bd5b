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


def _drawn(monkeypatch: pytest.MonkeyPatch) -> list[Figure]:
    """Keep each figure a chart renders, to read its axes and legend after drawing."""
    figures: list[Figure] = []
    render = charts._png

    def keep(figure: Figure) -> bytes:
        figures.append(figure)
        return render(figure)

    monkeypatch.setattr(charts, "_png", keep)
    return figures


def _width(png: bytes) -> int:
    return int.from_bytes(png[16:20], "big")  # IHDR: width, then height


@pytest.mark.parametrize("period_text", ["today", "week", "month"])
async def test_count_axes_show_whole_numbers(
    hdb: Database, config: Config, period_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A grid's quiet week has 0–2 cases a day: the axis says 0 1 2, never 0.25 of a case."""
    figures = _drawn(monkeypatch)
    scope = Scope("grid", "chenghe-1")
    period = parse_period(period_text, config, NOW)
    series = await daily_series(hdb.reader, config, scope, period)
    charts.cases_chart(config, scope, period, series)
    charts.satisfaction_chart(config, scope, period, series)
    for figure in figures:
        labels = [t.get_text().replace("−", "-") for t in figure.axes[0].get_yticklabels()]
        assert labels and all(label.lstrip("-").isdigit() for label in labels), labels


async def test_every_chart_is_wide_enough_to_read_in_the_chat(
    hdb: Database, config: Config
) -> None:
    """Telegram scales a photo to the chat's width; a narrow one (one grid's map) would blur."""
    risks = await assess(hdb.reader, config, NOW)
    one = [r for r in risks if r.grid_id == "chenghe-1"]
    scope = Scope("grid", "chenghe-1")
    period = parse_period("week", config, NOW)
    series = await daily_series(hdb.reader, config, scope, period)
    pngs = [
        charts.risk_chart(config, scope, one, window_days=7),
        charts.risk_chart(config, Scope("district", "zhenhai"), risks, window_days=7),
        charts.cases_chart(config, scope, period, series),
        charts.satisfaction_chart(config, scope, period, series),
    ]
    assert min(map(_width, pngs)) >= 640


@pytest.mark.parametrize("grids", [["chenghe-1"], None])
async def test_the_risk_maps_legend_lies_inside_the_picture(
    hdb: Database, config: Config, grids: list[str] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    figures = _drawn(monkeypatch)
    risks = [
        r for r in await assess(hdb.reader, config, NOW) if grids is None or r.grid_id in grids
    ]
    charts.risk_chart(config, Scope("district", "zhenhai"), risks, window_days=7)
    (figure,) = figures
    legends = figure.legends or [a.get_legend() for a in figure.axes if a.get_legend()]
    (legend,) = legends
    box, picture = legend.get_window_extent(), figure.bbox
    assert picture.x0 <= box.x0 and box.x1 <= picture.x1
    assert picture.y0 <= box.y0 and box.y1 <= picture.y1
    assert [t.get_text() for t in legend.get_texts()] == ["红", "橙", "黄", "蓝", "绿"]
