"""Charts as PNG bytes (matplotlib, Agg): cases per day by category, satisfaction, risk tiles.

Chinese labels need a CJK font. `cjk_font()` finds one through matplotlib's font manager (the
set-up installs fonts-wqy-microhei) and raises FontMissing, saying what to install, when none
is there: a chart of empty boxes would be worse than no chart.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager  # after matplotlib.use('Agg'): no display on a server
from matplotlib.backends.backend_agg import (
    FigureCanvasAgg,  # after matplotlib.use('Agg'): no display on a server
)
from matplotlib.figure import Figure  # after matplotlib.use('Agg'): no display on a server
from matplotlib.patches import (  # after matplotlib.use('Agg'): no display on a server
    Patch,
    Rectangle,
)
from matplotlib.ticker import (  # after matplotlib.use('Agg'): no display on a server
    MaxNLocator,
)

from bot.reports import labels as T  # after matplotlib.use('Agg'): no display on a server
from nlp.taxonomy import category_name  # after matplotlib.use('Agg'): no display on a server

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from bot.config import Config
    from bot.reports.risk import GridRisk
    from bot.reports.stats import DailySeries, Period, Scope

# Families that cover simplified Chinese, most likely first; the path is where Debian puts ours.
CJK_FAMILIES = (
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
)
CJK_FONT_FILES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)
COLOURS = {
    "red": "#d62728",
    "orange": "#ff7f0e",
    "yellow": "#f2c500",
    "blue": "#1f77b4",
    "green": "#2ca02c",
}
_PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#bab0ac")
_DPI = 110
# Telegram shows a photo at the chat's width; a narrower picture is scaled up and blurs, so even
# the risk map of a single grid is drawn at least this wide.
MIN_WIDTH_PX = 704


class FontMissing(RuntimeError):
    """No CJK font is installed, so Chinese labels would render as empty boxes."""


def cjk_font() -> str:
    """The family name of an installed CJK font (FontMissing when there is none)."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    for path in CJK_FONT_FILES:
        if path.exists():  # installed after matplotlib built its font cache
            font_manager.fontManager.addfont(str(path))
            return font_manager.FontProperties(fname=str(path)).get_name()
    raise FontMissing(T.FONT_MISSING)


@contextmanager
def _figure(width: float, height: float) -> Iterator[Figure]:
    family = cjk_font()
    with matplotlib.rc_context(
        {"font.family": [family, "DejaVu Sans"], "axes.unicode_minus": False}
    ):
        yield Figure(
            figsize=(max(width, MIN_WIDTH_PX / _DPI), height), dpi=_DPI, layout="constrained"
        )


def _count_axis(ax: Axes) -> None:
    """Counts are whole: no 0.25 of a case on the axis, even when the bars are low or none."""
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(bottom=0, top=max(ax.get_ylim()[1], 1))


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


