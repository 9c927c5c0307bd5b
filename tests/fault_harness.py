"""The real bot process (`gridbot run`) against the local Telegram, with faults on purpose:
kill -9 in the middle of a burst and a restart, shares of 429 and 5xx answers, an outage of the
whole API, forged button presses. Shared by tests/test_faults.py (small numbers) and
bench/bench_faults.py (larger ones).

A report is a `/report` with its own place (so no two join as 同问). It is *lost* when it has
no case and no card, *doubled* when it has two cases or two cards.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.cli.demo_people import DEMO_BOT, simulator_spec, with_residents
from bot.config import Config
from simulator.client import ControlClient
from simulator.faults import SENDING_METHODS
from simulator.seed import seed
from simulator.server import SimulatorServer

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "zhenhai.toml"
GRIDBOT = [sys.executable, "-m", "bot.cli"]
RESIDENTS_PER_GROUP = 40
# Every method the bot calls: an outage answers them all with 502.
ALL_METHODS = sorted(
    SENDING_METHODS
    | {
        "getupdates", "getme", "deletewebhook", "setmycommands", "getchatmember",
        "answercallbackquery", "editmessagetext", "editmessagereplymarkup", "deletemessage",
        "editmessagecaption", "sendchataction",
    }
)  # fmt: skip
_NUMBER = re.compile(r"\d{4}-\d{6}")


@dataclass
class Plan:
    reports: int = 30
    kills: int = 1  # kill -9 this many times during the burst, restarting each time
    share_429: float = 0.0
    share_5xx: float = 0.0
    outage_seconds: float = 0.0  # the whole API answers 502 for this long, after the burst
    forged: int = 0  # forged button presses after the burst
    burst: int = 10  # reports posted per call
    quiet_seconds: float = 2.0  # no new bot message for this long: quiet
    timeout: float = 90.0


@dataclass
class Outcome:
    sent: int = 0
    cases: int = 0
    carded: int = 0
    lost: int = 0
    doubled: int = 0  # reports with two cases or two cards
    doubled_cases: int = 0  # of those, with two cases (impossible by the (chat, message) key)
    kills: int = 0
    until_quiet: float = 0.0  # from the end of the faults to the bot's last message
    all_carded: bool = True  # every report's card came within the plan's timeout
    forged_answered: int = 0
    forged_changed: int = 0  # forged presses that changed a case: must be 0
    exit_codes: list[int] = field(default_factory=list)  # of each graceful stop (SIGTERM)
    inbox: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        return (
            f"sent {self.sent}  cases {self.cases}  carded {self.carded}  lost {self.lost}"
            f"  doubled {self.doubled}  kills {self.kills}  quiet after {self.until_quiet:.1f} s"
        )


def _spec(config: Config) -> dict[str, Any]:
    return with_residents(
        simulator_spec(config), RESIDENTS_PER_GROUP, first_id=7_000_000, stride=1000,
        name="住户",
    )  # fmt: skip


def _reports(spec: dict[str, Any], count: int) -> list[dict[str, Any]]:
    groups = spec["groups"]
    messages = []
    for i in range(count):
        group = groups[i % len(groups)]
        # A different resident each time within a group: the per-person limit stays out of it.
        resident = group["members"][-RESIDENTS_PER_GROUP + (i // len(groups)) % RESIDENTS_PER_GROUP]
        text = f"/report {i + 1}号楼门口的路灯坏了 晚上很黑"
        messages.append({"chat": group["chat_id"], "user_id": resident, "text": text})
    return messages


class BotProcess:
    """`gridbot run` in a child process, its log in a file."""

    def __init__(self, server: SimulatorServer, folder: Path) -> None:
        self.server = server
        self.folder = folder
        self.db = folder / "faults.sqlite3"
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0

    async def start(self) -> None:
        self.starts += 1
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": DEMO_BOT["token"],
            "TELEGRAM_API_BASE_URL": self.server.api_base_url,
        }
        log = (self.folder / f"bot-{self.starts}.log").open("wb")
        self.process = await asyncio.create_subprocess_exec(
            *GRIDBOT, "run", "--config", str(EXAMPLE), "--db", str(self.db),
            cwd=self.folder, env=env, stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
        log.close()

    async def running(self) -> None:
        """Wait until the bot says it runs (its log)."""
        path = self.folder / f"bot-{self.starts}.log"
        deadline = time.monotonic() + 30.0
        while time.monotonic() < deadline:
            if b"gridbot is running" in path.read_bytes():
                return
            assert self.process is not None and self.process.returncode is None, path.read_text()
            await asyncio.sleep(0.05)
        raise AssertionError(f"the bot did not start: {path.read_text()}")

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()  # SIGKILL: no graceful path at all

    async def reaped(self) -> int:
        assert self.process is not None
        return await asyncio.wait_for(self.process.wait(), 20)

    async def terminate(self) -> tuple[int, float]:
        """SIGTERM, as systemctl stop or docker stop send it: (exit status, seconds to exit)."""
        assert self.process is not None
        begun = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.process.wait(), 20)
        return code, time.monotonic() - begun


async def _bot_messages(control: ControlClient, chats: list[int]) -> list[dict[str, Any]]:
    found = []
    for chat in chats:
        found += [m for m in await control.transcript(chat) if m.get("from_bot")]
    return found


async def _until_quiet(
    control: ControlClient, chats: list[int], reports: int, plan: Plan
) -> tuple[float, bool]:
    """Seconds until every report has its card and the bot then says nothing for a while, and
    whether that happened within the plan's timeout."""
    begun = time.monotonic()
    last_count, last_change = -1, time.monotonic()
    while time.monotonic() - begun < plan.timeout:
        messages = await _bot_messages(control, chats)
        if len(messages) != last_count:
            last_count, last_change = len(messages), time.monotonic()
        cards = sum(1 for m in messages if m.get("reply_to_message_id"))
        if cards >= reports and time.monotonic() - last_change >= plan.quiet_seconds:
            return last_change - begun, True
        await asyncio.sleep(0.2)
    return last_change - begun, False


