"""Faults on purpose: 429 and 5xx answers, dropped connections, latency and Telegram's limits,
and python-telegram-bot's own retries getting through them."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, Update
from telegram.error import NetworkError, RetryAfter
from telegram.ext import AIORateLimiter, ApplicationBuilder, MessageHandler, filters

from simulator import ControlClient, SimulatorServer, seed
from simulator.testing import GROUP_ID, LEADER, RESIDENT, TOKEN, WORLD, make_bot

pytestmark = [
    pytest.mark.timeout(40),
    # retry_after is an int in PTB 22 and warns that it will become a timedelta.
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
]


def seconds(retry_after: object) -> float:
    """python-telegram-bot gives retry_after as int seconds or as a timedelta."""
    total = getattr(retry_after, "total_seconds", None)
    return float(total() if total else retry_after)  # type: ignore[arg-type]  # retry_after is a timedelta or seconds, by PTB version


@pytest.fixture
async def server() -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer() as running:
        await seed(running, WORLD)
        yield running


@pytest.fixture
async def bot(server: SimulatorServer) -> AsyncIterator[Bot]:
    async with make_bot(server) as telegram_bot:
        yield telegram_bot


async def test_a_429_carries_retry_after(server: SimulatorServer, bot: Bot) -> None:
    server.configure_faults({"share_429": 1.0, "retry_after": 7, "methods": ["sendmessage"]})
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(GROUP_ID, "x")
    assert seconds(raised.value.retry_after) == 7
    assert (await bot.get_me()).id  # other methods are left alone


async def test_server_errors_surface_as_network_errors(server: SimulatorServer, bot: Bot) -> None:
    server.configure_faults({"share_5xx": 1.0, "error_statuses": [502], "methods": ["sendmessage"]})
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(GROUP_ID, "x")


async def test_a_dropped_connection_loses_the_call(server: SimulatorServer, bot: Bot) -> None:
    server.configure_faults({"share_drop": 1.0, "methods": ["sendmessage"]})
    with pytest.raises(NetworkError):
        await bot.send_message(GROUP_ID, "丢失")
    assert server.state.group(GROUP_ID).messages == {}  # type: ignore[union-attr]  # the group exists: the test created it


async def test_a_drop_after_apply_sends_the_message_but_loses_the_answer(
    server: SimulatorServer, bot: Bot
) -> None:
    server.configure_faults(
        {"share_drop": 1.0, "drop_after_apply": True, "methods": ["sendmessage"]}
    )
    with pytest.raises(NetworkError):
        await bot.send_message(GROUP_ID, "已送达")
    async with ControlClient(server.base_url) as sim:
        assert [m["text"] for m in await sim.transcript(GROUP_ID)] == ["已送达"]


async def test_latency_slows_each_call(server: SimulatorServer, bot: Bot) -> None:
    server.configure_faults({"latency_ms": 200, "methods": ["getme"]})
    started = time.monotonic()
    await bot.get_me()
    assert time.monotonic() - started >= 0.2


async def test_the_group_limit_answers_429_at_the_21st_message_a_minute(
    server: SimulatorServer, bot: Bot
) -> None:
    server.configure_faults({"enforce_limits": True})
    for n in range(20):
        await bot.send_message(GROUP_ID, f"第{n}条")
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(GROUP_ID, "第21条")
    assert 1 <= seconds(raised.value.retry_after) <= 60
    assert (await bot.send_message(LEADER, "私聊不受群限制")).text


async def test_the_per_bot_limit_answers_429_past_its_rate(
    server: SimulatorServer, bot: Bot
) -> None:
    server.configure_faults({"enforce_limits": True, "per_bot_per_second": 5})
    for n in range(5):
        await bot.send_message(LEADER, f"第{n}条")
    with pytest.raises(RetryAfter):
        await bot.send_message(LEADER, "太快了")


async def test_the_rate_limiter_retries_through_429s(server: SimulatorServer) -> None:
    server.configure_faults(
        {"share_429": 1.0, "retry_after": 1, "max_faults": 2, "methods": ["sendmessage"]}
    )
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(server.api_base_url)
        .base_file_url(server.file_base_url)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .build()
    )
    async with application:
        sent = await application.bot.send_message(GROUP_ID, "终于送达")
    assert sent.text == "终于送达"
    assert server.faults.counts["429"] == 2


async def test_polling_survives_server_errors_on_get_updates(server: SimulatorServer) -> None:
    server.configure_faults({"share_5xx": 1.0, "max_faults": 2, "methods": ["getupdates"]})
    heard: list[str] = []

    async def echo(update: Update, _context: object) -> None:
        assert update.message is not None and update.message.text is not None
        heard.append(update.message.text)
        await update.message.reply_text(update.message.text)

    application = ApplicationBuilder().token(TOKEN).base_url(server.api_base_url).build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    async with application, ControlClient(server.base_url) as sim:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=2)
        said = await sim.send(GROUP_ID, RESIDENT, "还在吗")
        reply = await sim.wait_bot_message(GROUP_ID, after=said["message_id"], timeout=15)
        await application.updater.stop()
        await application.stop()
    assert reply["text"] == "还在吗" and heard == ["还在吗"]
    assert server.faults.counts["5xx"] == 2


async def test_faults_are_set_and_cleared_through_the_control_api(server: SimulatorServer) -> None:
    async with ControlClient(server.base_url) as sim:
        await sim.set_faults(share_429=0.5, seed=1)
        assert (await sim.faults())["config"]["share_429"] == 0.5
        await sim.clear_faults()
        assert (await sim.faults())["config"]["share_429"] == 0.0
