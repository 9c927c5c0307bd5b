"""End to end: odd input gets a clear answer or silence, never a crash or a lost case."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.cases.models import CaseStatus
from tests.e2e import GROUP, LEADER, LI, WANG, Live, buttons


def _raw_message(live: Live, chat: int, user_id: int, message_id: int, **content: Any) -> Update:
    """A message kind the control API does not post (stickers, voice), as Telegram sends it."""
    user = live.server.state.users[user_id]
    chat_json = (
        {"id": chat, "type": "private", "first_name": user.first_name}
        if chat > 0
        else {"id": chat, "type": "supergroup", "title": "城河一网格群"}
    )
    payload = {
        "update_id": 10**9 + message_id,
        "message": {
            "message_id": message_id,
            "date": 1_790_000_000,
            "chat": chat_json,
            "from": {"id": user.id, "is_bot": False, "first_name": user.first_name},
            **content,
        },
    }
    return Update.de_json(payload, live.application.bot)


STICKER = {
    "sticker": {
        "file_id": "st1",
        "file_unique_id": "st1u",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
}
VOICE = {"voice": {"file_id": "vo1", "file_unique_id": "vo1u", "duration": 3}}


async def test_stickers_and_voice_in_a_group_get_silence(live: Live) -> None:
    await live.application.process_update(_raw_message(live, GROUP, WANG, 90001, **STICKER))
    await live.application.process_update(_raw_message(live, GROUP, WANG, 90002, **VOICE))
    await live.settle()
    assert await live.bot_messages(GROUP) == []
    assert await live.case_count() == 0


async def test_stickers_and_voice_in_private_get_a_short_hint(live: Live) -> None:
    await live.application.process_update(_raw_message(live, WANG, WANG, 90003, **VOICE))
    await live.settle()
    assert "文字、照片和位置" in (await live.last_bot_message(WANG))["text"]


async def test_emoji_only_and_whitespace_are_chatter(live: Live) -> None:
    for text in ("😡😡😡😡", "(╯‵□′)╯︵┻━┻", "。。。", "\u200b\u200b"):
        await live.say(GROUP, LI, text)
    await live.settle()
    assert await live.bot_messages(GROUP) == []


async def test_a_five_thousand_character_report_is_stored_whole_and_shown_short(live: Live) -> None:
    text = "/report 3号楼门口的垃圾桶盖子掉了 " + "真的很臭" * 1250
    await live.say(GROUP, WANG, text)
    await live.settle()
    case = await live.case()
    assert len(case.text) > 4900
    card = (await live.bot_messages(GROUP))[0]["text"]
    assert len(card) < 1000 and card.rstrip().endswith("王阿姨")


async def test_html_in_a_report_is_shown_as_text_not_markup(live: Live) -> None:
    await live.say(GROUP, WANG, "/report <b>3号楼</b> 垃圾 & <script>alert(1)</script> 没人收")
    await live.settle()
    card = (await live.bot_messages(GROUP))[0]["text"]
    assert "<script>alert(1)</script>" in card and "& " in card


async def test_binary_looking_text_is_chatter_not_a_crash(live: Live) -> None:
    await live.say(GROUP, LI, "\x00\x01\x02\ufffd\ufffd\ufffd" * 30)
    await live.settle()
    assert await live.case_count() == 0


async def test_the_same_update_delivered_twice_makes_one_case_and_one_card(live: Live) -> None:
    update = _raw_message(
        live,
        GROUP,
        WANG,
        91000,
        text="/report 3号楼门口的垃圾桶盖子掉了",
        entities=[{"type": "bot_command", "offset": 0, "length": 7}],
    )
    # The message must exist in the simulator for the card to reply to; it is enough that it
    # is delivered to the bot twice, as Telegram does after a crash before the offset moved.
    await live.application.process_update(update)
    await live.application.process_update(update)
    await live.settle()
    assert await live.case_count() == 1
    assert len(await live.bot_messages(GROUP)) == 1


async def test_a_resident_who_blocked_the_bot_is_asked_to_rate_in_the_group(live: Live) -> None:
    await live.control.block(WANG)
    await live.say(GROUP, WANG, "/report 3号楼门口的垃圾桶盖子掉了")
    await live.settle()
    case = await live.case()
    notice = await live.last_bot_message(case.assignee_id)
    await live.press(case.assignee_id, notice, case.assignee_id, "办结")
    await live.settle()
    await live.say(case.assignee_id, case.assignee_id, "已处理")
    await live.settle()
    await live.press(
        case.assignee_id, await live.last_bot_message(case.assignee_id), case.assignee_id, "跳过"
    )
    await live.settle()
    assert (await live.case(case.number)).status == CaseStatus.RESOLVED
    group = await live.bot_messages(GROUP)
    assert any(buttons(m) and "王阿姨" in m["text"] for m in group)


async def test_unknown_users_and_commands_in_private_get_help(live: Live) -> None:
    newcomer = 9123456  # in no configuration, never seen before
    await live.control.add_user(newcomer, "路人甲")
    await live.control.start(newcomer)
    await live.say(newcomer, newcomer, "你好 请问怎么用")
    await live.settle()
    assert "报事" in (await live.last_bot_message(newcomer))["text"]
    await live.say(LEADER, LEADER, "/case 2099-999999")
    await live.settle()
    assert "没有找到" in (await live.last_bot_message(LEADER))["text"]


async def test_a_button_whose_handler_fails_still_stops_spinning(live: Live) -> None:
    await live.say(GROUP, WANG, "/report 城河小区3号楼门口的垃圾桶盖子掉了")
    await live.settle()
    case = await live.case()
    notice = await live.last_bot_message(LEADER)

    async def broken(*_args: Any, **_kw: Any) -> None:
        raise RuntimeError("the disk is full")

    live.services.feedback.rate = broken  # type: ignore[method-assign]  # a test double replaces one method
    answer = await live.press_as(LEADER, notice, LEADER, f"v1:s:{case.id}:s")
    assert "没有成功" in answer["text"]
    assert (await live.case(case.number)).status == CaseStatus.ASSIGNED


async def test_an_answer_longer_than_telegram_allows_arrives_in_parts(live: Live) -> None:
    from handlers.context import say

    lines = [f"{n:04d} 城河小区3号楼门口路灯坏了" for n in range(250)]
    await live.say(WANG, WANG, "/start")
    await live.settle()
    before = len(await live.bot_messages(WANG))
    await say(live.services, WANG, "\n".join(lines))
    await live.settle()
    received = [m["text"] for m in await live.bot_messages(WANG)][before:]
    assert len(received) >= 2
    assert "\n".join(received) == "\n".join(lines)
