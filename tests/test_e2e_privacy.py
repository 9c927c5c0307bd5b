"""End to end: a resident's own message with their phone number is removed once the case is
open, where the bot may delete messages; otherwise the grid leader is told once how to allow it."""

from __future__ import annotations

from tests.e2e import GROUP, LEADER, LI, WANG, Live

WITH_PHONE = "城河小区3号楼门口的路灯坏了 晚上很黑 联系我13812345678"


async def _resident_message(live: Live, message_id: int) -> dict:
    return next(m for m in await live.control.transcript(GROUP) if m["message_id"] == message_id)


async def test_a_message_with_a_phone_number_is_removed_and_the_card_says_so(live: Live) -> None:
    said = await live.say(GROUP, WANG, WITH_PHONE)
    await live.settle()
    case = await live.case()
    assert "13812345678" in case.text  # the case keeps it: the handler needs to call
    assert (await _resident_message(live, said["message_id"])).get("deleted")
    card = (await live.bot_messages(GROUP))[0]
    assert "为保护隐私，已隐藏您留的电话，网格员可以看到" in card["text"]
    assert "13812345678" not in card["text"]
    assert "13812345678" in (await live.last_bot_message(LEADER))["text"]


async def test_without_the_right_to_delete_the_leader_is_told_once(live: Live) -> None:
    await live.control.set_bot_status(GROUP, "administrator", rights={"can_delete_messages": False})
    first = await live.say(GROUP, WANG, WITH_PHONE)
    await live.settle()
    await live.say(GROUP, LI, "西门新村5号楼楼道里的灯坏了 我电话13955556666")
    await live.settle()
    assert not (await _resident_message(live, first["message_id"])).get("deleted")
    hints = [m for m in await live.bot_messages(LEADER) if "删除消息" in m["text"]]
    assert len(hints) == 1 and "城河一网格" in hints[0]["text"]
    assert all("隐藏" not in m["text"] for m in await live.bot_messages(GROUP))


async def test_a_message_without_personal_data_stays(live: Live) -> None:
    said = await live.say(GROUP, WANG, "城河小区3号楼门口的路灯坏了 晚上很黑")
    await live.settle()
    assert await live.case_count() == 1
    assert not (await _resident_message(live, said["message_id"])).get("deleted")


async def test_a_neighbours_me_too_with_a_phone_number_is_removed_as_well(live: Live) -> None:
    await live.say(GROUP, WANG, "城河小区3号楼门口的路灯坏了 晚上很黑")
    await live.settle()
    again = await live.say(GROUP, LI, "城河小区3号楼门口路灯确实坏了 我也看到 电话13955556666")
    await live.settle()
    assert await live.case_count() == 1  # 同问: the same case
    assert (await _resident_message(live, again["message_id"])).get("deleted")
    assert all("13955556666" not in m["text"] for m in await live.bot_messages(GROUP))
