"""A typhoon surge (issue 16 item 4): 3,000 reports from 700 grids within 10 minutes, 10% urgent,
through the local Bot API server with Telegram's limits on (30 messages/s per bot, 20/min per
group: the simulator answers 429 past them), against the real bot process (`gridbot run`).

Prints, per mode: the urgent cards' latency after their report (p50/p99), the drain time (first
report to the bot's last message) against the floor the limits allow (all bot messages ÷ 30/s,
the busiest group's ÷ 20/min, and the arrivals' own span), the 429s the bot met, and how many
reports were lost (no case, no card) or doubled (two cases or two cards).

Time is compressed: the ten minutes of arrivals are played `--compress` times faster (default
10: 3,000 reports in 60 s, 50 a second), so the bot's 30 messages a second, not the residents,
set the pace. The limits themselves are never compressed. The grids are hit unevenly (weight
1/(rank + 30), as a storm hits a coast): the busiest group gets about 1% of the reports.

The default run is a fifth of the city (600 reports from 140 grids, same rate), to stay within
a few minutes in `make bench`; SURGE_FULL=1 (or --full) runs the whole surge. Residents press
no buttons; urgent alerts would repeat every 3 minutes while nobody accepts, so the bench's
configuration sets the repeat to an hour, and quiet hours off (a surge at night is still a
surge: the bench measures delivery, not the night rule).

    .venv/bin/python bench/bench_surge.py [--full] [--compress 10] [--modes sqlite,postgresql,webhook-1,webhook-4]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.cli.demo_people import DEMO_BOT, simulator_spec, with_residents  # noqa: E402
from bot.config import Config, parse_config_text  # noqa: E402
from bot.config.city import city_config_text  # noqa: E402
from simulator.appkeys import CALLS_KEY  # noqa: E402
from simulator.client import ControlClient  # noqa: E402
from simulator.faults import SENDING_METHODS  # noqa: E402
from simulator.seed import seed  # noqa: E402
from simulator.server import SimulatorServer  # noqa: E402

FULL = {"reports": 3000, "grids": 700}
WINDOW_SECONDS = 600  # the surge's real span: ten minutes
URGENT_SHARE = 0.10
PER_BOT_PER_SECOND = 30
PER_GROUP_PER_MINUTE = 20
RESIDENTS_PER_GROUP = 60
AIM_P99 = 5.0
AIM_DRAIN = 1.2
_NUMBER = re.compile(r"\d{4}-\d{6}")

URGENT_TEXTS = (
    "{n}号楼楼道里燃气泄漏 好大的煤气味",
    "{n}号楼旁边的大树被台风刮倒了 压住了电线 火花直冒",
    "{n}号楼地下车库进水了 水越来越深 车里好像还有人",
    "{n}号楼一楼着火了 冒烟",
)
PLAIN_TEXTS = (
    "{n}号楼门口的路灯被风刮坏了 晚上很黑",
    "{n}号楼下面的下水道堵了 雨水排不出去",
    "{n}号楼旁边的树枝断了掉在人行道上",
    "{n}号楼楼下的共享单车被风吹倒了一地",
    "{n}号楼门口的垃圾桶被吹倒了 垃圾满地",
)

BENCH_SETTINGS = """
[quiet_hours]
enabled = false

