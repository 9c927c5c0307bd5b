"""Reports per second end to end (update in → case stored → card and notice delivered) over the
local Bot API server, against a bare python-telegram-bot echo bot over the same server, same run.

The server runs in its own process, as Telegram would be elsewhere. Each bot first starts and
settles, then the group messages arrive at once and the clock runs until the bot has answered all
of them: the echo bot with one reply each; Gridbot with a stored case (or a 同问 link), the card
in the group and the private notice to the handler. Telegram's rate limits are off for both.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Update  # noqa: E402
from telegram.ext import ApplicationBuilder, MessageHandler, filters  # noqa: E402

from bot.cli.demo_people import DEMO_BOT, simulator_spec, with_residents  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.delivery.outbox import GROUP_PER_MINUTE, GROUP_URGENT_RESERVE  # noqa: E402
from bot.services import Services  # noqa: E402
from bot.timing.clock import ManualClock  # noqa: E402
from handlers.app import build_application, start_application, stop_application  # noqa: E402
from simulator.client import ControlClient  # noqa: E402

# As many reports in each group as the bot lets cards into one group within a minute: it paces
# each group to Telegram's 20 a minute itself (bot/delivery/outbox.py), and the bench's held clock
# never lets that minute pass (with 400 reports over 14 groups the bench waited for ever).
PER_GROUP = GROUP_PER_MINUTE - GROUP_URGENT_RESERVE
RESIDENTS_PER_GROUP = 30
REPORTS = [
    "/report {n}号楼门口的垃圾桶满了好几天没人收",
    "/report {n}号楼楼道灯不亮了 晚上上楼看不见",
    "/report {n}号楼下面有人乱停车 堵住了通道",
    "/report {n}号楼的下水道堵了 一股臭味",
]


def _spec(config) -> dict:
    return with_residents(
        simulator_spec(config), RESIDENTS_PER_GROUP, first_id=8_000_000, stride=1000
    )


def _messages(spec: dict) -> list[dict]:
    groups = spec["groups"]
    messages = []
    for i in range(PER_GROUP * len(groups)):
        group = groups[i % len(groups)]
        resident = group["members"][-RESIDENTS_PER_GROUP + (i // len(groups)) % RESIDENTS_PER_GROUP]
        text = REPORTS[i % len(REPORTS)].format(n=i % 30 + 1)
        messages.append(
            {"chat": group["chat_id"], "user_id": resident, "text": f"{text}（第{i}次）"}
        )
    return messages


class Simulator:
    """`python -m simulator` in a child process, seeded with the bench's people."""

    def __init__(self, spec: dict, folder: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        seed_file = folder / "seed.json"
        seed_file.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "simulator", "--port", str(self.port), "--seed", str(seed_file)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.base_url = f"http://127.0.0.1:{self.port}"

    async def ready(self, control: ControlClient) -> None:
        for _ in range(200):
            try:
                await control.state()
                return
            except Exception:
                await asyncio.sleep(0.05)
        raise RuntimeError("the simulator did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


async def _echo(spec: dict, folder: Path) -> float:
    simulator = Simulator(spec, folder)
    try:
        async with ControlClient(simulator.base_url) as control:
            await simulator.ready(control)
            answered = 0
            application = (
                ApplicationBuilder()
                .token(DEMO_BOT["token"])
                .base_url(f"{simulator.base_url}/bot")
                .build()
            )

            async def echo(update: Update, context) -> None:
                nonlocal answered
                await context.bot.send_message(
                    update.effective_chat.id, update.effective_message.text
                )
                answered += 1

            application.add_handler(MessageHandler(filters.TEXT, echo))
            await application.initialize()
            await application.start()
            await application.updater.start_polling(poll_interval=0.0)
            await asyncio.sleep(0.5)
            start = time.perf_counter()
            messages = _messages(spec)
            await control.send_many(messages)
            while answered < len(messages):  # noqa: ASYNC110 - polling a counter is the measurement
                await asyncio.sleep(0.005)
            elapsed = time.perf_counter() - start
            await application.updater.stop()
            await application.stop()
            await application.shutdown()
            return len(messages) / elapsed
    finally:
        simulator.stop()


async def _gridbot(config, spec: dict, folder: Path) -> tuple[float, int]:
    simulator = Simulator(spec, folder)
    try:
        async with ControlClient(simulator.base_url) as control:
            await simulator.ready(control)
            morning = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
            services = await Services.open(
                config, folder / "bench.sqlite3", clock=ManualClock(int(morning.timestamp()))
            )
            application = build_application(
                services, token=DEMO_BOT["token"], base_url=f"{simulator.base_url}/bot",
                base_file_url=f"{simulator.base_url}/file/bot", rate_limit=False,
            )  # fmt: skip
            await start_application(application)
            await asyncio.sleep(1.0)  # start-up calls (menus, rights) finish before timing
            start = time.perf_counter()
            messages = _messages(spec)
            await control.send_many(messages)
            while not await _all_handled(services, len(messages)):  # noqa: ASYNC110 - the database
                await asyncio.sleep(0.01)
            elapsed = time.perf_counter() - start
            cases = int(
                (await services.db.reader.execute_fetchall("SELECT COUNT(*) FROM cases"))[0][0]
            )
            await stop_application(application)
            await services.close()
            return len(messages) / elapsed, cases
    finally:
        simulator.stop()


async def _all_handled(services: Services, n: int) -> bool:
    """Every message became a case or joined one (同问), and nothing waits in the outbox."""
    rows = await services.db.reader.execute_fetchall(
        "SELECT (SELECT COUNT(*) FROM cases) + (SELECT COUNT(*) FROM followers),"
        " (SELECT COUNT(*) FROM outbox WHERE status = 'pending')"
    )
    handled, pending = rows[0]
    return handled >= n and pending == 0


def main() -> None:
    logging.disable(logging.WARNING)
    config = load_config(ROOT / "examples" / "zhenhai.toml")
    spec = _spec(config)
    with tempfile.TemporaryDirectory() as folder:
        echo = asyncio.run(_echo(spec, Path(folder)))
    with tempfile.TemporaryDirectory() as folder:
        ours, cases = asyncio.run(_gridbot(config, spec, Path(folder)))
    n = len(_messages(spec))
    print(f"end-to-end over the local Bot API server (own process), {n} group messages at once")
    print(f"  echo bot (one reply each)                 : {echo:7.1f} updates/s")
    print(
        f"  gridbot (case + card + private notice)    : {ours:7.1f} reports/s  ({cases} cases, rest 同问)"
    )
    print(f"  ratio gridbot / echo                      : {ours / echo:7.2f}")


if __name__ == "__main__":
    main()
