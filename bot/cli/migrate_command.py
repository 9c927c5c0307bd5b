"""`gridbot migrate --from FILE --to postgresql://…`: a district's SQLite data into PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import TextIO

from storage.db import DatabaseError, is_url, masked
from storage.transfer import Copied, transfer


def migrate_command(source: str, target: str, *, out: TextIO, err: TextIO) -> int:
    if not is_url(target):
        err.write(f"gridbot migrate: --to must be a postgresql:// URL, not {target!r}\n")
        return 2

    def show(done: Copied) -> None:
        out.write(f"  {done.table:<18} {done.target:>9} rows\n")
        out.flush()

    out.write(f"copying {source} to {masked(target)}\n")
    try:
        copied = asyncio.run(transfer(source, target, progress=show))
    except DatabaseError as error:
        err.write(f"gridbot migrate: {error}\n")
        return 2
    total = sum(c.target for c in copied)
    out.write(f"done: {len(copied)} tables, {total} rows, each table's count checked\n")
    return 0
