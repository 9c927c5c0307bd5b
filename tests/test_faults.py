"""The real bot process under faults (small numbers; bench/bench_faults.py runs larger ones):
no report is lost, none gets two cases, and the process stops cleanly on SIGTERM."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config
from tests.fault_harness import Plan, run_faults

pytestmark = pytest.mark.timeout(120)


async def test_kill_9_in_the_middle_of_a_burst_loses_no_report(
    tmp_path: Path, config: Config
) -> None:
    outcome = await run_faults(config, tmp_path, Plan(reports=30, kills=2, burst=10))
    assert outcome.kills == 2
    assert outcome.lost == 0 and outcome.cases == outcome.sent == 30
    assert outcome.doubled_cases == 0
    # A card is sent and then marked sent: a kill between the two sends it again (Telegram
    # has no idempotent send), at most the sends in flight at each kill.
    assert outcome.doubled <= outcome.kills * 8
    assert outcome.inbox == {"handled": 30}
    assert outcome.exit_codes == [0]


async def test_shares_of_429_and_5xx_lose_and_double_nothing(
    tmp_path: Path, config: Config
) -> None:
    plan = Plan(reports=20, kills=0, share_429=0.15, share_5xx=0.1)
    outcome = await run_faults(config, tmp_path, plan)
    assert outcome.lost == 0 and outcome.doubled == 0
    assert outcome.carded == outcome.sent == 20


async def test_an_outage_of_the_whole_api_is_caught_up_after(
    tmp_path: Path, config: Config
) -> None:
    outcome = await run_faults(config, tmp_path, Plan(reports=10, kills=0, outage_seconds=3))
    assert outcome.lost == 0 and outcome.doubled == 0
    assert outcome.carded == outcome.sent == 10


async def test_forged_button_presses_are_answered_and_change_nothing(
    tmp_path: Path, config: Config
) -> None:
    outcome = await run_faults(config, tmp_path, Plan(reports=4, kills=0, forged=16))
    assert outcome.forged_answered == 16
    assert outcome.forged_changed == 0
