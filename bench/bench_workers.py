"""Webhook mode on one SQLite file: the same burst of reports handled by 1 worker and by 3
(`gridbot run --webhook … --workers N`, real processes, the local Bot API server delivering by
webhook). Prints, for each: updates handled per second (from the first post to the last update
marked handled in the inbox), reports carded per second (to the last card), lost and doubled,
and the ratio of 3 workers to 1 measured in the same run.

    .venv/bin/python bench/bench_workers.py [--quick]

The machine's cores bound the ratio: the listener, the workers and the local Telegram share them.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import load_config  # noqa: E402
from simulator.client import ControlClient  # noqa: E402
from simulator.seed import seed  # noqa: E402
from simulator.server import SimulatorServer  # noqa: E402
from tests.fault_harness import EXAMPLE, _reports, _spec  # noqa: E402
from tests.webhook_harness import WebhookBot, bot_messages, cards  # noqa: E402


async def one_run(workers: int, reports: int, folder: Path) -> dict[str, float]:
    config = load_config(str(EXAMPLE))
    spec = _spec(config)
    chats = [g["chat_id"] for g in spec["groups"]]
    async with SimulatorServer() as server, ControlClient(server.base_url) as control:
        await seed(server, spec)
        bot = WebhookBot(server, folder, workers=workers)
        await bot.start()
        try:
            await bot.running()
            begun = time.monotonic()
            await control.send_many(_reports(spec, reports))
            handled_at = carded_at = None
            while time.monotonic() - begun < 600:
                ((handled,),) = bot.query("SELECT COUNT(*) FROM inbox WHERE status = 'handled'")
                if handled >= reports:
                    handled_at = time.monotonic() - begun
                    break
                await asyncio.sleep(0.05)
            while time.monotonic() - begun < 600:
                found = cards(await bot_messages(control, chats))
                if len(found) >= reports:
                    carded_at = time.monotonic() - begun
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(2)  # anything doubled comes now
            found = cards(await bot_messages(control, chats))
        finally:
            await bot.terminate()
    if handled_at is None or carded_at is None:
        raise SystemExit(f"{workers} worker(s): not every report was carded within 600 s")
    return {
        "handled_per_s": reports / handled_at,
        "carded_per_s": reports / carded_at,
        "lost": reports - len(found),
        "doubled": sum(len(numbers) > 1 for numbers in found.values()),
    }


async def main(quick: bool) -> None:
    reports = 140 if quick else 280  # 10 or 20 per grid group: within a group's burst allowance
    print(f"{reports} reports over 14 grid groups, one SQLite file, {os.cpu_count()} cores")
    results = {}
    for workers in (1, 3):
        with tempfile.TemporaryDirectory() as folder:
            results[workers] = await one_run(workers, reports, Path(folder))
        r = results[workers]
        print(
            f"  {workers} worker(s): handled {r['handled_per_s']:.1f} updates/s, "
            f"carded {r['carded_per_s']:.1f} reports/s, lost {r['lost']}, doubled {r['doubled']}"
        )
    one, three = results[1], results[3]
    print(
        f"  3 workers ÷ 1: handling ×{three['handled_per_s'] / one['handled_per_s']:.2f}, "
        f"cards ×{three['carded_per_s'] / one['carded_per_s']:.2f}"
    )


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main("--quick" in sys.argv))
