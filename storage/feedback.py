"""SQL for what residents say back: ratings, likes (点赞) and "me too" followers (同问)."""

from __future__ import annotations

import aiosqlite

from storage.records import RatingRecord
from storage.rows import first as _first


async def insert_rating(conn: aiosqlite.Connection, rating: RatingRecord) -> bool:
    """Record the reporter's rating for this resolution round; False if it was already rated."""
    return (
        _first(
            await conn.execute_fetchall(
                "INSERT INTO ratings (case_id, round, rater_id, score, reason, at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, round) DO NOTHING RETURNING id",
                (
                    rating.case_id,
                    rating.round,
                    rating.rater_id,
                    rating.score,
                    rating.reason,
                    rating.at,
                ),
            )
        )
        is not None
    )


async def set_rating_reason(
    conn: aiosqlite.Connection, case_id: int, round_: int, reason: str
) -> None:
    await conn.execute(
        "UPDATE ratings SET reason = ? WHERE case_id = ? AND round = ?", (reason, case_id, round_)
    )


async def list_ratings(conn: aiosqlite.Connection, case_id: int) -> list[RatingRecord]:
    return [
        RatingRecord(*row)
        for row in await conn.execute_fetchall(
            "SELECT case_id, round, rater_id, score, reason, at FROM ratings"
            " WHERE case_id = ? ORDER BY round",
            (case_id,),
        )
    ]


async def add_like(conn: aiosqlite.Connection, case_id: int, user_id: int, now: int) -> bool:
    """A like from one resident; False when they had already liked this case."""
    return (
        _first(
            await conn.execute_fetchall(
                "INSERT INTO likes (case_id, user_id, at) VALUES (?, ?, ?)"
                " ON CONFLICT DO NOTHING RETURNING case_id",
                (case_id, user_id, now),
            )
        )
        is not None
    )


async def remove_like(conn: aiosqlite.Connection, case_id: int, user_id: int) -> bool:
    return (
        _first(
            await conn.execute_fetchall(
                "DELETE FROM likes WHERE case_id = ? AND user_id = ? RETURNING case_id",
                (case_id, user_id),
            )
        )
        is not None
    )


async def count_likes(conn: aiosqlite.Connection, case_id: int) -> int:
    return int(
        (
            _first(
                await conn.execute_fetchall(
                    "SELECT COUNT(*) FROM likes WHERE case_id = ?", (case_id,)
                )
            )
        )[0]
    )


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
    return (
        _first(
            await conn.execute_fetchall(
                "INSERT INTO followers (case_id, user_id, chat_id, message_id, at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING RETURNING case_id",
                (case_id, user_id, chat_id, message_id, now),
            )
        )
        is not None
    )


async def count_followers(conn: aiosqlite.Connection, case_id: int) -> int:
    return int(
        (
            _first(
                await conn.execute_fetchall(
                    # People, not messages: someone saying it twice is one person, and the
                    # reporter is counted as the reporter.
                    "SELECT COUNT(DISTINCT f.user_id) FROM followers f JOIN cases c ON c.id = f.case_id"
                    " WHERE f.case_id = ? AND f.user_id != c.reporter_id",
                    (case_id,),
                )
            )
        )[0]
    )
