"""Working time: weekends, holidays, make-up working days (调休), midnight, timezones, urgency."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import Calendar, Config
from bot.timing.deadlines import working_time_before
from bot.timing.worktime import is_working_day, working_deadline
from tests.conftest import local_ts


def _calendar(config: Config, **changes: object) -> Calendar:
    return config.calendar.model_copy(update=changes)


def test_weekdays_work_and_weekends_rest(config: Config) -> None:
    assert is_working_day(config.calendar, date(2026, 11, 27))  # Friday
    assert not is_working_day(config.calendar, date(2026, 11, 28))  # Saturday


def test_a_holiday_on_a_weekday_rests_and_a_make_up_weekend_day_works(config: Config) -> None:
    assert not is_working_day(config.calendar, date(2026, 10, 1))  # Thursday, National Day
    assert is_working_day(config.calendar, date(2026, 10, 10))  # Saturday, 调休
    assert is_working_day(config.calendar, date(2026, 9, 20))  # Sunday, 调休


def test_hours_left_on_friday_carry_over_the_weekend(config: Config) -> None:
    due = working_deadline(config.calendar, local_ts("2026-11-27 17:00"), 2)
    assert due == local_ts("2026-11-30 10:00")


def test_a_holiday_is_skipped_like_a_weekend(config: Config) -> None:
    due = working_deadline(config.calendar, local_ts("2026-09-30 17:00"), 2)
    assert due == local_ts("2026-10-08 10:00")  # National Day: 1-7 October off


def test_a_make_up_saturday_is_counted(config: Config) -> None:
    due = working_deadline(config.calendar, local_ts("2026-10-09 17:00"), 2)
    assert due == local_ts("2026-10-10 10:00")


def test_a_start_after_hours_counts_from_the_next_opening_across_midnight(
    config: Config,
) -> None:
    assert working_deadline(config.calendar, local_ts("2026-11-25 23:00"), 1) == local_ts(
        "2026-11-26 09:30"
    )
    assert working_deadline(config.calendar, local_ts("2026-11-26 06:00"), 1) == local_ts(
        "2026-11-26 09:30"
    )


def test_a_deadline_that_ends_at_closing_time_stays_that_day(config: Config) -> None:
    assert working_deadline(config.calendar, local_ts("2026-11-25 15:30"), 2) == local_ts(
        "2026-11-25 17:30"
    )


def test_several_days_of_working_hours(config: Config) -> None:
    # 7.5 h on Wednesday, 9 on Thursday, the last 7.5 on Friday.
    due = working_deadline(config.calendar, local_ts("2026-11-25 10:00"), 24)
    assert due == local_ts("2026-11-27 16:00")


def test_urgent_cases_count_real_time_over_night_and_weekend(config: Config) -> None:
    start = local_ts("2026-11-28 23:00")  # Saturday night
    assert working_deadline(config.calendar, start, 2, urgent=True) == start + 7200


def test_working_time_follows_the_configured_timezone(config: Config) -> None:
    tokyo = _calendar(config, timezone="Asia/Tokyo")
    start = int(datetime(2026, 11, 25, 17, 0, tzinfo=ZoneInfo("Asia/Tokyo")).timestamp())
    due = working_deadline(tokyo, start, 1)
    assert due == int(datetime(2026, 11, 26, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo")).timestamp())
    # The same instant is 16:00 in Shanghai: there the hour fits on the day.
    assert working_deadline(config.calendar, start, 1) == local_ts("2026-11-25 17:00")


def test_a_daylight_saving_change_keeps_office_hours_on_the_wall_clock(config: Config) -> None:
    berlin_zone = ZoneInfo("Europe/Berlin")
    berlin = _calendar(config, timezone="Europe/Berlin", holidays=[], workdays=[])
    friday = int(datetime(2026, 3, 27, 17, 0, tzinfo=berlin_zone).timestamp())
    due = working_deadline(berlin, friday, 2)  # clocks go forward on Sunday 29 March
    assert due == int(datetime(2026, 3, 30, 10, 0, tzinfo=berlin_zone).timestamp())


def test_working_time_before_walks_back_over_the_weekend(config: Config) -> None:
    assert working_time_before(config.calendar, local_ts("2026-11-30 10:00"), 2) == local_ts(
        "2026-11-27 17:00"
    )


def test_working_time_before_skips_holidays(config: Config) -> None:
    assert working_time_before(config.calendar, local_ts("2026-10-08 09:00"), 1) == local_ts(
        "2026-09-30 17:00"
    )


@settings(max_examples=150, deadline=None)
@given(
    start=st.integers(local_ts("2026-01-01 00:00"), local_ts("2026-12-31 00:00")),
    minutes=st.integers(1, 60 * 60),
)
def test_working_time_before_undoes_working_deadline(
    config: Config, start: int, minutes: int
) -> None:
    calendar = config.calendar
    due = working_deadline(calendar, start, minutes / 60)
    # A start outside office hours counts from the next opening: that is where it walks back to.
    assert working_time_before(calendar, due, minutes / 60) == working_deadline(calendar, start, 0)
