"""Working time: deadlines that count only office hours on working days (调休 included).

All working-time arithmetic lives here: forwards (`working_deadline`) and backwards
(`working_time_before`, for a reminder some working hours ahead of a deadline).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
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
        hours_of_day = _office_hours(calendar, day, zone)
        if hours_of_day is not None:
            opens, closes = hours_of_day
            begin = max(moment, opens)
            if begin < closes:
                available = (closes - begin).total_seconds()
                if remaining <= available:
                    return int((begin + timedelta(seconds=remaining)).timestamp())
                remaining -= available
        moment = datetime.combine(day + timedelta(days=1), datetime.min.time(), zone)
    raise ValueError("the calendar has no working time within three years")


def working_time_before(calendar: Calendar, end: int, hours: float) -> int:
    """The UTC second that lies `hours` of working time before `end` (working_deadline reversed)."""
    zone = ZoneInfo(calendar.timezone)
    remaining = round(hours * 3600)  # whole seconds: a float crumb must not cost a working day
    moment = datetime.fromtimestamp(end, zone)
    for _ in range(_MAX_DAYS):
        day = moment.date()
        hours_of_day = _office_hours(calendar, day, zone)
        if hours_of_day is not None:
            opens, closes = hours_of_day
            finish = min(moment, closes)
            if finish > opens:
                available = (finish - opens).total_seconds()
                if remaining <= available:
                    return int((finish - timedelta(seconds=remaining)).timestamp())
                remaining -= available
        moment = datetime.combine(day - timedelta(days=1), time.max, zone)
    raise ValueError("the calendar has no working time within three years")


def _office_hours(
    calendar: Calendar, day: date, zone: ZoneInfo
) -> tuple[datetime, datetime] | None:
    """When the office opens and closes on a working day; None on a day off."""
    if not is_working_day(calendar, day):
        return None
    return datetime.combine(day, calendar.work_start, zone), datetime.combine(
        day, calendar.work_end, zone
    )
