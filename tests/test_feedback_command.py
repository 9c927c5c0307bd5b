"""`gridbot feedback-export`, `eval --feedback` and `train --feedback` on a bot's database."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

from bot.cases.corrections import record_review
from bot.cases.lifecycle import Lifecycle
from bot.cases.models import Action
from bot.cli.feedback_command import (
    eval_feedback_command,
    feedback_export_command,
    train_feedback_command,
)
from bot.cli.main import main
from bot.config import Config
from bot.timing.clock import ManualClock
from storage.db import Database
from tests.conftest import local_ts
from tests.factories import new_case

LEADER = 100001


def _database_with_labels(path: Path, config: Config) -> None:
    async def fill() -> None:
        db = await Database.open(path)
        lifecycle = Lifecycle(db, config, ManualClock(local_ts("2026-11-25 10:00")))
        change = await lifecycle.open_case(
            new_case(config, text="楼上天天半夜剁肉 电话13812345678"), group_chat_id=None
        )
        assert change is not None
        await lifecycle.apply(
            change.case.id, Action.REJECT, LEADER, note="邻里小事", data={"reason": "not_report"}
        )
        async with db.write() as conn:
            await record_review(
                conn, review_id=1, chat_id=-1001000001101, message_id=77,
                masked_text="3号楼门口的路灯好像不亮了", is_report=True, decided_by=LEADER,
                now=local_ts("2026-11-25 10:05"),
                parse={"category": "facility_repair", "level": 1, "location": "3号楼门口"},
            )  # fmt: skip
        await db.close()

    asyncio.run(fill())


def test_export_writes_one_masked_corpus_line_per_message(tmp_path: Path, config: Config) -> None:
    db = tmp_path / "bot.sqlite3"
    _database_with_labels(db, config)
    out, err = io.StringIO(), io.StringIO()
    assert feedback_export_command(str(db), output=None, out=out, err=err) == 0
    lines = [json.loads(raw) for raw in out.getvalue().splitlines()]
    assert [(x["is_report"], x["category"]) for x in lines] == [
        (False, None),
        (True, "facility_repair"),
    ]
    assert "13812345678" not in out.getvalue() and "138****5678" in out.getvalue()
    assert "2 labelled messages" in err.getvalue()


def test_export_to_a_file_from_the_command_line(tmp_path: Path, config: Config) -> None:
    db, target = tmp_path / "bot.sqlite3", tmp_path / "feedback.jsonl"
    _database_with_labels(db, config)
    assert main(["feedback-export", "--db", str(db), "--out", str(target)]) == 0
    assert len(target.read_text(encoding="utf-8").splitlines()) == 2


def test_eval_scores_the_shipped_model_on_the_labels(tmp_path: Path, config: Config) -> None:
    db = tmp_path / "bot.sqlite3"
    _database_with_labels(db, config)
    out, err = io.StringIO(), io.StringIO()
    assert eval_feedback_command(str(db), out=out, err=err) == 0
    assert "2 labelled messages" in out.getvalue() and "F1" in out.getvalue()


def test_a_missing_database_or_model_path_fails_cleanly(tmp_path: Path, config: Config) -> None:
    out, err = io.StringIO(), io.StringIO()
    missing = str(tmp_path / "nope.sqlite3")
    assert feedback_export_command(missing, output=None, out=out, err=err) == 2
    assert eval_feedback_command(missing, out=out, err=err) == 2
    assert "no such database" in err.getvalue()
    assert not Path(missing).exists()  # nothing created by asking
    db = tmp_path / "bot.sqlite3"
    _database_with_labels(db, config)
    # The shipped model is replaced only when a person names it.
    assert train_feedback_command(str(db), model=None, out=out, err=err) == 2
    assert "--model" in err.getvalue()
