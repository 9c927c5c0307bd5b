"""Digests: the grid leader's morning digest and the street office's weekly summary.

The keeper stores the figures in a DIGEST notice's payload; `render_digest` turns a payload into
the Chinese message (HTML-safe), so every adapter says the same thing. `render_reminder` does the
same for the keeper's reminders (催办, overdue), whose payload carries the case number.
"""

from __future__ import annotations

import html
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.cases.models import OPEN_STATUSES, CaseStatus, NoticeKind, Score
from nlp.taxonomy import LEVEL_NAMES, category_name
from storage import deadlines as deadline_sql

if TYPE_CHECKING:
    from collections.abc import Callable

    from bot.config import Config
    from storage.db import Connection

DAILY, WEEKLY = "daily", "weekly"
_OPEN = tuple(sorted(OPEN_STATUSES))
_SHOWN = 5  # how many case numbers or slowest cases a digest lists


def week_period(day: date) -> str:
    """The ISO week a day belongs to, like 2026-W47."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


async def daily_payloads(
    conn: Connection, config: Config, *, day: date, since: int
) -> list[tuple[int, str, dict[str, Any]]]:
    """(leader, grid id, payload) of every grid's morning digest."""
    counts = await deadline_sql.grid_counts(
        conn, since=since, open_statuses=_OPEN, awaiting_status=CaseStatus.RESOLVED
    )
    overdue = await deadline_sql.overdue_open_numbers(conn, open_statuses=_OPEN, per_grid=_SHOWN)
    found = []
    for grid in config.grids():
        figures = counts.get(grid.id, deadline_sql.GridCounts())
        payload = {
            "type": DAILY,
            "date": day.isoformat(),
            "grid_id": grid.id,
            "grid_name": grid.name,
            "since": since,
            "new": figures.new,
            "open": figures.open,
            "overdue": figures.overdue,
            "awaiting_rating": figures.awaiting_rating,
            "overdue_cases": overdue.get(grid.id, []),
        }
        found.append((grid.leader, grid.id, payload))
    return found


async def weekly_payloads(
    conn: Connection, config: Config, *, monday: date, now: int
) -> list[tuple[str, dict[str, Any]]]:
    """(street id, payload) of every street's summary of the week starting on `monday`."""
    zone = config.calendar.zone
    start = int(datetime.combine(monday, datetime.min.time(), zone).timestamp())
    end = int(datetime.combine(monday + timedelta(days=7), datetime.min.time(), zone).timestamp())
    found = []
    for street in config.streets:
        week = await deadline_sql.street_week(
            conn, street.id, start=start, end=end, now=now, open_statuses=_OPEN, slowest=_SHOWN
        )
        grid_names = {g.id: g.name for c in street.communities for g in c.grids}
        rated = sum(week.scores.values())
        pleased = week.scores.get(Score.SATISFIED, 0) + week.scores.get(Score.BASIC, 0)
        payload = {
            "type": WEEKLY,
            "week": week_period(monday),
            "from": monday.isoformat(),
            "to": (monday + timedelta(days=6)).isoformat(),
            "street_id": street.id,
            "street_name": street.name,
            "total": sum(week.by_category.values()),
            "by_category": [
                {"code": code, "name": category_name(code), "count": n}
                for code, n in week.by_category.items()
            ],
            "by_grid": [
                {"id": gid, "name": grid_names.get(gid, gid), "count": n}
                for gid, n in week.by_grid.items()
            ],
            "overdue": week.overdue,
            "open_overdue": week.open_overdue,
            "ratings": {score.value: week.scores.get(score, 0) for score in Score},
            "rated": rated,
            "unrated": week.unrated,
            # Over the ratings given: a case closed unrated is never counted as satisfied.
            "satisfaction": round(pleased / rated, 4) if rated else None,
            "slowest": [
                {
                    **case,
                    "category_name": category_name(case["category"]),
                    "grid_name": grid_names.get(case["grid_id"], case["grid_id"]),
                }
                for case in week.slowest
            ],
        }
        found.append((street.id, payload))
    return found


# --- words --------------------------------------------------------------------------------------


