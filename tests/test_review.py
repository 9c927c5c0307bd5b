"""Review: unsure messages wait for the grid leader, go out in batches, and are decided once."""

from __future__ import annotations

import pytest

from bot.cases.intake import Decision, Intake
from bot.cases.models import NoticeKind
from bot.cases.review import BATCH_SIZE, ReviewDesk, ReviewError, ReviewStatus, may_review
from bot.config import Config
from bot.timing.clock import ManualClock
from storage import cases as case_sql
from storage import outbox as outbox_sql
from storage import review as review_sql
from storage.db import Database
from tests.conftest import local_ts
from tests.factories import RESIDENT
from tests.test_intake import ANSWERS, GROUP, ScriptedParser, message, report

LEADER, WORKER, COMMUNITY, OTHER_LEADER = 100001, 100002, 100101, 100003
UNSURE = "好像哪里灯不太亮？"
WITH_PHONE = "楼下好像一直有怪味 我电话13812345678"


@pytest.fixture
def intake(db: Database, config: Config, clock: ManualClock) -> Intake:
    answers = dict(ANSWERS)
    answers[WITH_PHONE] = report(confidence=0.6, location=None, category="pollution")
    return Intake(db, config, clock, ScriptedParser(answers))


@pytest.fixture
def desk(db: Database, config: Config, clock: ManualClock, intake: Intake) -> ReviewDesk:
    return ReviewDesk(db, config, clock, intake)


async def _batches(db: Database) -> list:
    due = await outbox_sql.due(db.reader, now=2**40)
    return [n for n in due if n.kind == NoticeKind.REVIEW_BATCH]


async def _kept(intake: Intake, text: str, message_id: int) -> int:
    result = await intake.receive(message(text, message_id))
    assert result.decision is Decision.REVIEW
    row = await intake.db.reader.execute_fetchall(
        "SELECT id FROM review_items WHERE chat_id = ? AND message_id = ?", (GROUP, message_id)
    )
    return int(list(row)[0][0])


async def test_waiting_items_go_to_the_leader_as_one_message_after_the_window(
    intake: Intake, desk: ReviewDesk, db: Database, clock: ManualClock
) -> None:
    await _kept(intake, UNSURE, 1)
    clock.advance(60)
    await _kept(intake, WITH_PHONE, 2)
    assert await desk.send_due() == 0  # the first has waited one minute of five
    clock.advance(4 * 60)
    assert await desk.send_due() == 1
    assert await desk.send_due() == 0  # sent items are not sent again
    [batch] = await _batches(db)
    assert batch.chat_id == LEADER
    shown = batch.payload["items"]
    assert [i["text"] for i in shown] == [UNSURE, "楼下好像一直有怪味 我电话138****5678"]


async def test_a_long_queue_is_split_into_messages_of_a_screen_each(
    intake: Intake, desk: ReviewDesk, db: Database
) -> None:
    for number in range(BATCH_SIZE + 2):
        await _kept(intake, UNSURE, 100 + number)
    assert await desk.send_due() == 2  # a full screen need not wait for the window
    assert [len(b.payload["items"]) for b in await _batches(db)] == [BATCH_SIZE, 2]


async def test_nothing_goes_out_in_the_quiet_hours_and_the_nights_items_go_as_one(
    intake: Intake, desk: ReviewDesk, db: Database, clock: ManualClock
) -> None:
    clock.set(local_ts("2026-11-25 23:00"))
    await _kept(intake, UNSURE, 1)
    clock.set(local_ts("2026-11-26 03:00"))
    await _kept(intake, WITH_PHONE, 2)
    clock.set(local_ts("2026-11-26 07:00"))
    assert await desk.send_due() == 0
    clock.set(local_ts("2026-11-26 07:31"))
    assert await desk.send_due() == 1
    [batch] = await _batches(db)
    assert len(batch.payload["items"]) == 2


async def test_accepting_opens_the_case_as_if_the_resident_had_reported_it(
    intake: Intake, desk: ReviewDesk, db: Database, clock: ManualClock
) -> None:
    item = await _kept(intake, UNSURE, 7)
    clock.advance(600)
    await desk.send_due()
    decided = await desk.decide(item, LEADER, accept=True)
    case = decided.result.case
    assert decided.result.decision is Decision.OPENED
    assert (case.reporter_id, case.chat_id, case.message_id) == (RESIDENT, GROUP, 7)
    assert case.text == UNSURE and case.category == "facility_repair"
    assert decided.item.status is ReviewStatus.ACCEPTED and decided.item.case_number == case.number
    card = [n for n in await outbox_sql.list_for_case(db.reader, case.id) if n.kind == "case_card"]
    assert [n.chat_id for n in card] == [GROUP]  # the card goes to the group (as a reply)


async def test_rejecting_closes_the_item_and_opens_nothing(
    intake: Intake, desk: ReviewDesk, db: Database
) -> None:
    item = await _kept(intake, UNSURE, 8)
    decided = await desk.decide(item, LEADER, accept=False)
    assert decided.result is None and decided.item.status is ReviewStatus.REJECTED
    assert await case_sql.count_cases(db.reader) == 0


