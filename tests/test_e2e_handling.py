"""End to end: handlers accept, resolve, escalate, reassign and reject in chat; forged presses fail."""

from __future__ import annotations

from bot.cases.models import CaseStatus
from handlers import texts
from storage import attachments as attachment_sql
from storage import review as review_sql
from tests.e2e import BOT_ID, COMMUNITY, GROUP, LEADER, LI, WANG, WORKER, ZHANG, Live, buttons

# Level 1 (the grid leader fixes it himself): a loose cover the worker can put back.
REPORT = "/report 城河小区3号楼门口的垃圾桶盖子掉了 麻烦网格员看一下"


async def _reported(live: Live) -> tuple[object, dict]:
    await live.say(GROUP, WANG, REPORT)
    await live.settle()
    case = await live.case()
    notice = await live.last_bot_message(case.assignee_id)
    return case, notice


async def test_the_assignee_gets_a_private_notice_with_the_five_buttons(live: Live) -> None:
    case, notice = await _reported(live)
    assert case.assignee_id == LEADER
    assert case.number in notice["text"]
    assert [b["text"] for b in buttons(notice)] == ["接单", "办结", "上报", "转派", "退回"]


async def test_accepting_tells_the_reporter_and_the_group_card_follows(live: Live) -> None:
    case, notice = await _reported(live)
    answer = await live.press(LEADER, notice, LEADER, "接单")
    await live.settle()
    assert "已接单" in answer["answer"]["text"]
    assert (await live.case(case.number)).status == CaseStatus.ACCEPTED
    assert "接单" in (await live.last_bot_message(WANG))["text"]
    card = (await live.bot_messages(GROUP))[0]
    assert "处理中" in card["text"] and card.get("history")
    assert "接单" not in [b["text"] for b in buttons((await live.bot_messages(LEADER))[-1])]


async def test_resolving_asks_for_a_note_and_photo_then_asks_the_reporter_to_rate(
    live: Live,
) -> None:
    from simulator.testing import png_bytes

    case, notice = await _reported(live)
    await live.press(LEADER, notice, LEADER, "办结")
    await live.settle()
    assert "办理结果" in (await live.last_bot_message(LEADER))["text"]
    await live.say(LEADER, LEADER, "已联系供电所更换灯泡 有问题打我电话13588887777")
    await live.settle()
    await live.say(LEADER, LEADER, photo=png_bytes())
    await live.settle()
    resolved = await live.case(case.number)
    assert resolved.status == CaseStatus.RESOLVED
    photos = await attachment_sql.list_attachments(live.services.db.reader, case.id)
    assert [p.added_by for p in photos] == [LEADER]
    rating = await live.last_bot_message(WANG)
    assert "已联系供电所更换灯泡" in rating["text"]
    assert [b["text"] for b in buttons(rating)] == ["👍 满意", "👌 基本满意", "👎 不满意"]
    group = await live.bot_messages(GROUP)
    assert "已办结" in group[-1]["text"] and "👍" in group[-1]["text"]
    # The note reaches the reporter whole, and the group with the number masked.
    assert "13588887777" in rating["text"]
    assert "13588887777" not in group[-1]["text"] and "135****7777" in group[-1]["text"]


async def test_escalating_needs_a_reason_and_reaches_the_next_level(live: Live) -> None:
    case, notice = await _reported(live)
    await live.press(LEADER, notice, LEADER, "上报")
    await live.settle()
    await live.say(LEADER, LEADER, "需要社区协调供电所")
    await live.settle()
    escalated = await live.case(case.number)
    assert (escalated.status, escalated.level, escalated.assignee_id) == (
        CaseStatus.ESCALATED,
        2,
        COMMUNITY,
    )
    assert case.number in (await live.last_bot_message(COMMUNITY))["text"]
    assert "上报" in (await live.last_bot_message(WANG))["text"]


async def test_reassigning_to_a_grid_worker(live: Live) -> None:
    case, notice = await _reported(live)
    await live.press(LEADER, notice, LEADER, "转派")
    await live.settle()
    choices = await live.last_bot_message(LEADER)
    await live.press(LEADER, choices, LEADER, "林晓燕")
    await live.settle()
    assert (await live.case(case.number)).assignee_id == WORKER
    assert case.number in (await live.last_bot_message(WORKER))["text"]


