"""Working time: deadlines that count only office hours on working days (调休 included)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from bot.config import Calendar

_MAX_DAYS = 3 * 366  # a deadline further than this means a calendar with no working days


def is_working_day(calendar: Calendar, day: date) -> bool:
    """A make-up working day (调休) works; a holiday does not; otherwise the weekday decides."""
    if day in calendar.workdays:
        return True
    if day in calendar.holidays:
        return False
    return day.isoweekday() in calendar.working_days


def working_deadline(calendar: Calendar, start: int, hours: float, *, urgent: bool = False) -> int:
    """The UTC second when `hours` of working time have passed since `start`.

    Urgent cases count real time: danger does not wait for Monday.
    """
    if urgent:
        return start + round(hours * 3600)
    zone = ZoneInfo(calendar.timezone)
    remaining = hours * 3600
    moment = datetime.fromtimestamp(start, zone)
    for _ in range(_MAX_DAYS):
        day = moment.date()
        if is_working_day(calendar, day):
            opens = datetime.combine(day, calendar.work_start, zone)
            closes = datetime.combine(day, calendar.work_end, zone)
            begin = max(moment, opens)
            if begin < closes:
                available = (closes - begin).total_seconds()
                if remaining <= available:
                    return int((begin + timedelta(seconds=remaining)).timestamp())
                remaining -= available
        moment = datetime.combine(day + timedelta(days=1), datetime.min.time(), zone)
    raise ValueError("the calendar has no working time within three years")
