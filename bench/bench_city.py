"""A city-size configuration (issue 16 item 5): a generated 10,000-grid city loads and validates
(gridbot's `load_config`: TOML, pydantic models, cross-references) against plain `tomllib.loads`
of the same file in the same run, at a few sizes to show the growth is linear.

Then, when PostgreSQL's server programs are installed (`make system-deps`), the street
statistics the bot answers /stats with (bot.reports.stats.figures) over a city's cases on a
throwaway PostgreSQL (the tests' server: fsync off, a Unix socket): the cases table of the
shipped schema is filled with generate_series (the indexes dropped meanwhile and made again
after, as a bulk load would), spread over the city's grids and a year, and each query is timed
against `SELECT COUNT(*) FROM cases` in the same run. Ratings and likes are left empty: the
cases are what grows. `--pg-cases 10000000` for the city's ten million (default one million,
to stay quick in `make bench`).

    .venv/bin/python bench/bench_city.py [--grids 10000] [--pg-cases 10000000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import Config, load_config, parse_config_text  # noqa: E402
from bot.config.city import city_config_text  # noqa: E402

REPEATS = 3
AIM_SECONDS = 5.0


def _median(run, repeats: int = REPEATS) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def config_figures(grids: int) -> None:
    print(f"configuration: generated city, load + validate against tomllib.loads ({REPEATS} runs)")
    print(
        f"{'grids':>7} {'MB':>6} {'tomllib s':>10} {'load_config s':>14} {'ratio':>6} {'s/1k grids':>11}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for size in sorted({grids // 4, grids // 2, grids}):
            path = Path(folder) / f"city-{size}.toml"
            path.write_text(city_config_text(size), encoding="utf-8")
            toml_s = _median(lambda p=path: tomllib.loads(p.read_text(encoding="utf-8")))
            load_s = _median(lambda p=path: load_config(p))
            config = load_config(path)
            assert len(config.grids()) == size
            print(
                f"{size:>7} {path.stat().st_size / 1e6:>6.1f} {toml_s:>10.2f} {load_s:>14.2f}"
                f" {load_s / toml_s:>6.2f} {load_s / size * 1000:>11.3f}"
            )
    verdict = "within" if load_s < AIM_SECONDS else "MISSES"
    print(
        f"  {grids} grids load + validate in {load_s:.2f} s: {verdict} the {AIM_SECONDS:.0f} s aim"
    )


DAY = 86_400
YEAR_END = 1_795_000_000  # 2026-11-18, a Wednesday morning in Ningbo
CATEGORIES = (
    "dispute", "labor", "public_security", "illegal_building", "street_order", "pollution",
    "market_safety", "fire_hazard", "disaster", "facility_repair", "sanitation", "livelihood",
    "other",
)  # fmt: skip
STATUSES = ("closed", "closed", "resolved", "resolved", "accepted", "assigned", "new", "rejected")

FILL = """
INSERT INTO cases (id, number, grid_id, community_id, street_id, reporter_id, reporter_name,
    chat_id, message_id, text, category, level, urgent, status, assignee_id, created_at,
    updated_at, accept_due, resolve_due, accepted_at, resolved_at, closed_at, reopen_count,
    overdue)
SELECT i, 'B' || i, g.grid_id, g.community_id, g.street_id, 300000000 + i % 50000, '居民',
    g.chat_id, i, '门口的路灯坏了', ({categories})[1 + (i * 7) % 13], 1 + (i % 17 = 0)::int,
    (i % 10 = 0)::int, s.status, g.leader, t, t + 3600, t + 7200, t + 86400,
    CASE WHEN s.status IN ('accepted', 'resolved', 'closed') THEN t + 1800 + i % 5000 END,
    CASE WHEN s.status IN ('resolved', 'closed') THEN t + 20000 + i % 90000 END,
    CASE WHEN s.status = 'closed' THEN t + 200000 END,
    (i % 29 = 0)::int, (i % 23 = 0)::int
