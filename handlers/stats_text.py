"""Every Chinese word of the statistics in chat, and pure functions rendering figures as short
chat text. The words drawn into charts and written into exports come from `bot.reports.labels`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from bot.reports.labels import (
    CHART_NO_DATA,
    COLOUR_NAMES,
    FONT_MISSING,
    SCOPE_KIND_NAMES,
    SCORE_NAMES,
    STATUS_NAMES,
    period_label,
)
from nlp.taxonomy import category_name

if TYPE_CHECKING:
    from bot.config import Config
    from bot.reports.assessment import Assessment, Ranking
    from bot.reports.hot_topics import HotTopics
    from bot.reports.risk import GridRisk
    from bot.reports.stats import Durations, Figures, Scope

__all__ = [
    "CHART_NO_DATA",
    "COLOUR_NAMES",
    "FONT_MISSING",
    "SCOPE_KIND_NAMES",
    "SCORE_NAMES",
    "STATUS_NAMES",
    "period_label",
]

COLOUR_MARKS = {"red": "🔴", "orange": "🟠", "yellow": "🟡", "blue": "🔵", "green": "🟢"}
FACTOR_NAMES = {
    "volume": "案件量高于常态",
    "conflict_share": "纠纷治安占比高",
    "conflict_trend": "纠纷治安上升",
    "urgent": "紧急案件多",
    "overdue": "超期多",
    "reopened": "重新办理多",
    "dissatisfaction": "不满意多",
}
# /risk shows each named reason with the counts behind it, so the reader can weigh it.
FACTOR_FIGURES = {
    "volume": "{reports} 件，常态 {baseline:.0f} 件",
    "conflict_share": "{conflicts}/{reports} 件",
    "conflict_trend": "{previous_conflicts}→{conflicts} 件",
    "urgent": "{urgent} 件",
    "overdue": "{overdue} 件",
    "reopened": "{reopened} 件",
    "dissatisfaction": "{unsatisfied}/{rated} 条评价",
}
NO_DRIVERS = {"green": "各项平稳", "other": "无单项突出，多项略高"}
LEVEL_NAMES = {1: "一级（网格）", 2: "二级（社区）", 3: "三级（街道）", 4: "四级（区级）"}

# --- chat messages ------------------------------------------------------------------------

REFUSE_RESIDENT = (
    "统计功能仅向网格员和各级工作人员开放。如需反映问题，直接在群里说明即可，谢谢您的支持！"
)
REFUSE_SCOPE = "您没有查看「{scope}」统计的权限，或没有这个范围。"
STATS_USAGE = "用法：/stats [today|week|month|YYYY-MM-DD..YYYY-MM-DD] [范围]，例如 /stats month"
PERIOD_ERRORS = {
    "unreadable": "看不懂这个时间段：{text}。" + STATS_USAGE,
    "bad_date": "日期不存在：{text}。",
    "reversed": "开始日期晚于结束日期：{text}。",
    "too_long": "时间段最长一年：{text}。",
}
CHART_BUTTONS = {"c": "📈 分类趋势", "s": "😊 满意度趋势", "r": "🗺 风险地图"}
RANKING_BUTTON = "🏅 月度考核排名"
HOT_TOPICS_BUTTON = "🔥 高频问题"
START_BOT_FOR_STATS = "统计结果会私信发给您：请先私聊机器人并发送 /start，再试一次。"
CHART_STALE = "这个按钮已过期，请重新发送 /stats。"
CHART_WORKING = "正在生成图表…"
RISK_EMPTY = "暂无网格。"
EXPORT_STAFF_ONLY = "导出仅向工作人员开放。"
EXPORT_USAGE = "用法：/export [csv|xlsx] [today|week|month|YYYY-MM-DD..YYYY-MM-DD]"
EXPORT_CAPTION = "{scope} · {period} 案件导出（个人信息已脱敏）"


def format_duration(seconds: int | None) -> str:
    """35分钟, 2.1小时, 1.8天; a dash when there is nothing to measure."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return "不到1分钟"
    if seconds < 3600:
        return f"{seconds // 60}分钟"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f}小时"
    return f"{seconds / 86400:.1f}天"


