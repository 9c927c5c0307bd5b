"""The five-colour risk index per grid (红橙黄蓝绿), and the alert when a grid turns red or orange.

The window is the last `window_days` days up to now (rolling, so a Monday is as informed as a
Friday). With n the reports in the window and m = max(n, min_cases) (so a quiet grid's one
dispute is not a 100 % share), each factor is a pressure between 0 and 1:

    volume          (n / max(baseline, min_cases) − 1) / (volume_surge − 1)
                    baseline: mean reports per window over the `baseline_windows` before it
    conflict_share  (dispute + public_security) / m / conflict_share_full
    conflict_trend  (conflicts − conflicts in the previous window)
                    / max(previous, min_cases) / conflict_trend_full
    urgent          urgent reports / urgent_full
    overdue         overdue / m / overdue_share_full        (overdue as in bot.stats)
    reopened        reopened / m / reopened_share_full
    dissatisfaction 不满意 ratings / max(rated, min_cases) / unsatisfied_share_full

each clipped to [0, 1]. score = 100 · Σ wₖ·fₖ / Σ wₖ, and the colour is red at ≥ red, orange at
≥ orange, yellow at ≥ yellow, blue at ≥ blue, green below (all in `[risk]` of the config, with
the defaults in bot/config.py: weights 0.20 volume, 0.15 conflict share, 0.15 conflict trend,
0.15 urgent, 0.15 overdue, 0.10 reopened, 0.10 dissatisfaction; cut-offs 65/50/35/20). The two
factors with the largest wₖ·fₖ are the ones that drove the colour, named only when their pressure
is at least DRIVER_PRESSURE and the grid is not green: the reasons must agree with the colour (a
green grid's 27 % share of disputes is no "high share").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.cases.lifecycle import queue
from bot.cases.models import NoticeKind
from bot.timing.quiet import release_time
from nlp.taxonomy import CATEGORY_CODES
from storage import stats as stats_sql
from storage.records import Notice
from storage.stats import Cohort

if TYPE_CHECKING:
    from bot.config import Config, RiskSettings
    from bot.reports.stats import Scope
    from storage.db import Connection, Database

DAY = 86400
DRIVER_PRESSURE = 0.5  # half-way to its saturation point: a factor worth naming as a reason
CONFLICT_CATEGORIES = ("dispute", "public_security")
FACTORS: tuple[str, ...] = (
    "volume",
    "conflict_share",
    "conflict_trend",
    "urgent",
    "overdue",
    "reopened",
    "dissatisfaction",
)


class Colour(StrEnum):
    RED = "red"
    ORANGE = "orange"
    YELLOW = "yellow"
    BLUE = "blue"
    GREEN = "green"

    @property
    def rank(self) -> int:
        """0 green … 4 red."""
        return _RANK[self]


_RANK = {Colour.GREEN: 0, Colour.BLUE: 1, Colour.YELLOW: 2, Colour.ORANGE: 3, Colour.RED: 4}
ALERT_COLOURS = frozenset({Colour.RED, Colour.ORANGE})


@dataclass(frozen=True, slots=True)
class RiskInputs:
    """What one grid's window holds: the raw counts the factors are made of."""

    reports: int = 0
    baseline: float = 0.0  # mean reports per window before this one
    conflicts: int = 0
    previous_conflicts: int = 0
    urgent: int = 0
    overdue: int = 0
    reopened: int = 0
    rated: int = 0
    unsatisfied: int = 0


@dataclass(frozen=True, slots=True)
class GridRisk:
    grid_id: str
    colour: Colour
    score: float  # 0–100
    factors: dict[str, float]  # each pressure in [0, 1]
    drivers: tuple[str, ...]  # the (at most) two strong factors that weighed most; none if green
    inputs: RiskInputs


def _clip(value: float) -> float:
    return min(max(value, 0.0), 1.0)


def factors_of(inputs: RiskInputs, settings: RiskSettings) -> dict[str, float]:
    """Each factor's pressure in [0, 1] (the formula in the module docstring)."""
    s, x = settings, inputs
    m = max(x.reports, s.min_cases)
    return {
        "volume": _clip((x.reports / max(x.baseline, s.min_cases) - 1) / (s.volume_surge - 1)),
        "conflict_share": _clip(x.conflicts / m / s.conflict_share_full),
        "conflict_trend": _clip(
            (x.conflicts - x.previous_conflicts)
            / max(x.previous_conflicts, s.min_cases)
            / s.conflict_trend_full
        ),
        "urgent": _clip(x.urgent / s.urgent_full),
        "overdue": _clip(x.overdue / m / s.overdue_share_full),
        "reopened": _clip(x.reopened / m / s.reopened_share_full),
        "dissatisfaction": _clip(
            x.unsatisfied / max(x.rated, s.min_cases) / s.unsatisfied_share_full
        ),
    }


def colour_of(score: float, settings: RiskSettings) -> Colour:
    if score >= settings.red:
        return Colour.RED
    if score >= settings.orange:
        return Colour.ORANGE
    if score >= settings.yellow:
        return Colour.YELLOW
    if score >= settings.blue:
        return Colour.BLUE
    return Colour.GREEN


