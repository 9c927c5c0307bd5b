"""The words the core draws into pictures and writes into files: chart titles and axes, export
sheets and columns, the names of colours, states and scores. Chat wording lives in handlers/.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.reports.stats import Period

COLOUR_NAMES = {"red": "红", "orange": "橙", "yellow": "黄", "blue": "蓝", "green": "绿"}
SCORE_NAMES = {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意"}
STATUS_NAMES = {
    "new": "新建",
    "assigned": "已派单",
    "accepted": "已接单",
    "resolved": "已办结",
    "closed": "已结案",
    "escalated": "已上报",
    "reopened": "重新办理",
    "rejected": "已退回",
}
SCOPE_KIND_NAMES = {"grid": "网格", "community": "社区", "street": "街道", "district": "全区"}


FONT_MISSING = "图表需要中文字体：请安装 fonts-wqy-microhei（apt-get install fonts-wqy-microhei）"

# --- chart labels -------------------------------------------------------------------------

CHART_CASES_TITLE = "{scope} 每日案件（按类别）· {period}"
CHART_SATISFACTION_TITLE = "{scope} 满意度趋势 · {period}"
CHART_RISK_TITLE = "{scope} 网格风险等级 · 近{days}天"
CHART_DAY = "日期"
CHART_CASES = "案件数"
CHART_RATE = "满意率（%）"
CHART_RATED = "评价数"
CHART_SCORE = "风险分"
CHART_OTHERS = "其他类别"
CHART_NO_DATA = "本期暂无数据"

# --- export labels ------------------------------------------------------------------------

CASE_SHEET = "案件"
STATS_SHEET = "统计"
CASE_HEADERS = (
    "编号", "受理时间", "街道", "社区", "网格", "类别代码", "类别", "级别", "紧急", "状态",
    "承办人", "承办部门", "接单时限", "接单时间", "办结时限", "办结时间", "结案时间", "超期",
    "重新办理次数", "评价", "点赞", "地点", "反映内容", "反映人", "最新备注",
)  # fmt: skip
STATS_HEADERS = (
    "范围", "名称", "受理", "在办", "办结", "退回", "超期", "紧急", "重新办理",
    "满意", "基本满意", "不满意", "未评价", "满意率", "点赞",
)  # fmt: skip
ANONYMOUS = "匿名"
YES, NO = "是", "否"


def period_label(period: Period) -> str:
    """今天（11月25日）, 本周（11月23日—11月29日）, 本月（2026年11月）, 2026-09-01—2026-11-30."""
    first, last = period.first_day, period.last_day
    if period.kind == "today":
        return f"今天（{first.month}月{first.day}日）"
    if period.kind == "week":
        return f"本周（{first.month}月{first.day}日—{last.month}月{last.day}日）"
    if period.kind == "month":
        return f"{first.year}年{first.month}月"
    if first == last:
        return first.isoformat()
    return f"{first.isoformat()}—{last.isoformat()}"
