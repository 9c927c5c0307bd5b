"""End to end: the reporter rates with one tap, 👎 reopens, 👍 reactions count as likes."""

from __future__ import annotations

from bot.cases.models import CaseStatus
from storage import feedback as feedback_sql
from tests.e2e import COMMUNITY, GROUP, LEADER, LI, WANG, ZHANG, Live, buttons

REPORT = "/report 城河小区3号楼门口的垃圾桶盖子掉了 麻烦网格员看一下"


async def _resolve(live: Live, reporter: int = WANG) -> object:
    await live.say(GROUP, reporter, REPORT)
    await live.settle()
    case = await live.case()
    notice = await live.last_bot_message(case.assignee_id)
    await live.press(case.assignee_id, notice, case.assignee_id, "办结")
    await live.settle()
    await live.say(case.assignee_id, case.assignee_id, "盖子已经装回去了")
    await live.settle()
    await live.press(
        case.assignee_id, await live.last_bot_message(case.assignee_id), case.assignee_id, "跳过"
    )
    await live.settle()
    return await live.case(case.number)


async def test_one_tap_on_satisfied_closes_the_case(live: Live) -> None:
    case = await _resolve(live)
    rating = await live.last_bot_message(WANG)
    answer = await live.press(WANG, rating, WANG, "👍 满意")
    await live.settle()
    assert "谢谢" in answer["answer"]["text"]
    assert (await live.case(case.number)).status == CaseStatus.CLOSED
    rated = (await live.bot_messages(WANG))[-1]
    assert buttons(rated) == []  # the buttons are gone after the tap…
    assert rated["text"].endswith("您的评价：👍 满意")  # …and the choice shows in their place
    assert "盖子已经装回去了" in rated["text"]


async def test_unsatisfied_reopens_asks_why_and_tells_assignee_and_supervisor(live: Live) -> None:
    case = await _resolve(live)
    await live.press(WANG, await live.last_bot_message(WANG), WANG, "👎 不满意")
    await live.settle()
    assert (await live.case(case.number)).status == CaseStatus.REOPENED
    assert "原因" in (await live.last_bot_message(WANG))["text"]
    await live.say(WANG, WANG, "盖子又掉了 根本没固定")
    await live.settle()
    for person in (LEADER, COMMUNITY):
        texts = [m["text"] for m in await live.bot_messages(person)]
        assert any("根本没固定" in t for t in texts), person


async def test_a_reporter_who_never_started_the_bot_rates_in_the_group(live: Live) -> None:
    case = await _resolve(live, reporter=ZHANG)
    group = await live.bot_messages(GROUP)
    request = next(m for m in group if buttons(m) and "打分" in m["text"])
    assert "张小姐" in request["text"]
    refused = await live.press(GROUP, request, LI, "👍 满意")
    assert "权限" in refused["answer"]["text"]
    await live.press(GROUP, request, ZHANG, "👌 基本满意")
    await live.settle()
    assert (await live.case(case.number)).status == CaseStatus.CLOSED


async def test_thumbs_up_reactions_on_the_resolution_message_are_likes(live: Live) -> None:
    case = await _resolve(live)
    resolution = [m for m in await live.bot_messages(GROUP) if "已办结" in m["text"]][-1]
    await live.control.react(GROUP, resolution["message_id"], LI, "👍")
    await live.control.react(GROUP, resolution["message_id"], WANG, "👍")
    await live.control.react(GROUP, resolution["message_id"], LEADER, "🤣")
    await live.settle()
    assert await feedback_sql.count_likes(live.services.db.reader, case.id) == 2
    await live.control.react(GROUP, resolution["message_id"], LI, None)
    await live.settle()
    assert await feedback_sql.count_likes(live.services.db.reader, case.id) == 1
    assert (
        await feedback_sql.list_ratings(live.services.db.reader, case.id) == []
    )  # likes are no rating


async def test_without_admin_rights_likes_are_not_counted_and_status_says_so(live: Live) -> None:
    await live.control.set_bot_status(GROUP, "member")
    case = await _resolve(live)
    resolution = [m for m in await live.bot_messages(GROUP) if "已办结" in m["text"]][-1]
    await live.control.react(GROUP, resolution["message_id"], LI, "👍")
    await live.settle()
    assert await feedback_sql.count_likes(live.services.db.reader, case.id) == 0
    await live.say(LEADER, LEADER, "/status")
    await live.settle()
    status = (await live.last_bot_message(LEADER))["text"]
    assert "城河一网格：不是管理员" in status


