"""`gridbot migrate`: a district's SQLite data copied into PostgreSQL reads the same there."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from bot.cases.lifecycle import Lifecycle
from bot.cli.export_command import export_command
from bot.cli.migrate_command import migrate_command
from bot.config import Config
from bot.reports.stats import Scope, figures, parse_period
from bot.timing.clock import ManualClock
from storage import cases as case_sql
from storage import events as event_sql
from storage import feedback as feedback_sql
from storage import outbox as outbox_sql
from storage.db import Database
from tests.conftest import EXAMPLE
from tests.factories import new_case
from tests.history import HISTORY_NOW, generate, load
from tests.pg_server import PgServer


@pytest.fixture
async def district(tmp_path: Path, config: Config) -> Path:
    """A SQLite district: a month of generated cases with events, ratings and likes, and one
    case opened by the bot, with its notices waiting in the outbox."""
    path = tmp_path / "district.sqlite3"
    db = await Database.open(path)
    try:
        await load(db, generate(config, cases=400, days=30, end=HISTORY_NOW, seed=3))
        async with db.write() as conn:  # the bot numbers its cases on from the history's
            await conn.execute(
                "INSERT INTO case_counters (year, last) SELECT CAST(substr(number, 1, 4) AS INTEGER),"
                " MAX(CAST(substr(number, 6) AS INTEGER)) FROM cases GROUP BY 1"
            )
        clock = ManualClock(HISTORY_NOW)
        opened = await Lifecycle(db, config, clock).open_case(
            new_case(config, message_id=9001), group_chat_id=None
        )
        assert opened is not None
    finally:
        await db.close()
    return path


def _migrate(source: Path | str, target: str) -> tuple[int, str, str]:
    """The command as `gridbot migrate` runs it (its own event loop: call it from a thread)."""
    out, err = io.StringIO(), io.StringIO()
    code = migrate_command(str(source), target, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


async def test_a_district_copied_to_postgresql_reads_the_same(
    district: Path, pg_server: PgServer, config: Config, tmp_path: Path
) -> None:
    name, url = pg_server.new_database(empty=True)
    try:
        code, out, err = await asyncio.to_thread(_migrate, district, url)
        assert (code, err) == (0, "")
        before, after = await Database.open(district), await Database.open(url)
        try:
            counts = {}
            for table in ("cases", "case_events", "ratings", "likes", "outbox", "users"):
                row = await before.reader.execute_fetchall(f"SELECT COUNT(*) FROM {table}")
                counts[table] = int(row[0][0])
                assert f"{table} " in out and f" {counts[table]} rows" in out
            assert counts["cases"] > 300 and counts["ratings"] > 0 and counts["outbox"] > 0

            period = parse_period("2026-10-26..2026-11-25", config, HISTORY_NOW)
            for scope in (Scope("district", "zhenhai"), Scope("street", "luotuo")):
                here = await figures(before.reader, config, scope, period, HISTORY_NOW)
                there = await figures(after.reader, config, scope, period, HISTORY_NOW)
                assert there == here
                assert here.totals.new > 0

            report = new_case(config, message_id=9001)
            case = await case_sql.get_case_by_message(before.reader, report.chat_id, 9001)
            assert case is not None
            assert await case_sql.get_case_by_number(after.reader, case.number) == case
            assert await event_sql.list_events(
                after.reader, case.id
            ) == await event_sql.list_events(before.reader, case.id)
            assert await outbox_sql.list_for_case(after.reader, case.id) == (
                await outbox_sql.list_for_case(before.reader, case.id)
            )
            rated = await before.reader.execute_fetchall("SELECT MIN(case_id) FROM ratings")
            rated_id = int(rated[0][0])
            assert await feedback_sql.list_ratings(after.reader, rated_id) == (
                await feedback_sql.list_ratings(before.reader, rated_id)
            )

            # The export (`gridbot export --db URL`) is byte for byte the file's.
            exports = []
            for where in (str(district), url):
                output = tmp_path / f"export-{len(exports)}.csv"
                code = await asyncio.to_thread(
                    export_command, "csv", db_path=where, config_path=str(EXAMPLE),
                    date_from="2026-10-26", date_to="2026-11-25", output=str(output),
                    now=HISTORY_NOW, err=io.StringIO(),
                )  # fmt: skip
                assert code == 0
                exports.append(output.read_bytes())
            assert exports[0] == exports[1] and len(exports[0]) > 10_000

            # The bot goes on on PostgreSQL: new ids after the copied ones, numbers without a gap.
            clock = ManualClock(HISTORY_NOW + 60)
            opened = await Lifecycle(after, config, clock).open_case(
                new_case(config, message_id=9002), group_chat_id=None
            )
            assert opened is not None
            assert opened.case.id == counts["cases"] + 1
            year, number = case.number.split("-")
            assert opened.case.number == f"{year}-{int(number) + 1:06d}"
        finally:
            await before.close()
            await after.close()
    finally:
        pg_server.drop_database(name)


async def test_a_target_that_holds_cases_is_refused_and_left_alone(
    district: Path, pg_server: PgServer
) -> None:
    name, url = pg_server.new_database(empty=True)
    try:
        assert (await asyncio.to_thread(_migrate, district, url))[0] == 0
        code, _, err = await asyncio.to_thread(_migrate, district, url)
        assert code == 2
        assert "already holds cases" in err
        source, db = await Database.open(district), await Database.open(url)
        try:  # not doubled
            assert await case_sql.count_cases(db.reader) == await case_sql.count_cases(
                source.reader
            )
        finally:
            await db.close()
            await source.close()
    finally:
        pg_server.drop_database(name)


def test_a_missing_file_an_unreachable_server_and_a_file_target_are_clear_errors(
    tmp_path: Path, district: Path, pg_server: PgServer
) -> None:
    code, _, err = _migrate(tmp_path / "nowhere.sqlite3", pg_server.url("gridbot_template"))
    assert code == 2 and "no SQLite database at" in err and "Traceback" not in err
    assert not (tmp_path / "nowhere.sqlite3").exists()  # not created by looking

    unreachable = f"postgresql://gridbot:secret@/gridbot?host={tmp_path}/no-server"
    code, _, err = _migrate(district, unreachable)
    assert code == 2 and "cannot reach PostgreSQL" in err
    assert "secret" not in err  # the password is never printed

    code, _, err = _migrate(district, str(tmp_path / "copy.sqlite3"))
    assert code == 2 and "postgresql:// URL" in err
