"""Digests: every grid leader's morning digest, every street office's weekly summary, the words."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.cases.models import Action, NoticeKind, Score
from bot.config import Config
from bot.timing.clock import ManualClock
from handlers.digest_text import RENDERERS, render_digest, render_reminder
from storage.records import OutboxRecord
from tests.conftest import local_ts
from tests.deadline_harness import Process
from tests.factories import RESIDENT

LEADER = 100001
ZHAOBAOSHAN_STAFF, LUOTUO_STAFF = (100201, 100202), (100203, 100204)


@pytest.fixture
async def bot(db_target: str, config: Config, clock: ManualClock) -> AsyncIterator[Process]:
    process = await Process(db_target, config, clock).start()
    yield process
    await process.close()


async def _daily(bot: Process) -> dict[str, dict[str, object]]:
    return {
        str(n.payload["grid_id"]): {**n.payload, "to": n.chat_id}
        for n in await bot.notices(NoticeKind.DIGEST)
        if n.payload["type"] == "daily"
    }


async def _weekly(bot: Process, week: str) -> list[OutboxRecord]:
    return [
        n
        for n in await bot.notices(NoticeKind.DIGEST)
        if n.payload["type"] == "weekly" and n.payload["week"] == week
    ]


async def test_every_grid_leader_gets_a_morning_digest_at_eight(
    bot: Process, config: Config
) -> None:
    await bot.tick_at(local_ts("2026-11-25 07:59"))
    assert await _daily(bot) == {}
    report = await bot.tick_at(local_ts("2026-11-25 08:00"))
    digests = await _daily(bot)
    assert report.digests >= len(config.grids())
    assert {grid: d["to"] for grid, d in digests.items()} == {
        g.id: g.leader for g in config.grids()
    }


async def test_the_morning_digest_is_queued_once_a_day(bot: Process, config: Config) -> None:
    await bot.tick_at(local_ts("2026-11-25 08:00"))
    report = await bot.tick_at(local_ts("2026-11-25 09:00"))
    assert report.digests == 0
    await bot.tick_at(local_ts("2026-11-26 08:00"))
    dailies = [n for n in await bot.notices(NoticeKind.DIGEST) if n.payload["type"] == "daily"]
    assert len(dailies) == 2 * len(config.grids())


async def test_the_morning_digest_counts_new_open_overdue_and_awaiting_rating(
    bot: Process,
) -> None:
    await bot.tick_at(local_ts("2026-11-24 08:00"))  # Tuesday's digest
    bot.clock.set(local_ts("2026-11-24 10:00"))
    late = await bot.open_case()
    resolved = await bot.open_case()
    accepted = await bot.open_case()
    await bot.act(resolved.id, Action.RESOLVE, LEADER, note="已修好")
    await bot.act(accepted.id, Action.ACCEPT, LEADER)
    await bot.open_case("chenghe-2")
    await bot.tick_at(local_ts("2026-11-24 12:00"))  # `late` escalates: overdue
    await bot.tick_at(local_ts("2026-11-25 08:00"))
    digest = (await _daily(bot))["chenghe-1"]
    assert digest["date"] == "2026-11-25"
    assert (digest["new"], digest["open"], digest["overdue"], digest["awaiting_rating"]) == (
        3,
        2,
        1,
        1,
    )
    assert digest["overdue_cases"] == [late.number]
    assert (await _daily(bot))["chenghe-2"]["new"] == 1


async def test_new_cases_are_counted_since_the_last_digest_across_the_weekend(
    bot: Process,
) -> None:
    await bot.tick_at(local_ts("2026-11-27 08:00"))  # Friday
    bot.clock.set(local_ts("2026-11-28 15:00"))  # Saturday
    await bot.open_case()
    await bot.tick_at(local_ts("2026-11-30 08:00"))  # Monday
    mondays = [
        n.payload
        for n in await bot.notices(NoticeKind.DIGEST)
        if n.payload.get("grid_id") == "chenghe-1" and n.payload["date"] == "2026-11-30"
    ]
    assert [d["new"] for d in mondays] == [1]


async def test_no_morning_digest_on_a_holiday_but_one_on_a_make_up_saturday(
    bot: Process,
) -> None:
    await bot.tick_at(local_ts("2026-10-03 09:00"))  # National Day holidays: a Saturday
    await bot.tick_at(local_ts("2026-10-05 08:00"))  # and a Monday
    assert await _daily(bot) == {}
    await bot.tick_at(local_ts("2026-10-10 08:00"))  # Saturday, a working day (调休)
    assert {d["date"] for d in (await _daily(bot)).values()} == {"2026-10-10"}


async def test_every_street_office_gets_a_weekly_summary_on_monday_morning(
    bot: Process, config: Config
) -> None:
    bot.clock.set(local_ts("2026-11-17 09:00"))  # Tuesday of the week summarised
    repaired = await bot.open_case()
    cleaned = await bot.open_case(category="sanitation")
    slow = await bot.open_case("chenghe-2")
    await bot.open_case("luotuo-1")
    for case in (repaired, cleaned):
        await bot.act(case.id, Action.ACCEPT, LEADER)
    await bot.tick_at(local_ts("2026-11-17 11:00"))  # `slow` escalates: overdue
    bot.clock.set(local_ts("2026-11-18 10:00"))
    for case in (repaired, cleaned):
        await bot.act(case.id, Action.RESOLVE, LEADER, note="已处理")
    await bot.feedback.rate(repaired.id, RESIDENT, Score.SATISFIED)
    await bot.feedback.rate(cleaned.id, RESIDENT, Score.BASIC)
    await bot.tick_at(local_ts("2026-11-23 07:59"))
    assert await _weekly(bot, "2026-W47") == []
    await bot.tick_at(local_ts("2026-11-23 08:00"))
    weekly = await _weekly(bot, "2026-W47")
    assert sorted(n.chat_id for n in weekly) == sorted(u for s in config.streets for u in s.staff)
    summary = next(n.payload for n in weekly if n.chat_id == ZHAOBAOSHAN_STAFF[0])
    assert (summary["street_id"], summary["from"], summary["to"]) == (
        "zhaobaoshan",
        "2026-11-16",
        "2026-11-22",
    )
    assert summary["total"] == 3
    assert {c["code"]: c["count"] for c in summary["by_category"]} == {
        "facility_repair": 2,
        "sanitation": 1,
    }
    assert {g["id"]: g["count"] for g in summary["by_grid"]} == {"chenghe-1": 2, "chenghe-2": 1}
    assert summary["overdue"] == 1
    assert summary["ratings"] == {"satisfied": 1, "basic": 1, "unsatisfied": 0}
    assert summary["satisfaction"] == 1.0
    assert summary["slowest"][0]["number"] == slow.number and summary["slowest"][0]["open"]
    luotuo = next(n.payload for n in weekly if n.chat_id == LUOTUO_STAFF[0])
    assert luotuo["total"] == 1


async def test_the_weekly_summary_is_queued_once_a_week(bot: Process, config: Config) -> None:
    await bot.tick_at(local_ts("2026-11-23 08:00"))
    report = await bot.tick_at(local_ts("2026-11-24 08:00"))
    weekly = [n for n in await bot.notices(NoticeKind.DIGEST) if n.payload["type"] == "weekly"]
    assert len(weekly) == sum(len(s.staff) for s in config.streets)
    assert report.digests == len(config.grids())  # Tuesday: the morning digests only


async def test_next_due_is_monday_morning_over_a_quiet_weekend(bot: Process) -> None:
    await bot.tick_at(local_ts("2026-11-27 08:00"))  # Friday: this week's digests are out
    bot.clock.set(local_ts("2026-11-28 12:00"))
    assert await bot.keeper.next_due() == local_ts("2026-11-30 08:00")


def test_the_daily_digest_reads_as_chinese_figures() -> None:
    text = render_digest(
        {
            "type": "daily",
            "date": "2026-11-25",
            "grid_name": "城河<一>网格",
            "new": 3,
            "open": 2,
            "overdue": 1,
            "awaiting_rating": 1,
            "overdue_cases": ["2026-000001"],
        }
    )
    assert "网格日报" in text and "11月25日" in text
    assert "城河&lt;一&gt;网格" in text
    assert "新增 3 件 · 在办 2 件 · 超期 1 件 · 待评价 1 件" in text
    assert "超期案件：2026-000001" in text


def test_the_weekly_summary_reads_as_chinese_figures() -> None:
    text = render_digest(
        {
            "type": "weekly",
            "from": "2026-11-16",
            "to": "2026-11-22",
            "street_name": "招宝山街道",
            "total": 3,
            "by_category": [{"code": "sanitation", "name": "环境卫生", "count": 3}],
            "by_grid": [{"id": "chenghe-1", "name": "城河一网格", "count": 3}],
            "overdue": 1,
            "open_overdue": 1,
            "ratings": {"satisfied": 1, "basic": 0, "unsatisfied": 1},
            "rated": 2,
            "unrated": 1,
            "satisfaction": 0.5,
            "slowest": [
                {
                    "number": "2026-000007",
                    "category_name": "环境卫生",
                    "grid_name": "城河一网格",
                    "hours": 52.5,
                    "open": True,
                }
            ],
        }
    )
    assert "招宝山街道 周报" in text and "11月16日—11月22日" in text
    assert "环境卫生 3" in text and "城河一网格 3" in text
    assert "满意度：50.0%" in text and "未评价结案 1 件，不计为满意" in text
    assert "1. 2026-000007 环境卫生 · 城河一网格 · 52.5 小时，仍在办" in text


def test_reminders_read_differently_before_and_after_the_deadline() -> None:
    payload = {
        "deadline": "accept",
        "due_text": "11月25日 12:00",
        "number": "2026-000001",
        "category": "facility_repair",
        "level": 4,
    }
    assert "催办" in render_reminder(payload) and "须在 11月25日 12:00 前受理" in render_reminder(
        payload
    )
    overdue = render_reminder({**payload, "overdue": True, "seq": 2})
    assert "超期督办" in overdue and "第 3 次提醒" in overdue and "区级" in overdue
    assert RENDERERS[NoticeKind.REMINDER] is render_reminder


async def test_the_weekly_summary_comes_with_a_chart_that_draws(
    bot: Process, config: Config
) -> None:
    from handlers.stats_delivery import StatsDrawer

    await bot.open_case()
    await bot.tick_at(local_ts("2026-11-30 08:00"))  # the Monday after: last week's summary
    await bot.tick_at(local_ts("2026-11-30 08:01"))  # a second tick queues nothing twice
    charts = await bot.notices(NoticeKind.CHART)
    assert sorted(n.chat_id for n in charts) == sorted(u for s in config.streets for u in s.staff)
    chart = next(n.payload for n in charts if n.chat_id == ZHAOBAOSHAN_STAFF[0])
    assert (chart["chart"], chart["scope"], chart["period"]) == (
        "c",
        "s:zhaobaoshan",
        "20261123-20261129",
    )
    drawn = await StatsDrawer(bot.db, config).chart(chart)
    assert drawn.data.startswith(b"\x89PNG")
