"""The simulator's HTTP server: the Bot API, file downloads, the control API and the web chat."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from pathlib import Path
from typing import Any

from aiohttp import web

from simulator.appkeys import CALLS_KEY, FAULTS_KEY, STATE_KEY
from simulator.botapi import METHODS, Call
from simulator.control import control_routes
from simulator.errors import NOT_FOUND, UNAUTHORIZED, ApiError
from simulator.faults import FaultConfig, FaultInjector
from simulator.params import Params, Upload, read_params
from simulator.state import Bot, SimState, bot_id_of
from simulator.webhook import WebhookPusher

log = logging.getLogger(__name__)
WEB_DIR = Path(__file__).with_name("web")
CALL_LOG_SIZE = 10000


def _json_response(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(
        text=json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/json",
    )


def _loggable(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        name: f"<file {len(value.data)} bytes>" if isinstance(value, Upload) else value
        for name, value in raw.items()
    }


async def _bot_api(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    faults = request.app[FAULTS_KEY]
    calls = request.app[CALLS_KEY]
    token = request.match_info["token"]
    name = request.match_info["method"].lower()
    if bot_id_of(token) is None:
        return _json_response(NOT_FOUND.to_json(), 404)
    bot = state.bot_for_token(token)
    if bot is None:
        return _json_response(UNAUTHORIZED.to_json(), 401)
    handler = METHODS.get(name)
    if handler is None:
        return _json_response(NOT_FOUND.to_json(), 404)
    decision = faults.decide(name)
    if decision.delay:
        await asyncio.sleep(decision.delay)
    entry: dict[str, Any] = {"time": time.time(), "bot_id": bot.id, "method": name}
    calls.append(entry)
    if decision.kind in ("429", "5xx"):
        error = faults.injected_error(decision)
        entry.update(status=error.code, injected=True)
        return _json_response(error.to_json(), error.code)
    if decision.kind == "drop" and not faults.config.drop_after_apply:
        entry.update(status=0, injected=True)
        return _drop(request)
    try:
        raw = await read_params(request)
        entry["params"] = _loggable(raw)
        result = await handler(Call(state, bot, Params(raw), faults))
        body: dict[str, Any] = {"ok": True, "result": result}
        status = 200
    except ApiError as error:
        body, status = error.to_json(), error.code
        entry["description"] = error.description
    entry["status"] = status
    if decision.kind == "drop":
        entry.update(status=0, injected=True)
        return _drop(request)
    return _json_response(body, status)


def _drop(request: web.Request) -> web.StreamResponse:
    """Close the connection without an answer, as a failing network would."""
    transport = request.transport
    if transport is not None:
        transport.abort()
    # Nobody reads this: the socket is gone. aiohttp drops it quietly.
    return web.Response(status=499)


async def _file_download(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    token = request.match_info["token"]
    if bot_id_of(token) is None or state.bot_for_token(token) is None:
        return _json_response(UNAUTHORIZED.to_json(), 401)
    stored = state.files_by_path.get(request.match_info["path"])
    if stored is None:
        return _json_response(NOT_FOUND.to_json(), 404)
    return web.Response(body=stored.data, content_type=stored.mime_type)


async def _index(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(WEB_DIR / "index.html", headers={"Cache-Control": "no-cache"})


def build_app(state: SimState, faults: FaultInjector) -> web.Application:
    app = web.Application(client_max_size=60 * 1024 * 1024)
    app[STATE_KEY] = state
    app[FAULTS_KEY] = faults
    app[CALLS_KEY] = deque(maxlen=CALL_LOG_SIZE)
    app.router.add_route("*", "/bot{token}/{method}", _bot_api)
    app.router.add_get("/file/bot{token}/{path:.+}", _file_download)
    app.add_routes(control_routes())
    app.router.add_get("/", _index)
    app.router.add_static("/web/", WEB_DIR, append_version=False)
    return app


class SimulatorServer:
    """A local Telegram on loopback; ``async with SimulatorServer() as server: ...``."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        state: SimState | None = None,
        strict_tokens: bool = False,
        faults: FaultConfig | dict[str, Any] | None = None,
        enforce_limits: bool = False,
        bots: list[dict[str, Any]] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.state = state or SimState(strict_tokens=strict_tokens)
        if isinstance(faults, dict):
            faults = FaultConfig.from_dict(faults)
        config = faults or FaultConfig()
        if enforce_limits:
            config.enforce_limits = True
        self.faults = FaultInjector(config)
        for spec in bots or []:
            self.register_bot(**spec)
        self._runner: web.AppRunner | None = None
        self.webhooks = WebhookPusher(self.state)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base_url(self) -> str:
        """For python-telegram-bot's ``base_url``: it appends the token and ``/method``."""
        return f"{self.base_url}/bot"

    @property
    def file_base_url(self) -> str:
        """For python-telegram-bot's ``base_file_url``."""
        return f"{self.base_url}/file/bot"

    def register_bot(
        self,
        token: str,
        username: str | None = None,
        first_name: str | None = None,
        privacy_mode: bool = False,
    ) -> Bot:
        return self.state.register_bot(
            token, username=username, first_name=first_name, privacy_mode=privacy_mode
        )

    def configure_faults(self, config: FaultConfig | dict[str, Any] | None = None) -> None:
        if isinstance(config, dict):
            config = FaultConfig.from_dict(config)
        self.faults.configure(config or FaultConfig())

    async def start(self) -> SimulatorServer:
        self.state.closing = False
        app = build_app(self.state, self.faults)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        if self.port == 0 and server is not None:
            sockets = getattr(server, "sockets", None) or []
            self.port = sockets[0].getsockname()[1]
        await self.webhooks.start()
        log.info("simulator listening on %s", self.base_url)
        return self

    async def stop(self) -> None:
        # Wake long polls and event streams so that they end now, not at their timeout.
        self.state.closing = True
        self.state.changed.fire()
        await self.webhooks.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SimulatorServer:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()
