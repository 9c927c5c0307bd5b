"""Invisible characters (zero-width, bidirectional controls) never reach parsing or a card, and
a handled 429 is one WARNING line."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.config import Config
from bot.timing.clock import ManualClock
from nlp.normalize import strip_invisible
from tests.conftest import local_ts
from tests.e2e import GROUP, LI, WANG, Live, running_bot

RLO = "\u202e"


def test_zero_width_and_bidirectional_controls_are_removed() -> None:
    hidden = "".join(
        chr(c)
        for c in (0x200B, 0x200C, 0x200D, 0x200E, 0x200F, *range(0x202A, 0x202F), 0xFEFF, 0xAD)
    )
    hidden += "".join(chr(c) for c in range(0x2066, 0x206A))
    assert strip_invisible(f"城河{hidden}小区3号楼") == "城河小区3号楼"


def test_a_joiner_inside_an_emoji_stays() -> None:
    family = "👨\u200d👩\u200d👧"
    assert strip_invisible(f"{family}好") == f"{family}好"


async def test_a_zero_width_char_in_a_place_does_not_join_an_unrelated_case(live: Live) -> None:
    await live.say(GROUP, WANG, "城河小区3号楼门口的垃圾桶盖子掉了 麻烦看一下")
    await live.settle()
    # 1​3号楼 with a zero-width space is building 13, not building 3
    await live.say(GROUP, LI, "城河小区1\u200b3号楼门口的垃圾桶盖子掉了 麻烦看一下")
    await live.settle()
    assert await live.case_count() == 2
    newest = await live.case()
    assert newest.location is not None and "13号楼" in newest.location
    assert all("同问" not in m["text"] for m in await live.bot_messages(GROUP))


async def test_a_right_to_left_override_never_reaches_the_card(live: Live) -> None:
    await live.say(GROUP, WANG, f"福业街菜场门口路面塌了个大坑{RLO}晚上骑车很危险")
    await live.settle()
    card = (await live.last_bot_message(GROUP))["text"]
    assert "福业街菜场门口" in card
    assert RLO not in card
    case = await live.case()
    assert RLO not in case.text  # stored clean: the adapter cleaned it before the core saw it
    assignee = await live.last_bot_message(case.assignee_id)
    assert RLO not in assignee["text"]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_a_handled_429_logs_one_warning_without_a_traceback(
    tmp_path: Path, config: Config, caplog: pytest.LogCaptureFixture
) -> None:
    clock = ManualClock(local_ts("2026-11-25 10:00"))
    async with running_bot(tmp_path / "db.sqlite3", config, clock, rate_limit=True) as live:
        live.server.configure_faults(
            {"share_429": 1.0, "retry_after": 1, "methods": ["sendmessage"], "max_faults": 1}
        )
        caplog.clear()
        with caplog.at_level(logging.INFO):
            await live.say(GROUP, WANG, "福业街菜场门口路面塌了个大坑 晚上骑车很危险")
            await live.settle()
            clock.advance(2)
            await live.settle()
        case = await live.case()
        assert len(await live.bot_messages(GROUP)) == 1
        assert await live.bot_messages(case.assignee_id)  # the 429'd notice went out after it
    # (httpx's own INFO line for each HTTP answer is not the bot's logging)
    rate_limited = [
        r for r in caplog.records if "429" in r.getMessage() and r.levelno >= logging.WARNING
    ]
    assert [r.levelno for r in rate_limited] == [logging.WARNING]
    assert rate_limited[0].exc_info is None
    # The local Bot API server (aiohttp) may log a connection the bot closed while shutting down
    # (ConnectionResetError): that is the stand-in for Telegram talking, not the bot.
    assert not [
        r
        for r in caplog.records
        if r.levelno >= logging.ERROR
        and not (
            r.name == "aiohttp.server"
            and r.exc_info is not None
            and isinstance(r.exc_info[1], ConnectionResetError)
        )
    ]
