"""The case lifecycle: every allowed and forbidden transition, and what each one writes."""

from __future__ import annotations

import itertools

import pytest

from bot.cases.lifecycle import TRANSITIONS, Lifecycle, TransitionError
from bot.cases.models import Action, CaseStatus, NoticeKind
from bot.config import Config
from bot.timing.clock import ManualClock
from storage import cases as case_sql
from storage import events as event_sql
from storage import outbox as outbox_sql
from storage.db import Database
from tests.factories import NEIGHBOUR, RESIDENT, new_case

GRID = "chenghe-1"  # leader 100001, community staff 100101, street staff 100201
LEADER, WORKER, COMMUNITY, STREET, DISTRICT, ADMIN = 100001, 100002, 100101, 100201, 100501, 100503
OTHER_GRID_LEADER = 100013  # leads luotuo-1, a grid in another street

ACTORS = {
    "reporter": RESIDENT,
    "assignee": LEADER,
    "supervisor": COMMUNITY,
    "admin": ADMIN,
    "system": None,
    "stranger": NEIGHBOUR,
    "other grid": OTHER_GRID_LEADER,
    "worker": WORKER,
}
# The roles each actor holds over a level-1 case of GRID assigned to its leader.
HOLDS = {
    "reporter": {"reporter"},
    "assignee": {"assignee"},
    "supervisor": {"supervisor"},
    "admin": {"admin", "supervisor"},
    "system": {"system"},
    "stranger": set(),
    "other grid": set(),
    "worker": set(),
}
ACTIONS = [a for a in Action if a not in (Action.OPEN,)]


def _kwargs(action: Action) -> dict[str, object]:
    if action is Action.REASSIGN:
        return {"assignee_id": WORKER, "note": "交给网格员处理"}
    if action is Action.EDIT:
        return {"text": "3号楼的路灯坏了 补充：东边那盏"}
    return {"note": "理由"}


async def _case_in(lifecycle: Lifecycle, status: CaseStatus) -> int:
    change = await lifecycle.open_case(new_case(lifecycle.config, GRID), group_chat_id=None)
    assert change is not None
    async with lifecycle.db.write() as conn:
        await case_sql.update_case(conn, change.case.id, lifecycle.clock.now(), status=status)
    return change.case.id


async def _snapshot(db: Database, case_id: int) -> tuple[object, ...]:
    case = await case_sql.get_case(db.reader, case_id)
    events = await event_sql.list_events(db.reader, case_id)
    notices = await outbox_sql.list_for_case(db.reader, case_id)
    return (case, len(events), len(notices))


async def test_every_transition_is_allowed_exactly_as_the_table_says(
    db: Database, config: Config, clock: ManualClock
) -> None:
    lifecycle = Lifecycle(db, config, clock)
    checked = 0
    for status, action, actor in itertools.product(CaseStatus, ACTIONS, ACTORS):
        rule = TRANSITIONS[action]
        expect = status in rule.sources and bool({r.value for r in rule.roles} & HOLDS[actor])
        case_id = await _case_in(lifecycle, status)
        before = await _snapshot(db, case_id)
        try:
            change = await lifecycle.apply(case_id, action, ACTORS[actor], **_kwargs(action))
        except TransitionError as error:
            assert not expect, f"{actor} should be able to {action} a {status} case: {error}"
            assert error.code in {"forbidden", "invalid_state", "top_level"}
            assert await _snapshot(db, case_id) == before, "a refused change changed something"
        else:
            assert expect, f"{actor} must not {action} a {status} case"
            assert change.case.status == (rule.target or status)
            events = await event_sql.list_events(db.reader, case_id)
            assert events[-1].action == action and events[-1].to_status == change.case.status
        checked += 1
    assert checked == len(CaseStatus) * len(ACTIONS) * len(ACTORS)


async def test_a_new_case_is_assigned_with_deadlines_an_audit_trail_and_notices(
    db: Database, config: Config, clock: ManualClock
) -> None:
    change = await Lifecycle(db, config, clock).open_case(
        new_case(config, GRID, level=2), group_chat_id=config.grid(GRID).chat_id
    )
    case = change.case
    assert case.status == CaseStatus.ASSIGNED and case.assignee_id == COMMUNITY
    assert case.number == "2026-000001"
    assert clock.now() < case.accept_due < case.resolve_due
    events = await event_sql.list_events(db.reader, case.id)
    assert [(e.action, e.from_status, e.to_status) for e in events] == [
        ("open", None, "new"),
        ("assign", "new", "assigned"),
    ]
    notices = {(n.kind, n.chat_id) for n in await outbox_sql.list_for_case(db.reader, case.id)}
    assert notices == {
        (NoticeKind.CASE_CARD, config.grid(GRID).chat_id),
        (NoticeKind.ASSIGNED, COMMUNITY),
        (NoticeKind.INFORM, LEADER),
    }


async def test_resolving_asks_the_reporter_for_a_rating_and_tells_the_group(
    db: Database, config: Config, clock: ManualClock
) -> None:
    lifecycle = Lifecycle(db, config, clock)
    case_id = (await lifecycle.open_case(new_case(config, GRID), group_chat_id=None)).case.id
    await lifecycle.apply(case_id, Action.ACCEPT, LEADER)
    change = await lifecycle.apply(case_id, Action.RESOLVE, LEADER, note="已更换灯泡")
    assert change.case.resolved_at == clock.now()
    kinds = {(n.kind, n.chat_id) for n in await outbox_sql.list_for_case(db.reader, case_id)}
    assert (NoticeKind.RATING_REQUEST, RESIDENT) in kinds
    assert (NoticeKind.RESOLUTION, config.grid(GRID).chat_id) in kinds