async def test_another_category_is_chosen_under_reassign_and_kept_as_a_label(
    live: Live,
) -> None:
    case, notice = await _reported(live)
    await live.press(LEADER, notice, LEADER, "转派")
    await live.settle()
    await live.press(LEADER, await live.last_bot_message(LEADER), LEADER, "改类别…")
    await live.settle()
    answer = await live.press(LEADER, await live.last_bot_message(LEADER), LEADER, "市容秩序")
    await live.settle()
    assert "市容秩序" in answer["answer"]["text"]
    assert (await live.case(case.number)).category == "street_order"
    assert "市容秩序" in (await live.bot_messages(GROUP))[0]["text"]  # the card follows
    [label] = await review_sql.latest_labels(live.services.db.reader)
    assert (label.source, label.category, label.decided_by) == ("category", "street_order", LEADER)


async def test_rejecting_tells_the_reporter_why_and_who(live: Live) -> None:
    case, notice = await _reported(live)
    await live.press(LEADER, notice, LEADER, "退回")
    await live.settle()
    await live.say(LEADER, LEADER, "该路灯属于小区物业，已转告物业")
    await live.settle()
    assert (await live.case(case.number)).status == CaseStatus.REJECTED
    told = (await live.last_bot_message(WANG))["text"]
    assert "该路灯属于小区物业" in told and "陈建国" in told
    # A reason typed freely says nothing sure about the words: a real problem for the property
    # company is no lesson that it was not a report.
    assert await review_sql.latest_labels(live.services.db.reader) == []


async def test_rejecting_as_not_a_report_by_its_button_is_a_label_and_tells_the_reporter(
    live: Live,
) -> None:
    case, notice = await _reported(live)
    await live.press(LEADER, notice, LEADER, "退回")
    await live.settle()
    question = await live.last_bot_message(LEADER)
    assert texts.BTN_REJECT_NOT_A_REPORT in [b["text"] for b in buttons(question)]
    answer = await live.press(LEADER, question, LEADER, texts.BTN_REJECT_NOT_A_REPORT)
    await live.settle()
    assert case.number in answer["answer"]["text"]
    assert (await live.case(case.number)).status == CaseStatus.REJECTED
    assert texts.REJECT_NOTE["not_report"] in (await live.last_bot_message(WANG))["text"]
    [label] = await review_sql.latest_labels(live.services.db.reader)
    assert (label.source, label.is_report) == ("reject", False)
    # The question's buttons are gone: a second press cannot reject twice.
    assert buttons(await live.last_bot_message(LEADER)) == []


async def test_rejecting_as_someone_elses_business_tells_the_reporter_and_teaches_nothing(
    live: Live,
) -> None:
    case, notice = await _reported(live)
    await live.press(LEADER, notice, LEADER, "退回")
    await live.settle()
    await live.press(
        LEADER, await live.last_bot_message(LEADER), LEADER, texts.BTN_REJECT_ELSEWHERE
    )
    await live.settle()
    assert (await live.case(case.number)).status == CaseStatus.REJECTED
    assert texts.REJECT_NOTE["elsewhere"] in (await live.last_bot_message(WANG))["text"]
    assert await review_sql.latest_labels(live.services.db.reader) == []


async def test_a_reporter_who_starts_the_bot_late_still_learns_why_it_was_rejected(
    live: Live,
) -> None:
    await live.say(GROUP, ZHANG, REPORT)  # 张小姐 never started the bot
    await live.settle()
    case = await live.case()
    notice = await live.last_bot_message(LEADER)
    await live.press(LEADER, notice, LEADER, "退回")
    await live.settle()
    await live.say(LEADER, LEADER, "该路灯属于小区物业，已转告物业")
    await live.settle()
    nudge = (await live.last_bot_message(GROUP))["text"]
    assert "/start" in nudge and "该路灯属于小区物业" not in nudge
    await live.control.start(ZHANG)
    await live.settle()
    private = [m["text"] for m in await live.bot_messages(ZHANG)]
    assert any("该路灯属于小区物业" in text and case.number in text for text in private)
    # Starting again sends nothing twice.
    await live.control.start(ZHANG)
    await live.settle()
    again = [m["text"] for m in await live.bot_messages(ZHANG)]
    assert sum("该路灯属于小区物业" in text for text in again) == 1


