"""Intake decisions: chatter ignored, confident reports opened, unsure ones kept for review,
同问 joined."""

from __future__ import annotations

import pytest

from bot.cases.intake import Decision, Incoming, Intake
from bot.cases.models import CaseStatus
from bot.config import Config
from bot.timing.clock import ManualClock
from nlp.parse import ParseResult
from nlp.place_match import places_overlap
from storage import attachments as attachment_sql
from storage import cases as case_sql
from storage import events as event_sql
from storage.db import Database
from tests.factories import NEIGHBOUR, RESIDENT

GROUP = -1001000001101  # chenghe-1


class ScriptedParser:
    """A parser double whose answers the test writes down, so thresholds can be pinned."""

    def __init__(self, answers: dict[str, ParseResult]) -> None:
        self.answers = answers

    def parse(
        self, text: str, *, has_photo: bool = False, has_location: bool = False
    ) -> ParseResult:
        return self.answers.get(text, ParseResult(is_report=False, confidence=0.99))


def report(confidence: float = 0.95, location: str | None = "3号楼", **kw: object) -> ParseResult:
    fields = {"is_report": True, "category": "facility_repair", "level": 1, "urgent": False}
    fields.update(kw)
    return ParseResult(location=location, confidence=confidence, **fields)


ANSWERS = {
    "3号楼路灯坏了": report(),
    "3号楼门口那个灯不亮": report(),
    "5号楼路灯坏了": report(location="5号楼"),
    "好像哪里灯不太亮？": report(confidence=0.6, location=None),  # between the two thresholds
    "煤气味很重": report(confidence=0.5, category="fire_hazard", urgent=True, location=None),
}


def message(text: str, message_id: int, user_id: int = RESIDENT, **kw: object) -> Incoming:
    return Incoming(
        chat_id=GROUP, message_id=message_id, user_id=user_id, user_name="李阿姨", text=text, **kw
    )


@pytest.fixture
def intake(db: Database, config: Config, clock: ManualClock) -> Intake:
    return Intake(db, config, clock, ScriptedParser(ANSWERS))


async def test_chatter_gets_nothing(intake: Intake) -> None:
    result = await intake.receive(message("大家早上好呀", 1))
    assert result.decision is Decision.IGNORED and result.case is None


async def test_a_confident_report_becomes_an_assigned_case(intake: Intake, db: Database) -> None:
    result = await intake.receive(message("3号楼路灯坏了", 2))
    assert result.decision is Decision.OPENED
    assert result.case.status == CaseStatus.ASSIGNED and result.case.assignee_id == 100001
    assert await case_sql.count_cases(db.reader) == 1


async def test_the_same_message_twice_makes_one_case(intake: Intake, db: Database) -> None:
    first = await intake.receive(message("3号楼路灯坏了", 3))
    again = await intake.receive(message("3号楼路灯坏了", 3))
    assert (first.decision, again.decision) == (Decision.OPENED, Decision.DUPLICATE)
    assert again.case.id == first.case.id


async def test_an_unsure_report_is_kept_for_review_and_answered_with_silence(
    intake: Intake, db: Database
) -> None:
    kept = await intake.receive(message("好像哪里灯不太亮？", 4))
    again = await intake.receive(message("好像哪里灯不太亮？", 4))  # the update, redelivered
    assert (kept.decision, again.decision) == (Decision.REVIEW, Decision.DUPLICATE)
    assert await case_sql.count_cases(db.reader) == 0


async def test_a_redelivered_photo_from_the_reporter_is_attached_once(
    intake: Intake, db: Database
) -> None:
    first = await intake.receive(message("3号楼路灯坏了", 60))
    for _ in range(2):
        await intake.receive(message("3号楼门口那个灯不亮", 61, photo_file_id="ph9"))
    photos = await attachment_sql.list_attachments(db.reader, first.case.id)
    assert [a.file_id for a in photos] == ["ph9"]


async def test_urgent_reports_are_opened_even_when_unsure(intake: Intake) -> None:
    result = await intake.receive(message("煤气味很重", 7))
    assert result.decision is Decision.OPENED and result.case.urgent


async def test_report_command_always_opens_a_case(intake: Intake) -> None:
    result = await intake.receive(message("大家早上好呀", 8, forced=True))
    assert result.decision is Decision.OPENED and result.case.category == "other"