async def _posted(control: ControlClient, chats: list[int]) -> list[tuple[int, int]]:
    """(chat, message id) of every report the residents posted."""
    found = []
    for chat in chats:
        found += [
            (chat, m["message_id"])
            for m in await control.transcript(chat)
            if not m.get("from_bot") and (m.get("text") or "").startswith("/report")
        ]
    return found


def _count(db: Path, posted: list[tuple[int, int]], cards: dict[tuple[int, int], int]) -> Outcome:
    outcome = Outcome(sent=len(posted))
    with contextlib.closing(sqlite3.connect(db)) as conn:
        rows = conn.execute("SELECT chat_id, message_id, COUNT(*) FROM cases GROUP BY 1, 2")
        cases = {(chat, message): n for chat, message, n in rows}
        outcome.inbox = dict(conn.execute("SELECT status, COUNT(*) FROM inbox GROUP BY status"))
    for key in posted:
        has_case, card_count = cases.get(key, 0), cards.get(key, 0)
        outcome.cases += has_case > 0
        outcome.carded += card_count > 0
        outcome.lost += has_case == 0 and card_count == 0
        outcome.doubled += has_case > 1 or card_count > 1
        outcome.doubled_cases += has_case > 1
    return outcome


async def run_faults(config: Config, folder: Path, plan: Plan) -> Outcome:
    """Post the reports in bursts while the faults happen, then count."""
    spec = _spec(config)
    chats = [g["chat_id"] for g in spec["groups"]]
    messages = _reports(spec, plan.reports)
    async with SimulatorServer() as server, ControlClient(server.base_url) as control:
        await seed(server, spec)
        bot = BotProcess(server, folder)
        await bot.start()
        await bot.running()
        if plan.share_429 or plan.share_5xx:
            await control.set_faults(
                share_429=plan.share_429, share_5xx=plan.share_5xx, retry_after=1, seed=7
            )
        kill_after = {
            plan.reports * (k + 1) // (plan.kills + 1) for k in range(plan.kills)
        }  # in the middle of the burst, spread out
        kills = 0
        for start in range(0, len(messages), plan.burst):
            await control.send_many(messages[start : start + plan.burst])
            if any(start < k <= start + plan.burst for k in kill_after):
                await asyncio.sleep(0.05 * (kills + 1))  # the bot is busy with the burst
                bot.kill()
                await bot.reaped()
                kills += 1
                await bot.start()
                await bot.running()
        if plan.outage_seconds:
            await control.set_faults(share_5xx=1.0, error_statuses=[502], methods=ALL_METHODS)
            await asyncio.sleep(plan.outage_seconds)
        await control.clear_faults()
        posted = await _posted(control, chats)
        until_quiet, all_carded = await _until_quiet(control, chats, len(posted), plan)
        forged = await _forge(control, spec, plan.forged, folder) if plan.forged else (0, 0)
        code, _ = await bot.terminate()
        messages_now = await _bot_messages(control, chats)
    cards: dict[tuple[int, int], int] = {}
    for m in messages_now:
        if m.get("reply_to_message_id") and _NUMBER.search(m.get("text") or ""):
            key = (m["chat"]["id"], m["reply_to_message_id"])
            cards[key] = cards.get(key, 0) + 1
    outcome = _count(bot.db, posted, cards)
    outcome.kills = kills
    outcome.until_quiet = until_quiet
    outcome.all_carded = all_carded
    outcome.exit_codes = [code]
    outcome.forged_answered, outcome.forged_changed = forged
    return outcome


def _statuses(db: Path) -> list[tuple[int, str, int | None]]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return list(conn.execute("SELECT id, status, assignee_id FROM cases ORDER BY id"))


async def _forge(
    control: ControlClient, spec: dict[str, Any], count: int, folder: Path
) -> tuple[int, int]:
    """Button data a modified client could send: other people's cases, unknown versions, junk.
    Returns (how many got an answer, how many changed a case)."""
    db = folder / "faults.sqlite3"
    before = _statuses(db)
    group = spec["groups"][0]
    chat = group["chat_id"]
    resident = group["members"][-1]
    card = next(m for m in await control.transcript(chat) if m.get("from_bot"))
    case_ids = [row[0] for row in before] or [1]
    forms = [
        "v1:a:{id}", "v1:r:{id}", "v1:x:{id}", "v1:e:{id}", "v1:tt:{id}:u{resident}",
        "v1:s:{id}:a", "v9:a:{id}", "v1:zz:{id}", "v1:a:-{id}", "v1:a:{id}{id}{id}{id}",
        "\u0000v1", "v1:p:1:no", "v1:g:nowhere", "v1:an:7", "v1:k", "v1:c",
    ]  # fmt: skip
    answered = 0
    for n in range(count):
        data = forms[n % len(forms)].format(id=case_ids[n % len(case_ids)], resident=resident)
        result = await control.press(
            chat, card["message_id"], resident, data=data[:64], forge=True, timeout=60.0
        )
        answered += bool(result.get("answered"))
    after = _statuses(db)
    return answered, sum(1 for a, b in zip(before, after, strict=False) if a != b)
