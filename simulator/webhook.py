"""Webhook delivery, as Telegram does it: while a bot has a webhook, each of its updates is POSTed
to the URL as JSON, with the secret token in X-Telegram-Bot-Api-Secret-Token, one at a time and
in order. An update leaves the queue only on a 2xx answer; otherwise (an error status, a refused
connection, a timeout) the same update is posted again after a wait that doubles up to a cap,
and the reason is kept for getWebhookInfo. getUpdates answers 409 meanwhile (botapi.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

import aiohttp

from simulator.state import Bot, SimState, now

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
POST_TIMEOUT = 10.0


class WebhookPusher:
    """One delivery task per bot with a webhook; started and stopped with the server."""

    def __init__(
        self, state: SimState, *, first_retry: float = 0.1, max_retry: float = 2.0
    ) -> None:
        self.state = state
        self.first_retry = first_retry  # Telegram waits longer; tests want a quick recovery
        self.max_retry = max_retry
        self.posted = 0  # deliveries answered 2xx (for tests)
        self._session: aiohttp.ClientSession | None = None
        self._watch: asyncio.Task[None] | None = None
        self._bots: dict[int, asyncio.Task[None]] = {}

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=POST_TIMEOUT))
        self._watch = asyncio.create_task(self._watch_bots(), name="webhook-watch")

    async def stop(self) -> None:
        tasks = [t for t in [self._watch, *self._bots.values()] if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._bots.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _watch_bots(self) -> None:
        """Start a delivery task for each bot that got a webhook (and none is running for)."""
        while not self.state.closing:
            for bot in self._unserved():
                self._bots[bot.id] = asyncio.create_task(
                    self._deliver(bot), name=f"webhook-{bot.id}"
                )
            await self.state.changed.wait_until(lambda: self._unserved() or self.state.closing, 1.0)

    def _unserved(self) -> list[Bot]:
        """Bots with a webhook and no delivery task running."""
        return [
            bot
            for bot in list(self.state.bots.values())
            if bot.webhook_url and (self._bots.get(bot.id) is None or self._bots[bot.id].done())
        ]

    async def _deliver(self, bot: Bot) -> None:
        delay = self.first_retry
        while bot.webhook_url and not self.state.closing:
            if not bot.updates:
                await self.state.changed.wait_until(
                    lambda: bot.updates or not bot.webhook_url or self.state.closing, 1.0
                )
                continue
            update = bot.updates[0]
            url, secret = bot.webhook_url, bot.webhook_secret
            error = await self._post(url, secret, update)
            if error is None:
                # Gone from the queue only now; a webhook changed meanwhile gets it again.
                if bot.updates and bot.updates[0] is update:
                    bot.updates.pop(0)
                self.posted += 1
                delay = self.first_retry
                continue
            bot.webhook_error, bot.webhook_error_date = error, now()
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.max_retry)

    async def _post(self, url: str, secret: str, update: dict[str, object]) -> str | None:
        """None when the bot took the update (2xx), else why not."""
        assert self._session is not None
        headers = {"Content-Type": "application/json"}
        if secret:
            headers[SECRET_HEADER] = secret
        body = json.dumps(update, ensure_ascii=False).encode("utf-8")
        try:
            async with self._session.post(url, data=body, headers=headers) as response:
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            return f"Connection failed: {type(error).__name__}"