[emergency]
repeat_minutes = 60
accept_minutes = 60
"""


@dataclass
class Report:
    at: float  # seconds after the start, compressed
    chat: int
    user: int
    text: str
    urgent: bool
    message_id: int | None = None
    posted: float | None = None  # monotonic, when the simulator stored it


@dataclass
class Result:
    mode: str
    reports: int = 0
    urgent: int = 0
    cases: int = 0
    lost: int = 0
    doubled: int = 0
    p50: float = float("nan")
    p99: float = float("nan")
    all_p50: float = float("nan")
    all_p99: float = float("nan")
    drain: float = 0.0
    arrivals: float = 0.0
    messages: int = 0
    group_messages: int = 0
    busiest_group: int = 0
    group_floor: float = 0.0  # the latest any group can be done at 20 a sliding minute
    limited: int = 0  # 429s the simulator gave for the limits
    startup: float = 0.0  # from starting the process to its last start-up call
    finished: bool = True
    notes: list[str] = field(default_factory=list)

    @property
    def floor(self) -> float:
        return max(self.arrivals, self.messages / PER_BOT_PER_SECOND, self.group_floor)


def bench_config(grids: int) -> tuple[str, Config]:
    text = city_config_text(grids, seed=16) + BENCH_SETTINGS
    return text, parse_config_text(text, file=f"city-{grids}.toml")


def _spec(config: Config) -> dict[str, Any]:
    return with_residents(
        simulator_spec(config), RESIDENTS_PER_GROUP, first_id=90_000_000, stride=100
    )


def schedule(config: Config, reports: int, compress: float, seed: int = 16) -> list[Report]:
    """Arrival times uniform over the window (a Poisson stream), grids weighted 1/(rank + 30),
    urgent ones chosen at random; each report names its own building, so none is 同问."""
    rng = random.Random(seed)
    grids = config.grids()
    weights = [1 / (rank + 30 * len(grids) / FULL["grids"]) for rank in range(len(grids))]
    chosen = rng.choices(range(len(grids)), weights=weights, k=reports)
    urgent = set(rng.sample(range(reports), round(reports * URGENT_SHARE)))
    span = WINDOW_SECONDS * reports / FULL["reports"] / compress
    times = sorted(rng.uniform(0, span) for _ in range(reports))
    used: dict[int, int] = {}
    plan = []
    for i, (at, g) in enumerate(zip(times, chosen, strict=True)):
        nth = used[g] = used.get(g, -1) + 1
        texts = URGENT_TEXTS if i in urgent else PLAIN_TEXTS
        plan.append(
            Report(
                at=at,
                chat=grids[g].chat_id,
                user=90_000_000 + g * 100 + nth % RESIDENTS_PER_GROUP,
                text="/report " + texts[i % len(texts)].format(n=i + 1),
                urgent=i in urgent,
            )
        )
    return plan


class Recorder:
    """Every message the simulator stores, with the moment it did (wraps its event log)."""

    def __init__(self, server: SimulatorServer) -> None:
        self.messages: list[tuple[float, dict[str, Any]]] = []
        state = server.state
        emit = state._emit

        def recording(kind: str, chat_key: str | None, data: Any) -> None:
            if kind == "message":
                self.messages.append((time.monotonic(), data["message"]))
            emit(kind, chat_key, data)

        state._emit = recording  # type: ignore[method-assign]  # the bench listens in

    def bot_messages(self) -> list[tuple[float, dict[str, Any]]]:
        return [(t, m) for t, m in self.messages if m.get("from_bot")]


def _profiled() -> list[str]:
    """SURGE_PROFILE=FILE runs the bot under cProfile (for finding where its time goes)."""
    target = os.environ.get("SURGE_PROFILE")
    return ["-m", "cProfile", "-o", target] if target else []


class BotProcess:
    """`gridbot run` (with any extra arguments) in a child process, its log in a file."""

    def __init__(self, server: SimulatorServer, folder: Path, args: list[str]) -> None:
        self.server, self.folder, self.args = server, folder, args
        self.log = folder / "bot.log"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": DEMO_BOT["token"],
            "TELEGRAM_API_BASE_URL": self.server.api_base_url,
        }
        with self.log.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, *_profiled(), "-m", "bot.cli", "run", *self.args,
                cwd=self.folder, env=env, stdout=subprocess.DEVNULL, stderr=log,
            )  # fmt: skip
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if b"gridbot is running" in self.log.read_bytes():
                return
            if self.process.returncode is not None:
                break
            await asyncio.sleep(0.1)
        raise RuntimeError(f"the bot did not start:\n{self.log.read_text()[-3000:]}")

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


_CASES_SQL = "SELECT chat_id, message_id, COUNT(*), MAX(urgent) FROM cases GROUP BY 1, 2"
_PENDING_SQL = "SELECT COUNT(*) FROM outbox WHERE status = 'pending'"


async def _rows(db: str, sql: str) -> list[Any]:
    """The bench reads the bot's database directly (the bot runs in another process)."""
    if db.startswith("postgresql://"):
        import asyncpg

        conn = await asyncpg.connect(db)
        try:
            return list(await conn.fetch(sql))
        finally:
            await conn.close()
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return list(conn.execute(sql))