async def test_a_stranger_pressing_a_handlers_button_changes_nothing(live: Live) -> None:
    case, notice = await _reported(live)
    # A copy of the leader's notice in someone else's hands: its buttons must do nothing, and
    # say no more than for a case that does not exist.
    for label in ("接单", "退回", "办结"):
        data = [b["callback_data"] for b in buttons(notice) if b["text"] == label][0]
        forged = await live.press_as(LEADER, notice, LI, data)
        assert forged["text"] == texts.UNKNOWN_CASE, label
    assert (await live.case(case.number)).status == CaseStatus.ASSIGNED


async def test_forged_and_stale_button_data_get_a_polite_refusal(live: Live) -> None:
    case, notice = await _reported(live)
    for data in (
        "v1:a:999999",
        "v0:a:1",
        "garbage",
        f"v1:tt:{case.id}:u424242",
        f"v1:s:{case.id}:z",
        "v1:a:abc",
        "v1:a:" + "9" * 40,  # beyond any integer SQLite holds
        "v1:a:-1",
        f"v1:tt:{case.id}:u" + "9" * 40,  # reassign to a person no integer can hold
        "v1:s:" + "9" * 40 + ":s",
    ):
        answer = await live.press_as(LEADER, notice, LEADER, data)
        assert answer["text"], data
    assert (await live.case(case.number)).status == CaseStatus.ASSIGNED


async def test_todo_lists_my_open_cases_urgent_first(live: Live) -> None:
    from tests.test_e2e_intake import _Pinned

    live.services.intake.parser = _Pinned(live.services.intake.parser, "sanitation")
    await live.say(GROUP, WANG, REPORT)
    await live.say(GROUP, LI, "/report 5号楼楼道里全是烟 好像着火了")
    await live.settle()
    await live.say(LEADER, LEADER, "/todo")
    await live.settle()
    todo = (await live.last_bot_message(LEADER))["text"]
    lines = [line for line in todo.splitlines() if "2026-" in line or "202" in line]
    assert len(lines) == 2 and lines[0].startswith("🚨")


async def test_a_resident_asking_for_staff_commands_hears_they_are_for_staff(live: Live) -> None:
    """No case is involved, so no word about a case's rights: the command is for staff."""
    for command in ("/todo", "/status"):
        await live.say(WANG, WANG, command)
        await live.settle()
        answer = (await live.last_bot_message(WANG))["text"]
        assert command in answer and "工作人员" in answer
        assert "案件" not in answer


async def test_case_command_shows_the_timeline_to_the_reporter_only_among_residents(
    live: Live,
) -> None:
    await live.say(GROUP, WANG, "/report 3号楼路灯坏了 联系我13812345678")
    await live.settle()
    case = await live.case()
    await live.say(LI, LI, f"/case {case.number}")
    await live.say(WANG, WANG, f"/case {case.number}")
    await live.settle()
    assert (await live.last_bot_message(LI))["text"] == texts.UNKNOWN_CASE
    assert "13812345678" in (await live.last_bot_message(WANG))["text"]
    assert BOT_ID


async def test_a_second_question_names_its_case_and_says_the_first_is_dropped(
    live: Live,
) -> None:
    first, notice = await _reported(live)
    await live.say(GROUP, LI, "/report 城河小区5号楼门口的垃圾桶翻倒了 麻烦网格员扶一下")
    await live.settle()
    second = await live.case()
    assert second.number != first.number
    second_notice = await live.last_bot_message(LEADER)
    await live.press(LEADER, notice, LEADER, "办结")
    await live.settle()
    assert first.number in (await live.last_bot_message(LEADER))["text"]
    await live.press(LEADER, second_notice, LEADER, "退回")
    await live.settle()
    question = (await live.last_bot_message(LEADER))["text"]
    assert second.number in question and first.number in question and "不再等待" in question
    await live.say(LEADER, LEADER, "路灯归供电所管，已转告")
    await live.settle()
    assert (await live.case(first.number)).status == CaseStatus.ASSIGNED
    assert (await live.case(second.number)).status == CaseStatus.REJECTED
