"""`gridbot export`: a scope's cases over a period as CSV, XLSX or Open311 JSON, masked by default.

`--unmasked` needs `--as USER_ID` naming one of the district's admins (district.admins in the
configuration). Whoever runs the command can read the database file anyway, so this is not a
lock but a deliberate, named act: the command refuses without it, and says on stderr who
exported personal data.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path
from typing import TextIO

from bot.cases.roles import is_admin
from bot.config import Config, ConfigError, load_config
from bot.reports.export import FORMATS, Export, build_export, export_period
from bot.reports.stats import Scope, ScopeError, parse_scope
from bot.timing.clock import SystemClock
from storage.db import Database, DatabaseError, is_url

# Where the bot keeps its database unless told otherwise: `gridbot demo` (its --data folder) and
# `gridbot run` (its --db), both relative to the folder they were started in.
DEFAULT_DATABASES = ("gridbot-data/gridbot.sqlite3", "gridbot.sqlite3")


def find_database(db_path: str | None) -> str | None:
    """The database to export: the one named, else the first default that exists (None: none)."""
    if db_path is not None:
        return db_path
    return next((p for p in DEFAULT_DATABASES if Path(p).exists()), None)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `gridbot export`, for the CLI's subparser."""
    parser.add_argument("--format", required=True, choices=FORMATS, dest="fmt", help="file format")
    parser.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="first local day")
    parser.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="last local day")
    parser.add_argument(
        "--scope", metavar="ID", help="grid, community, street or district id (or kind:id)"
    )
    parser.add_argument(
        "--db",
        dest="db_path",
        metavar="FILE",
        help=f"the bot's database (default: the first of {' or '.join(DEFAULT_DATABASES)})",
    )
    parser.add_argument(
        "--config",
        dest="config_path",
        default="examples/zhenhai.toml",
        metavar="FILE",
        help="the district configuration (default: %(default)s)",
    )
    parser.add_argument("--output", metavar="FILE", help="write here instead of standard output")
    parser.add_argument("--unmasked", action="store_true", help="keep personal data (admins)")
    parser.add_argument(
        "--as", dest="as_user", type=int, metavar="USER_ID", help="the admin asking for --unmasked"
    )


def export_command(
    fmt: str,
    *,
    db_path: str | None,
    config_path: str,
    date_from: str | None = None,
    date_to: str | None = None,
    scope: str | None = None,
    output: str | None = None,
    unmasked: bool = False,
    as_user: int | None = None,
    now: int | None = None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """Run the export; 0 on success, 2 for a usage or configuration error."""
    try:
        config = load_config(config_path)
    except ConfigError as error:
        print(error, file=err)
        return 2
    found = find_database(db_path)
    if found is None:
        print(
            f"gridbot export: no database at {' or '.join(DEFAULT_DATABASES)} here; "
            "give --db FILE (the demo keeps it in its --data folder, `gridbot run` at its --db)",
            file=err,
        )
        return 2
    db_path = found
    problem = _check(fmt, config, db_path, unmasked, as_user, output, out)
    if problem:
        print(f"gridbot export: {problem}", file=err)
        return 2
    try:
        first = _day(date_from, "--from")
        last = _day(date_to, "--to")
        where = parse_scope(scope, config) if scope else Scope("district", config.district.id)
    except ValueError as error:
        print(f"gridbot export: {error}", file=err)
        return 2
    except ScopeError as error:
        hint = f" (did you mean {' or '.join(error.candidates)}?)" if error.candidates else ""
        print(f"gridbot export: unknown scope {error.text!r}{hint}", file=err)
        return 2
    if first and last and first > last:
        print(f"gridbot export: --from {first} is after --to {last}", file=err)
        return 2
    try:
        result = asyncio.run(
            _export(fmt, config, db_path, where, first, last, unmasked, now or SystemClock().now())
        )
    except DatabaseError as error:  # an unreachable PostgreSQL
        print(f"gridbot export: {error}", file=err)
        return 2
    if output:
        Path(output).write_bytes(result.data)
    else:
        out.flush()
        out.buffer.write(result.data)  # type: ignore[attr-defined]  # stdout is a TextIO; its buffer takes the bytes
        out.buffer.flush()  # type: ignore[attr-defined]  # stdout is a TextIO; its buffer takes the bytes
    if unmasked:
        print(f"gridbot export: unmasked personal data exported by admin {as_user}", file=err)
    print(f"gridbot export: {result.cases} cases → {output or 'standard output'}", file=err)
    return 0


def _check(
    fmt: str,
    config: Config,
    db_path: str,
    unmasked: bool,
    as_user: int | None,
    output: str | None,
    out: TextIO,
) -> str | None:
    if fmt not in FORMATS:
        return f"unknown format {fmt!r}; use {', '.join(FORMATS)}"
    if not is_url(db_path) and not Path(db_path).exists():
        return f"no database at {db_path}"
    if unmasked and as_user is None:
        return "--unmasked needs --as USER_ID, an admin of the district"
    if unmasked and as_user is not None and not is_admin(config, as_user):
        return f"user {as_user} is not an admin (district.admins); the export stays masked"
    if output is None and not hasattr(out, "buffer"):
        return "give --output FILE"
    if output is None and fmt == "xlsx" and out.isatty():
        return "an XLSX file is binary: give --output FILE or redirect the output"
    return None


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{option} {text!r} is not a date like 2026-11-01") from None


async def _export(
    fmt: str,
    config: Config,
    db_path: str,
    scope: Scope,
    first: date | None,
    last: date | None,
    unmasked: bool,
    now: int,
) -> Export:
    db = await Database.open(db_path)
    try:
        period = await export_period(db.reader, config, now, first=first, last=last)
        return await build_export(
            db.reader,
            config,
            fmt,
            scope,
            period,
            now,
            unmasked=unmasked,  # type: ignore[arg-type]  # argparse gives bool | None; None means masked
        )
    finally:
        await db.close()