FROM generate_series({first}::bigint, {last}::bigint) AS i
CROSS JOIN LATERAL (SELECT {end} - (i * 7919) % (365 * 86400) AS t) AS tt
JOIN city_grids g ON g.n = i % {grids}
CROSS JOIN LATERAL (SELECT ({statuses})[1 + (i * 13) % 8] AS status) AS s
"""


def _array(values: tuple[str, ...]) -> str:
    return "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]"


async def _fill(url: str, config: Config, cases: int) -> float:
    import asyncpg  # the bench fills the table directly: storage/ has no bulk loader

    started = time.perf_counter()
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "CREATE TEMP TABLE city_grids (n int PRIMARY KEY, grid_id text, community_id text,"
            " street_id text, chat_id bigint, leader bigint)"
        )
        rows = [
            (n, g.id, config.community_of(g.id).id, config.street_of(g.id).id, g.chat_id, g.leader)
            for n, g in enumerate(config.grids())
        ]
        await conn.copy_records_to_table("city_grids", records=rows)
        indexes = await conn.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'cases'"
            " AND indexname NOT LIKE '%pkey' AND indexdef NOT LIKE 'CREATE UNIQUE%'"
        )
        for index in indexes:
            await conn.execute(f"DROP INDEX {index['indexname']}")
        step = 1_000_000
        for first in range(1, cases + 1, step):
            await conn.execute(
                FILL.format(
                    categories=_array(CATEGORIES),
                    statuses=_array(STATUSES),
                    first=first,
                    last=min(cases, first + step - 1),
                    end=YEAR_END,
                    grids=len(rows),
                )  # fmt: skip
            )
            print(f"  … {min(cases, first + step - 1):,} cases", flush=True)
        for index in indexes:
            await conn.execute(index["indexdef"])
        await conn.execute("ANALYZE cases")
    finally:
        await conn.close()
    return time.perf_counter() - started


async def _street_figures(url: str, config: Config) -> list[tuple[str, float, float]]:
    from bot.reports.stats import Scope, figures, parse_period
    from storage import stats as stats_sql
    from storage.db import Database

    db = await Database.open(url)
    rows = []
    try:
        conn = db.reader
        now = YEAR_END
        biggest = max(config.streets, key=lambda s: sum(len(c.grids) for c in s.communities))
        street = Scope("street", biggest.id)
        grids = sum(len(c.grids) for c in biggest.communities)

        async def timed(run) -> tuple[float, float]:
            samples = []
            for _ in range(REPEATS + 2):
                start = time.perf_counter()
                await run()
                samples.append((time.perf_counter() - start) * 1000)
            return samples[0], statistics.median(samples[1:])

        rows.append(
            ("SELECT COUNT(*) FROM cases", *await timed(lambda: stats_sql.count_all_cases(conn)))
        )
        for label, text in (
            ("this week", "week"),
            ("this month", "month"),
            ("three months", "2026-08-19..2026-11-18"),
            ("the year", "2025-11-19..2026-11-18"),
        ):
            period = parse_period(text, config, now)
            first, median = await timed(lambda p=period: figures(conn, config, street, p, now))
            rows.append((f"/stats street ({grids} grids), {label}", first, median))
    finally:
        await db.close()
    return rows


def pg_figures(cases: int) -> None:
    print(f"\nstreet statistics on PostgreSQL over {cases:,} cases of the 10,000-grid city")
    try:
        from tests.pg_server import PgServer, PgUnavailable
    except ImportError as error:
        print(f"  not measured: no PostgreSQL support on this branch ({error})")
        return
    try:
        server = PgServer().start()
    except PgUnavailable as error:
        print(f"  not measured: {error}")
        return
    try:
        config = parse_config_text(city_config_text(10_000), file="city.toml")
        _, url = server.new_database()
        seconds = asyncio.run(_fill(url, config, cases))
        print(f"  filled in {seconds:.0f} s (generate_series, indexes made after)")
        rows = asyncio.run(_street_figures(url, config))
    finally:
        server.stop()
    count_ms = rows[0][2]
    print(f"  {'query':<44} {'first ms':>9} {'median ms':>10} {'× COUNT(*)':>11}")
    for label, first, median in rows:
        print(f"  {label:<44} {first:>9.1f} {median:>10.1f} {median / count_ms:>11.2f}")
    worst = max(median for label, _, median in rows[1:])
    verdict = "within" if worst < 500 else "MISSES"
    print(f"  slowest street query {worst:.0f} ms (median): {verdict} the 500 ms aim")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grids", type=int, default=10_000)
    parser.add_argument("--pg-cases", type=int, default=1_000_000)
    args = parser.parse_args()
    config_figures(args.grids)
    pg_figures(args.pg_cases)


if __name__ == "__main__":
    main()
