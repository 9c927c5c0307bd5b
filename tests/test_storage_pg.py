"""What only PostgreSQL has: placeholders translated for asyncpg, claims that skip rows another
worker holds, a clear error for a server that is not there."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from storage import outbox as outbox_sql
from storage.db import Database, DatabaseError, skip_locked
from storage.pg import arguments, translate
from storage.records import Notice
from tests.pg_server import PgServer


def test_placeholders_become_numbered_outside_literals_and_casts() -> None:
    sql = "SELECT '?', 'it''s :x', x::text FROM t WHERE a = ? AND b IN (?, ?)"
    assert translate(sql) == (
        "SELECT '?', 'it''s :x', x::text FROM t WHERE a = $1 AND b IN ($2, $3)",
        3,
    )
    text, values = arguments(
        "UPDATE t SET a = :now WHERE b < :now AND c = :id", {"id": 7, "now": 5}
    )
    assert (text, values) == ("UPDATE t SET a = $1 WHERE b < $1 AND c = $2", [5, 7])
    with pytest.raises(ValueError):
        arguments("SELECT ? + ?", (1,))


async def test_a_claim_skips_the_rows_another_worker_holds(pg_server: PgServer) -> None:
    name, url = pg_server.new_database()
    first, second = await Database.open(url), await Database.open(url)
    try:
        async with first.write() as conn:
            for n in range(2):
                await outbox_sql.enqueue(
                    conn, Notice(kind="x", chat_id=n, dedupe_key=f"k{n}"), now=0
                )
        claim = (
            f"SELECT id FROM outbox WHERE status = 'pending' ORDER BY id LIMIT 1{skip_locked(conn)}"
        )
        held = asyncio.Event()
        release = asyncio.Event()

        async def worker_one() -> int:
            async with first.write() as conn:
                rows = await conn.execute_fetchall(claim)
                held.set()
                await release.wait()
                return int(rows[0][0])

        one = asyncio.ensure_future(worker_one())
        await held.wait()
        async with second.write() as conn:  # not blocked: it takes the next row
            rows = await conn.execute_fetchall(claim)
        release.set()
        assert {await one, int(rows[0][0])} == {1, 2}
    finally:
        await first.close()
        await second.close()
        pg_server.drop_database(name)


async def test_an_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="cannot reach PostgreSQL") as caught:
        await Database.open(f"postgresql://gridbot:secret@/gridbot?host={tmp_path}")
    assert "secret" not in str(caught.value)
