"""End to end: every card a handler holds follows the case; /todo entries open a case."""

from __future__ import annotations

from bot.cases.models import CaseStatus
from tests.e2e import GROUP, LEADER, WANG, Live, buttons

REPORT = "/report 城河小区3号楼门口的垃圾桶盖子掉了 麻烦网格员看一下"
WORKING = ["办结", "上报", "转派", "退回"]


async def _reported(live: Live) -> tuple[object, dict]:
    await live.say(GROUP, WANG, REPORT)
    await live.settle()
    case = await live.case()
    return case, await live.last_bot_message(LEADER)


async def _resolve(live: Live, card: dict) -> None:
    await live.press(LEADER, card, LEADER, "办结")
    await live.settle()
    await live.say(LEADER, LEADER, "盖子已经装回去了")
    await live.settle()
    await live.press(LEADER, await live.last_bot_message(LEADER), LEADER, "跳过")
    await live.settle()


async def test_after_accepting_the_card_shows_the_new_state_and_buttons(live: Live) -> None:
    case, card = await _reported(live)
    assert card["text"].startswith("📥 新案件")
    await live.press(LEADER, card, LEADER, "接单")
    await live.settle()
    edited = next(
        m for m in await live.bot_messages(LEADER) if m["message_id"] == card["message_id"]
    )
    assert edited["text"].startswith("🔧 处理中") and "新案件" not in edited["text"]
    assert "状态：处理中" in edited["text"]
    assert [b["text"] for b in buttons(edited)] == WORKING


async def test_older_copies_lose_their_buttons_and_follow_the_case(live: Live) -> None:
    case, card = await _reported(live)
    await live.say(LEADER, LEADER, "/todo")
    await live.settle()
    todo = await live.last_bot_message(LEADER)
    await live.press(LEADER, todo, LEADER, f"{case.number} · 环境卫生 · 已派单")
    await live.settle()
    opened = await live.last_bot_message(LEADER)
    assert opened["message_id"] != card["message_id"] and case.number in opened["text"]
    assert [b["text"] for b in buttons(opened)] == ["接单", *WORKING]
    first = next(
        m for m in await live.bot_messages(LEADER) if m["message_id"] == card["message_id"]
    )
    assert buttons(first) == []  # the older copy keeps no buttons to press by mistake
    await live.press(LEADER, opened, LEADER, "接单")
    await live.settle()
    messages = {m["message_id"]: m for m in await live.bot_messages(LEADER)}
    assert messages[card["message_id"]]["text"].startswith("🔧 处理中")
    assert buttons(messages[card["message_id"]]) == []
    assert [b["text"] for b in buttons(messages[opened["message_id"]])] == WORKING


async def test_a_reopened_case_says_so_and_why(live: Live) -> None:
    case, card = await _reported(live)
    await _resolve(live, card)
    done = next(m for m in await live.bot_messages(LEADER) if m["message_id"] == card["message_id"])
    assert done["text"].startswith("✅ 已办结") and buttons(done) == []
    await live.press(WANG, await live.last_bot_message(WANG), WANG, "👎 不满意")
    await live.settle()
    await live.say(WANG, WANG, "盖子又掉了 根本没固定")
    await live.settle()
    assert (await live.case(case.number)).status == CaseStatus.REOPENED
    reopened = [m for m in await live.bot_messages(LEADER) if m["text"].startswith("🔁 重新办理")]
    assert reopened, "no card says 🔁 重新办理"
    assert all("新案件" not in m["text"] for m in reopened)
    assert any("根本没固定" in m["text"] for m in reopened)
    with_buttons = [
        m for m in await live.bot_messages(LEADER) if "办结" in [b["text"] for b in buttons(m)]
    ]
    assert len(with_buttons) == 1 and with_buttons[0]["text"].startswith("🔁 重新办理")


async def test_todo_entries_open_the_case_with_one_tap(live: Live) -> None:
    case, _ = await _reported(live)
    await live.say(LEADER, LEADER, "/todo")
    await live.settle()
    todo = await live.last_bot_message(LEADER)
    labels = [b["text"] for b in buttons(todo)]
    assert labels == [f"{case.number} · 环境卫生 · 已派单"]
    await live.press(LEADER, todo, LEADER, labels[0])
    await live.settle()
    opened = await live.last_bot_message(LEADER)
    assert opened["text"].startswith("📥 新案件") and case.number in opened["text"]
    # Someone else's tap on the same data opens nothing.
    forged = await live.press_as(LEADER, todo, WANG, buttons(todo)[0]["callback_data"])
    assert "权限" in forged["text"]
