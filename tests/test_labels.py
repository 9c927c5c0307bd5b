"""Learning from corrections: staff decisions about a message become masked corpus lines."""

from __future__ import annotations

import io
import json

import pytest

from bot.cases.corrections import CORPUS_KEYS, feedback_corpus, record_review, write_jsonl
from bot.cases.lifecycle import Lifecycle, TransitionError
from bot.cases.models import Action
from bot.config import Config
from bot.timing.clock import ManualClock
from nlp.corpus import LabelledMessage
from storage import review as review_sql
from storage.db import Database
from tests.factories import new_case

LEADER, WORKER, COMMUNITY, STREET = 100001, 100002, 100101, 100201
PUBLIC_WORKS, ENFORCEMENT = 100306, 100303  # 招宝山街道's 公服 and 执法 offices
PHONE_TEXT = "3号楼门口的路灯坏了 有事打我13812345678"


@pytest.fixture
def lifecycle(db: Database, config: Config, clock: ManualClock) -> Lifecycle:
    return Lifecycle(db, config, clock)


async def _open(lifecycle: Lifecycle, **kw: object) -> int:
    change = await lifecycle.open_case(
        new_case(lifecycle.config, text=PHONE_TEXT, **kw), group_chat_id=None
    )
    assert change is not None
    return change.case.id


async def test_a_rejected_case_is_labelled_not_a_report_with_the_words_masked(
    lifecycle: Lifecycle, db: Database
) -> None:
    case_id = await _open(lifecycle)
    await lifecycle.apply(
        case_id, Action.REJECT, LEADER, note="不是报事，是闲聊", data={"reason": "not_report"}
    )
    [label] = await review_sql.latest_labels(db.reader)
    assert (label.source, label.is_report, label.category, label.case_id) == (
        "reject", False, None, case_id,
    )  # fmt: skip
    assert label.text == "3号楼门口的路灯坏了 有事打我138****5678"
    assert label.parse["category"] == "facility_repair"  # what the parser had said
    assert label.decided_by == LEADER


async def test_another_category_is_labelled_and_routes_the_case_afresh(
    lifecycle: Lifecycle, db: Database
) -> None:
    case_id = await _open(lifecycle, level=3)
    change = await lifecycle.apply(case_id, Action.REASSIGN, PUBLIC_WORKS, category="street_order")
    assert change.case.category == "street_order"
    # routed afresh: from the street's public-works office to its enforcement office
    assert (change.case.department_id, change.case.assignee_id) == ("zbs-zhifa", ENFORCEMENT)
    [label] = await review_sql.latest_labels(db.reader)
    assert (label.source, label.is_report, label.category, label.level) == (
        "category", True, "street_order", 3,
    )  # fmt: skip
    assert label.parse["category"] == "facility_repair"


async def test_another_category_at_grid_level_keeps_the_assignee_and_tells_nobody_again(
    lifecycle: Lifecycle, db: Database
) -> None:
    case_id = await _open(lifecycle)
    change = await lifecycle.apply(case_id, Action.REASSIGN, COMMUNITY, category="sanitation")
    assert (change.case.category, change.case.assignee_id) == ("sanitation", LEADER)
    assert len(await review_sql.latest_labels(db.reader)) == 1


async def test_an_unknown_category_is_refused(lifecycle: Lifecycle) -> None:
    case_id = await _open(lifecycle)
    with pytest.raises(TransitionError) as refused:
        await lifecycle.apply(case_id, Action.REASSIGN, COMMUNITY, category="aliens")
    assert refused.value.code == "unknown_category"


async def test_timers_and_plain_reassignment_leave_no_label(
    lifecycle: Lifecycle, db: Database
) -> None:
    case_id = await _open(lifecycle)
    await lifecycle.apply(case_id, Action.ESCALATE, None, note="超时")
    await lifecycle.apply(case_id, Action.REASSIGN, STREET, assignee_id=WORKER)
    assert await review_sql.latest_labels(db.reader) == []


async def test_the_latest_decision_about_a_message_is_its_corpus_line(
    lifecycle: Lifecycle, db: Database, clock: ManualClock
) -> None:
    case_id = await _open(lifecycle)
    case = await lifecycle.apply(case_id, Action.REASSIGN, COMMUNITY, category="sanitation")
    clock.advance(60)
    await lifecycle.apply(
        case_id, Action.REJECT, COMMUNITY, note="重复", data={"reason": "not_report"}
    )
    async with db.write() as conn:
        await record_review(
            conn, review_id=1, chat_id=-1001000001101, message_id=424242,
            masked_text="那边好像有点不对劲 地点3号楼", is_report=True, decided_by=LEADER,
            now=clock.now(), parse={"category": "other", "level": 1, "location": "3号楼"},
        )  # fmt: skip
    lines = await feedback_corpus(db)
    assert lines == [
        {
            "text": "3号楼门口的路灯坏了 有事打我138****5678",
            "is_report": False, "category": None, "level": None, "urgent": False,
            "location": None, "pii": [],
        },
        {
            "text": "那边好像有点不对劲 地点3号楼",
            "is_report": True, "category": "other", "level": 1, "urgent": False,
            "location": "3号楼", "pii": [],
        },
    ]  # fmt: skip
    assert case.case.message_id != 424242
    out = io.StringIO()
    write_jsonl(lines, out)
    for raw in out.getvalue().splitlines():
        item = json.loads(raw)
        assert tuple(item) == CORPUS_KEYS
        LabelledMessage.model_validate(item)  # nlp's own schema accepts every line