async def _cases(db: str) -> dict[tuple[int, int], tuple[int, bool]]:
    """(chat, message) → (cases opened for it, whether the bot found it urgent)."""
    rows = await _rows(db, _CASES_SQL)
    return {(int(c), int(m)): (int(n), bool(u)) for c, m, n, u in rows}


async def _pending(db: str) -> int:
    return int((await _rows(db, _PENDING_SQL))[0][0])


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


async def run_mode(
    mode: str,
    config_text: str,
    config: Config,
    plan: list[Report],
    *,
    give_up: float,
    pg_url: str | None = None,
) -> Result:
    """One surge against one bot set-up: 'sqlite' or 'postgresql' (long polling, one process),
    or 'webhook-N' (PostgreSQL, a webhook listener and N worker processes)."""
    result = Result(mode, reports=len(plan), urgent=sum(r.urgent for r in plan))
    spec = _spec(config)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        config_path = folder / "city.toml"
        config_path.write_text(config_text, encoding="utf-8")
        db = pg_url if mode != "sqlite" and pg_url else str(folder / "surge.sqlite3")
        extra: list[str] = []
        if mode.startswith("webhook-"):
            port = _free_port()
            extra = [
                "--webhook", f"http://127.0.0.1:{port}/telegram", "--listen", f"127.0.0.1:{port}",
                "--workers", mode.split("-", 1)[1],
            ]  # fmt: skip
        async with (
            SimulatorServer(enforce_limits=True) as server,
            ControlClient(server.base_url) as control,
        ):
            await seed(server, spec)
            recorder = Recorder(server)
            bot = BotProcess(server, folder, ["--config", str(config_path), "--db", db, *extra])
            started = time.monotonic()
            await bot.start()
            # The start-up calls (a command menu per staff member, a look at each group)
            # share the 30 a second with everything else: the surge comes after them.
            result.startup = await _startup_done(server, len(config.grids())) - started
            server.faults.counts["limit"] = 0
            begun = time.monotonic()
            await _play(control, plan, begun)
            result.arrivals = time.monotonic() - begun
            result.finished = await _until_drained(recorder, plan, db, begun, give_up)
            result.limited = server.faults.counts["limit"]
            await bot.stop()
            _measure(result, recorder, plan, await _cases(db), begun)
            if os.environ.get("SURGE_DUMP") and mode == "sqlite":
                import shutil

                shutil.copy(db, os.environ["SURGE_DUMP"] + ".sqlite3")
                shutil.copy(bot.log, os.environ["SURGE_DUMP"] + ".log")
            calls = await control.calls()
            result.notes.append(
                f"{sum(1 for c in calls if c['method'] in SENDING_METHODS)} send calls logged"
            )
    return result


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _startup_done(server: SimulatorServer, groups: int) -> float:
    """The moment the bot has looked at every grid group (its last start-up call)."""
    while True:
        looked = {
            c.get("params", {}).get("chat_id")
            for c in list(_call_log(server))
            if c.get("method") == "getchatmember"
        }
        if len(looked) >= groups:
            await asyncio.sleep(0.5)
            return time.monotonic()
        await asyncio.sleep(0.2)


def _call_log(server: SimulatorServer) -> Any:
    return server._runner.app[CALLS_KEY]  # type: ignore[union-attr]  # the bench reads the log


async def _play(control: ControlClient, plan: list[Report], begun: float) -> None:
    """Post each report at its time (in small batches: the simulator stores them in order)."""
    index = 0
    while index < len(plan):
        now = time.monotonic() - begun
        batch = []
        while index < len(plan) and plan[index].at <= now:
            batch.append(plan[index])
            index += 1
        if batch:
            await control.send_many(
                [{"chat": r.chat, "user_id": r.user, "text": r.text} for r in batch]
            )
        if index < len(plan):
            await asyncio.sleep(max(0.0, min(0.05, plan[index].at - (time.monotonic() - begun))))


async def _until_drained(
    recorder: Recorder, plan: list[Report], db: str, begun: float, give_up: float
) -> bool:
    """Every report has its card, nothing waits in the outbox, and the bot has been quiet 3 s."""
    reports = len(plan)
    while time.monotonic() - begun < give_up:
        bot = recorder.bot_messages()
        cards = sum(1 for _, m in bot if m.get("reply_to_message_id") and m["chat"]["id"] < 0)
        last = bot[-1][0] if bot else begun
        if cards >= reports and time.monotonic() - last >= 3.0 and await _pending(db) == 0:
            return True
        await asyncio.sleep(0.5)
    return False


