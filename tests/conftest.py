"""Fixtures shared across the suite: the example configuration, a fresh database, a held clock.

The database fixtures (`db`, `hdb`, `db_target`) run each test twice: on SQLite and on a real
PostgreSQL server (tests/pg_server.py), so that both backends are held to the same behaviour.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Callable, Generator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings

from bot.config import Config, load_config
from bot.timing.clock import ManualClock
from storage.db import Database
from tests.history import History, shared_history, shared_history_pg
from tests.pg_server import PgServer, PgUnavailable

# The end-to-end fixture (`live`: the simulator and the real bot) for every test module.
pytest_plugins = ["tests.e2e"]

# In CI the property tests draw the same examples every run: a gate that fails now and then on
# a new draw says nothing about the change it gates. Runs elsewhere keep exploring (and keep
# what they find in .hypothesis/, which replays it first).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "zhenhai.toml"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_ts(text: str) -> int:
    """UTC seconds of a Shanghai wall-clock time written like '2026-11-25 10:00'."""
    return int(datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).timestamp())


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config(EXAMPLE)


@pytest.fixture
def clock() -> ManualClock:
    # A Wednesday morning in office hours, far from any holiday.
    return ManualClock(local_ts("2026-11-25 10:00"))


@pytest.fixture(scope="module")
def history(config: Config) -> tuple[Path, History]:
    """A year of generated cases in a database file, made once and shared (read only)."""
    return shared_history(config)


BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def pg_server() -> Generator[PgServer, None, None]:
    """One throwaway PostgreSQL server for the session. Missing binaries fail the tests in CI
    (`CI` set) and skip them elsewhere, saying what to install."""
    try:
        server = PgServer().start()
    except PgUnavailable as error:
        if os.environ.get("CI"):
            pytest.fail(str(error), pytrace=False)
        pytest.skip(str(error))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def new_target(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Generator[Callable[..., str]]:
    """Makes new databases on this test's backend: `new_target()` is migrated already (on
    PostgreSQL, copied from a migrated template), `new_target(empty=True)` has no schema yet.
    Gives a SQLite file's path or a PostgreSQL URL; the PostgreSQL ones are dropped after."""
    made: list[str] = []
    files = itertools.count(1)
    server: PgServer | None = None
    if backend == "postgresql":
        server = request.getfixturevalue("pg_server")

    def make(*, empty: bool = False) -> str:
        if server is None:
            return str(tmp_path / f"gridbot-{next(files)}.sqlite3")
        name, url = server.new_database(empty=empty)
        made.append(name)
        return url

    try:
        yield make
    finally:
        for name in made:
            assert server is not None
            server.drop_database(name)


@pytest.fixture
def db_target(new_target: Callable[..., str]) -> str:
    """Where a test's database lives: a new SQLite file, or a new PostgreSQL database (its URL)."""
    return new_target()


@pytest.fixture
def history_target(
    backend: str, history: tuple[Path, History], config: Config, request: pytest.FixtureRequest
) -> str:
    """The shared history's database on this backend (read only)."""
    if backend == "sqlite":
        return str(history[0])
    return shared_history_pg(request.getfixturevalue("pg_server"), config)


@pytest.fixture
async def hdb(history_target: str) -> AsyncIterator[Database]:
    """The shared history's database, opened for one test."""
    db = await Database.open(history_target)
    yield db
    await db.close()


@pytest.fixture
async def db(db_target: str) -> AsyncIterator[Database]:
    database = await Database.open(db_target)
    yield database
    await database.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    """In CI (`CI` set) a skipped test is a failed one: CI must not go green by not looking."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, which counts as failed: {report.longrepr}"
