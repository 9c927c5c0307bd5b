"""End to end, at night: danger reported in a grid group gets an emergency answer at once.

The real bot on the local Bot API server with a held clock set inside the quiet hours (23:30):
the card says whom to call and what to do now, the grid leader's buttons arrive within seconds,
whoever accepts first takes the case and the reporter is told who is coming, and with the clock
moved by hand an unaccepted urgent case climbs one level after its minutes.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.cases.models import CaseStatus
from bot.cases.routing import route_case
from bot.config import Config
from bot.timing.clock import ManualClock
from bot.timing.deadlines import DeadlineKeeper
from storage import events as event_sql
from tests.conftest import local_ts
from tests.e2e import COMMUNITY, GROUP, LEADER, WANG, Live, buttons, running_bot

NIGHT = "2026-11-25 23:30"  # a Wednesday, inside the quiet hours 22:00-07:30
FIRE = "3号楼楼道里全是烟 好像着火了"
GAS = "5栋2单元好大一股煤气味 闻着头晕"
ALONE = "12号楼的李奶奶一个人住 好几天没开门了 敲门也没人应"


@pytest.fixture
async def night(tmp_path: Path, config: Config) -> AsyncIterator[Live]:
    clock = ManualClock(local_ts(NIGHT))
    async with running_bot(tmp_path / "night.sqlite3", config, clock) as running:
        yield running


def _keeper(live: Live) -> DeadlineKeeper:
    keeper = live.application.bot_data.keeper
    assert keeper is not None
    return keeper


async def _report(live: Live, text: str) -> tuple[object, str, float]:
    """Say it in the group; the case, the group card's text and how long the leader waited."""
    started = time.monotonic()
    await live.say(GROUP, WANG, text)
    await live.settle()
    case = await live.case()
    leader = [m for m in await live.bot_messages(LEADER) if case.number in m.get("text", "")]
    waited = time.monotonic() - started
    assert leader, "the grid leader heard nothing"
    card = (await live.bot_messages(GROUP))[-1]["text"]
    return case, card, waited


def _labels(message: dict) -> list[str]:
    return [b["text"] for b in buttons(message)]


async def test_fire_card_says_call_119_and_leave_by_the_stairs_and_the_leader_has_buttons(
    night: Live, config: Config
) -> None:
    case, card, waited = await _report(night, FIRE)
    assert case.urgent and case.level == 4  # a district case, still the grid leader's to take
    assert card.index("119") < card.index(case.number)  # what to do comes first
    assert "不要乘电梯" in card and "从楼梯撤离" in card
    assert "网格长 陈建国" in card  # who was alerted
    notice = await night.last_bot_message(LEADER)
    assert _labels(notice) == ["接单"] and "119" in notice["text"]
    assert waited < 5
    # The community and the district's department got it with buttons too, all at night.
    for user_id in (COMMUNITY, case.assignee_id):
        assert "接单" in _labels(await night.last_bot_message(user_id))


async def test_gas_card_gives_the_gas_line_and_says_no_switches(
    night: Live, config: Config
) -> None:
    case, card, _ = await _report(night, GAS)
    assert config.emergency.gas_company and config.emergency.gas_company in card
    assert "119" in card and "不要开关电灯电器" in card
    assert "接单" in _labels(await night.last_bot_message(LEADER))


async def test_a_person_alone_asks_a_neighbour_to_knock_and_calls_120(night: Live) -> None:
    case, card, _ = await _report(night, ALONE)
    assert "120" in card and "敲门" in card
    assert case.assignee_id == COMMUNITY  # level 2, yet the grid leader has the buttons
    assert "接单" in _labels(await night.last_bot_message(LEADER))


async def test_the_leader_takes_it_first_and_the_reporter_is_told_who_is_coming(
    night: Live,
) -> None:
    case, _, _ = await _report(night, FIRE)
    first_handler = case.assignee_id
    answer = await night.press(LEADER, await night.last_bot_message(LEADER), LEADER, "接单")
    await night.settle()
    assert "已接单" in answer["answer"]["text"]
    taken = await night.case(case.number)
    assert (taken.status, taken.assignee_id) == (CaseStatus.ACCEPTED, LEADER)
    told = (await night.last_bot_message(WANG))["text"]
    assert "陈建国（网格长）已接单，正在赶来" in told
    assert "正在赶来" in (await night.bot_messages(GROUP))[-1]["text"]
    # The others stand down, a late press is refused, and the trail says who took it from whom.
    assert "已由 陈建国" in (await night.last_bot_message(first_handler))["text"]
    # Their alert is a live card: it says who took it and keeps no 接单; a press from an old
    # client is refused all the same.
    alert = next(m for m in await night.bot_messages(COMMUNITY) if case.number in m["text"])
    assert "接单" not in _labels(alert) and "已转交" in alert["text"]
    late = await night.press_as(COMMUNITY, alert, COMMUNITY, f"v1:a:{case.id}")
    assert late["show_alert"]
    accept = (await event_sql.list_events(night.services.db.reader, case.id))[-1]
    assert accept.action == "accept"
    assert accept.data["from_assignee"] == first_handler and accept.data["assignee_id"] == LEADER
    # The leader's notice now offers 到场; pressing it tells the reporter he is there.
    notice = await night.last_bot_message(LEADER)
    assert _labels(notice)[0] == "到场"
    await night.press(LEADER, notice, LEADER, "到场")
    await night.settle()
    assert "已到场" in (await night.last_bot_message(WANG))["text"]


