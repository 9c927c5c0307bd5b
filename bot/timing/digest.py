"""Digests as data: the grid leader's morning digest and the street office's weekly summary.

The keeper stores the figures in a DIGEST notice's payload; each adapter words them (for
Telegram, `handlers/digest_text.py`), as it does the keeper's reminders (催办, overdue).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.cases.models import OPEN_STATUSES, CaseStatus, Score
from nlp.taxonomy import category_name
from storage import deadlines as deadline_sql
from storage.records import Counts

if TYPE_CHECKING:
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
        figures = counts.get(grid.id, Counts())
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
