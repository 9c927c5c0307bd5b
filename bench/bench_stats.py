"""/stats for a whole street and the risk index for all grids over one million cases, each
against a plain `SELECT COUNT(*) FROM cases` on the same database in the same run.

The database (cases, events, ratings, likes from tests/history.py, a year of them) is built
once with executemany in one transaction and cached in the temp directory under a key of the
schema and the generator, so reruns start at once. `--cases N` for a smaller trial.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import Config, load_config  # noqa: E402
from bot.reports.hot_topics import hot_topics  # noqa: E402
from bot.reports.risk import assess  # noqa: E402
from bot.reports.stats import Scope, figures, parse_period  # noqa: E402
from storage import stats as stats_sql  # noqa: E402
from storage.db import Database  # noqa: E402
from tests.conftest import local_ts  # noqa: E402
from tests.history import iter_history  # noqa: E402

VERSION = 1  # bump when the generated history changes in a way the key does not see
DAYS = 365
NOW = local_ts("2026-11-25 10:00")
STREET = "zhaobaoshan"
REPEATS = 7


def _cache_key(cases: int) -> str:
    parts = [f"v{VERSION}", str(cases), str(DAYS), str(NOW)]
    for path in sorted((ROOT / "storage" / "migrations").glob("*.sql")):
        parts.append(path.read_text(encoding="utf-8"))
    parts.append((ROOT / "tests" / "history.py").read_text(encoding="utf-8"))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


async def _build(path: Path, config: Config, cases: int) -> None:
    partial = path.with_suffix(".building")
    for leftover in path.parent.glob(partial.name + "*"):
        leftover.unlink()
    started = time.perf_counter()
    db = await Database.open(partial)
    try:
        async with db.write() as conn:
            for batch in iter_history(config, cases=cases, days=DAYS, end=NOW, seed=2026):
                await stats_sql.insert_history(
                    conn, cases=batch.cases, events=batch.events, ratings=batch.ratings,
                    likes=batch.likes,
                )  # fmt: skip
                print(f"  … {batch.cases[-1][0]:,} cases", flush=True)
        await db.reader.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        await db.close()
    partial.rename(path)
    print(f"built {path} in {time.perf_counter() - started:.0f} s")


async def _timed(run: Callable[[], Awaitable[object]]) -> tuple[float, float]:
    """(first run, median of the next runs) in milliseconds."""
    samples = []
    for _ in range(REPEATS + 1):
        start = time.perf_counter()
        await run()
        samples.append((time.perf_counter() - start) * 1000)
    return samples[0], statistics.median(samples[1:])


async def main(cases: int) -> None:
    config = load_config(ROOT / "examples" / "zhenhai.toml")
    folder = Path(tempfile.gettempdir()) / "gridbot-bench"
    folder.mkdir(exist_ok=True)
    path = folder / f"stats-{_cache_key(cases)}.sqlite3"
    if not path.exists():
        print(f"building a {cases:,}-case database (cached for later runs)…", flush=True)
        await _build(path, config, cases)
    db = await Database.open(path)
    conn = db.reader
    total = await stats_sql.count_all_cases(conn)
    month = parse_period("month", config, NOW)
    quarter = parse_period("2026-09-01..2026-11-30", config, NOW)
    street = Scope("street", STREET)
    month_figures = await figures(conn, config, street, month, NOW)

    rows: list[tuple[str, float, float]] = []
    count_first, count_ms = await _timed(lambda: stats_sql.count_all_cases(conn))
    rows.append(("SELECT COUNT(*) FROM cases", count_first, count_ms))
    for label, period in (
        ("/stats street, this month", month),
        ("/stats street, 3 months", quarter),
    ):
        first, ms = await _timed(lambda p=period: figures(conn, config, street, p, NOW))
        rows.append((label, first, ms))
    first, ms = await _timed(lambda: assess(conn, config, NOW))
    rows.append((f"risk index, all {len(config.grids())} grids", first, ms))
    week = parse_period("week", config, NOW)
    first, ms = await _timed(lambda: hot_topics(conn, config, street, week))
    rows.append(("hot topics street, this week", first, ms))
    # the yardstick again, to show it did not drift during the run
    count_first2, count_ms2 = await _timed(lambda: stats_sql.count_all_cases(conn))
    rows.append(("SELECT COUNT(*) FROM cases (again)", count_first2, count_ms2))
    await db.close()

    print(f"\n{total:,} cases; the street's month holds {month_figures.totals.new:,} of them")
    print(f"{'query':<34} {'first ms':>9} {'median ms':>10} {'× COUNT(*)':>11}")
    for label, first, ms in rows:
        print(f"{label:<34} {first:>9.1f} {ms:>10.1f} {ms / count_ms:>11.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    asyncio.run(main(parser.parse_args().cases))
