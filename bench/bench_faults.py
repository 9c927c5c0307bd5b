"""Faults against the real bot process (`gridbot run`) over the local Bot API server: kill -9
in the middle of a burst of reports and a restart, shares of 429 and 5xx answers, an outage of
the whole API for 90 s, forged button presses. Prints, for each: reports sent, cases, cards, lost
(no case and no card), doubled (two cases or two cards for one message) and the time until quiet
(from the end of the faults to the bot's last message).

    .venv/bin/python bench/bench_faults.py [--quick]
"""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import load_config  # noqa: E402
from tests.fault_harness import EXAMPLE, Outcome, Plan, run_faults  # noqa: E402

PLANS = {
    "kill -9 ×3 in a burst of 300": Plan(reports=300, kills=3, burst=25, timeout=300),
    "429 15% + 5xx 10%, 300 reports": Plan(
        reports=300, kills=0, burst=25, share_429=0.15, share_5xx=0.10, timeout=300
    ),
    "outage 90 s after 100 reports": Plan(reports=100, kills=0, outage_seconds=90, timeout=300),
    "all at once: kills, 429/5xx, outage 30 s": Plan(
        reports=300,
        kills=3,
        burst=25,
        share_429=0.1,
        share_5xx=0.05,
        outage_seconds=30,
        timeout=300,
    ),  # fmt: skip
    "forged button presses (200)": Plan(reports=10, kills=0, forged=200),
}
QUICK = {
    "kill -9 ×2 in a burst of 60": Plan(reports=60, kills=2, burst=10),
    "429 15% + 5xx 10%, 60 reports": Plan(reports=60, kills=0, share_429=0.15, share_5xx=0.1),
    "outage 10 s after 30 reports": Plan(reports=30, kills=0, outage_seconds=10),
    "forged button presses (50)": Plan(reports=5, kills=0, forged=50),
}


def _print(name: str, outcome: Outcome, seconds: float) -> None:
    print(f"  {name}")
    print(
        f"    sent {outcome.sent:4d}  cases {outcome.cases:4d}  cards {outcome.carded:4d}"
        f"  lost {outcome.lost:3d}"
        f"  doubled {outcome.doubled:3d} (cases {outcome.doubled_cases})"
        f"  quiet after {outcome.until_quiet:5.1f} s  kills {outcome.kills}"
        f"  SIGTERM exit {outcome.exit_codes}  ({seconds:.0f} s in all)"
    )
    if not outcome.all_carded:
        print("    not every card came within the timeout of the end of the faults")
    if outcome.forged_answered or outcome.forged_changed:
        print(
            f"    forged presses answered {outcome.forged_answered},"
            f" cases changed by them {outcome.forged_changed}"
        )


async def main(quick: bool) -> None:
    logging.disable(logging.WARNING)
    config = load_config(EXAMPLE)
    print("faults against `gridbot run` on the local Bot API server")
    for name, plan in (QUICK if quick else PLANS).items():
        with tempfile.TemporaryDirectory() as folder:
            begun = time.monotonic()
            outcome = await run_faults(config, Path(folder), plan)
            _print(name, outcome, time.monotonic() - begun)


if __name__ == "__main__":
    asyncio.run(main("--quick" in sys.argv))