async def test_thumbs_down_in_the_group_leaves_no_hidden_question_behind(live: Live) -> None:
    case = await _resolve(live, reporter=ZHANG)
    group = await live.bot_messages(GROUP)
    request = next(m for m in group if buttons(m) and "打分" in m["text"])
    await live.press(GROUP, request, ZHANG, "👎 不满意")
    await live.settle()
    assert (await live.case(case.number)).status == CaseStatus.REOPENED
    # Days later she starts the bot and says something unrelated: that is no rating reason.
    await live.control.start(ZHANG)
    await live.settle()
    await live.say(ZHANG, ZHANG, "请问社区周末开门吗")
    await live.settle()
    ratings = await feedback_sql.list_ratings(live.services.db.reader, case.id)
    assert [r.reason for r in ratings] == [None]
    assert not any("周末开门" in m["text"] for m in await live.bot_messages(LEADER))


async def test_thumbs_down_says_the_case_goes_back_and_shows_the_choice(live: Live) -> None:
    case = await _resolve(live)
    answer = await live.press(WANG, await live.last_bot_message(WANG), WANG, "👎 不满意")
    await live.settle()
    assert answer["answer"]["text"] == "收到，已退回重新办理，会尽快给您答复。"
    rated = next(m for m in await live.bot_messages(WANG) if "已办结" in m["text"])
    assert rated["text"].endswith("您的评价：👎 不满意") and buttons(rated) == []
    assert (await live.case(case.number)).status == CaseStatus.REOPENED


async def _accept(live: Live, text: str) -> object:
    await live.say(GROUP, ZHANG, text)
    await live.settle()
    case = await live.case()
    handler = case.assignee_id
    card = [
        m
        for m in await live.bot_messages(handler)
        if case.number in m["text"] and "接单" in [b["text"] for b in buttons(m)]
    ][-1]  # not a reminder of an older case that the week's timers sent meanwhile
    await live.press(handler, card, handler, "接单")
    await live.settle()
    return case


def _nudges(messages: list[dict]) -> int:
    return sum("/start" in m["text"] for m in messages)


async def test_one_group_message_per_resolution_and_a_start_reminder_once_a_week(
    live: Live,
) -> None:
    # 张小姐 never started the bot: what the bot would tell her privately cannot reach her.
    first = await _accept(live, REPORT)
    assert _nudges(await live.bot_messages(GROUP)) == 1
    before = await live.bot_messages(GROUP)
    await live.press(LEADER, await live.last_bot_message(LEADER), LEADER, "办结")
    await live.settle()
    await live.say(LEADER, LEADER, "盖子已经装回去了")
    await live.settle()
    await live.press(LEADER, await live.last_bot_message(LEADER), LEADER, "跳过")
    await live.settle()
    after = await live.bot_messages(GROUP)
    new = after[len(before) :]
    assert len(new) == 1, [m["text"] for m in new]
    assert "已办结" in new[0]["text"] and "张小姐" in new[0]["text"]
    assert [b["text"] for b in buttons(new[0])] == ["👍 满意", "👌 基本满意", "👎 不满意"]
    await live.press(GROUP, new[0], ZHANG, "👌 基本满意")
    await live.settle()
    rated = next(
        m for m in await live.bot_messages(GROUP) if m["message_id"] == new[0]["message_id"]
    )
    assert rated["text"].endswith("报事人的评价：👌 基本满意") and buttons(rated) == []
    assert (await live.case(first.number)).status == CaseStatus.CLOSED

    # A second case the same week: accepted, and no second reminder.
    await _accept(live, "/report 城河小区5号楼楼道的路灯坏了 晚上看不见")
    assert _nudges(await live.bot_messages(GROUP)) == 1

    # A week later she may be reminded again.
    live.clock.advance(8 * 24 * 3600)
    await _accept(live, "/report 西门新村2号楼门口的下水道堵了 污水流到路上")
    assert _nudges(await live.bot_messages(GROUP)) == 2
