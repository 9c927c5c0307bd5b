"""`gridbot run --webhook … --workers N` as real processes against the local Telegram, which
delivers by webhook: shared by tests/test_webhook.py and bench/bench_workers.py."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import sqlite3
import time
from pathlib import Path
from typing import Any

from bot.cli.demo_people import DEMO_BOT
from simulator.client import ControlClient
from simulator.server import SimulatorServer
from tests.fault_harness import EXAMPLE, GRIDBOT

SECRET = "test-secret_0123456789"
_STARTED = re.compile(rb"worker (\d+)/\d+ started \(pid (\d+)\)")
NUMBER = re.compile(r"\d{4}-\d{6}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class WebhookBot:
    """The listener process and its workers; the log (all of them) in one file."""

    def __init__(
        self,
        server: SimulatorServer,
        folder: Path,
        *,
        workers: int,
        lease: int = 2,
        secret: str | None = SECRET,
        db: str | None = None,
    ) -> None:
        self.server = server
        self.folder = folder
        self.workers = workers
        self.lease = lease
        self.db = db or str(folder / "webhook.sqlite3")  # a file, or a postgresql:// URL
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/telegram/hook"
        self.log = folder / "webhook.log"
        self.process: asyncio.subprocess.Process | None = None
        self.secret = secret  # None: the listener draws one

    async def start(self) -> None:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": DEMO_BOT["token"],
            "TELEGRAM_API_BASE_URL": self.server.api_base_url,
        }
        env.pop("GRIDBOT_WEBHOOK_SECRET", None)
        if self.secret is not None:
            env["GRIDBOT_WEBHOOK_SECRET"] = self.secret
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                *GRIDBOT, "run", "--config", str(EXAMPLE), "--db", str(self.db),
                "--webhook", self.url, "--listen", f"127.0.0.1:{self.port}",
                "--workers", str(self.workers), "--lease", str(self.lease),
                cwd=self.folder, env=env, stdout=log, stderr=log,
            )  # fmt: skip

    async def running(self, within: float = 60.0) -> None:
        """Until the listener and every worker say they run."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            text = self.log.read_bytes()
            if b"gridbot is running" in text and all(
                f"worker {i}/{self.workers} is running".encode() in text
                for i in range(1, self.workers + 1)
            ):
                return
            assert self.process is not None and self.process.returncode is None, self.log_text()
            await asyncio.sleep(0.1)
        raise AssertionError(f"the bot did not start: {self.log_text()}")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def worker_pids(self) -> dict[int, int]:
        """The latest pid of each worker, from the listener's log."""
        return {int(i): int(pid) for i, pid in _STARTED.findall(self.log.read_bytes())}

    async def terminate(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), 30)

    def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        with contextlib.closing(sqlite3.connect(self.db, timeout=10)) as conn:
            return list(conn.execute(sql, args))


async def bot_messages(control: ControlClient, chats: list[int]) -> list[dict[str, Any]]:
    found = []
    for chat in chats:
        found += [m for m in await control.transcript(chat) if m.get("from_bot")]
    return found


def cards(messages: list[dict[str, Any]]) -> dict[tuple[int, int], list[str]]:
    """(chat, report message) → the case numbers of the cards that answered it, in order."""
    found: dict[tuple[int, int], list[str]] = {}
    for m in messages:
        number = NUMBER.search(m.get("text") or "")
        if m.get("reply_to_message_id") and number:
            found.setdefault((m["chat"]["id"], m["reply_to_message_id"]), []).append(number[0])
    return found


async def until_carded(
    control: ControlClient, chats: list[int], count: int, *, within: float, quiet: float = 1.5
) -> float:
    """Seconds until `count` reports have their cards and the bot then says nothing for `quiet`
    seconds; AssertionError after `within`."""
    begun = time.monotonic()
    last, changed = -1, time.monotonic()
    while time.monotonic() - begun < within:
        messages = await bot_messages(control, chats)
        if len(messages) != last:
            last, changed = len(messages), time.monotonic()
        if len(cards(messages)) >= count and time.monotonic() - changed >= quiet:
            return changed - begun
        await asyncio.sleep(0.2)
    raise AssertionError(f"{len(cards(await bot_messages(control, chats)))} of {count} carded")
