"""The thin Telegram adapter for statistics: callback data and registration (the commands are
tested end to end in test_e2e_stats.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from unittest.mock import AsyncMock

import pytest
from telegram.constants import ChatType
from telegram.ext import ApplicationBuilder, CallbackQueryHandler

from bot.config import Config
from bot.reports.stats import Scope, parse_period
from bot.timing.clock import ManualClock
from handlers import stats as stats_handlers
from handlers.app import register_handlers
from handlers.context import CONTEXT_TYPES, BotData
from handlers.stats import decode_button, encode_button
from storage.db import Database
from tests.history import HISTORY_NOW

LEADER = 100001
ADMIN = 100503
RESIDENT = 900001


@dataclass
class FakeServices:
    db: Database
    config: Config
    clock: ManualClock


@pytest.fixture
async def services(history_target: str, config: Config) -> AsyncIterator[FakeServices]:
    db = await Database.open(history_target)
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
    return SimpleNamespace(
        args=list(args), bot=bot, application=SimpleNamespace(bot_data=BotData())
    )


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
    application = ApplicationBuilder().token("123:TEST").context_types(CONTEXT_TYPES).build()
    application.bot_data.services = services
    register_handlers(application)
    assert list(application.handlers) == [0]  # one group: the first match wins
    handlers = application.handlers[0]
    first = handlers[:4]
    commands = set()
    for handler in first:
        commands |= set(getattr(handler, "commands", ()))
    assert commands == {"stats", "risk", "export"}
    assert isinstance(first[3], CallbackQueryHandler)
    assert first[3].pattern.pattern == "^v1:st:"
    # nothing before them could take a /stats or a stats button: the private /report, the
    # prompt answers, the stale-button and private catch-alls all come later
    later = handlers[4:]
    assert any("report" in getattr(h, "commands", ()) for h in later)
    assert any(isinstance(h, CallbackQueryHandler) and h.pattern is None for h in later)
    assert [job.name for job in application.job_queue.jobs()] == ["risk-check"]


def test_period_token_of_the_buttons_is_compact(config: Config) -> None:
    period = parse_period("2026-09-01..2026-11-30", config, HISTORY_NOW)
    assert period.token() == "20260901-20261130"
    assert stats_handlers.PREFIX == "v1:st:"