def _measure(
    result: Result,
    recorder: Recorder,
    plan: list[Report],
    cases: dict[tuple[int, int], tuple[int, bool]],
    begun: float,
) -> None:
    # Each report's message id and the moment the simulator stored it, matched by its text.
    by_text = {(r.chat, r.text): r for r in plan}
    for moment, message in recorder.messages:
        report = by_text.get((message["chat"]["id"], message.get("text")))
        if report is not None and not message.get("from_bot"):
            report.message_id, report.posted = message["message_id"], moment
    first_card: dict[tuple[int, int], float] = {}
    card_count: dict[tuple[int, int], int] = {}
    bot = recorder.bot_messages()
    groups: dict[int, int] = {}
    for moment, message in bot:
        chat = message["chat"]["id"]
        if chat < 0:
            groups[chat] = groups.get(chat, 0) + 1
        if message.get("reply_to_message_id") and _NUMBER.search(message.get("text") or ""):
            key = (chat, message["reply_to_message_id"])
            card_count[key] = card_count.get(key, 0) + 1
            first_card.setdefault(key, moment)
    urgent_latency, latency = [], []
    flagged_otherwise = 0
    for report in plan:
        key = (report.chat, report.message_id or -1)
        (has_case, urgent), cards = cases.get(key, (0, False)), card_count.get(key, 0)
        if urgent != report.urgent:
            flagged_otherwise += 1
        result.cases += has_case > 0
        result.lost += has_case == 0 and cards == 0
        result.doubled += has_case > 1 or cards > 1
        if key in first_card and report.posted is not None:
            latency.append(first_card[key] - report.posted)
            if urgent:  # as the bot judged it: the card then says whom to call
                urgent_latency.append(first_card[key] - report.posted)
    result.urgent = sum(1 for n, urgent in cases.values() if urgent)
    if flagged_otherwise:
        result.notes.append(
            f"{flagged_otherwise} reports judged otherwise than planned (urgent or not)"
        )
    result.p50, result.p99 = _pct(urgent_latency, 0.5), _pct(urgent_latency, 0.99)
    result.all_p50, result.all_p99 = _pct(latency, 0.5), _pct(latency, 0.99)
    result.messages = len(bot)
    result.group_messages = sum(groups.values())
    result.busiest_group = max(groups.values(), default=0)
    result.group_floor = _group_floor(plan, groups, begun)
    result.drain = (bot[-1][0] - begun) if bot else 0.0
    if os.environ.get("SURGE_DUMP"):
        import json

        dump = {
            "begun": begun,
            "reports": [
                [r.chat, r.urgent, r.posted, first_card.get((r.chat, r.message_id or -1))]
                for r in plan
            ],
            "bot": [[t, m["chat"]["id"], bool(m.get("reply_to_message_id"))] for t, m in bot],
        }
        Path(os.environ["SURGE_DUMP"]).write_text(json.dumps(dump), encoding="utf-8")


def _group_floor(plan: list[Report], groups: dict[int, int], begun: float) -> float:
    """The earliest every group could have had all its messages at 20 in any 60 s: message j
    goes at its report's arrival, or 60 s after message j - 20, whichever is later (messages
    beyond the cards, if any, as if they came with the last report)."""
    latest = 0.0
    for chat, count in groups.items():
        arrivals = sorted(r.posted - begun for r in plan if r.chat == chat and r.posted)
        arrivals += [arrivals[-1] if arrivals else 0.0] * max(0, count - len(arrivals))
        sends: list[float] = []
        for j, arrival in enumerate(arrivals[:count]):
            earliest = sends[j - PER_GROUP_PER_MINUTE] + 60 if j >= PER_GROUP_PER_MINUTE else 0
            sends.append(max(arrival, earliest))
        latest = max(latest, sends[-1] if sends else 0.0)
    return latest


