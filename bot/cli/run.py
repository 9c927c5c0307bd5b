"""The composition root: builds the services and the Telegram application and runs them.

Only this module and bot/cli.py may import every layer (handlers, simulator).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from bot.config import Config, ConfigError, load_config
from bot.config.env import load_env_settings
from bot.services import Services
from storage.db import DatabaseError

if TYPE_CHECKING:
    from telegram.ext import Application

log = logging.getLogger("gridbot")
RETRY_FIRST_SECONDS = 1.0  # `gridbot run` waiting for the Bot API: 1, 2, 4 … 60 s between tries
RETRY_MAX_SECONDS = 60.0

T = TypeVar("T")
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Stopped(Exception):
    """A stop signal came while starting: not an error, the process ends cleanly."""


class StopSignals:
    """SIGTERM (systemctl stop, docker stop) and SIGINT (Ctrl-C) both ask for a graceful stop:
    stop taking updates, finish what is in flight, close the database, exit 0."""

    def __init__(self) -> None:
        self.requested = asyncio.Event()

    def install(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in STOP_SIGNALS:
            loop.add_signal_handler(signum, self._request, signum)

    def _request(self, signum: int) -> None:
        if not self.requested.is_set():
            log.info("%s: stopping", signal.Signals(signum).name)
        self.requested.set()

    async def unless_stopped(self, step: Awaitable[T]) -> T:
        """Run a start-up step; a stop signal meanwhile cancels it (it cleans up after itself,
        e.g. a migration rolls back) and raises Stopped."""
        task = asyncio.ensure_future(step)
        waiter = asyncio.ensure_future(self.requested.wait())
        try:
            await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            raise Stopped
        return task.result()

    async def wait(self) -> None:
        await self.requested.wait()


def _logging() -> None:
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO
    )
    # httpx logs every poll at INFO, APScheduler every job it adds; keep the console for what
    # matters.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def run_command(
    config_path: str,
    *,
    db_path: str,
    worker: tuple[int, int] | None = None,
    lease: int | None = None,
) -> int:
    """`gridbot run`: the bot against TELEGRAM_API_BASE_URL with TELEGRAM_BOT_TOKEN; with
    `worker` = (i, n), worker i of n under a webhook listener (bot/cli/webhook_run.py)."""
    from telegram.error import InvalidToken

    _logging()
    settings = load_env_settings()
    if settings.token is None:
        print(
            "gridbot run: set TELEGRAM_BOT_TOKEN in the environment or a .env file", file=sys.stderr
        )
        return 2
    try:
        config = load_config(config_path)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    with contextlib.suppress(KeyboardInterrupt):
        try:
            asyncio.run(
                _run(
                    config,
                    db_path,  # a file or a postgresql:// URL (Path would spoil the URL)
                    token=settings.token.get_secret_value(),
                    base_url=settings.api_base_url,
                    base_file_url=settings.file_base_url,
                    worker=worker,
                    lease=lease,
                )
            )
        except InvalidToken:
            print(
                f"gridbot run: {settings.api_base_url} refused TELEGRAM_BOT_TOKEN; check the token",
                file=sys.stderr,
            )
            return 2
        except DatabaseError as error:  # an unreachable or refusing PostgreSQL
            print(f"gridbot run: {error}", file=sys.stderr)
            return 2
    return 0


async def _run(
    config,
    db_path: str | Path,
    *,
    token: str,
    base_url: str,
    base_file_url: str,
    worker: tuple[int, int] | None = None,
    lease: int | None = None,
) -> None:
    from handlers.app import build_application, stop_application

    stop = StopSignals()
    stop.install()
    async with contextlib.AsyncExitStack() as running:
        try:
            services = await stop.unless_stopped(Services.open(config, db_path))
            running.push_async_callback(services.close)
            application = build_application(
                services, token=token, base_url=base_url, base_file_url=base_file_url,
                worker=worker, lease=lease,
            )  # fmt: skip
            running.push_async_callback(stop_application, application)
            await stop.unless_stopped(
                _start_when_reachable(application, base_url=base_url, token=token)
            )
        except Stopped:
            return
        if worker is not None:
            log.info("worker %d/%d is running", *worker)
        else:
            log.info("gridbot is running; Ctrl-C (or SIGTERM) stops it")
        await stop.wait()


async def _start_when_reachable(application: Application, *, base_url: str, token: str) -> None:
    """Start, and while the Bot API cannot be reached say so in one line and try again: a server
    that comes up later (or a network that comes back) needs no restart, and a person reading
    the console needs no traceback to learn that the address is wrong or down."""
    from handlers.app import start_application, stop_application

    await when_reachable(
        lambda: start_application(application),
        undo=lambda: stop_application(application),  # safe after a partial start
        base_url=base_url,
        hide=(token,),
    )


async def when_reachable(
    attempt: Callable[[], Awaitable[object]],
    *,
    base_url: str,
    hide: tuple[str, ...],
    undo: Callable[[], Awaitable[object]] | None = None,
) -> None:
    """Run `attempt` until the Bot API answers it: each network failure is one line on stderr
    (the `hide` secrets never printed) and a wait that doubles up to a cap; a wrong token
    (InvalidToken) is raised at once."""
    from telegram.error import InvalidToken, NetworkError

    delay = RETRY_FIRST_SECONDS
    while True:
        try:
            await attempt()
            return
        except InvalidToken:
            raise
        except NetworkError as error:  # TimedOut is one
            if undo is not None:
                await undo()
            reason = str(error)
            for secret in hide:
                reason = reason.replace(secret, "…")
            print(
                f"gridbot run: cannot reach the Bot API at {base_url} ({reason}); "
                f"retrying in {delay:g} s",
                file=sys.stderr,
                flush=True,
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX_SECONDS)


def demo_command(
    config_path: str,
    *,
    host: str,
    port: int,
    data: str,
    reset: bool | None,
    quiet_hours: bool = False,
) -> int:
    """`gridbot demo`: the local Telegram with its web chat, seeded, and the bot on it."""
    from bot.cli.demo_people import demo_config

    _logging()
    try:
        config = demo_config(load_config(config_path), quiet_hours=quiet_hours)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    folder = Path(data)
    db_path = folder / "gridbot.sqlite3"
    if db_path.exists() and reset is None:
        reset = _ask_reset(db_path)
    if reset:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    try:
        asyncio.run(_demo(config, db_path, host=host, port=port))
    except KeyboardInterrupt:
        pass
    except OSError as error:
        print(
            f"gridbot demo: cannot listen on {host}:{port}: {error.strerror or error}",
            file=sys.stderr,
        )
        return 1
    print("\n再见！demo 已停止。")
    return 0


def _ask_reset(db_path: Path) -> bool:
    """A second run: keep the cases of the last one, unless the person says otherwise."""
    if not sys.stdin.isatty():
        print(f"reusing the data in {db_path} (run with --reset to start empty)")
        return False
    answer = input(f"{db_path} 里有上次 demo 的数据。清空重来吗？[y/N] ").strip().lower()
    return answer in ("y", "yes", "是")


def _quiet_hours_line(config: Config) -> str:
    """The demo says how it treats the quiet hours, so nobody waits at night for a notice."""
    quiet = config.quiet_hours
    if not quiet.enabled:
        return "免打扰时段已关闭：所有通知立即发出（--quiet-hours 按配置在夜间暂缓非紧急通知）。"
    return (
        f"免打扰时段 {quiet.start:%H:%M}–{quiet.end:%H:%M}（{config.calendar.timezone}）："
        "其间非紧急通知暂缓，到点发出，机器人会说明何时发出。"
    )


async def _demo(config, db_path: Path, *, host: str, port: int) -> None:
    from bot.cli.demo_people import DEMO_BOT, simulator_spec
    from handlers.app import build_application, start_application, stop_application
    from simulator.seed import seed
    from simulator.server import SimulatorServer

    stop = StopSignals()
    stop.install()
    async with contextlib.AsyncExitStack() as running:
        try:
            server = SimulatorServer(host, port)
            await stop.unless_stopped(server.start())
            # The web server goes last: whatever stops the demo, nothing keeps listening.
            running.push_async_callback(server.stop)
            await stop.unless_stopped(seed(server, simulator_spec(config)))
            services = await stop.unless_stopped(Services.open(config, db_path))
            running.push_async_callback(services.close)
            application = build_application(
                services,
                token=DEMO_BOT["token"],
                base_url=server.api_base_url,
                base_file_url=server.file_base_url,
            )
            running.push_async_callback(stop_application, application)
            await stop.unless_stopped(start_application(application))
        except Stopped:
            return
        print()
        print("  网格通 demo 已启动，在浏览器中打开：")
        print(f"  {server.base_url}")
        print("  左上角切换身份（居民、网格长、街道干部……），在网格群里说出问题试试。Ctrl-C 停止。")
        print(f"  {_quiet_hours_line(config)}")
        print()
        await stop.wait()
