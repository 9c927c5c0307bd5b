"""Who sees which figures (role scoping), and how periods and scopes are read."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.config import Config
from bot.reports.stats import (
    Figures,
    PeriodError,
    Refused,
    Scope,
    ScopeError,
    figures,
    figures_for_user,
    may_see,
    parse_period,
    parse_period_token,
    parse_scope,
    scopes_for,
)
from storage.db import Database
from tests.history import HISTORY_NOW, History

NOW = HISTORY_NOW  # Wednesday 2026-11-25 10:00 in Shanghai
LEADER_CHENGHE_1 = 100001
WORKER_CHENGHE_1 = 100002
LEADER_CHENGHE_2 = 100003
COMMUNITY_CHENGHE = 100101
STREET_ZHAOBAOSHAN = 100201
STREET_DEPARTMENT = 100301
DISTRICT_STAFF = 100501
ADMIN = 100503
RESIDENT = 900001


# --- role scoping ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_id", "scope"),
    [
        (LEADER_CHENGHE_1, Scope("grid", "chenghe-1")),
        (WORKER_CHENGHE_1, Scope("grid", "chenghe-1")),
        (COMMUNITY_CHENGHE, Scope("community", "chenghe")),
        (STREET_ZHAOBAOSHAN, Scope("street", "zhaobaoshan")),
        (STREET_DEPARTMENT, Scope("street", "zhaobaoshan")),
        (DISTRICT_STAFF, Scope("district", "zhenhai")),
        (ADMIN, Scope("district", "zhenhai")),
    ],
)
def test_each_seat_sees_its_own_level(config: Config, user_id: int, scope: Scope) -> None:
    assert scopes_for(config, user_id)[0] == scope


def test_residents_have_no_scope(config: Config) -> None:
    assert scopes_for(config, RESIDENT) == []


async def test_a_grid_leader_never_sees_another_grid(
    hdb: Database, config: Config, history: tuple[Path, History]
) -> None:
    fig = await figures_for_user(hdb.reader, config, LEADER_CHENGHE_1, NOW, period_text="month")
    assert isinstance(fig, Figures)
    assert fig.scope == Scope("grid", "chenghe-1")
    assert set(fig.by_grid) == {"chenghe-1"}
    assert set(fig.satisfaction_by_grid) == {"chenghe-1"}
    own = [
        c
        for c in history[1].case_dicts()
        if c["grid_id"] == "chenghe-1" and fig.period.start <= c["created_at"] < fig.period.end
    ]
    assert fig.totals.new == len(own)
    for other in ("chenghe-2", "g:chenghe-2", "community:chenghe", "zhaobaoshan", "zhenhai"):
        refused = await figures_for_user(
            hdb.reader, config, LEADER_CHENGHE_1, NOW, scope_text=other
        )
        assert refused == Refused("scope", other)


async def test_community_staff_see_their_grids_but_no_others(hdb: Database, config: Config) -> None:
    fig = await figures_for_user(hdb.reader, config, COMMUNITY_CHENGHE, NOW)
    assert isinstance(fig, Figures)
    assert set(fig.by_grid) == {"chenghe-1", "chenghe-2", "chenghe-3"}
    narrower = await figures_for_user(
        hdb.reader, config, COMMUNITY_CHENGHE, NOW, scope_text="chenghe-2"
    )
    assert isinstance(narrower, Figures) and narrower.scope == Scope("grid", "chenghe-2")
    sibling = await figures_for_user(
        hdb.reader, config, COMMUNITY_CHENGHE, NOW, scope_text="bailong-1"
    )
    assert isinstance(sibling, Refused)


async def test_street_staff_see_the_street_and_the_district_sees_all(
    hdb: Database, config: Config
) -> None:
    street = await figures_for_user(hdb.reader, config, STREET_ZHAOBAOSHAN, NOW)
    assert isinstance(street, Figures)
    assert set(street.by_grid) == {"chenghe-1", "chenghe-2", "chenghe-3", "bailong-1", "bailong-2"}
    district = await figures_for_user(hdb.reader, config, ADMIN, NOW, scope_text="street:luotuo")
    assert isinstance(district, Figures) and district.scope == Scope("street", "luotuo")
    everything = await figures_for_user(hdb.reader, config, DISTRICT_STAFF, NOW)
    assert isinstance(everything, Figures)
    assert set(everything.by_grid) == {g.id for g in config.grids()}


async def test_residents_are_refused(hdb: Database, config: Config) -> None:
    assert await figures_for_user(hdb.reader, config, RESIDENT, NOW) == Refused("resident")


async def test_an_unreadable_period_is_refused_with_its_reason(
    hdb: Database, config: Config
) -> None:
    refused = await figures_for_user(
        hdb.reader, config, ADMIN, NOW, period_text="2026-11-31..2026-12-01"
    )
    assert refused == Refused("period", "bad_date", "2026-11-31..2026-12-01")


def test_may_see_follows_the_hierarchy(config: Config) -> None:
    assert may_see(config, COMMUNITY_CHENGHE, Scope("grid", "chenghe-3"))
    assert not may_see(config, COMMUNITY_CHENGHE, Scope("street", "zhaobaoshan"))
    assert may_see(config, STREET_ZHAOBAOSHAN, Scope("community", "bailong"))
    assert not may_see(config, STREET_ZHAOBAOSHAN, Scope("grid", "luotuo-1"))
    assert not may_see(config, LEADER_CHENGHE_2, Scope("grid", "chenghe-1"))
    assert may_see(config, ADMIN, Scope("grid", "qinyong-3"))
    assert not may_see(config, RESIDENT, Scope("grid", "chenghe-1"))


async def test_a_scope_s_figures_hold_only_its_cases(hdb: Database, config: Config) -> None:
    period = parse_period("month", config, NOW)
    grid = await figures(hdb.reader, config, Scope("grid", "chenghe-1"), period, NOW)
    other = await figures(hdb.reader, config, Scope("grid", "chenghe-2"), period, NOW)
    assert grid.totals.new != other.totals.new
    assert set(grid.likes_by_grid) == {"chenghe-1"} and set(grid.backlog_by_grid) == {"chenghe-1"}


# --- periods -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "first", "last", "kind"),
    [
        ("today", date(2026, 11, 25), date(2026, 11, 25), "today"),
        ("今天", date(2026, 11, 25), date(2026, 11, 25), "today"),
        ("week", date(2026, 11, 23), date(2026, 11, 29), "week"),
        ("本周", date(2026, 11, 23), date(2026, 11, 29), "week"),
        (None, date(2026, 11, 23), date(2026, 11, 29), "week"),
        ("month", date(2026, 11, 1), date(2026, 11, 30), "month"),
        ("2026-09-01..2026-11-30", date(2026, 9, 1), date(2026, 11, 30), "range"),
        ("2026-09-01~2026-09-07", date(2026, 9, 1), date(2026, 9, 7), "range"),
        ("2026-10-01", date(2026, 10, 1), date(2026, 10, 1), "range"),
        ("20261001..20261003", date(2026, 10, 1), date(2026, 10, 3), "range"),
    ],
)
def test_periods_are_local_days(
    config: Config, text: str | None, first: date, last: date, kind: str
) -> None:
    from tests.conftest import local_ts

    period = parse_period(text, config, NOW)
    assert (period.first_day, period.last_day, period.kind) == (first, last, kind)
    assert period.start == local_ts(f"{first} 00:00")
    assert period.end == local_ts(f"{last} 00:00") + 86400


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("yesterday-ish", "unreadable"),
        ("2026-02-30", "bad_date"),
        ("2026-11-30..2026-11-01", "reversed"),
        ("2024-01-01..2026-01-01", "too_long"),
    ],
)
def test_bad_periods_say_why(config: Config, text: str, code: str) -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period(text, config, NOW)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("text", "previous"),
    [
        ("today", (date(2026, 11, 24), date(2026, 11, 24))),
        ("week", (date(2026, 11, 16), date(2026, 11, 22))),
        ("month", (date(2026, 10, 1), date(2026, 10, 31))),
        ("2026-11-10..2026-11-19", (date(2026, 10, 31), date(2026, 11, 9))),
    ],
)
def test_the_previous_period(config: Config, text: str, previous: tuple[date, date]) -> None:
    before = parse_period(text, config, NOW).previous(config)
    assert (before.first_day, before.last_day) == previous


@pytest.mark.parametrize("text", ["today", "week", "month", "2026-09-01..2026-11-30"])
def test_period_tokens_round_trip(config: Config, text: str) -> None:
    period = parse_period(text, config, NOW)
    assert parse_period_token(period.token(), config, NOW) == period


# --- scopes ------------------------------------------------------------------------------------


def test_scope_ids_that_collide_must_name_their_kind(config: Config) -> None:
    # 骆驼 is both a street and a community in the example
    with pytest.raises(ScopeError) as caught:
        parse_scope("luotuo", config)
    assert set(caught.value.candidates) == {"c:luotuo", "s:luotuo"}
    assert parse_scope("street:luotuo", config) == Scope("street", "luotuo")
    assert parse_scope("c:luotuo", config) == Scope("community", "luotuo")
    assert parse_scope("chenghe-1", config) == Scope("grid", "chenghe-1")
    assert parse_scope("zhenhai", config) == Scope("district", "zhenhai")
    with pytest.raises(ScopeError):
        parse_scope("nowhere", config)
    with pytest.raises(ScopeError):
        parse_scope("grid:chenghe", config)
