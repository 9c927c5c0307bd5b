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
    assert "满意" in answer["answer"]["text"]
    assert (await live.case(case.number)).status == CaseStatus.CLOSED
    assert buttons((await live.bot_messages(WANG))[-1]) == []  # the buttons are gone after the tap


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
