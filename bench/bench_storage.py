"""Case creations per second (case, events and notices in one transaction each) against plain
sqlite3 inserts of the same rows, in the same run on the same disk; and the same creations on a
throwaway local PostgreSQL (the tests' server: fsync off, a Unix socket) against SQLite's, when
PostgreSQL is installed."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.cases.lifecycle import Lifecycle  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.timing.clock import ManualClock  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.records import NewCase  # noqa: E402

N = 2000


def _reports(config) -> list[NewCase]:
    grids = config.grids()
    reports = []
    for i in range(N):
        grid = grids[i % len(grids)]
        reports.append(
            NewCase(
                grid_id=grid.id, community_id=config.community_of(grid.id).id,
                street_id=config.street_of(grid.id).id, reporter_id=900000 + i % 500,
                reporter_name="居民", chat_id=grid.chat_id, message_id=i + 1,
                text="3号楼门口路灯坏了好几天了 晚上黑漆漆的", category="facility_repair",
                level=1 + i % 3, urgent=i % 17 == 0, location="3号楼门口", confidence=0.9,
            )
        )  # fmt: skip
    return reports


async def _gridbot(path: Path | str, config, reports: list[NewCase]) -> float:
    db = await Database.open(path)
    lifecycle = Lifecycle(db, config, ManualClock(1_795_000_000))
    start = time.perf_counter()
    for report in reports:
        await lifecycle.open_case(report, group_chat_id=-1)
    elapsed = time.perf_counter() - start
    await db.close()
    return elapsed


def _plain(path: Path, reports: list[NewCase]) -> float:
    """The same rows (case, two events, three notices) with the sqlite3 module, one commit each."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.executescript(
        "CREATE TABLE c (id INTEGER PRIMARY KEY, number TEXT, grid TEXT, reporter INTEGER,"
        " chat INTEGER, msg INTEGER, text TEXT, category TEXT, level INTEGER, status TEXT,"
        " assignee INTEGER, UNIQUE (chat, msg));"
        "CREATE TABLE e (id INTEGER PRIMARY KEY, case_id INTEGER, action TEXT, at INTEGER);"
        "CREATE TABLE o (id INTEGER PRIMARY KEY, case_id INTEGER, kind TEXT, chat INTEGER);"
    )
    start = time.perf_counter()
    for i, r in enumerate(reports):
        conn.execute("BEGIN IMMEDIATE")
        cur = conn.execute(
            "INSERT INTO c (number, grid, reporter, chat, msg, text, category, level, status,"
            " assignee) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (f"2026-{i:06d}", r.grid_id, r.reporter_id, r.chat_id, r.message_id, r.text,
             r.category, r.level, "assigned", 1),
        )  # fmt: skip
        case_id = cur.lastrowid
        conn.executemany(
            "INSERT INTO e (case_id, action, at) VALUES (?, ?, 0)",
            [(case_id, "open"), (case_id, "assign")],
        )
        conn.executemany(
            "INSERT INTO o (case_id, kind, chat) VALUES (?, ?, ?)",
            [(case_id, "card", r.chat_id), (case_id, "assigned", 1), (case_id, "inform", 2)],
        )
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def main() -> None:
    config = load_config(ROOT / "examples" / "zhenhai.toml")
    reports = _reports(config)
    with tempfile.TemporaryDirectory() as folder:
        plain = _plain(Path(folder) / "plain.sqlite3", reports)
        ours = asyncio.run(_gridbot(Path(folder) / "gridbot.sqlite3", config, reports))
    print(f"case creations: {N}")
    print(f"  plain sqlite3 inserts : {N / plain:8.0f} /s")
    print(f"  gridbot open_case     : {N / ours:8.0f} /s")
    print(f"  ratio gridbot / plain : {plain / ours:8.2f}")
    on_postgresql = _on_postgresql(config, reports)
    if on_postgresql is not None:
        print(f"  on PostgreSQL         : {N / on_postgresql:8.0f} /s (fsync off)")
        print(f"  ratio PostgreSQL / SQLite : {ours / on_postgresql:4.2f}")


def _on_postgresql(config, reports: list[NewCase]) -> float | None:
    from tests.pg_server import PgServer, PgUnavailable

    try:
        server = PgServer().start()
    except PgUnavailable as error:
        print(f"  on PostgreSQL         : not measured ({error})")
        return None
    try:
        _, url = server.new_database()
        return asyncio.run(_gridbot(url, config, reports))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
