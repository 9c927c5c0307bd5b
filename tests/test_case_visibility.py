"""Who may see a case: /case N and the case's buttons answer a stranger exactly as for a number
that does not exist; the reporter, the grid's leader and the district's admin see it."""

from __future__ import annotations

from handlers import texts
from tests.e2e import GROUP, LEADER, LI, STRANGER, WANG, Live

OTHER_STREETS_LEADER = 100013  # 网格长 of luotuo-1, another street
ADMIN = 100503
REPORT = "/report 3号楼路灯坏了 晚上楼道里一片黑 联系我13812345678"


async def _stranger(live: Live) -> None:
    """Someone from outside the district who has started the bot."""
    await live.control.add_user(STRANGER, "路人甲")
    await live.control.start(STRANGER)
    await live.settle()


async def _answer(live: Live, user_id: int, command: str) -> str:
    """The bot's reply to this command (a digest may arrive in the same chat meanwhile)."""
    asked = await live.say(user_id, user_id, command)
    await live.settle()
    replies = [
        m
        for m in await live.bot_messages(user_id)
        if (m.get("reply_to_message") or {}).get("message_id") == asked["message_id"]
    ]
    assert len(replies) == 1, (user_id, command)
    return replies[0]["text"]


async def test_a_stranger_gets_the_same_answer_as_for_a_number_that_does_not_exist(
    live: Live,
) -> None:
    await live.say(GROUP, WANG, REPORT)
    await live.settle()
    case = await live.case()
    sequence = int(case.number.split("-")[1])
    await _stranger(live)
    nowhere = await _answer(live, STRANGER, "/case 2026-999999")
    for asker in (STRANGER, LI, OTHER_STREETS_LEADER):
        for asked in (case.number, str(sequence)):
            answer = await _answer(live, asker, f"/case {asked}")
            assert answer == nowhere == texts.UNKNOWN_CASE, (asker, asked)
            assert "路灯" not in answer and case.number not in answer


async def test_a_stranger_asking_in_the_group_learns_nothing_either(live: Live) -> None:
    await live.say(GROUP, WANG, REPORT)
    await live.settle()
    case = await live.case()
    await live.say(GROUP, LI, f"/case {case.number}")
    await live.settle()
    assert (await live.last_bot_message(GROUP))["text"] == texts.UNKNOWN_CASE


async def test_the_reporter_the_grid_leader_and_the_admin_see_the_case(live: Live) -> None:
    await live.say(GROUP, WANG, REPORT)
    await live.settle()
    case = await live.case()
    for viewer in (WANG, LEADER, ADMIN):
        answer = await _answer(live, viewer, f"/case {case.number}")
        assert case.number in answer and "路灯" in answer, viewer
        assert "13812345678" in answer  # privately, those who may see it see it whole


async def test_a_strangers_forged_handler_button_says_no_more_than_for_no_case(
    live: Live,
) -> None:
    await live.say(GROUP, WANG, REPORT)
    await live.settle()
    case = await live.case()
    await _stranger(live)
    # any message of the bot's in the stranger's own chat will do to carry forged data
    message = (await live.bot_messages(STRANGER))[-1]
    # (a rating button is different: it sits in the group, on a message that names the case)
    for data in (f"v1:a:{case.id}", f"v1:e:{case.id}", "v1:a:999999"):
        answer = await live.press_as(STRANGER, message, STRANGER, data)
        assert answer["text"] == texts.UNKNOWN_CASE, data
