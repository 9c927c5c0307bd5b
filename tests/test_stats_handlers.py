"""The thin Telegram adapter for statistics: callback data, registration, and each command."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest.mock import AsyncMock

import pytest
from telegram import InlineKeyboardMarkup
from telegram.constants import ChatType
from telegram.ext import ApplicationBuilder, ApplicationHandlerStop

from bot import stats_text
from bot.clock import ManualClock
from bot.config import Config
from bot.stats import Scope, parse_period
from handlers import stats as stats_handlers
from handlers.stats import STATS_GROUP, StatsHandlers, decode_button, encode_button, register
from storage.db import Database
from tests.history import HISTORY_NOW, History, shared_history

LEADER = 100001
ADMIN = 100503
RESIDENT = 900001


@pytest.fixture(scope="module")
def history(config: Config) -> tuple[Path, History]:
    return shared_history(config)


@dataclass
class FakeServices:
    db: Database
    config: Config
    clock: ManualClock


@pytest.fixture
async def services(history: tuple[Path, History], config: Config) -> AsyncIterator[FakeServices]:
    db = await Database.open(history[0])
    yield FakeServices(db, config, ManualClock(HISTORY_NOW))
    await db.close()


def _update(user_id: int, chat_type: str = ChatType.PRIVATE, data: str | None = None) -> Any:
    message = SimpleNamespace(reply_text=AsyncMock(), message_id=1)
    query = None
    if data is not None:
        query = SimpleNamespace(
            data=data,
            answer=AsyncMock(),
            from_user=SimpleNamespace(id=user_id),
            message=None,
        )
    return SimpleNamespace(
        effective_user=SimpleNamespace(id=user_id),
        effective_chat=SimpleNamespace(
            id=user_id if chat_type == ChatType.PRIVATE else -100, type=chat_type
        ),
        effective_message=message,
        callback_query=query,
    )


def _context(*args: str) -> Any:
    bot = SimpleNamespace(
        send_message=AsyncMock(), send_photo=AsyncMock(), send_document=AsyncMock()
    )
    return SimpleNamespace(args=list(args), bot=bot, application=SimpleNamespace(bot_data={}))


# --- callback data ---------------------------------------------------------------------------


def test_callback_data_stays_under_64_bytes_for_the_longest_ids(config: Config) -> None:
    longest = Scope("community", "x" * 32)
    data = encode_button("c", "20260101-20261231", longest)
    assert len(data.encode()) <= 64
    assert decode_button(data) == ("c", "20260101-20261231", f"c:{'x' * 32}")
    for grid in config.grids():
        for token in ("t", "w", "m", "20260901-20261130"):
            assert len(encode_button("s", token, Scope("grid", grid.id)).encode()) <= 64


@pytest.mark.parametrize(
    "data", [None, "", "v1:s:1:good", "v2:st:c:w:g:chenghe-1", "v1:st:z:w:g:x", "v1:st:c"]
)
def test_stale_or_foreign_data_decodes_to_none(data: str | None) -> None:
    assert decode_button(data) is None


def test_register_puts_the_handlers_ahead_of_the_catch_alls(services: FakeServices) -> None:
    application = ApplicationBuilder().token("123:TEST").build()
    register(application, services)
    commands = set()
    for handler in application.handlers[STATS_GROUP]:
        commands |= set(getattr(handler, "commands", ()))
    assert commands == {"stats", "risk", "export"}
    assert len(application.handlers[STATS_GROUP]) == 4
    assert [job.name for job in application.job_queue.jobs()] == ["risk-check"]


# --- the commands ------------------------------------------------------------------------------


async def test_residents_get_a_polite_refusal(services: FakeServices) -> None:
    update, context = _update(RESIDENT), _context()
    with pytest.raises(ApplicationHandlerStop):
        await StatsHandlers(services).stats(update, context)
    update.effective_message.reply_text.assert_awaited_once_with(stats_text.REFUSE_RESIDENT)
    context.bot.send_message.assert_not_awaited()


async def test_a_grid_leader_gets_the_grid_s_figures_with_chart_buttons(
    services: FakeServices,
) -> None:
    update, context = _update(LEADER), _context("month")
    with pytest.raises(ApplicationHandlerStop):
        await StatsHandlers(services).stats(update, context)
    (chat, text), kwargs = context.bot.send_message.await_args
    assert chat == LEADER and text.startswith("📊 城河一网格 · 2026年11月")
    markup: InlineKeyboardMarkup = kwargs["reply_markup"]
    data = [b.callback_data for row in markup.inline_keyboard for b in row]
    assert data == [f"v1:st:{k}:m:g:chenghe-1" for k in ("c", "s", "r", "h")]


async def test_the_hot_topics_button_answers_with_text(services: FakeServices) -> None:
    data = encode_button("h", "20261118-20261125", Scope("grid", "chenghe-2"))
    update, context = _update(100003, data=data), _context()  # 城河二网格's leader
    with pytest.raises(ApplicationHandlerStop):
        await StatsHandlers(services).button(update, context)
    (chat, text), _ = context.bot.send_message.await_args
    assert chat == 100003 and text.startswith("🔥 高频问题 · 城河二网格") and "福业街菜场" in text


async def test_the_ranking_button_ranks_each_street_for_the_district(
    services: FakeServices,
) -> None:
    data = encode_button("k", "m", Scope("district", "zhenhai"))
    update, context = _update(ADMIN, data=data), _context()
    with pytest.raises(ApplicationHandlerStop):
        await StatsHandlers(services).button(update, context)
    (_, text), _ = context.bot.send_message.await_args
    assert text.count("月度考核") == 3


async def test_asked_in_a_group_the_answer_goes_privately(services: FakeServices) -> None:
    update, context = _update(ADMIN, ChatType.SUPERGROUP), _context("week", "street:luotuo")
    with pytest.raises(ApplicationHandlerStop):
        await StatsHandlers(services).stats(update, context)
    (chat, text), _ = context.bot.send_message.await_args
    assert chat == ADMIN and "骆驼街道" in text
    update.effective_message.reply_text.assert_not_awaited()


async def test_a_scope_may_come_before_or_after_the_period(services: FakeServices) -> None:
    for args in (("chenghe-2", "today"), ("today", "chenghe-2"), ("chenghe-2",)):
        update, context = _update(100101), _context(*args)  # 城河社区 staff
        with pytest.raises(ApplicationHandlerStop):
            await StatsHandlers(services).stats(update, context)
        (_, text), _ = context.bot.send_message.await_args
        assert text.startswith("📊 城河二网格"), args


async def test_a_bad_period_is_explained(services: FakeServices) -> None:
    update, context = _update(ADMIN), _context("2026-02-30")
    with pytest.raises(ApplicationHandlerStop):
        await StatsHandlers(services).stats(update, context)
    (text,), _ = update.effective_message.reply_text.await_args
    assert text == stats_text.PERIOD_ERRORS["bad_date"].format(text="2026-02-30")


async def test_a_chart_button_sends_a_picture(services: FakeServices) -> None:
    data = encode_button("c", "w", Scope("grid", "chenghe-1"))
    update, context = _update(LEADER, data=data), _context()
    with pytest.raises(ApplicationHandlerStop):
        await StatsHandlers(services).button(update, context)
    update.callback_query.answer.assert_awaited_once()
    (chat, photo), _ = context.bot.send_photo.await_args
    assert chat == LEADER and photo.input_file_content.startswith(b"\x89PNG")


async def test_a_button_for_someone_else_s_grid_is_refused(services: FakeServices) -> None:
    data = encode_button("c", "w", Scope("grid", "chenghe-2"))  # forged: not the leader's grid
    update, context = _update(LEADER, data=data), _context()
    with pytest.raises(ApplicationHandlerStop):
        await StatsHandlers(services).button(update, context)
    (text,), kwargs = update.callback_query.answer.await_args
    assert "城河二网格" in text and kwargs["show_alert"]
    context.bot.send_photo.assert_not_awaited()


async def test_risk_lists_the_grids_of_the_askers_scope(services: FakeServices) -> None:
    update, context = _update(100101), _context()  # 城河社区
    with pytest.raises(ApplicationHandlerStop):
        await StatsHandlers(services).risk(update, context)
    (_, text), _ = context.bot.send_message.await_args
    assert text.count("\n") == 3 and "城河三网格" in text and "白龙" not in text


async def test_export_sends_a_masked_file_to_staff_only(services: FakeServices) -> None:
    update, context = _update(LEADER), _context("csv", "month")
    with pytest.raises(ApplicationHandlerStop):
        await StatsHandlers(services).export(update, context)
    (chat, document), kwargs = context.bot.send_document.await_args
    assert chat == LEADER and document.filename.endswith(".csv")
    assert "脱敏" in kwargs["caption"]
    resident, context = _update(RESIDENT), _context()
    with pytest.raises(ApplicationHandlerStop):
        await StatsHandlers(services).export(resident, context)
    resident.effective_message.reply_text.assert_awaited_once_with(stats_text.EXPORT_STAFF_ONLY)


def test_period_token_of_the_buttons_is_compact(config: Config) -> None:
    period = parse_period("2026-09-01..2026-11-30", config, HISTORY_NOW)
    assert period.token() == "20260901-20261130"
    assert stats_handlers.PREFIX == "v1:st:"


def test_the_core_imports_no_telegram() -> None:
    root = Path(__file__).resolve().parent.parent / "bot"
    mine = ["stats", "stats_text", "risk", "assessment", "hot_topics", "charts", "export",
            "export_command"]  # fmt: skip
    for name in mine:
        source = (root / f"{name}.py").read_text(encoding="utf-8")
        assert "import telegram" not in source and "from telegram" not in source, name