async def test_a_second_press_is_told_the_first_decision(intake: Intake, desk: ReviewDesk) -> None:
    item = await _kept(intake, UNSURE, 9)
    first = await desk.decide(item, LEADER, accept=True)
    for accept in (True, False):
        with pytest.raises(ReviewError) as refused:
            await desk.decide(item, WORKER, accept=accept)
        assert refused.value.code == "decided"
        assert refused.value.item.case_number == first.item.case_number


async def test_only_the_grids_own_chain_may_decide(
    intake: Intake, desk: ReviewDesk, config: Config
) -> None:
    item = await _kept(intake, UNSURE, 10)
    for stranger in (RESIDENT, OTHER_LEADER):
        with pytest.raises(ReviewError) as refused:
            await desk.decide(item, stranger, accept=True)
        assert refused.value.code == "forbidden"
    assert may_review(config, COMMUNITY, "chenghe-1") and may_review(config, WORKER, "chenghe-1")
    assert (await desk.decide(item, COMMUNITY, accept=False)).item.decided_by == COMMUNITY


async def test_an_item_expires_and_then_says_so(
    intake: Intake, desk: ReviewDesk, db: Database, clock: ManualClock
) -> None:
    item = await _kept(intake, UNSURE, 11)
    clock.advance(24 * 3600 + 1)
    with pytest.raises(ReviewError) as refused:  # pressed before the sweep
        await desk.decide(item, LEADER, accept=True)
    assert refused.value.code == "expired"
    assert await desk.expire() == 1
    with pytest.raises(ReviewError) as again:
        await desk.decide(item, LEADER, accept=True)
    assert again.value.code == "expired"
    assert await case_sql.count_cases(db.reader) == 0


async def test_the_unmasked_words_are_kept_only_while_the_item_is_open(
    intake: Intake, desk: ReviewDesk, db: Database
) -> None:
    item = await _kept(intake, WITH_PHONE, 12)
    assert (await review_sql.get_review(db.reader, item)).text == WITH_PHONE  # for the case
    await desk.decide(item, LEADER, accept=False)
    stored = await review_sql.get_review(db.reader, item)
    assert "13812345678" not in stored.text and "138****5678" in stored.text


async def test_an_edit_while_waiting_is_reviewed_and_opened_in_the_new_words(
    intake: Intake, desk: ReviewDesk, db: Database
) -> None:
    item = await _kept(intake, UNSURE, 13)
    await intake.edit(GROUP, 13, 900002, "别人改不了")  # only the author's edit counts
    await intake.edit(GROUP, 13, RESIDENT, "3号楼楼道的灯不亮了 电话13812345678")
    stored = await review_sql.get_review(db.reader, item)
    assert stored.masked_text == "3号楼楼道的灯不亮了 电话138****5678"
    decided = await desk.decide(item, LEADER, accept=True)
    assert decided.result.case.text == "3号楼楼道的灯不亮了 电话13812345678"


async def test_an_edit_that_tells_of_danger_opens_the_case_and_settles_the_item(
    intake: Intake, desk: ReviewDesk, db: Database
) -> None:
    item = await _kept(intake, UNSURE, 17)
    await intake.edit(GROUP, 17, RESIDENT, "煤气味很重")
    opened = await intake.danger_in_edit(message("煤气味很重", 17))
    assert opened.decision is Decision.OPENED and opened.case.urgent
    stored = await review_sql.get_review(db.reader, item)
    assert stored.status == ReviewStatus.ACCEPTED and stored.case_id == opened.case.id
    # The leader's 立案 afterwards shows that case; it never opens a second one.
    with pytest.raises(ReviewError) as pressed:
        await desk.decide(item, LEADER, accept=True)
    assert pressed.value.code == "decided"
    assert pressed.value.item.case_number == opened.case.number
    assert await case_sql.count_cases(db.reader) == 1


async def test_items_a_leader_cannot_be_sent_go_up_to_the_community(
    intake: Intake, desk: ReviewDesk, db: Database, clock: ManualClock
) -> None:
    await _kept(intake, UNSURE, 14)
    clock.advance(600)
    await desk.send_due()
    [batch] = await _batches(db)
    async with db.write() as conn:  # what the outbox does on 403: the leader never started us
        await outbox_sql.mark_failed(conn, batch.id, error="forbidden: bot can't initiate")
    assert await desk.send_due() == 1
    [again] = await _batches(db)
    assert again.chat_id == COMMUNITY and again.payload["items"][0]["text"] == UNSURE


async def test_accepting_a_problem_reported_meanwhile_joins_that_case_as_me_too(
    intake: Intake, desk: ReviewDesk, db: Database
) -> None:
    intake.parser.answers["3号楼那边灯好像不亮"] = report(confidence=0.6)  # unsure, at 3号楼
    item = await _kept(intake, "3号楼那边灯好像不亮", 15)
    first = await intake.receive(message("3号楼路灯坏了", 16, user_id=900002))
    decided = await desk.decide(item, LEADER, accept=True)
    assert decided.result.decision is Decision.JOINED
    assert decided.item.case_number == first.case.number
    assert await case_sql.count_cases(db.reader) == 1