async def test_escalation_climbs_one_level_to_the_next_handler_and_stops_at_the_district(
    db: Database, config: Config, clock: ManualClock
) -> None:
    lifecycle = Lifecycle(db, config, clock)
    case_id = (await lifecycle.open_case(new_case(config, GRID), group_chat_id=None)).case.id
    chain = []
    for _ in range(3):
        change = await lifecycle.apply(case_id, Action.ESCALATE, None, note="超时未受理")
        chain.append((change.case.level, change.case.assignee_id))
    assert chain == [(2, COMMUNITY), (3, 100306), (4, 100409)]
    with pytest.raises(TransitionError) as refused:
        await lifecycle.apply(case_id, Action.ESCALATE, None, note="超时未受理")
    assert refused.value.code == "top_level"
    notices = await outbox_sql.list_for_case(db.reader, case_id)
    assert {n.chat_id for n in notices if n.kind == NoticeKind.ASSIGNED} == {
        LEADER, COMMUNITY, 100306, 100409,
    }  # fmt: skip
    assert sum(n.kind == NoticeKind.REPORTER_UPDATE for n in notices) == 3


async def test_people_must_say_why_they_reject_or_escalate(
    db: Database, config: Config, clock: ManualClock
) -> None:
    lifecycle = Lifecycle(db, config, clock)
    case_id = (await lifecycle.open_case(new_case(config, GRID), group_chat_id=None)).case.id
    for action in (Action.REJECT, Action.ESCALATE):
        with pytest.raises(TransitionError) as refused:
            await lifecycle.apply(case_id, action, LEADER, note="   ")
        assert refused.value.code == "note_required"
    change = await lifecycle.apply(case_id, Action.REJECT, LEADER, note="不属于报事，已口头答复")
    assert change.case.status == CaseStatus.REJECTED
    update = [
        n for n in await outbox_sql.list_for_case(db.reader, case_id)
        if n.kind == NoticeKind.REPORTER_UPDATE
    ]  # fmt: skip
    assert update[0].payload == {
        "event": "rejected",
        "actor_id": LEADER,
        "note": "不属于报事，已口头答复",
    }


async def test_an_unsatisfied_reporter_reopens_the_case_to_its_assignee_and_alerts_above(
    db: Database, config: Config, clock: ManualClock
) -> None:
    lifecycle = Lifecycle(db, config, clock)
    case_id = (await lifecycle.open_case(new_case(config, GRID), group_chat_id=None)).case.id
    await lifecycle.apply(case_id, Action.RESOLVE, LEADER, note="已处理")
    change = await lifecycle.apply(case_id, Action.REOPEN, RESIDENT, note="灯还是不亮")
    assert change.case.status == CaseStatus.REOPENED
    assert change.case.reopen_count == 1 and change.case.assignee_id == LEADER
    recent = await outbox_sql.list_for_case(db.reader, case_id)
    assert (NoticeKind.SUPERVISOR_ALERT, COMMUNITY) in {(n.kind, n.chat_id) for n in recent}


async def test_an_edit_keeps_the_original_text_in_the_event_log(
    db: Database, config: Config, clock: ManualClock
) -> None:
    lifecycle = Lifecycle(db, config, clock)
    case_id = (await lifecycle.open_case(new_case(config, GRID), group_chat_id=None)).case.id
    await lifecycle.apply(case_id, Action.EDIT, RESIDENT, text="3号楼和5号楼的路灯都坏了")
    case = await case_sql.get_case(db.reader, case_id)
    events = await event_sql.list_events(db.reader, case_id)
    assert case.text == "3号楼和5号楼的路灯都坏了"
    assert events[-1].data["old_text"] == "3号楼的路灯坏了好几天了"


async def test_reassigning_to_a_department_outside_the_category_is_refused(
    db: Database, config: Config, clock: ManualClock
) -> None:
    lifecycle = Lifecycle(db, config, clock)
    case_id = (await lifecycle.open_case(new_case(config, GRID), group_chat_id=None)).case.id
    with pytest.raises(TransitionError) as refused:
        await lifecycle.apply(case_id, Action.REASSIGN, LEADER, department_id="zbs-zongzhi")
    assert refused.value.code == "wrong_department"
    with pytest.raises(TransitionError) as refused:  # the right work, but another street's office
        await lifecycle.apply(case_id, Action.REASSIGN, LEADER, department_id="lt-gongfu")
    assert refused.value.code == "wrong_department"
    change = await lifecycle.apply(case_id, Action.REASSIGN, LEADER, department_id="zbs-gongfu")
    assert (change.case.assignee_id, change.case.level) == (100306, 3)


async def test_reassigning_to_someone_who_does_not_serve_the_grid_is_refused(
    db: Database, config: Config, clock: ManualClock
) -> None:
    lifecycle = Lifecycle(db, config, clock)
    case_id = (await lifecycle.open_case(new_case(config, GRID), group_chat_id=None)).case.id
    for stranger in (100008, 100103):  # 白龙's grid leader and community staff
        with pytest.raises(TransitionError) as refused:
            await lifecycle.apply(case_id, Action.REASSIGN, LEADER, assignee_id=stranger)
        assert refused.value.code == "unknown_assignee"
    change = await lifecycle.apply(case_id, Action.REASSIGN, LEADER, assignee_id=100002)
    assert change.case.assignee_id == 100002  # the grid's own worker


async def test_a_missing_case_is_reported_not_crashed_on(
    db: Database, config: Config, clock: ManualClock
) -> None:
    with pytest.raises(TransitionError) as refused:
        await Lifecycle(db, config, clock).apply(4242, Action.ACCEPT, LEADER)
    assert refused.value.code == "not_found"
