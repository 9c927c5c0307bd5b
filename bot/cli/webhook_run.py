"""`gridbot run --webhook URL --listen HOST:PORT --workers N`: one listener process and N workers.

The design, in one picture:

    Telegram ──POST──▶ listener (this process) ──INSERT … ON CONFLICT DO NOTHING──▶ inbox
                        │ starts, watches, restarts                                   │
                        ▼                                                             ▼
                  worker 1 … worker N  ◀──── claim (lease, per chat) ───── inbox, outbox, timers

- The listener does one thing: check the secret token, store the update (committed) and answer
  200 (handlers/webhook.py). It never runs a handler, so a slow handler or a busy API never makes
  Telegram wait, and a worker that crashes or is being deployed never stops intake.
- Each worker is a whole bot without a getUpdates loop (handlers/inbox.py, fetch=False). It
  claims stored updates (only the oldest waiting one of each chat, so each chat's updates are
  handled one after the other, in order), due outbox notices (no two workers serve one chat at
  once) and due timers (the claim commits with the timer's work: it fires once). A claim is a
  lease, renewed while the worker works; a worker killed with kill -9 leaves claims that run out
  after the lease, and the other workers take its rows over.
- Nothing a worker needs lives in another's memory: the open questions and the private report
  steps are in the database (conversations), python-telegram-bot's user_data and chat_data are
  never used, and the deadline keeper rebuilds its schedule from the database.
- The listener restarts a worker that died (after 1 s, doubling up to a minute if it keeps dying),
  and on SIGTERM or Ctrl-C stops listening first, then asks the workers to finish (each within
  10 s), then exits 0.

The secret token comes from GRIDBOT_WEBHOOK_SECRET (for a fixed one, e.g. several listeners
behind one proxy) or is drawn at start; it is passed to setWebhook and never printed or logged,
nor handed to the workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import signal
import sys
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.cli.run import Stopped, StopSignals, _logging, when_reachable
from bot.config import ConfigError, load_config
from bot.config.env import load_env_settings

log = logging.getLogger("gridbot")

SECRET_VAR = "GRIDBOT_WEBHOOK_SECRET"
STOP_SECONDS = 12.0  # a worker asked to stop gets this long before it is killed
RESTART_FIRST_SECONDS = 1.0
RESTART_MAX_SECONDS = 60.0
HEALTHY_SECONDS = 30.0  # a worker that ran this long and died is restarted at once again


@dataclass(frozen=True)
class WebhookPlan:
    url: str
    host: str
    port: int
    workers: int
    lease: int | None


def parse_listen(value: str) -> tuple[str, int]:
    """HOST:PORT (an IPv6 host in brackets); ValueError saying what is wrong."""
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"--listen wants HOST:PORT, e.g. 127.0.0.1:8443, not {value!r}")
    return host.strip("[]"), int(port)


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ValueError(f"--webhook wants the public URL Telegram posts to, not {url!r}")
    return url


def webhook_command(
    config_path: str, *, db_path: str, url: str, listen: str, workers: int, lease: int | None
) -> int:
    """`gridbot run --webhook …`: check everything, then listen and run the workers."""
    _logging()
    settings = load_env_settings()
    if settings.token is None:
        print(
            "gridbot run: set TELEGRAM_BOT_TOKEN in the environment or a .env file", file=sys.stderr
        )
        return 2
    try:
        host, port = parse_listen(listen)
        check_url(url)
        if workers < 1:
            raise ValueError("--workers wants at least 1")
        load_config(config_path)  # the workers load it too; a bad one is said here, once
    except (ValueError, ConfigError) as error:
        print(f"gridbot run: {error}", file=sys.stderr)
        return 2
    secret = os.environ.get(SECRET_VAR, "").strip() or secrets.token_urlsafe(32)
    from handlers.webhook import SECRET_FORM

    if not SECRET_FORM.fullmatch(secret):
        print(
            f"gridbot run: {SECRET_VAR} may hold only A–Z, a–z, 0–9, _ and - (1–256 of them)",
            file=sys.stderr,
        )
        return 2
    plan = WebhookPlan(url, host, port, workers, lease)
    from telegram.error import InvalidToken

    with contextlib.suppress(KeyboardInterrupt):
        try:
            asyncio.run(
                _listen(
                    plan,
                    config_path,
                    db_path,  # a file or a postgresql:// URL: Path() would fold its "//"
                    secret=secret,
                    token=settings.token.get_secret_value(),
                    base_url=settings.api_base_url,
                )
            )
        except InvalidToken:
            print(
                f"gridbot run: {settings.api_base_url} refused TELEGRAM_BOT_TOKEN; check the token",
                file=sys.stderr,
            )
            return 2
        except OSError as error:
            print(
                f"gridbot run: cannot listen on {listen}: {error.strerror or error}",
                file=sys.stderr,
            )
            return 1
    return 0


async def _listen(
    plan: WebhookPlan, config_path: str, db_path: str, *, secret: str, token: str, base_url: str
) -> None:
    from telegram import Bot

    from bot.delivery.inbox import Inbox
    from bot.timing.clock import SystemClock
    from handlers.webhook import WebhookListener, webhook_path
    from storage.db import Database

    stop = StopSignals()
    stop.install()
    async with contextlib.AsyncExitStack() as running:
        try:
            # Opened (and migrated) before any worker starts: the workers find the schema current.
            db = await stop.unless_stopped(Database.open(db_path))
            running.push_async_callback(db.close)
            workers = Workers(plan, config_path, db_path)
            running.push_async_callback(workers.stop)  # after the listener has stopped
            listener = WebhookListener(
                Inbox(db, SystemClock()), secret=secret, path=webhook_path(plan.url)
            )
            await listener.start(plan.host, plan.port)
            # Stopped first: nothing new comes in, a request in flight is stored or refused.
            running.push_async_callback(listener.stop)
            workers.start()
            bot = Bot(token, base_url=base_url)
            running.push_async_callback(bot.shutdown)
            await stop.unless_stopped(
                _set_webhook_when_reachable(
                    bot, plan.url, secret=secret, base_url=base_url, token=token
                )
            )
        except Stopped:
            return
        log.info(
            "gridbot is running: webhook %s, listening on %s:%s, %d worker(s); Ctrl-C (or "
            "SIGTERM) stops it",
            plan.url, plan.host, listener.port, plan.workers,
        )  # fmt: skip
        watching = asyncio.create_task(workers.watch())
        try:
            await stop.wait()
        finally:
            watching.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watching


async def _set_webhook_when_reachable(
    bot: object, url: str, *, secret: str, base_url: str, token: str
) -> None:
    """setWebhook; while the Bot API cannot be reached, one line a try and again (as polling
    does at start)."""
    from handlers.webhook import set_webhook

    async def attempt() -> None:
        await bot.initialize()  # type: ignore[attr-defined]  # a telegram.Bot
        await set_webhook(bot, url, secret=secret)  # type: ignore[arg-type]  # a telegram.Bot

    await when_reachable(attempt, base_url=base_url, hide=(token, secret))


class Workers:
    """The worker processes: started, watched (restarted when one dies), stopped."""

    def __init__(self, plan: WebhookPlan, config_path: str, db_path: str) -> None:
        self.plan = plan
        self.config_path = config_path
        self.db_path = db_path
        self.processes: dict[int, asyncio.subprocess.Process] = {}
        self._stopping = False
        self._env = {k: v for k, v in os.environ.items() if k != SECRET_VAR}

    def start(self) -> None:
        self._spawning = [
            asyncio.ensure_future(self._spawn(i)) for i in range(1, self.plan.workers + 1)
        ]

    async def _spawn(self, index: int) -> asyncio.subprocess.Process:
        command = [
            sys.executable, "-m", "bot.cli", "run", "--config", self.config_path,
            "--db", str(self.db_path), "--worker", f"{index}/{self.plan.workers}",
        ]  # fmt: skip
        if self.plan.lease is not None:
            command += ["--lease", str(self.plan.lease)]
        process = await asyncio.create_subprocess_exec(*command, env=self._env)
        self.processes[index] = process
        log.info("worker %d/%d started (pid %d)", index, self.plan.workers, process.pid)
        return process

    async def watch(self) -> None:
        await asyncio.gather(*self._spawning)
        await asyncio.gather(*(self._keep(i) for i in list(self.processes)))

    async def _keep(self, index: int) -> None:
        delay = RESTART_FIRST_SECONDS
        loop = asyncio.get_running_loop()
        while not self._stopping:
            process = self.processes[index]
            began = loop.time()
            code = await process.wait()
            if self._stopping:
                return
            if loop.time() - began >= HEALTHY_SECONDS:
                delay = RESTART_FIRST_SECONDS
            log.warning(
                "worker %d (pid %d) ended with status %s; its claims run out after the lease and "
                "the other workers take them over; restarting it in %g s",
                index, process.pid, code, delay,
            )  # fmt: skip
            await asyncio.sleep(delay)
            delay = min(delay * 2, RESTART_MAX_SECONDS)
            if not self._stopping:
                await self._spawn(index)

    async def stop(self) -> None:
        """SIGTERM to each worker (it finishes what it handles and sends), kill after a while."""
        self._stopping = True
        for task in getattr(self, "_spawning", []):
            with contextlib.suppress(Exception):
                await task
        running = [p for p in self.processes.values() if p.returncode is None]
        for process in running:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        for process in running:
            try:
                await asyncio.wait_for(process.wait(), STOP_SECONDS)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()


def worker_command(config_path: str, *, db_path: str, worker: str, lease: int | None) -> int:
    """`gridbot run --worker I/N`: one worker, started by the listener (see the module doc)."""
    from bot.cli.run import run_command

    try:
        index_text, _, count_text = worker.partition("/")
        index, count = int(index_text), int(count_text)
        if not 1 <= index <= count:
            raise ValueError
    except ValueError:
        print(f"gridbot run: --worker wants I/N with 1 ≤ I ≤ N, not {worker!r}", file=sys.stderr)
        return 2
    return run_command(config_path, db_path=db_path, worker=(index, count), lease=lease)
