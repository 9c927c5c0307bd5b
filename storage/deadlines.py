"""SQL for the deadline keeper: its durable timers, digest runs, and the figures digests report."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import aiosqlite

from storage.cases import _COLUMNS as _CASE_COLUMNS
from storage.cases import _record as _case_record
from storage.db import json_text, skip_locked
from storage.records import CaseRecord, Counts
from storage.rows import first as _first

_TIMER_COLUMNS = "case_id, kind, due_at, seq, fire_at, fired_at, outcome"


@dataclass(slots=True)
class TimerRecord:
    """One thing to do for one case at one time; pending while fired_at is None."""

    case_id: int
    kind: str
    due_at: int
    seq: int
    fire_at: int
    fired_at: int | None = None
    outcome: str | None = None


def _placeholders(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


# --- the keeper's own state ---------------------------------------------------------------------


async def get_state(conn: aiosqlite.Connection, name: str) -> int | None:
    row = _first(
        await conn.execute_fetchall("SELECT value FROM keeper_state WHERE name = ?", (name,))
    )
    return None if row is None else int(row[0])


async def set_state(conn: aiosqlite.Connection, name: str, value: int) -> None:
    await conn.execute(
        "INSERT INTO keeper_state (name, value) VALUES (?, ?)"
        " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        (name, value),
    )


# --- timers -------------------------------------------------------------------------------------


async def cases_changed_since(
    conn: aiosqlite.Connection, since: int | None, statuses: Iterable[str]
) -> list[CaseRecord]:
    """Cases in these states updated at or after `since` (None: all of them), by last change."""
    statuses = list(statuses)
    # Without a bound the status index finds the live cases; with one, the update-time index.
    changed = "" if since is None else "updated_at >= ? AND "
    rows = await conn.execute_fetchall(
        f"SELECT {_CASE_COLUMNS} FROM cases WHERE {changed}"
        f"status IN ({_placeholders(statuses)}) ORDER BY updated_at, id",
        (*([] if since is None else [since]), *statuses),
    )
    return [_case_record(row) for row in rows]


async def latest_case_update(conn: aiosqlite.Connection) -> int | None:
    row = _first(await conn.execute_fetchall("SELECT MAX(updated_at) FROM cases"))
    return None if row is None or row[0] is None else int(row[0])


async def add_timer(conn: aiosqlite.Connection, timer: TimerRecord) -> bool:
    """Schedule a timer; False when the same (case, kind, deadline, repeat) is known already."""
    row = _first(
        await conn.execute_fetchall(
            "INSERT INTO deadline_timers (case_id, kind, due_at, seq, fire_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING case_id",
            (timer.case_id, timer.kind, timer.due_at, timer.seq, timer.fire_at),
        )
    )
    return row is not None


async def due_timers(
    conn: aiosqlite.Connection, *, now: int, limit: int = 200
) -> list[TimerRecord]:
    """Pending timers whose time has come, earliest first."""
    rows = await conn.execute_fetchall(
        f"SELECT {_TIMER_COLUMNS} FROM deadline_timers WHERE fired_at IS NULL AND fire_at <= ?"
        " ORDER BY fire_at, case_id, kind LIMIT ?",
        (now, limit),
    )
    return [TimerRecord(*row) for row in rows]


async def claim_timer(conn: aiosqlite.Connection, timer: TimerRecord, *, now: int) -> bool:
    """Mark a pending timer fired, inside the transaction that does its work: the claim and
    the work commit together, so across workers a timer fires once (False: another worker fired
    it, or holds it right now), and a worker killed in between leaves it pending."""
    row = _first(
        await conn.execute_fetchall(
            "-- claim: this timer, if still pending and nobody else is firing it\n"
            "UPDATE deadline_timers SET fired_at = :now WHERE (case_id, kind, due_at, seq) IN ("
            " SELECT case_id, kind, due_at, seq FROM deadline_timers"
            " WHERE case_id = :case_id AND kind = :kind AND due_at = :due_at AND seq = :seq"
            f" AND fired_at IS NULL{skip_locked(conn)}) RETURNING case_id",
            {
                "now": now,
                "case_id": timer.case_id,
                "kind": timer.kind,
                "due_at": timer.due_at,
                "seq": timer.seq,
            },
        )  # fmt: skip
    )
    return row is not None


async def set_outcome(conn: aiosqlite.Connection, timer: TimerRecord, outcome: str) -> None:
    await conn.execute(
        "UPDATE deadline_timers SET outcome = ?"
        " WHERE case_id = ? AND kind = ? AND due_at = ? AND seq = ?",
        (outcome[:500], timer.case_id, timer.kind, timer.due_at, timer.seq),
    )


async def postpone_timer(
    conn: aiosqlite.Connection, timer: TimerRecord, *, fire_at: int, error: str
) -> None:
    """Try a timer whose work failed again later, keeping the error for the log."""
    await conn.execute(
        "UPDATE deadline_timers SET fire_at = ?, outcome = ?"
        " WHERE case_id = ? AND kind = ? AND due_at = ? AND seq = ? AND fired_at IS NULL",
        (fire_at, error[:500], timer.case_id, timer.kind, timer.due_at, timer.seq),
    )


async def next_timer_at(conn: aiosqlite.Connection) -> int | None:
    row = _first(
        await conn.execute_fetchall(
            "SELECT MIN(fire_at) FROM deadline_timers WHERE fired_at IS NULL"
        )
    )
    return None if row is None or row[0] is None else int(row[0])


async def timers_for_case(conn: aiosqlite.Connection, case_id: int) -> list[TimerRecord]:
    rows = await conn.execute_fetchall(
        f"SELECT {_TIMER_COLUMNS} FROM deadline_timers WHERE case_id = ?"
        " ORDER BY fire_at, kind, seq",
        (case_id,),
    )
    return [TimerRecord(*row) for row in rows]


# --- digests ------------------------------------------------------------------------------------


async def claim_digest_run(conn: aiosqlite.Connection, kind: str, period: str, *, now: int) -> bool:
    """Record that this period's digests are being queued; False when they were already."""
    row = _first(
        await conn.execute_fetchall(
            "INSERT INTO digest_runs (kind, period, at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING RETURNING at",
            (kind, period, now),
        )
    )
    return row is not None