def _e(value: object) -> str:
    return html.escape(str(value), quote=False)


def _day(text: str) -> str:
    day = date.fromisoformat(text)
    return f"{day.month}月{day.day}日"


def render_digest(payload: dict[str, Any]) -> str:
    """The digest's message in Chinese (HTML), from the figures in its payload."""
    if payload.get("type") == WEEKLY:
        return _render_weekly(payload)
    return _render_daily(payload)


def _render_daily(p: dict[str, Any]) -> str:
    lines = [
        f"📋 <b>网格日报</b> · {_e(p.get('grid_name', ''))} · {_day(p['date'])}",
        f"新增 {p.get('new', 0)} 件 · 在办 {p.get('open', 0)} 件 · "
        f"超期 {p.get('overdue', 0)} 件 · 待评价 {p.get('awaiting_rating', 0)} 件",
    ]
    if p.get("overdue_cases"):
        lines.append("超期案件：" + "、".join(_e(n) for n in p["overdue_cases"]))
    if not (p.get("new") or p.get("open") or p.get("awaiting_rating")):
        lines.append("今日暂无待办，辛苦了！")
    return "\n".join(lines)


def _render_weekly(p: dict[str, Any]) -> str:
    lines = [
        f"📊 <b>{_e(p.get('street_name', ''))} 周报</b>（{_day(p['from'])}—{_day(p['to'])}）",
        f"本周新增 {p.get('total', 0)} 件",
    ]
    if p.get("by_category"):
        lines.append(
            "按类别：" + " · ".join(f"{_e(c['name'])} {c['count']}" for c in p["by_category"])
        )
    if p.get("by_grid"):
        lines.append("按网格：" + " · ".join(f"{_e(g['name'])} {g['count']}" for g in p["by_grid"]))
    lines.append(
        f"超期：本周新增中 {p.get('overdue', 0)} 件，目前在办超期 {p.get('open_overdue', 0)} 件"
    )
    ratings = p.get("ratings", {})
    counts = (
        f"满意 {ratings.get('satisfied', 0)} · 基本满意 {ratings.get('basic', 0)} · "
        f"不满意 {ratings.get('unsatisfied', 0)}"
    )
    if p.get("satisfaction") is None:
        lines.append(f"满意度：本周无评价（未评价结案 {p.get('unrated', 0)} 件）")
    else:
        lines.append(
            f"满意度：{p['satisfaction'] * 100:.1f}%（{counts}；"
            f"未评价结案 {p.get('unrated', 0)} 件，不计为满意）"
        )
    if p.get("slowest"):
        lines.append("办理最慢：")
        for i, case in enumerate(p["slowest"], start=1):
            state = "，仍在办" if case.get("open") else ""
            lines.append(
                f"{i}. {_e(case['number'])} {_e(case.get('category_name', ''))} · "
                f"{_e(case.get('grid_name', ''))} · {case['hours']} 小时{state}"
            )
    return "\n".join(lines)


def render_reminder(payload: dict[str, Any]) -> str:
    """A reminder's message in Chinese (HTML): 催办 before a deadline, or past it (overdue)."""
    number = _e(payload.get("number", ""))
    category = _e(category_name(str(payload.get("category", ""))))
    what = "受理" if payload.get("deadline") == "accept" else "办结"
    due = _e(payload.get("due_text", ""))
    if payload.get("overdue"):
        level = LEVEL_NAMES.get(int(payload.get("level", 4)), "")
        times = payload.get("seq", 0)
        again = f"（第 {times + 1} 次提醒）" if times else ""
        return (
            f"⏰ <b>超期督办</b>{again}：案件 <b>{number}</b>（{category}，{level}）"
            f"已超过{what}时限（{due}），请尽快处理。"
        )
    return f"⏰ <b>催办</b>：案件 <b>{number}</b>（{category}）须在 {due} 前{what}，请尽快处理。"


RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {
    NoticeKind.DIGEST: render_digest,
    NoticeKind.REMINDER: render_reminder,
}
"""What an adapter's sender may call for the notice kinds whose words the core writes."""