def _print(result: Result) -> None:
    floor = result.floor
    print(f"\n  {result.mode}")
    print(
        f"    reports {result.reports} ({result.urgent} urgent)  cases {result.cases}"
        f"  lost {result.lost}  doubled {result.doubled}"
        + ("" if result.finished else "  (NOT drained within the timeout)")
    )
    p99_verdict = "ok" if result.p99 <= AIM_P99 else "MISSED"
    print(
        f"    urgent card latency p50 {result.p50:6.2f} s  p99 {result.p99:6.2f} s"
        f"  (aim ≤ {AIM_P99:.0f} s: {p99_verdict});"
        f" all cards p50 {result.all_p50:.2f} s  p99 {result.all_p99:.2f} s"
    )
    print(
        f"    bot messages {result.messages} ({result.group_messages} in groups; busiest group"
        f" {result.busiest_group})  429 for the limits: {result.limited}"
    )
    ratio = result.drain / floor if floor else float("nan")
    drain_verdict = "ok" if ratio <= AIM_DRAIN else "MISSED"
    print(
        f"    drain {result.drain:6.1f} s  floor {floor:6.1f} s  ratio {ratio:5.2f}"
        f" (aim ≤ {AIM_DRAIN}: {drain_verdict})"
    )
    print(
        f"    floor = the largest of: messages/30 per s {result.messages / PER_BOT_PER_SECOND:.1f} s;"
        f" groups at 20 per sliding minute from their reports' arrivals {result.group_floor:.1f} s"
        f" (busiest group {result.busiest_group} messages, ÷ 20/min ="
        f" {result.busiest_group / PER_GROUP_PER_MINUTE * 60:.0f} s, but the first 20 may go at"
        f" once); arrivals {result.arrivals:.1f} s"
    )
    print(
        f"    start-up (menus for every staff member, a look at every group): {result.startup:.1f} s"
    )
    for note in result.notes:
        print(f"    {note}")


async def main(full: bool, compress: float, modes: list[str]) -> None:
    size = FULL if full else {"reports": FULL["reports"] // 5, "grids": FULL["grids"] // 5}
    text, config = bench_config(size["grids"])
    plan = schedule(config, size["reports"], compress)
    span = plan[-1].at if plan else 0
    print(
        f"typhoon surge: {size['reports']} reports from {size['grids']} grids"
        f" ({len(config.streets)} streets), {URGENT_SHARE:.0%} urgent, arriving over"
        f" {span:.0f} s ({WINDOW_SECONDS * size['reports'] / FULL['reports']:.0f} s"
        f" compressed {compress:g}×); limits on: {PER_BOT_PER_SECOND}/s per bot,"
        f" {PER_GROUP_PER_MINUTE}/min per group"
        + ("" if full else "  [a fifth of the city; SURGE_FULL=1 for all of it]")
    )
    for mode in modes:
        fresh = [Report(r.at, r.chat, r.user, r.text, r.urgent) for r in plan]
        if mode == "sqlite":
            _print(await run_mode(mode, text, config, fresh, give_up=span + 900))
        elif mode == "postgresql" or mode.startswith("webhook-"):
            await _on_postgresql(mode, text, config, fresh, give_up=span + 900)
        else:
            print(f"\n  {mode}: unknown mode (sqlite, postgresql, webhook-N)")


async def _on_postgresql(
    mode: str, text: str, config: Config, plan: list[Report], *, give_up: float
) -> None:
    try:
        from tests.pg_server import PgServer, PgUnavailable
    except ImportError as error:
        print(f"\n  postgresql: not measured: no PostgreSQL support on this branch ({error})")
        return
    try:
        server = await asyncio.to_thread(lambda: PgServer().start())
    except PgUnavailable as error:
        print(f"\n  postgresql: not measured: {error}")
        return
    try:
        _, url = await asyncio.to_thread(server.new_database)
        _print(await run_mode(mode, text, config, plan, give_up=give_up, pg_url=url))
    finally:
        await asyncio.to_thread(server.stop)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", default=os.environ.get("SURGE_FULL") == "1")
    parser.add_argument("--compress", type=float, default=10.0)
    parser.add_argument(
        "--modes",
        default="sqlite,postgresql,webhook-1,webhook-4",
        help="comma-separated: sqlite, postgresql (long polling, one process), webhook-N "
        "(PostgreSQL, a listener and N workers)",
    )
    args = parser.parse_args()
    asyncio.run(main(args.full, args.compress, args.modes.split(",")))
