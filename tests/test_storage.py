"""Storage: migrations, the one-case-per-message rule, concurrency without lock errors; on
SQLite and on PostgreSQL (the fixtures run each test on both)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from bot.cases.lifecycle import Lifecycle
from bot.config import Config
from bot.timing.clock import ManualClock
from storage import cases as case_sql
from storage.db import POSTGRESQL, SQLITE, Database, migrations
from tests.factories import new_case
from tests.pg_server import PgServer


async def _columns(db: Database) -> dict[str, set[str]]:
    """{table: its column names} of the application's tables."""
    if db.dialect == POSTGRESQL:
        rows = await db.reader.execute_fetchall(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND table_name != 'schema_version'"
        )
        pairs = [(str(t), str(c)) for t, c in rows]
    else:
        names = await db.reader.execute_fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        pairs = []
        for (table,) in names:
            for info in await db.reader.execute_fetchall(f"PRAGMA table_info({table})"):
                pairs.append((str(table), str(info[1])))
    found: dict[str, set[str]] = {}
    for table, column in pairs:
        found.setdefault(table, set()).add(column)
    return found


async def test_migrations_bring_an_empty_database_to_the_latest_schema(
    new_target: Callable[..., str],
) -> None:
    db = await Database.open(new_target(empty=True))
    try:
        assert await db.schema_version() == len(migrations(db.dialect))
        tables = set(await _columns(db))
        assert {"cases", "case_events", "attachments", "ratings", "outbox", "users"} <= tables
        if db.dialect == SQLITE:
            async with db.reader.execute("PRAGMA journal_mode") as cur:
                assert (await cur.fetchone())[0] == "wal"
            async with db.reader.execute("PRAGMA foreign_keys") as cur:
                assert (await cur.fetchone())[0] == 1
    finally:
        await db.close()


def test_both_backends_have_the_same_numbered_migrations() -> None:
    sqlite = [(number, name) for number, name, _ in migrations(SQLITE)]
    postgresql = [(number, name) for number, name, _ in migrations(POSTGRESQL)]
    assert sqlite == postgresql


async def test_both_schemas_end_with_the_same_tables_and_columns(
    tmp_path: Path, pg_server: PgServer
) -> None:
    name, url = pg_server.new_database(empty=True)
    on_sqlite = await Database.open(tmp_path / "schema.sqlite3")
    on_postgresql = await Database.open(url)
    try:
        assert await _columns(on_postgresql) == await _columns(on_sqlite)
    finally:
        await on_sqlite.close()
        await on_postgresql.close()
        pg_server.drop_database(name)


async def test_reopening_keeps_the_data_and_applies_nothing_twice(
    db_target: str, config: Config, clock: ManualClock
) -> None:
    path = db_target
    db = await Database.open(path)
    await Lifecycle(db, config, clock).open_case(new_case(config), group_chat_id=None)
    await db.close()
    db = await Database.open(path)
    try:
        assert await db.schema_version() == len(migrations(db.dialect))
        assert await case_sql.count_cases(db.reader) == 1
    finally:
        await db.close()


async def test_foreign_keys_refuse_an_event_for_a_missing_case(db: Database) -> None:
    try:
        async with db.write() as conn:
            await conn.execute(
                "INSERT INTO case_events (case_id, at, action, to_status) VALUES (999, 0, 'x', 'y')"
            )
    except Exception as error:  # sqlite3.IntegrityError, asyncpg's ForeignKeyViolationError
        assert "FOREIGN KEY" in str(error).upper()
    else:
        raise AssertionError("an event for a missing case was stored")


async def test_the_same_message_delivered_concurrently_makes_one_case(
    db: Database, config: Config, clock: ManualClock
) -> None:
    lifecycle = Lifecycle(db, config, clock)
    report = new_case(config, message_id=77)
    results = await asyncio.gather(
        *(lifecycle.open_case(report, group_chat_id=None) for _ in range(10))
    )
    created = [r for r in results if r is not None]
    assert len(created) == 1
    assert await case_sql.count_cases(db.reader) == 1
    # The duplicates gave their numbers back: the next case continues without a gap.
    second = await lifecycle.open_case(new_case(config), group_chat_id=None)
    assert second is not None and second.case.number == "2026-000002"


async def test_two_hundred_concurrent_creations_meet_no_lock(
    db: Database, config: Config, clock: ManualClock
) -> None:
    lifecycle = Lifecycle(db, config, clock)
    grids = [g.id for g in config.grids()]
    reports = [new_case(config, grids[i % len(grids)]) for i in range(200)]
    results = await asyncio.gather(*(lifecycle.open_case(r, group_chat_id=None) for r in reports))
    numbers = sorted(r.case.number for r in results if r is not None)
    assert numbers == [f"2026-{i:06d}" for i in range(1, 201)]


async def test_two_connections_on_one_database_write_without_lock_errors(
    db_target: str, config: Config, clock: ManualClock
) -> None:
    path = db_target
    first, second = await Database.open(path), await Database.open(path)
    try:
        a, b = Lifecycle(first, config, clock), Lifecycle(second, config, clock)
        jobs = [
            (a if i % 2 else b).open_case(new_case(config), group_chat_id=None) for i in range(60)
        ]
        results = await asyncio.gather(*jobs)
        assert all(r is not None for r in results)
        assert await case_sql.count_cases(first.reader) == 60
    finally:
        await first.close()
        await second.close()


async def test_case_numbers_start_again_each_year(
    db: Database, config: Config, clock: ManualClock
) -> None:
    from tests.conftest import local_ts

    lifecycle = Lifecycle(db, config, clock)
    clock.set(local_ts("2026-12-31 23:50"))
    late = await lifecycle.open_case(new_case(config), group_chat_id=None)
    clock.set(local_ts("2027-01-01 00:10"))
    early = await lifecycle.open_case(new_case(config), group_chat_id=None)
    assert (late.case.number, early.case.number) == ("2026-000001", "2027-000001")


async def test_a_start_cancelled_during_the_migrations_rolls_back_and_is_no_error(
    new_target: Callable[..., str],
) -> None:
    """Ctrl-C while the schema is being built: a cancellation, not 'migration … failed'."""
    for steps in (1, 3, 8, 20):
        path = new_target(empty=True)
        opening = asyncio.ensure_future(Database.open(path))
        for _ in range(steps):
            await asyncio.sleep(0)
        opening.cancel()
        try:
            db = await opening
        except asyncio.CancelledError:
            pass
        else:  # done before the cancel arrived
            await db.close()
        db = await Database.open(path)  # whatever was left is whole and goes on from there
        assert await db.schema_version() == len(migrations(db.dialect))
        await db.close()


async def test_a_report_carrying_a_nul_character_still_makes_its_case(
    db: Database, config: Config, clock: ManualClock
) -> None:
    """SQLite keeps a NUL; PostgreSQL's text cannot, so it stores U+FFFD instead of failing."""
    lifecycle = Lifecycle(db, config, clock)
    change = await lifecycle.open_case(
        new_case(config, text="路灯坏了\x00好几天"), group_chat_id=None
    )
    assert change is not None
    stored = await case_sql.get_case(db.reader, change.case.id)
    assert stored is not None
    assert stored.text.replace("\ufffd", "\x00") == "路灯坏了\x00好几天"
