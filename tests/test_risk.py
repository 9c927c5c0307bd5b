"""The five-colour risk index: the formula, hand-built grids, and the once-per-turn alert."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.config import Config, RiskSettings, RiskWeights
from bot.reports.risk import (
    DRIVER_PRESSURE,
    FACTORS,
    Colour,
    RiskInputs,
    alert_turns,
    assess,
    colour_of,
    factors_of,
    grid_risk,
)
from bot.reports.stats import Scope
from handlers.stats_text import render_risk, render_risk_alert
from storage import stats as stats_sql
from storage.db import Database
from tests.conftest import local_ts

NOW = local_ts("2026-11-25 10:00")
DAY = 86400
DEFAULTS = RiskSettings()


def case_row(
    config: Config,
    case_id: int,
    grid_id: str,
    created: int,
    *,
    category: str = "facility_repair",
    status: str = "assigned",
    urgent: bool = False,
    overdue: bool = False,
    reopen_count: int = 0,
    level: int = 1,
    assignee_id: int | None = None,
    accepted_at: int | None = None,
    resolved_at: int | None = None,
    closed_at: int | None = None,
    accept_due: int | None = None,
    resolve_due: int | None = None,
    text: str = "路灯坏了",
    location: str | None = None,
) -> tuple[Any, ...]:
    """One case in storage.stats.HISTORY_CASE_COLUMNS order, for hand-built situations."""
    grid = config.grid(grid_id)
    assert grid is not None
    values = {
        "id": case_id, "number": f"2026-{case_id:06d}", "grid_id": grid_id,
        "community_id": config.community_of(grid_id).id, "street_id": config.street_of(grid_id).id,
        "reporter_id": 900000 + case_id, "reporter_name": "王阿姨", "anonymous": 0,
        "chat_id": grid.chat_id, "message_id": case_id, "text": text, "category": category,
        "level": level, "urgent": int(urgent), "location": location, "confidence": 0.9,
        "status": status, "assignee_id": assignee_id if assignee_id is not None else grid.leader,
        "department_id": None,
        "accept_due": accept_due if accept_due is not None else created + 2 * 3600,
        "resolve_due": resolve_due if resolve_due is not None else created + 24 * 3600,
        "created_at": created, "updated_at": created, "accepted_at": accepted_at,
        "resolved_at": resolved_at, "closed_at": closed_at, "reopen_count": reopen_count,
        "escalation_count": 0, "overdue": int(overdue),
    }  # fmt: skip
    return tuple(values[name] for name in stats_sql.HISTORY_CASE_COLUMNS)


# --- the formula -------------------------------------------------------------------------------


def test_a_grid_with_nothing_is_green_with_no_drivers() -> None:
    risk = grid_risk("chenghe-1", RiskInputs(), DEFAULTS)
    assert (risk.colour, risk.score, risk.drivers) == (Colour.GREEN, 0.0, ())


def test_every_factor_saturated_is_red_and_the_heaviest_two_drive_it() -> None:
    inputs = RiskInputs(
        reports=20, baseline=10, conflicts=10, previous_conflicts=2, urgent=3,
        overdue=6, reopened=4, rated=10, unsatisfied=3,
    )  # fmt: skip
    assert factors_of(inputs, DEFAULTS) == dict.fromkeys(FACTORS, 1.0)
    risk = grid_risk("x", inputs, DEFAULTS)
    assert risk.score == 100.0 and risk.colour is Colour.RED
    # volume weighs 0.20; of the 0.15s the first in FACTORS order wins the tie
    assert risk.drivers == ("volume", "conflict_share")


def test_each_factor_follows_its_documented_formula() -> None:
    s = DEFAULTS
    inputs = RiskInputs(
        reports=15, baseline=10, conflicts=3, previous_conflicts=6, urgent=1,
        overdue=2, reopened=1, rated=8, unsatisfied=1,
    )  # fmt: skip
    f = factors_of(inputs, s)
    assert f["volume"] == pytest.approx((15 / 10 - 1) / (s.volume_surge - 1))
    assert f["conflict_share"] == pytest.approx(3 / 15 / s.conflict_share_full)
    assert f["conflict_trend"] == 0.0  # fewer conflicts than before is no pressure
    assert f["urgent"] == pytest.approx(1 / s.urgent_full)
    assert f["overdue"] == pytest.approx(2 / 15 / s.overdue_share_full)
    assert f["reopened"] == pytest.approx(1 / 15 / s.reopened_share_full)
    assert f["dissatisfaction"] == pytest.approx(1 / 8 / s.unsatisfied_share_full)
    w = s.weights.model_dump()
    score = 100 * sum(w[k] * f[k] for k in FACTORS) / sum(w.values())
    assert grid_risk("x", inputs, s).score == round(score, 1)


def test_a_quiet_grid_s_single_dispute_is_not_a_full_share() -> None:
    f = factors_of(RiskInputs(reports=1, conflicts=1, previous_conflicts=0), DEFAULTS)
    assert f["conflict_share"] == pytest.approx(1 / DEFAULTS.min_cases / 0.5)
    assert f["conflict_trend"] == pytest.approx(1 / DEFAULTS.min_cases)
    assert grid_risk("x", RiskInputs(reports=1, conflicts=1), DEFAULTS).colour is Colour.GREEN


@pytest.mark.parametrize(
    ("score", "colour"),
    [(100, "red"), (65, "red"), (64.9, "orange"), (50, "orange"), (49.9, "yellow"),
     (35, "yellow"), (34.9, "blue"), (20, "blue"), (19.9, "green"), (0, "green")],
)  # fmt: skip
def test_colour_thresholds(score: float, colour: str) -> None:
    assert colour_of(score, DEFAULTS) == colour


def test_thresholds_and_weights_come_from_the_configuration() -> None:
    inputs = RiskInputs(reports=20, baseline=10)  # only the volume is up
    assert grid_risk("x", inputs, DEFAULTS).colour is Colour.BLUE  # 100 · 0.20 = 20
    strict = RiskSettings(red=15, orange=10, yellow=5, blue=1)
    assert grid_risk("x", inputs, strict).colour is Colour.RED
    blind = RiskSettings(weights=RiskWeights(volume=0))
    risk = grid_risk("x", inputs, blind)
    assert risk.score == 0 and "volume" not in risk.drivers


def test_thresholds_must_not_rise_from_red_to_blue() -> None:
    with pytest.raises(ValueError, match="must not rise"):
        RiskSettings(red=30, orange=50)


# --- hand-built grids in a database ------------------------------------------------------------


async def _insert(db: Database, rows: list[tuple[Any, ...]]) -> None:
    async with db.write() as conn:
        await stats_sql.insert_history(conn, cases=rows)


def _calm(config: Config, first_id: int, grid_id: str, weeks: int = 9) -> list[tuple[Any, ...]]:
    """Four repairs a week, each resolved within hours, for `weeks` weeks up to now."""
    rows = []
    for i in range(weeks * 4):
        created = NOW - (i * 7 * DAY) // 4 - 3600
        rows.append(
            case_row(config, first_id + i, grid_id, created, status="closed",
                     accepted_at=created + 600, resolved_at=created + 7200,
                     closed_at=created + 9000)
        )  # fmt: skip
    return rows


def _hot(config: Config, first_id: int, grid_id: str, since: int) -> list[tuple[Any, ...]]:
    """Twelve reports in two days, mostly quarrels and thefts, three urgent, four overdue."""
    rows = []
    for i in range(12):
        created = since + i * 4 * 3600
        rows.append(
            case_row(config, first_id + i, grid_id, created,
                     category=("dispute", "public_security", "dispute", "sanitation")[i % 4],
                     urgent=i < 3, overdue=i % 3 == 0, resolve_due=created + 3600)
        )  # fmt: skip
    return rows


async def test_a_surge_of_quarrels_turns_a_calm_grid_red(db: Database, config: Config) -> None:
    await _insert(db, _calm(config, 1, "chenghe-3") + _calm(config, 1000, "chenghe-1"))
    await _insert(db, _hot(config, 2000, "chenghe-3", NOW - 2 * DAY))
    risks = {r.grid_id: r for r in await assess(db.reader, config, NOW)}
    hot, calm = risks["chenghe-3"], risks["chenghe-1"]
    assert calm.colour is Colour.GREEN
    assert hot.colour is Colour.RED
    assert hot.inputs.reports == 16 and hot.inputs.conflicts == 9 and hot.inputs.urgent == 3
    assert hot.inputs.baseline == pytest.approx(4.0)
    assert hot.inputs.overdue == 12  # past their one-hour deadline and still open
    assert set(hot.drivers) <= set(FACTORS) and len(hot.drivers) == 2
    assert hot.factors["volume"] == 1.0


async def test_risk_in_a_scope_lists_only_its_grids(db: Database, config: Config) -> None:
    risks = await assess(db.reader, config, NOW, Scope("community", "chenghe"))
    assert {r.grid_id for r in risks} == {"chenghe-1", "chenghe-2", "chenghe-3"}


async def _outbox(db: Database) -> list[dict[str, Any]]:
    rows = await db.reader.execute_fetchall(
        "SELECT chat_id, kind, payload, dedupe_key, not_before FROM outbox ORDER BY id"
    )
    return [
        {"chat_id": r[0], "kind": r[1], "payload": json.loads(r[2]), "key": r[3], "at": r[4]}
        for r in rows
    ]


async def test_a_grid_that_turns_red_alerts_its_community_and_street_once(
    db: Database, config: Config
) -> None:
    await _insert(db, _calm(config, 1, "chenghe-3"))
    await _insert(db, _hot(config, 2000, "chenghe-3", NOW - 2 * DAY))

    alerts = await alert_turns(db, config, NOW)
    assert [a.risk.grid_id for a in alerts] == ["chenghe-3"]
    assert alerts[0].previous is None
    sent = await _outbox(db)
    assert {n["chat_id"] for n in sent} == {100101, 100201}  # 城河社区, 招宝山街道 duty staff
    assert all(n["kind"] == "text" and n["payload"]["template"] == "risk_alert" for n in sent)
    assert all(
        n["payload"]["colour"] == "red"
        and "城河三网格" in render_risk_alert(config, n["payload"])
        and "升为红色" in render_risk_alert(config, n["payload"])
        for n in sent
    )

    # still red an hour later: nothing more
    assert await alert_turns(db, config, NOW + 3600) == []
    assert len(await _outbox(db)) == 2

    # three weeks on the surge has passed: green again, and no alert for calming down
    later = NOW + 21 * DAY
    assert await alert_turns(db, config, later) == []
    colours = await stats_sql.risk_colours(db.reader)
    assert colours["chenghe-3"][0] != "red"

    # a new surge: it turned again, so it alerts again
    await _insert(db, _hot(config, 3000, "chenghe-3", later - DAY))
    again = await alert_turns(db, config, later + 3600)
    assert [a.risk.grid_id for a in again] == ["chenghe-3"]
    assert len(await _outbox(db)) == 4


async def test_alerts_at_night_wait_for_the_morning(db: Database, config: Config) -> None:
    night = local_ts("2026-11-25 23:30")
    await _insert(db, _calm(config, 1, "bailong-2"))
    await _insert(db, _hot(config, 2000, "bailong-2", night - 2 * DAY))
    await alert_turns(db, config, night)
    assert {n["at"] for n in await _outbox(db)} == {local_ts("2026-11-26 07:30")}


# --- the reasons agree with the colour -----------------------------------------------------------


def test_a_green_grid_names_no_high_share_or_many_urgent_cases(config: Config) -> None:
    """chenghe-2 in the test history: 6 of 45 reports are disputes and one more than last week;
    that weighed most, but a green grid is calm and /risk must not call anything high."""
    inputs = RiskInputs(
        reports=45, baseline=41, conflicts=6, previous_conflicts=4, urgent=0,
        overdue=3, reopened=2, rated=28, unsatisfied=2,
    )  # fmt: skip
    risk = grid_risk("chenghe-2", inputs, DEFAULTS)
    assert risk.colour is Colour.GREEN and risk.drivers == ()
    line = render_risk(config, [risk], window_days=7).splitlines()[-1]
    assert "城河二网格" in line and "各项平稳" in line
    assert not any(word in line for word in ("高", "多", "上升"))


def test_a_weak_factor_is_not_named_even_when_it_weighed_most() -> None:
    """Blue at 22 from many mild pressures: none of them is past half-way, so none is 'high'."""
    inputs = RiskInputs(
        reports=20, baseline=16, conflicts=4, previous_conflicts=3, urgent=1,
        overdue=2, reopened=1, rated=10, unsatisfied=1,
    )  # fmt: skip
    risk = grid_risk("x", inputs, DEFAULTS)
    assert risk.colour is Colour.BLUE
    assert all(risk.factors[d] >= DRIVER_PRESSURE for d in risk.drivers)


def test_the_named_reasons_carry_their_counts(config: Config) -> None:
    inputs = RiskInputs(reports=16, baseline=4, conflicts=9, previous_conflicts=2, urgent=3)
    risk = grid_risk("chenghe-3", inputs, DEFAULTS)
    text = render_risk(config, [risk], window_days=7)
    assert risk.drivers == ("volume", "conflict_share")
    assert "案件量高于常态（16 件，常态 4 件）" in text and "纠纷治安占比高（9/16 件）" in text