async def digest_run_done(conn: aiosqlite.Connection, kind: str, period: str) -> bool:
    row = _first(
        await conn.execute_fetchall(
            "SELECT 1 FROM digest_runs WHERE kind = ? AND period = ?", (kind, period)
        )
    )
    return row is not None


async def last_digest_run(conn: aiosqlite.Connection, kind: str) -> int | None:
    """When the latest run of this kind was queued."""
    row = _first(
        await conn.execute_fetchall("SELECT MAX(at) FROM digest_runs WHERE kind = ?", (kind,))
    )
    return None if row is None or row[0] is None else int(row[0])


async def grid_counts(
    conn: aiosqlite.Connection,
    *,
    since: int,
    open_statuses: Sequence[str],
    awaiting_status: str,
) -> dict[str, Counts]:
    """Per grid: cases created since `since`, open, open and overdue, awaiting a rating."""
    counts: dict[str, Counts] = {}
    for grid_id, new in await conn.execute_fetchall(
        "SELECT grid_id, COUNT(*) FROM cases WHERE created_at >= ? GROUP BY grid_id ORDER BY grid_id",
        (since,),
    ):
        counts.setdefault(str(grid_id), Counts()).new = int(new)
    marks = _placeholders(open_statuses)
    for grid_id, open_, overdue, awaiting in await conn.execute_fetchall(
        f"SELECT grid_id, SUM(CASE WHEN status IN ({marks}) THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN status IN ({marks}) AND overdue = 1 THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN status = ? THEN 1 ELSE 0 END)"
        f" FROM cases WHERE status IN ({marks}, ?) GROUP BY grid_id ORDER BY grid_id",
        (*open_statuses, *open_statuses, awaiting_status, *open_statuses, awaiting_status),
    ):
        figures = counts.setdefault(str(grid_id), Counts())
        figures.open, figures.overdue = int(open_ or 0), int(overdue or 0)
        figures.awaiting_rating = int(awaiting or 0)
    return counts


