"""End to end: /stats, /risk, /export and the stats buttons, on a copy of the generated history,
answered through the outbox by the real bot on the local Bot API server."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Config
from bot.reports.stats import Scope
from bot.timing.clock import ManualClock
from handlers import stats_text
from handlers.stats import encode_button
from tests.e2e import GROUP, LEADER, WANG, Live, buttons, running_bot
from tests.history import HISTORY_NOW, shared_history

ADMIN, COMMUNITY, LEADER_2 = 100503, 100101, 100003  # LEADER_2 leads 城河二网格


@pytest.fixture(scope="module")
def history_file(config: Config) -> Path:
    return shared_history(config)[0]  # built outside any event loop, once


@pytest.fixture
async def stats_live(tmp_path: Path, config: Config, history_file: Path) -> AsyncIterator[Live]:
    path = history_file
    copy = tmp_path / "history.sqlite3"
    shutil.copy(path, copy)
    # The history's deadlines are its own story: the keeper would replay three months of them.
    async with running_bot(copy, config, ManualClock(HISTORY_NOW), deadlines=False) as running:
        yield running


async def _ask(live: Live, chat: int, user_id: int, text: str) -> dict[str, Any]:
    await live.say(chat, user_id, text)
    await live.settle()
    return await live.last_bot_message(user_id)


async def _photo_or_file(live: Live, user_id: int, field: str) -> dict[str, Any]:
    found = [m for m in await live.bot_messages(user_id) if m.get(field)]
    assert found, f"no {field} for {user_id}"
    return found[-1]


async def test_residents_get_a_polite_refusal(stats_live: Live) -> None:
    answer = await _ask(stats_live, WANG, WANG, "/stats")
    assert answer["text"] == stats_text.REFUSE_RESIDENT


async def test_a_grid_leader_gets_the_grids_figures_with_chart_buttons(stats_live: Live) -> None:
    answer = await _ask(stats_live, LEADER, LEADER, "/stats month")
    assert answer["text"].startswith("📊 城河一网格 · 2026年11月")
    assert [b["callback_data"] for b in buttons(answer)] == [
        f"v1:st:{k}:m:g:chenghe-1" for k in ("c", "s", "r", "h")
    ]


async def test_asked_in_a_group_the_answer_goes_privately(stats_live: Live) -> None:
    await stats_live.say(GROUP, LEADER, "/stats week")
    await stats_live.settle()
    assert "城河一网格" in (await stats_live.last_bot_message(LEADER))["text"]
    assert await stats_live.bot_messages(GROUP) == []  # figures are for staff, never the group


async def test_a_scope_may_come_before_or_after_the_period(stats_live: Live) -> None:
    for args in ("chenghe-2 today", "today chenghe-2", "chenghe-2"):
        answer = await _ask(stats_live, COMMUNITY, COMMUNITY, f"/stats {args}")
        assert answer["text"].startswith("📊 城河二网格"), args


async def test_a_bad_period_is_explained(stats_live: Live) -> None:
    answer = await _ask(stats_live, ADMIN, ADMIN, "/stats 2026-02-30")
    assert answer["text"] == stats_text.PERIOD_ERRORS["bad_date"].format(text="2026-02-30")


async def test_a_chart_button_sends_a_picture(stats_live: Live) -> None:
    answer = await _ask(stats_live, LEADER, LEADER, "/stats week")
    pressed = await stats_live.press(LEADER, answer, LEADER, stats_text.CHART_BUTTONS["c"])
    assert pressed["answered"]
    await stats_live.settle()
    photo = await _photo_or_file(stats_live, LEADER, "photo")
    stored = stats_live.server.state.files[photo["photo"][-1]["file_id"]]
    assert stored.data[:2] == b"\xff\xd8" or stored.data[:4] == b"\x89PNG"


async def test_the_hot_topics_button_answers_with_text(stats_live: Live) -> None:
    answer = await _ask(stats_live, LEADER_2, LEADER_2, "/stats 2026-11-18..2026-11-25")
    await stats_live.press(LEADER_2, answer, LEADER_2, stats_text.HOT_TOPICS_BUTTON)
    await stats_live.settle()
    text = (await stats_live.last_bot_message(LEADER_2))["text"]
    assert text.startswith("🔥 高频问题 · 城河二网格") and "福业街菜场" in text


async def test_the_ranking_button_ranks_each_street_for_the_district(stats_live: Live) -> None:
    answer = await _ask(stats_live, ADMIN, ADMIN, "/stats month")
    await stats_live.press(ADMIN, answer, ADMIN, stats_text.RANKING_BUTTON)
    await stats_live.settle()
    assert (await stats_live.last_bot_message(ADMIN))["text"].count("月度考核") == 3


async def test_a_forged_button_for_someone_elses_grid_is_refused(stats_live: Live) -> None:
    answer = await _ask(stats_live, LEADER, LEADER, "/stats week")
    forged = encode_button("c", "w", Scope("grid", "chenghe-2"))
    refused = await stats_live.press_as(LEADER, answer, LEADER, forged)
    assert "城河二网格" in refused["text"] and refused["show_alert"]
    await stats_live.settle()
    assert not [m for m in await stats_live.bot_messages(LEADER) if m.get("photo")]


async def test_risk_lists_the_grids_of_the_askers_scope(stats_live: Live) -> None:
    text = (await _ask(stats_live, COMMUNITY, COMMUNITY, "/risk"))["text"]
    assert text.count("\n") == 3 and "城河三网格" in text and "白龙" not in text


async def test_export_sends_a_masked_file_to_staff_only(stats_live: Live) -> None:
    await _ask(stats_live, LEADER, LEADER, "/export csv month")
    document = await _photo_or_file(stats_live, LEADER, "document")
    assert document["document"]["file_name"].endswith(".csv") and "脱敏" in document["caption"]
    content = stats_live.server.state.files[document["document"]["file_id"]].data.decode(
        "utf-8-sig"
    )
    assert "城河一网格" in content and "城河二网格" not in content
    assert "**" in content  # reporters masked
    refused = await _ask(stats_live, WANG, WANG, "/export")
    assert refused["text"] == stats_text.EXPORT_STAFF_ONLY
