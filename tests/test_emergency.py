"""The core of the emergency response: the hazard of a report, whom to call, who responds."""

from __future__ import annotations

import pytest

from bot.cases.emergency import hazard_of, responders, response_for, role_of, take_over
from bot.config import Config
from storage.records import CaseRecord

LEADER, COMMUNITY = 100001, 100101


@pytest.mark.parametrize(
    ("category", "text", "hazard"),
    [
        ("fire_hazard", "3号楼楼道里全是烟 好像着火了", "fire"),
        ("fire_hazard", "5栋2单元好大一股煤气味 闻着头晕", "gas"),
        ("fire_hazard", "厨房燃气泄漏着火了", "fire"),
        # gas told by its smell, in Traditional, or as carbon monoxide: gas advice, not the stairs
        ("fire_hazard", "楼道里一股臭鸡蛋味越来越浓 我头有点晕", "gas"),
        ("fire_hazard", "樓梯間好重的瓦斯味", "gas"),
        ("fire_hazard", "浴室热水器开着 我妈在里面洗澡叫不应", "gas"),
        ("fire_hazard", "Strong GAS smell in the stairwell of Block 6", "gas"),
        ("fire_hazard", "配电箱冒火花 电线烧焦的味道", "electricity"),
        ("livelihood", "12号楼的李奶奶一个人住 好几天没开门了 敲门也没人应", "person"),
        ("disaster", "地下车库进水了 有车被淹 人被困", "water"),
        ("disaster", "老房子墙体开裂 要塌了", "structure"),
        ("public_security", "楼下有人打架 拿着刀", "violence"),
        ("market_safety", "食堂吃完好多人上吐下泻 像是中毒了", "person"),
        ("other", "小孩被锁在车里了 太阳底下晒着", "person"),
        ("disaster", "快来人啊", "water"),  # the category's usual danger
        ("other", "快来人啊", "general"),
    ],
)
def test_the_hazard_comes_from_the_words_then_the_category(
    category: str, text: str, hazard: str
) -> None:
    assert hazard_of(category, text) == hazard


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
