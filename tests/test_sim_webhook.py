"""The local Telegram delivers by webhook as Telegram does: each update POSTed as JSON with the
secret token, in order, posted again after an error answer, and getUpdates refused meanwhile."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import BadRequest, Conflict

from simulator import ControlClient, SimulatorServer, seed
from simulator.testing import GROUP_ID, RESIDENT, WORLD, make_bot

pytestmark = pytest.mark.timeout(30)
SECRET = "s3cret_Token-1"


class Receiver:
    """A bot's webhook endpoint: keeps what it is sent; answers `fail` error statuses first."""

    def __init__(self, fail: int = 0) -> None:
        self.fail = fail
        self.got: list[tuple[str | None, dict[str, Any]]] = []
        self.attempts = 0
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def _post(self, request: web.Request) -> web.Response:
        self.attempts += 1
        if self.fail > 0:
            self.fail -= 1
            return web.Response(status=500)
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        self.got.append((secret, await request.json()))
        return web.Response(status=200)

    async def __aenter__(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", self._post)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]  # started
        self.url = f"http://127.0.0.1:{port}/hook"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.runner is not None
        await self.runner.cleanup()

    async def until(self, count: int) -> None:
        for _ in range(200):
            if len(self.got) >= count:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"got {len(self.got)} of {count}")


@pytest.fixture
async def world() -> AsyncIterator[tuple[SimulatorServer, Bot, ControlClient]]:
    async with SimulatorServer() as server:
        await seed(server, WORLD)
        async with make_bot(server) as bot, ControlClient(server.base_url) as sim:
            yield server, bot, sim


async def test_updates_are_posted_in_order_with_the_secret(world: Any) -> None:
    _, bot, sim = world
    async with Receiver() as hook:
        assert await bot.set_webhook(hook.url, secret_token=SECRET)
        for n in range(5):
            await sim.send(GROUP_ID, RESIDENT, f"第{n}条")
        await hook.until(5)
        assert [secret for secret, _ in hook.got] == [SECRET] * 5
        assert [u["message"]["text"] for _, u in hook.got] == [f"第{n}条" for n in range(5)]
        ids = [u["update_id"] for _, u in hook.got]
        assert ids == sorted(ids) and len(set(ids)) == 5
        # The receiver has the last update a moment before the server hears its 200.
        for _ in range(200):
            info = await bot.get_webhook_info()
            if info.pending_update_count == 0:
                break
            await asyncio.sleep(0.05)
        assert info.url == hook.url and info.pending_update_count == 0


async def test_an_error_answer_is_posted_again_and_order_holds(world: Any) -> None:
    _, bot, sim = world
    async with Receiver(fail=3) as hook:
        await bot.set_webhook(hook.url, secret_token=SECRET)
        await sim.send(GROUP_ID, RESIDENT, "一")
        await sim.send(GROUP_ID, RESIDENT, "二")
        await hook.until(2)
        assert [u["message"]["text"] for _, u in hook.got] == ["一", "二"]
        assert hook.attempts == 5  # three 500s on the first, then one each
        info = await bot.get_webhook_info()
        assert "500" in (info.last_error_message or "")


async def test_get_updates_is_refused_while_a_webhook_is_set(world: Any) -> None:
    _, bot, sim = world
    await bot.set_webhook("http://127.0.0.1:9/hook", secret_token=SECRET)
    with pytest.raises(Conflict):
        await bot.get_updates(timeout=0)
    await sim.send(GROUP_ID, RESIDENT, "留着")
    assert (await bot.get_webhook_info()).pending_update_count >= 1
    assert await bot.delete_webhook()
    updates = await bot.get_updates(timeout=0)
    assert [u.message.text for u in updates if u.message] == ["留着"]


async def test_drop_pending_updates_and_a_bad_secret(world: Any) -> None:
    _, bot, sim = world
    await bot.set_webhook("http://127.0.0.1:9/hook")
    await sim.send(GROUP_ID, RESIDENT, "丢掉")
    await bot.set_webhook("http://127.0.0.1:9/hook", drop_pending_updates=True)
    assert (await bot.get_webhook_info()).pending_update_count == 0
    with pytest.raises(BadRequest, match="(?i)secret token"):
        await bot.set_webhook("http://127.0.0.1:9/hook", secret_token="has space")
    with pytest.raises(BadRequest, match="(?i)https url"):
        await bot.set_webhook("ftp://example.org/hook")
