"""SQL for what residents say back: ratings, likes (点赞) and "me too" followers (同问)."""

from __future__ import annotations

import aiosqlite

from storage.records import RatingRecord


async def insert_rating(conn: aiosqlite.Connection, rating: RatingRecord) -> bool:
    """Record the reporter's rating for this resolution round; False if it was already rated."""
    async with conn.execute(
        "INSERT INTO ratings (case_id, round, rater_id, score, reason, at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, round) DO NOTHING RETURNING id",
        (rating.case_id, rating.round, rating.rater_id, rating.score, rating.reason, rating.at),
    ) as cursor:
        return await cursor.fetchone() is not None


async def set_rating_reason(
    conn: aiosqlite.Connection, case_id: int, round_: int, reason: str
) -> None:
    await conn.execute(
        "UPDATE ratings SET reason = ? WHERE case_id = ? AND round = ?", (reason, case_id, round_)
    )


async def list_ratings(conn: aiosqlite.Connection, case_id: int) -> list[RatingRecord]:
    async with conn.execute(
        "SELECT case_id, round, rater_id, score, reason, at FROM ratings"
        " WHERE case_id = ? ORDER BY round",
        (case_id,),
    ) as cursor:
        return [RatingRecord(*row) for row in await cursor.fetchall()]


async def add_like(conn: aiosqlite.Connection, case_id: int, user_id: int, now: int) -> bool:
    """A like from one resident; False when they had already liked this case."""
    async with conn.execute(
        "INSERT INTO likes (case_id, user_id, at) VALUES (?, ?, ?)"
        " ON CONFLICT DO NOTHING RETURNING case_id",
        (case_id, user_id, now),
    ) as cursor:
        return await cursor.fetchone() is not None


async def remove_like(conn: aiosqlite.Connection, case_id: int, user_id: int) -> bool:
    async with conn.execute(
        "DELETE FROM likes WHERE case_id = ? AND user_id = ? RETURNING case_id", (case_id, user_id)
    ) as cursor:
        return await cursor.fetchone() is not None


async def count_likes(conn: aiosqlite.Connection, case_id: int) -> int:
    async with conn.execute("SELECT COUNT(*) FROM likes WHERE case_id = ?", (case_id,)) as cur:
        return int((await cur.fetchone())[0])


async def add_follower(
    conn: aiosqlite.Connection,
    *,
    case_id: int,
    user_id: int,
    chat_id: int,
    message_id: int,
    now: int,
) -> bool:
    """Link a repeated report to the first case; False if this message was linked already."""
    async with conn.execute(
        "INSERT INTO followers (case_id, user_id, chat_id, message_id, at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING RETURNING case_id",
        (case_id, user_id, chat_id, message_id, now),
    ) as cursor:
        return await cursor.fetchone() is not None


async def count_followers(conn: aiosqlite.Connection, case_id: int) -> int:
    async with conn.execute("SELECT COUNT(*) FROM followers WHERE case_id = ?", (case_id,)) as c:
        return int((await c.fetchone())[0])
