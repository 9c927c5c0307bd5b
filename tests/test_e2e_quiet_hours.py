"""End to end at 23:00: the bot never says a notice went out that the quiet hours hold (it says
when it will), and the demo, which runs with quiet hours off, shows a report's whole way at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.cli.demo_people import demo_config
from bot.config import Config
from bot.timing.clock import ManualClock
from storage.records import CaseRecord
from tests.conftest import local_ts
from tests.e2e import GROUP, LEADER, WANG, Live, buttons, running_bot

NIGHT = "2026-11-25 23:00"  # a Wednesday evening, inside the example's 22:00–07:30
REPORT = "/report 城河小区3号楼门口的垃圾桶盖子掉了 麻烦网格员看一下"


@asynccontextmanager
async def _at_night(tmp_path: Path, config: Config) -> AsyncIterator[Live]:
    async with running_bot(
        tmp_path / "night.sqlite3", config, ManualClock(local_ts(NIGHT))
    ) as live:
        yield live


async def _resolve_from(live: Live, handler_message: dict) -> None:
    await live.press(LEADER, handler_message, LEADER, "办结")
    await live.settle()
    await live.say(LEADER, LEADER, "盖子已经装回去了")
    await live.settle()
    await live.press(LEADER, await live.last_bot_message(LEADER), LEADER, "跳过")
    await live.settle()


async def _report(live: Live) -> CaseRecord:
    await live.say(GROUP, WANG, REPORT)
    await live.settle()
    return await live.case()


def _rating_requests(messages: list[dict]) -> list[dict]:
    return [m for m in messages if "打分" in m["text"] and buttons(m)]


async def test_the_demo_at_night_brings_the_leader_the_case_and_the_reporter_the_rating(
    tmp_path: Path, config: Config
) -> None:
    async with _at_night(tmp_path, demo_config(config)) as live:
        case = await _report(live)
        notice = await live.last_bot_message(LEADER)
        assert case.number in notice["text"] and "接单" in [b["text"] for b in buttons(notice)]
        await _resolve_from(live, notice)
        assert "已请报事人评价" in (await live.last_bot_message(LEADER))["text"]
        assert _rating_requests(await live.bot_messages(WANG))


async def test_at_night_the_resolution_says_when_the_rating_request_goes_out(
    tmp_path: Path, config: Config
) -> None:
    async with _at_night(tmp_path, config) as live:
        case = await _report(live)
        assert not [m for m in await live.bot_messages(LEADER) if case.number in m["text"]]
        # The leader is awake anyway and opens the case by its number.
        await live.say(LEADER, LEADER, f"/case {case.number}")
        await live.settle()
        await _resolve_from(live, await live.last_bot_message(LEADER))
        said = (await live.last_bot_message(LEADER))["text"]
        assert "已请报事人评价" not in said
        assert "评价邀请将于 明天 07:30" in said
        assert not _rating_requests(await live.bot_messages(WANG))
        live.clock.set(local_ts("2026-11-26 07:30"))
        await live.settle()
        assert _rating_requests(await live.bot_messages(WANG))