async def test_the_same_problem_again_joins_the_first_case(intake: Intake, db: Database) -> None:
    first = await intake.receive(message("3号楼路灯坏了", 9))
    again = await intake.receive(message("3号楼门口那个灯不亮", 10, user_id=NEIGHBOUR))
    elsewhere = await intake.receive(message("5号楼路灯坏了", 11, user_id=NEIGHBOUR))
    assert again.decision is Decision.JOINED and again.case.id == first.case.id
    assert again.followers == 1
    assert elsewhere.decision is Decision.OPENED
    assert await case_sql.count_cases(db.reader) == 2


async def test_me_too_counts_people_and_the_reporter_is_no_follower(
    intake: Intake, db: Database
) -> None:
    first = await intake.receive(message("3号楼路灯坏了", 20))
    mine = await intake.receive(message("3号楼门口那个灯不亮", 21))  # the reporter again
    assert mine.decision is Decision.REPEATED and mine.case.id == first.case.id
    again = await intake.receive(message("3号楼门口那个灯不亮", 21))  # the same update, redelivered
    assert again.decision is Decision.REPEATED
    twice = [
        await intake.receive(message(text, number, user_id=NEIGHBOUR))
        for text, number in (("3号楼门口那个灯不亮", 22), ("3号楼路灯坏了", 23))
    ]
    assert [r.decision for r in twice] == [Decision.JOINED, Decision.JOINED]
    assert twice[-1].followers == 1  # one neighbour, however often they say it
    assert await case_sql.count_cases(db.reader) == 1


async def test_a_flood_of_reports_is_limited(intake: Intake, clock: ManualClock) -> None:
    decisions = []
    for i in range(5):
        clock.advance(1)
        text = ["3号楼路灯坏了", "5号楼路灯坏了"][i % 2]
        decisions.append(
            (await intake.receive(message(text + "!" * i, 20 + i, forced=True))).decision
        )
    assert decisions.count(Decision.LIMITED) == 2
    clock.advance(61)
    assert (
        await intake.receive(message("5号楼路灯坏了", 30, forced=True))
    ).decision is not Decision.LIMITED


async def test_a_photo_right_after_a_report_is_attached(
    intake: Intake, db: Database, clock: ManualClock
) -> None:
    opened = await intake.receive(message("3号楼路灯坏了", 40))
    clock.advance(60)
    attached = await intake.receive(message("", 41, photo_file_id="photo-1"))
    assert attached.decision is Decision.ATTACHED and attached.case.id == opened.case.id
    clock.advance(3600)
    late = await intake.receive(message("", 42, photo_file_id="photo-2"))
    assert late.decision is Decision.IGNORED
    files = [a.file_id for a in await attachment_sql.list_attachments(db.reader, opened.case.id)]
    assert files == ["photo-1"]


async def test_an_edited_message_updates_the_case_and_keeps_the_original(
    intake: Intake, db: Database
) -> None:
    opened = await intake.receive(message("3号楼路灯坏了", 50))
    await intake.edit(GROUP, 50, RESIDENT, "3号楼和4号楼路灯都坏了")
    assert await intake.edit(GROUP, 50, NEIGHBOUR, "别人改不了") is None
    case = await case_sql.get_case(db.reader, opened.case.id)
    events = await event_sql.list_events(db.reader, opened.case.id)
    assert case.text == "3号楼和4号楼路灯都坏了"
    assert events[-1].data["old_text"] == "3号楼路灯坏了"


async def test_a_group_that_is_no_grid_is_left_alone(intake: Intake) -> None:
    result = await intake.receive(
        Incoming(chat_id=-999, message_id=1, user_id=RESIDENT, user_name="x", text="3号楼路灯坏了")
    )
    assert result.decision is Decision.UNKNOWN_CHAT


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("3号楼", "阳光小区3号楼", True),
        ("阳光小区3号楼2单元", "3号楼门口", True),
        ("菜场门口", "福业街菜场门口", True),
        ("3号楼", "5号楼", False),
        ("城河小区3号楼门口", "城河小区5号楼门口", False),
        ("城河小区3号楼", "城河小区东门", False),
        ("城河小区", "城河小区旁边的空地", True),
        ("城河小区3号楼", "城河小区3号楼2单元", True),
        ("城河小区3号楼", "城河小区3栋", True),
        ("3号楼", "13号楼", False),
        (None, "3号楼", False),
    ],
)
def test_places_overlap_when_they_name_the_same_spot(a: str | None, b: str, same: bool) -> None:
    assert places_overlap(a, b) is same
