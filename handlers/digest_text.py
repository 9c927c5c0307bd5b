"""Digests and reminders in words: the Chinese (HTML) message for a DIGEST or REMINDER payload."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from typing import Any

from bot.cases.models import NoticeKind
from bot.timing.digest import WEEKLY
from nlp.taxonomy import LEVEL_NAMES, category_name


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
"""The sender's renderers for the notice kinds whose payload is figures, not words."""
