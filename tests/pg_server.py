"""A throwaway PostgreSQL server for the tests: Debian's initdb and pg_ctl in a temporary folder,
listening on a Unix socket there only, run as an unprivileged user (PostgreSQL refuses root,
and CI runs as root), fsync off. Each test gets a database of its own, copied from a migrated
template, dropped after it."""

from __future__ import annotations

import asyncio
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

SERVICE_USER = "gridbot-pg"  # created when the tests run as root
TEMPLATE = "gridbot_template"
_HINT = "run `make system-deps` (it installs Debian's postgresql), or apt-get install postgresql"


class PgUnavailable(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def find_bindir() -> Path | None:
    """Where initdb and pg_ctl are: `pg_config --bindir`, else the newest /usr/lib/postgresql/*."""
    candidates: list[Path] = []
    if shutil.which("pg_config"):
        done = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        if done.returncode == 0:
            candidates.append(Path(done.stdout.strip()))
    versions = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if p.parent.name.isdigit()]
    candidates += sorted(versions, key=lambda p: int(p.parent.name), reverse=True)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def _service_user() -> str | None:
    """The user the server runs as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SERVICE_USER)
    except KeyError:
        done = subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
             SERVICE_USER],
            capture_output=True, text=True,
        )  # fmt: skip
        if done.returncode != 0 and done.returncode != 9:  # 9: made meanwhile by another run
            raise RuntimeError(f"useradd {SERVICE_USER} failed: {done.stderr}") from None
    return SERVICE_USER


class PgServer:
    def __init__(self) -> None:
        bindir = find_bindir()
        if bindir is None:
            raise PgUnavailable(f"PostgreSQL's initdb and pg_ctl were not found: {_HINT}")
        self.bindir = bindir
        self.user = _service_user()
        self.folder = Path(tempfile.mkdtemp(prefix="gridbot-pg-"))
        self.data = self.folder / "data"
        self.socket = self.folder  # short: a Unix socket path has a length limit
        self._names = itertools.count(1)
        self._free: list[str] = []
        self._running = False

    def _as_server(self, *command: str) -> subprocess.CompletedProcess[str]:
        prefix = [] if self.user is None else ["runuser", "-u", self.user, "--"]
        done = subprocess.run(
            [*prefix, *command], cwd=self.folder, capture_output=True, text=True, timeout=120
        )
        if done.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(
                f"{' '.join(command)} failed ({done.returncode}): {done.stderr}{done.stdout}{tail}"
            )
        return done

    def start(self) -> PgServer:
        if self.user is not None:
            shutil.chown(self.folder, self.user)
        self._as_server(
            str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres",
            "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        options = (
            f"-k {self.socket} -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
            " -c full_page_writes=off -c max_connections=300 -c shared_buffers=32MB"
        )
        self._as_server(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options,
            "-l", str(self.folder / "server.log"), "-w", "start",
        )  # fmt: skip
        self._running = True
        self.sql(f"CREATE DATABASE {TEMPLATE}")
        asyncio.run(_migrate(self.url(TEMPLATE)))
        return self

    def stop(self) -> None:
        if self._running:
            self._as_server(
                str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"
            )
            self._running = False
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@/{database}?host={self.socket}"

    def sql(self, statement: str, database: str = "postgres") -> str:
        done = subprocess.run(
            [str(self.bindir / "psql"), "-h", str(self.socket), "-U", "postgres", "-d", database,
             "-v", "ON_ERROR_STOP=1", "-qAt", "-c", statement],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"psql {statement!r}: {done.stderr}")
        return done.stdout

    def new_database(self, *, empty: bool = False) -> tuple[str, str]:
        """(name, URL) of a new database: migrated already, or `empty` (no schema at all).

        A migrated one given back (`drop_database`) is emptied and handed out again: emptying
        its tables costs a tenth of copying the template.
        """
        if not empty and self._free:
            name = self._free.pop()
            self.sql(_EMPTY_TABLES, name)
            return name, self.url(name)
        name = f"gridbot_{'e' if empty else 't'}{os.getpid()}_{next(self._names)}"
        self.sql(f"CREATE DATABASE {name} TEMPLATE {'template0' if empty else TEMPLATE}")
        return name, self.url(name)

    def drop_database(self, name: str) -> None:
        """Done with this database: dropped, or kept for the next test if it was migrated."""
        if name.startswith("gridbot_t"):
            self._free.append(name)
            return
        self.sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# Every row of every table, and identities from 1 again: a database as the template left it.
# DELETE, with the reference checks off meanwhile, is several times quicker than TRUNCATE on a
# test's few rows (TRUNCATE makes every table's files anew).
_EMPTY_TABLES = """SET session_replication_role = replica;
DO $$ DECLARE t text; s text; BEGIN
    FOR t IN SELECT tablename FROM pg_tables
             WHERE schemaname = 'public' AND tablename <> 'schema_version' LOOP
        EXECUTE format('DELETE FROM %I', t);
    END LOOP;
    FOR s IN SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' LOOP
        EXECUTE format('ALTER SEQUENCE %I RESTART', s);
    END LOOP;
END $$"""


async def _migrate(url: str) -> None:
    from storage.db import Database

    db = await Database.open(url)
    await db.close()
