"""The benches' plans fit what the bot lets through, so `make bench` finishes.

bench/bench_e2e.py runs the bot on a held clock: a group given more reports than the bot lets
cards into one group within a minute (Telegram's 20, paced by the outbox itself) waits for a
minute that never passes, and the bench waited for ever (400 reports over 14 groups).
"""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

from bot.config import load_config
from bot.delivery.outbox import GROUP_PER_MINUTE, GROUP_URGENT_RESERVE

ROOT = Path(__file__).resolve().parent.parent


def _bench(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_the_end_to_end_bench_gives_no_group_more_reports_than_one_minute_of_cards() -> None:
    e2e = _bench("bench_e2e")
    spec = e2e._spec(load_config(ROOT / "examples" / "zhenhai.toml"))
    messages = e2e._messages(spec)
    per_group = Counter(m["chat"] for m in messages)
    assert len(messages) >= 200  # enough to measure
    assert max(per_group.values()) <= GROUP_PER_MINUTE - GROUP_URGENT_RESERVE
    # every message is a report from a member of its group
    members = {g["chat_id"]: set(g["members"]) for g in spec["groups"]}
    assert all(m["user_id"] in members[m["chat"]] for m in messages)
    assert all(m["text"].startswith("/report ") for m in messages)