def _day_ticks(days: Sequence[object]) -> tuple[list[int], list[str]]:
    step = max(1, len(days) // 12)
    positions = list(range(0, len(days), step))
    return positions, [f"{days[i].month}-{days[i].day}" for i in positions]  # type: ignore[attr-defined]  # the days are dates; Sequence[object] keeps the signature loose


def cases_chart(
    config: Config, scope: Scope, period: Period, series: DailySeries, *, top: int = 6
) -> bytes:
    """Stacked bars: cases reported per day, the `top` categories and the rest together."""
    totals = {c: sum(v) for c, v in series.cases.items()}
    main = sorted((c for c in totals if totals[c]), key=lambda c: -totals[c])[:top]
    rest = [
        sum(v[i] for c, v in series.cases.items() if c not in main) for i in range(len(series.days))
    ]
    with _figure(9, 4.8) as fig:
        ax = fig.add_subplot()
        x = list(range(len(series.days)))
        bottom = [0] * len(x)
        stacks = [(category_name(c), series.cases[c]) for c in main]
        if any(rest):
            stacks.append((T.CHART_OTHERS, rest))
        for i, (label, values) in enumerate(stacks):
            ax.bar(
                x, values, bottom=bottom, label=label, color=_PALETTE[i % len(_PALETTE)], width=0.8
            )
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        if not stacks:
            ax.text(0.5, 0.5, T.CHART_NO_DATA, ha="center", va="center", transform=ax.transAxes)
        ax.set_title(
            T.CHART_CASES_TITLE.format(scope=scope.name(config), period=T.period_label(period))
        )
        ax.set_xlabel(T.CHART_DAY)
        ax.set_ylabel(T.CHART_CASES)
        _count_axis(ax)
        ticks, labels = _day_ticks(series.days)
        ax.set_xticks(ticks, labels)
        if stacks:
            ax.legend(loc="upper left", fontsize="small", ncols=2)
        return _png(fig)


def satisfaction_chart(config: Config, scope: Scope, period: Period, series: DailySeries) -> bytes:
    """Satisfaction rate per day (line) over the number of ratings (bars)."""
    good = [
        s + b for s, b in zip(series.ratings["satisfied"], series.ratings["basic"], strict=True)
    ]
    rated = [g + u for g, u in zip(good, series.ratings["unsatisfied"], strict=True)]
    with _figure(9, 4.8) as fig:
        ax = fig.add_subplot()
        x = list(range(len(series.days)))
        ax.bar(x, rated, color="#c7d7ea", width=0.8, label=T.CHART_RATED)
        ax.set_ylabel(T.CHART_RATED)
        _count_axis(ax)
        ax.set_xlabel(T.CHART_DAY)
        rate_ax = ax.twinx()
        points = [(i, 100 * g / r) for i, (g, r) in enumerate(zip(good, rated, strict=True)) if r]
        if points:
            rate_ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", ms=3,
                         color="#2ca02c", label=T.CHART_RATE)  # fmt: skip
        else:
            ax.text(0.5, 0.5, T.CHART_NO_DATA, ha="center", va="center", transform=ax.transAxes)
        rate_ax.set_ylim(0, 105)
        rate_ax.set_ylabel(T.CHART_RATE)
        ax.set_title(
            T.CHART_SATISFACTION_TITLE.format(
                scope=scope.name(config), period=T.period_label(period)
            )
        )
        ticks, labels = _day_ticks(series.days)
        ax.set_xticks(ticks, labels)
        return _png(fig)


def risk_chart(
    config: Config, scope: Scope, risks: Sequence[GridRisk], *, window_days: int
) -> bytes:
    """The grids as tiles coloured by risk, one row per street, with name and score."""
    by_grid = {r.grid_id: r for r in risks}
    rows = []
    for street in config.streets:
        grids = [g for c in street.communities for g in c.grids if g.id in by_grid]
        if grids:
            rows.append((street.name, grids))
    width = max((len(g) for _, g in rows), default=1)
    with _figure(1.6 + 1.9 * width, 1.4 + 1.1 * max(len(rows), 1)) as fig:
        ax = fig.add_subplot()
        for y, (street_name, grids) in enumerate(reversed(rows)):
            ax.text(-0.1, y + 0.5, street_name, ha="right", va="center")
            for x, grid in enumerate(grids):
                risk = by_grid[grid.id]
                colour = risk.colour.value
                ax.add_patch(Rectangle((x + 0.05, y + 0.08), 0.9, 0.84, color=COLOURS[colour]))
                ink = "black" if colour in ("yellow", "orange") else "white"
                ax.text(
                    x + 0.5, y + 0.62, grid.name, ha="center", va="center", color=ink, fontsize=9
                )
                ax.text(x + 0.5, y + 0.3, f"{T.COLOUR_NAMES[colour]} {risk.score:.0f}",
                        ha="center", va="center", color=ink, fontsize=9)  # fmt: skip
        ax.set_xlim(-1.6, width)
        ax.set_ylim(0, max(len(rows), 1))
        ax.axis("off")
        ax.set_title(T.CHART_RISK_TITLE.format(scope=scope.name(config), days=window_days))
        # "outside" asks the constrained layout to make room for the legend within the picture
        # (anchored below the axes, it was cut off, and a narrow map lost colours at the sides).
        fig.legend(
            handles=[Patch(color=COLOURS[c], label=T.COLOUR_NAMES[c]) for c in COLOURS],
            loc="outside lower center", ncols=5, frameon=False,
        )  # fmt: skip
        return _png(fig)
