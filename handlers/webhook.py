"""Webhook mode's listener: Telegram POSTs each update here; it is stored in the inbox and
answered 200 at once, and worker processes handle it from there (handlers/inbox.py, fetch=False).

Every request must carry the secret token given to setWebhook in the header
X-Telegram-Bot-Api-Secret-Token, compared in constant time; without it the answer is 403 and
nothing is stored. A body that is not a JSON update is refused with 400, one larger than
MAX_BODY with 413. The same update POSTed twice (Telegram repeats an update when an answer is
lost) is stored once: the inbox's keys (update id, and chat and message) skip the second.

The answer (200) comes only after the update is committed, so an update Telegram saw accepted is
never lost; a database that cannot take it answers 503 and Telegram sends it again.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Bot, Update

from bot.delivery.inbox import Inbox, received_from

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1 << 20  # an update is a few kilobytes; Telegram sends no files in it
# What Telegram allows in a secret token.
SECRET_FORM = re.compile(r"[A-Za-z0-9_-]{1,256}")


def webhook_path(url: str) -> str:
    """The path the listener answers on: the webhook URL's (a reverse proxy passes it on)."""
    return urlsplit(url).path or "/"


class WebhookListener:
    """The HTTP endpoint; `start` listens on host:port, `stop` ends it (requests in flight
    finish: their updates are stored or Telegram is told to send them again)."""

    def __init__(self, inbox: Inbox, *, secret: str, path: str = "/") -> None:
        if not SECRET_FORM.fullmatch(secret):
            raise ValueError("the secret token must be 1–256 of A–Z, a–z, 0–9, _ and -")
        self.inbox = inbox
        self.path = path
        self._secret = secret.encode("ascii")
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    def app(self) -> web.Application:
        # client_max_size: aiohttp answers 413 itself for a body that grows past it unannounced.
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_route("*", "/{tail:.*}", self._receive)
        return app

    async def start(self, host: str, port: int) -> None:
        # No access log: nothing of a request (its headers carry the secret) is written anywhere.
        self._runner = web.AppRunner(self.app(), access_log=None, shutdown_timeout=3.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1] if sockets else port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _receive(self, request: web.Request) -> web.StreamResponse:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, self._secret):
            return web.Response(status=403, text="forbidden")
        if request.path != self.path:
            return web.Response(status=404, text="not found")
        if request.method != "POST":
            return web.Response(status=405, text="POST only", headers={"Allow": "POST"})
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.Response(status=413, text="too large")
        if request.content_type != "application/json":
            return web.Response(status=400, text="expected application/json")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413, text="too large")
        try:
            data = json.loads(body)
            if not isinstance(data, dict):
                raise ValueError("an update is a JSON object")
            update = received_from(data)
        except (ValueError, UnicodeDecodeError) as error:  # JSONDecodeError is a ValueError
            return web.Response(status=400, text=f"not an update: {error}")
        try:
            await self.inbox.store([update])
        except Exception:
            log.exception(
                "could not store update %s; Telegram will send it again", update.update_id
            )
            return web.Response(status=503, text="try again")
        return web.Response(status=200)


async def set_webhook(bot: Bot, url: str, *, secret: str) -> None:
    """Tell Telegram where to send updates: every kind, as the polling loop asks for them,
    keeping what is pending (it arrives through the webhook)."""
    await bot.set_webhook(
        url, secret_token=secret, allowed_updates=Update.ALL_TYPES, drop_pending_updates=False
    )
