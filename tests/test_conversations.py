"""Questions the bot waits on live in the database: a restart keeps them, an hour drops them."""

from __future__ import annotations

from pathlib import Path

from bot.cases.conversations import PROMPT, REPORT, WINDOWS, Conversations
from bot.timing.clock import ManualClock
from storage.db import Database


async def test_a_question_survives_a_restart(tmp_path: Path) -> None:
    clock = ManualClock(1_800_000_000)
    db = await Database.open(tmp_path / "q.sqlite3")
    await Conversations(db, clock).ask(7, PROMPT, "reject", step="note", case_id=3)
    await db.close()
    db = await Database.open(tmp_path / "q.sqlite3")
    waiting = await Conversations(db, clock).waiting(7, PROMPT)
    await db.close()
    assert waiting.question is not None and waiting.question.case_id == 3
    assert waiting.question.op == "reject"


async def test_an_old_question_is_said_to_have_expired_once(tmp_path: Path) -> None:
    clock = ManualClock(1_800_000_000)
    db = await Database.open(tmp_path / "q.sqlite3")
    conversations = Conversations(db, clock)
    await conversations.ask(7, PROMPT, "why", step="note", case_id=3)
    clock.advance(WINDOWS[PROMPT] + 1)
    first = await conversations.waiting(7, PROMPT)
    second = await conversations.waiting(7, PROMPT)
    await db.close()
    assert first.question is None and first.expired is not None
    assert second.question is None and second.expired is None


async def test_the_report_steps_keep_what_was_said(tmp_path: Path) -> None:
    clock = ManualClock(1_800_000_000)
    db = await Database.open(tmp_path / "q.sqlite3")
    conversations = Conversations(db, clock)
    await conversations.ask(7, REPORT, "report", step="text")
    report = (await conversations.waiting(7, REPORT)).question
    assert report is not None
    await conversations.advance(report, step="photo", text="路灯坏了", message_id=12)
    clock.advance(WINDOWS[REPORT] - 1)
    again = (await conversations.waiting(7, REPORT)).question
    await db.close()
    assert again is not None and again.step == "photo"
    assert again.data == {"text": "路灯坏了", "message_id": 12}


async def test_a_new_question_replaces_the_one_before_and_names_it(tmp_path: Path) -> None:
    clock = ManualClock(1_800_000_000)
    db = await Database.open(tmp_path / "q.sqlite3")
    conversations = Conversations(db, clock)
    await conversations.ask(7, PROMPT, "reject", step="note", case_id=3)
    earlier = await conversations.ask(7, PROMPT, "resolve", step="note", case_id=4)
    now = (await conversations.waiting(7, PROMPT)).question
    await db.close()
    assert earlier is not None and earlier.case_id == 3
    assert now is not None and now.case_id == 4