async def test_unaccepted_the_alert_repeats_then_climbs_a_level_after_ten_minutes(
    night: Live, config: Config
) -> None:
    case, _, _ = await _report(night, ALONE)
    keeper = _keeper(night)
    street = route_case(config, case.grid_id, case.category, 3).assignee_id
    assert not await night.bot_messages(street)

    night.clock.set(local_ts(NIGHT) + 3 * 60)
    await keeper.tick()
    await night.settle()
    again = await night.last_bot_message(LEADER)
    assert "第 2 次提醒" in again["text"] and "接单" in _labels(again)

    night.clock.set(local_ts(NIGHT) + 10 * 60)
    report = await keeper.tick()
    await night.settle()
    assert report.escalated == [case.id]
    climbed = await night.case(case.number)
    assert (climbed.level, climbed.assignee_id) == (3, street)
    notice = await night.last_bot_message(street)
    assert case.number in notice["text"] and "接单" in _labels(notice)
    assert "已上报到您这里" in notice["text"] or "升级到您这里" in notice["text"]
    # The grid leader still has the buttons: nearest first, whatever the level.
    assert "接单" in _labels(await night.last_bot_message(LEADER))


async def test_no_one_on_the_scene_in_thirty_minutes_tells_the_one_above(night: Live) -> None:
    case, _, _ = await _report(night, FIRE)
    await night.press(LEADER, await night.last_bot_message(LEADER), LEADER, "接单")
    await night.settle()
    night.clock.set(local_ts(NIGHT) + 31 * 60)
    await _keeper(night).tick()
    await night.settle()
    assert "仍未到场" in (await night.last_bot_message(COMMUNITY))["text"]
    assert "到场" in (await night.last_bot_message(LEADER))["text"]


async def test_an_edit_that_reveals_danger_makes_the_case_urgent_and_alerts(night: Live) -> None:
    message = await night.say(GROUP, WANG, "3号楼楼道灯不亮了")
    await night.settle()
    case = await night.case()
    assert not case.urgent
    await night.control.edit(
        GROUP, message["message_id"], WANG, "3号楼楼道灯不亮了 还有好大一股煤气味 有人头晕了"
    )
    await night.settle()
    urgent = await night.case(case.number)
    assert urgent.urgent
    edit = (await event_sql.list_events(night.services.db.reader, case.id))[-1]
    assert edit.data["urgent"] is True and edit.data["hazard"] == "gas"
    assert urgent.accept_due is not None and urgent.accept_due - night.clock.now() <= 10 * 60
    card = (await night.bot_messages(GROUP))[-1]["text"]
    assert "不要开关电灯电器" in card and case.number in card
    notice = await night.last_bot_message(LEADER)
    assert "转为紧急" in notice["text"] and "接单" in _labels(notice)


async def test_an_edit_never_lowers_urgency(night: Live) -> None:
    message = await night.say(GROUP, WANG, FIRE)
    await night.settle()
    case = await night.case()
    await night.control.edit(GROUP, message["message_id"], WANG, "3号楼楼道灯不亮了")
    await night.settle()
    edited = await night.case(case.number)
    assert edited.text == "3号楼楼道灯不亮了" and edited.urgent


async def test_chatter_edited_into_danger_opens_an_urgent_case(night: Live) -> None:
    message = await night.say(GROUP, WANG, "大家晚上好")
    await night.settle()
    assert await night.case_count() == 0
    await night.control.edit(GROUP, message["message_id"], WANG, FIRE)
    await night.settle()
    case = await night.case()
    assert case.urgent and case.message_id == message["message_id"]
    assert "119" in (await night.bot_messages(GROUP))[-1]["text"]
    assert "接单" in _labels(await night.last_bot_message(LEADER))


async def test_chatter_edited_into_more_chatter_stays_silent(night: Live) -> None:
    message = await night.say(GROUP, WANG, "大家晚上好")
    await night.settle()
    await night.control.edit(GROUP, message["message_id"], WANG, "大家晚上好 早点休息")
    await night.settle()
    assert await night.case_count() == 0 and not await night.bot_messages(GROUP)


async def test_an_anonymous_reporter_is_told_privately_and_the_group_never_learns_who(
    night: Live,
) -> None:
    from tests.test_e2e_intake import _private_report

    await _private_report(night, ALONE, anonymous=True)
    case = await night.case()
    assert case.anonymous and case.urgent
    await night.press(LEADER, await night.last_bot_message(LEADER), LEADER, "接单")
    await night.settle()
    assert "陈建国（网格长）已接单，正在赶来" in (await night.last_bot_message(WANG))["text"]
    group = [m["text"] for m in await night.bot_messages(GROUP)]
    assert any("敲门" in text and "匿名居民" in text for text in group)
    assert not any("王阿姨" in text for text in group)
