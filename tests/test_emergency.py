"""The core of the emergency response: the hazard of a report, whom to call, who responds."""

from __future__ import annotations

from bot.cases.emergency import responders, response_for, role_of, take_over
from bot.config import Config
from storage.records import CaseRecord

LEADER, COMMUNITY = 100001, 100101


_FIRE_CASE: dict[str, object] = {
    "id": 1,
    "number": "2026-000001",
    "grid_id": "chenghe-1",
    "community_id": "chenghe",
    "street_id": "zhaobaoshan",
    "reporter_id": 9000001,
    "reporter_name": "王阿姨",
    "anonymous": False,
    "chat_id": -1001000001101,
    "message_id": 5,
    "text": "3号楼楼道里全是烟 好像着火了",
    "category": "fire_hazard",
    "level": 4,
    "urgent": True,
    "location": "3号楼",
    "confidence": 0.9,
    "status": "assigned",
    "assignee_id": None,
    "department_id": None,
    "accept_due": None,
    "resolve_due": None,
    "created_at": 0,
    "updated_at": 0,
    "accepted_at": None,
    "resolved_at": None,
    "closed_at": None,
    "reopen_count": 0,
    "escalation_count": 0,
    "overdue": False,
    "card_chat_id": None,
    "card_message_id": None,
}


def _case(config: Config, **kw: object) -> CaseRecord:
    return CaseRecord(**{**_FIRE_CASE, **kw})  # type: ignore[arg-type]  # a test's loose dict


def test_a_fire_is_told_to_call_119_with_no_advice_of_its_own(config: Config) -> None:
    response = response_for(config, _case(config))
    assert response.hazard == "fire"
    assert response.calls == (("fire", "119"),)
    assert response.advice is None  # the adapter's default line for fires


def test_the_example_district_gives_its_gas_line_and_its_own_advice(config: Config) -> None:
    gas = response_for(config, _case(config, text="好大一股煤气味"))
    assert gas.calls[0] == ("gas_company", config.emergency.gas_company)
    assert gas.advice == config.emergency.advice["gas"]


def test_the_grid_leader_and_community_respond_to_a_district_level_case(config: Config) -> None:
    district_handler = config.departments_for("fire_hazard", 4)[0].handlers[0]
    case = _case(config, assignee_id=district_handler)
    assert responders(config, case)[:2] == (LEADER, COMMUNITY)
    assert district_handler in responders(config, case)


def test_whoever_takes_an_urgent_case_over_holds_it_and_its_department_only_if_theirs(
    config: Config,
) -> None:
    department = config.departments_for("fire_hazard", 4)[0]
    case = _case(config, assignee_id=department.handlers[0], department_id=department.id)
    assert take_over(config, case, LEADER) == {"assignee_id": LEADER, "department_id": None}
    assert role_of(config, LEADER, "chenghe-1") == ("grid_leader", None)


def test_every_hazard_has_numbers_to_call_and_a_line_of_advice() -> None:
    from bot.config.emergency import DEFAULT_CALLS
    from handlers.texts import SAFETY_ADVICE
    from nlp.hazard import HAZARDS

    assert set(DEFAULT_CALLS) == set(HAZARDS)
    assert set(SAFETY_ADVICE) == set(HAZARDS)