async def overdue_open_numbers(
    conn: aiosqlite.Connection, *, open_statuses: Sequence[str], per_grid: int = 5
) -> dict[str, list[str]]:
    """Numbers of the oldest open overdue cases of each grid, at most `per_grid` each."""
    rows = await conn.execute_fetchall(
        "SELECT grid_id, number FROM cases"
        f" WHERE overdue = 1 AND status IN ({_placeholders(open_statuses)})"
        " ORDER BY grid_id, created_at, id",
        tuple(open_statuses),
    )
    found: dict[str, list[str]] = {}
    for grid_id, number in rows:
        numbers = found.setdefault(str(grid_id), [])
        if len(numbers) < per_grid:
            numbers.append(str(number))
    return found


@dataclass(slots=True)
class StreetWeek:
    """A street's raw figures for one period."""

    by_category: dict[str, int]
    by_grid: dict[str, int]
    overdue: int  # cases created in the period that missed a deadline
    open_overdue: int  # open now and overdue, whenever created
    scores: dict[str, int]  # ratings given in the period, by score
    unrated: int  # closed unrated by the system in the period
    slowest: list[dict[str, Any]]


async def street_week(
    conn: aiosqlite.Connection,
    street_id: str,
    *,
    start: int,
    end: int,
    now: int,
    open_statuses: Sequence[str],
    slowest: int = 5,
) -> StreetWeek:
    """The figures of one street's weekly summary over [start, end).

    The slowest cases are those reported before `end` that were resolved in the period or are
    still open now, by the time from report to resolution (or to now).
    """
    period = (street_id, start, end)
    by_category = {
        str(c): int(n)
        for c, n in await conn.execute_fetchall(
            "SELECT category, COUNT(*) FROM cases WHERE street_id = ? AND created_at >= ?"
            " AND created_at < ? GROUP BY category ORDER BY COUNT(*) DESC, category",
            period,
        )
    }
    by_grid = {
        str(g): int(n)
        for g, n in await conn.execute_fetchall(
            "SELECT grid_id, COUNT(*) FROM cases WHERE street_id = ? AND created_at >= ?"
            " AND created_at < ? GROUP BY grid_id ORDER BY COUNT(*) DESC, grid_id",
            period,
        )
    }
    overdue = _first(
        await conn.execute_fetchall(
            "SELECT COUNT(*) FROM cases WHERE street_id = ? AND created_at >= ?"
            " AND created_at < ? AND overdue = 1",
            period,
        )
    )
    marks = _placeholders(open_statuses)
    open_overdue = _first(
        await conn.execute_fetchall(
            f"SELECT COUNT(*) FROM cases WHERE status IN ({marks}) AND street_id = ?"
            " AND overdue = 1",
            (*open_statuses, street_id),
        )
    )
    scores = {
        str(s): int(n)
        for s, n in await conn.execute_fetchall(
            "SELECT r.score, COUNT(*) FROM ratings r JOIN cases c ON c.id = r.case_id"
            " WHERE c.street_id = ? AND r.at >= ? AND r.at < ? GROUP BY r.score ORDER BY r.score",
            period,
        )
    }
    unrated = _first(
        await conn.execute_fetchall(
            "SELECT COUNT(*) FROM case_events e JOIN cases c ON c.id = e.case_id"
            " WHERE e.action = 'close' AND e.at >= ? AND e.at < ? AND c.street_id = ?"
            f" AND {json_text(conn, 'e.data', 'reason')} = 'unrated'",
            (start, end, street_id),
        )
    )
    rows = await conn.execute_fetchall(
        "SELECT number, category, grid_id, status, created_at, resolved_at,"
        f" (CASE WHEN status IN ({marks}) THEN ? ELSE resolved_at END) - created_at AS took"
        f" FROM cases WHERE street_id = ? AND created_at < ? AND (status IN ({marks})"
        " OR (resolved_at >= ? AND resolved_at < ?))"
        " ORDER BY took DESC, id LIMIT ?",
        (*open_statuses, now, street_id, end, *open_statuses, start, end, slowest),
    )
    return StreetWeek(
        by_category=by_category,
        by_grid=by_grid,
        overdue=int(overdue[0]) if overdue else 0,
        open_overdue=int(open_overdue[0]) if open_overdue else 0,
        scores=scores,
        unrated=int(unrated[0]) if unrated else 0,
        slowest=[
            {
                "number": str(r[0]),
                "category": str(r[1]),
                "grid_id": str(r[2]),
                "open": str(r[3]) in open_statuses,
                "hours": round(int(r[6]) / 3600, 1),
            }
            for r in rows
        ],
    )