def format_rate(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def scope_label(config: Config, scope: Scope) -> str:
    return scope.name(config)


def grid_name(config: Config, grid_id: str) -> str:
    grid = config.grid(grid_id)
    return grid.name if grid else grid_id


def _durations(label: str, d: Durations) -> str:
    if not d.count:
        return f"{label}：暂无"
    return f"{label}：中位 {format_duration(d.median)}，90% 在 {format_duration(d.p90)} 内（{d.count} 件）"


def render_figures(config: Config, fig: Figures, *, top_categories: int = 6) -> str:
    """The /stats message: totals, times, satisfaction, then by category and by grid."""
    t, s = fig.totals, fig.satisfaction
    lines = [
        f"📊 {scope_label(config, fig.scope)} · {period_label(fig.period)}",
        f"受理 {t.new} 件：在办 {t.open} · 办结 {t.resolved} · 退回 {t.rejected} · 超期 {t.overdue}",
        f"紧急 {t.urgent} · 重新办理 {t.reopened} · 点赞 {fig.likes}",
        _durations("接单用时", fig.accept),
        _durations("办结用时", fig.resolve),
        f"满意率 {format_rate(s.rate)}（满意 {s.satisfied}、基本满意 {s.basic}、"
        f"不满意 {s.unsatisfied}；未评价 {s.unrated}）",
        f"当前积压 {fig.backlog} 件（各期在办合计）",
    ]
    cats = sorted(
        ((c, n) for c, n in fig.by_category.items() if n.new), key=lambda item: -item[1].new
    )
    if cats:
        shown = "、".join(
            f"{category_name(c)} {n.new}" + (f"（超期 {n.overdue}）" if n.overdue else "")
            for c, n in cats[:top_categories]
        )
        more = f" 等 {len(cats)} 类" if len(cats) > top_categories else ""
        lines.append(f"按类别：{shown}{more}")
    if fig.scope.kind != "grid" and fig.by_grid:
        lines.append("按网格：")
        for grid_id, n in fig.by_grid.items():
            rate = fig.satisfaction_by_grid.get(grid_id)
            lines.append(
                f"· {grid_name(config, grid_id)} 受理 {n.new} 在办 {n.open} 办结 {n.resolved} "
                f"超期 {n.overdue} 满意率 {format_rate(rate.rate if rate else None)}"
            )
    return "\n".join(lines)


def factor_list(drivers: Sequence[str]) -> str:
    return "、".join(FACTOR_NAMES.get(d, d) for d in drivers) or "无明显风险因素"


def risk_reasons(risk: GridRisk) -> str:
    """What drove one grid's colour, with its counts; never a "high" for a green grid."""
    if not risk.drivers:
        return NO_DRIVERS["green" if risk.colour.value == "green" else "other"]
    figures = asdict(risk.inputs)
    return "、".join(
        f"{FACTOR_NAMES.get(d, d)}（{FACTOR_FIGURES[d].format(**figures)}）"
        if d in FACTOR_FIGURES
        else FACTOR_NAMES.get(d, d)
        for d in risk.drivers
    )


def render_risk(config: Config, risks: Sequence[GridRisk], *, window_days: int) -> str:
    """The /risk message: every grid's colour, score and the two factors that drove it."""
    if not risks:
        return RISK_EMPTY
    lines = [f"🚦 网格风险指数 · 近{window_days}天（红橙黄蓝绿，红为最高）"]
    for risk in risks:
        colour = risk.colour.value
        lines.append(
            f"{COLOUR_MARKS[colour]} {grid_name(config, risk.grid_id)} "
            f"{COLOUR_NAMES[colour]} {risk.score:.0f}分：{risk_reasons(risk)}"
        )
    return "\n".join(lines)


def render_risk_alert(config: Config, alert: Mapping[str, Any]) -> str:
    """The private alert to a community and street when a grid turns red or orange, from the
    figures of the core's risk_alert notice."""
    colour, grid_id = str(alert["colour"]), str(alert["grid_id"])
    community = config.community_of(grid_id).name
    return (
        f"{COLOUR_MARKS[colour]} 风险预警：{community}{grid_name(config, grid_id)} "
        f"升为{COLOUR_NAMES[colour]}色（{float(alert['score']):.0f}分），"
        f"主要因素：{factor_list(alert['drivers'])}。"
        f"近{config.risk.window_days}天受理 {alert['reports']} 件，"
        f"其中纠纷治安 {alert['conflicts']} 件、紧急 {alert['urgent']} 件、"
        f"超期 {alert['overdue']} 件。请关注并研判。"
    )


def render_hot_topics(config: Config, hot: HotTopics, *, limit: int = 8) -> str:
    """高频问题: recurring words and places with the change against the previous period."""
    lines = [f"🔥 高频问题 · {scope_label(config, hot.scope)} · {period_label(hot.period)}"]
    if hot.words:
        lines.append(
            "词语："
            + "、".join(f"{t.term} {t.count}（{_change(t.change)}）" for t in hot.words[:limit])
        )
    if hot.places:
        lines.append(
            "地点："
            + "、".join(f"{t.term} {t.count}（{_change(t.change)}）" for t in hot.places[:limit])
        )
    if not hot.words and not hot.places:
        lines.append(CHART_NO_DATA)
    return "\n".join(lines)


def _change(change: int) -> str:
    if change > 0:
        return f"↑{change}"
    if change < 0:
        return f"↓{-change}"
    return "持平"


def render_ranking(config: Config, ranking: Ranking, *, limit: int = 10) -> str:
    """The monthly assessment ranking of one street: grids, then handlers."""
    lines = [f"🏅 {scope_label(config, ranking.scope)} 月度考核 · {period_label(ranking.period)}"]
    lines.append("网格：")
    lines += [_assessment_line(i, config, a) for i, a in enumerate(ranking.grids[:limit], 1)]
    lines.append("承办人：")
    lines += [_assessment_line(i, config, a) for i, a in enumerate(ranking.handlers[:limit], 1)]
    if ranking.unranked:
        lines.append(f"案件不足 {ranking.min_cases} 件未排名：{len(ranking.unranked)} 个")
    return "\n".join(lines)


def _assessment_line(rank: int, config: Config, a: Assessment) -> str:
    name = grid_name(config, a.key) if a.kind == "grid" else config.user_name(int(a.key))
    return (
        f"{rank}. {name} {a.score:.1f}分（按时接单 {format_rate(a.accept_rate)}、"
        f"按时办结 {format_rate(a.resolve_rate)}、满意率 {format_rate(a.satisfaction)}、"
        f"重新办理 {format_rate(a.reopen_rate)}，{a.cases} 件）"
    )