def grid_risk(grid_id: str, inputs: RiskInputs, settings: RiskSettings) -> GridRisk:
    """Score, colour and drivers of one grid from its window's counts."""
    factors = factors_of(inputs, settings)
    weights = settings.weights.model_dump()
    total = sum(weights.values())
    parts = {name: weights[name] * factors[name] for name in FACTORS}
    score = round(100 * sum(parts.values()) / total, 1)
    colour = colour_of(score, settings)
    strong = (n for n in FACTORS if parts[n] > 0 and factors[n] >= DRIVER_PRESSURE)
    ranked = sorted(strong, key=lambda n: -parts[n]) if colour is not Colour.GREEN else []
    return GridRisk(
        grid_id=grid_id,
        colour=colour,
        score=score,
        factors=factors,
        drivers=tuple(ranked[:2]),
        inputs=inputs,
    )


async def risk_inputs(
    conn: Connection, config: Config, grid_ids: list[str], now: int
) -> dict[str, RiskInputs]:
    """The counts of each grid's window ending now, its previous window and its baseline."""
    s = config.risk
    length = s.window_days * DAY
    start = now - length
    ids = tuple(grid_ids)
    current = await stats_sql.case_counts(conn, Cohort(ids, CATEGORY_CODES, start, now), now)
    previous = await stats_sql.case_counts(
        conn, Cohort(ids, CONFLICT_CATEGORIES, start - length, start), now
    )
    ratings = await stats_sql.rating_counts(conn, Cohort(ids, CATEGORY_CODES, start, now))
    baseline_start = start - s.baseline_windows * length
    volumes = await stats_sql.grid_volumes(conn, grid_ids, baseline_start, start)
    acc: dict[str, dict[str, float]] = {g: {} for g in grid_ids}

    def bump(grid_id: str, key: str, n: float) -> None:
        if grid_id in acc:
            acc[grid_id][key] = acc[grid_id].get(key, 0) + n

    for row in current:
        bump(row.grid_id, "reports", row.new)
        bump(row.grid_id, "urgent", row.urgent)
        bump(row.grid_id, "overdue", row.overdue)
        bump(row.grid_id, "reopened", row.reopened)
        if row.category in CONFLICT_CATEGORIES:
            bump(row.grid_id, "conflicts", row.new)
    for row in previous:
        if row.category in CONFLICT_CATEGORIES:
            bump(row.grid_id, "previous_conflicts", row.new)
    for grid_id, score, n, _ in ratings:
        bump(grid_id, "rated", n)
        if score == "unsatisfied":
            bump(grid_id, "unsatisfied", n)
    out = {}
    for grid_id in grid_ids:
        values = {k: int(v) for k, v in acc[grid_id].items()}
        out[grid_id] = RiskInputs(baseline=volumes.get(grid_id, 0) / s.baseline_windows, **values)
    return out


async def assess(
    conn: Connection, config: Config, now: int, scope: Scope | None = None
) -> list[GridRisk]:
    """Every grid's risk (in the scope, if given), highest score first."""
    grid_ids = scope.grid_ids(config) if scope is not None else [g.id for g in config.grids()]
    inputs = await risk_inputs(conn, config, grid_ids, now)
    risks = [grid_risk(g, inputs[g], config.risk) for g in grid_ids]
    order = {g: i for i, g in enumerate(grid_ids)}
    return sorted(risks, key=lambda r: (-r.score, order[r.grid_id]))


@dataclass(frozen=True, slots=True)
class RiskAlert:
    risk: GridRisk
    previous: Colour | None
    notified: tuple[int, ...]  # user ids whose notices were queued


async def alert_turns(db: Database, config: Config, now: int) -> list[RiskAlert]:
    """Tell a grid's community and street once when it turns red or orange (or orange → red).

    The last colour of each grid is kept in storage; a grid that stays red says nothing more,
    one that calms down and turns red again alerts again. Notices go through the outbox with a
    dedupe key per grid, colour and turn, in the same transaction as the remembered colour.
    """
    risks = await assess(db.reader, config, now)
    alerts = []
    async with db.write() as conn:
        known = await stats_sql.risk_colours(conn)
        for risk in risks:
            before = known.get(risk.grid_id)
            previous = Colour(before[0]) if before else None
            await stats_sql.set_risk_colour(conn, risk.grid_id, risk.colour, risk.score, now=now)
            worse = previous is None or risk.colour.rank > previous.rank
            if risk.colour not in ALERT_COLOURS or not worse:
                continue
            people = _alert_people(config, risk.grid_id)
            for user_id in people:
                notice = Notice(
                    NoticeKind.TEXT,
                    user_id,
                    # figures only: the adapter words them (a TEXT notice with a template)
                    payload={
                        "template": "risk_alert",
                        "grid_id": risk.grid_id,
                        "colour": risk.colour.value,
                        "score": risk.score,
                        "drivers": list(risk.drivers),
                        "reports": risk.inputs.reports,
                        "conflicts": risk.inputs.conflicts,
                        "urgent": risk.inputs.urgent,
                        "overdue": risk.inputs.overdue,
                    },
                    dedupe_key=f"risk:{risk.grid_id}:{risk.colour.value}:{now}:{user_id}",
                    # a private word to staff, so it waits for the end of the quiet hours
                    not_before=release_time(config, now, NoticeKind.SUPERVISOR_ALERT, urgent=False),
                )
                await queue(conn, config, notice, now=now, urgent=False)
            alerts.append(RiskAlert(risk=risk, previous=previous, notified=people))
    return alerts


def _alert_people(config: Config, grid_id: str) -> tuple[int, ...]:
    """The community's and the street's duty contact (their first staff member)."""
    community = config.community_of(grid_id)
    street = config.street_of(grid_id)
    people = [*community.staff[:1], *street.staff[:1]]
    return tuple(dict.fromkeys(people))
