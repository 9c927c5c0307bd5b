"""Property: whatever sequence of actions is tried, the event log tells the case's story."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cases.lifecycle import Lifecycle, TransitionError
from bot.cases.models import Action
from bot.config import Config
from bot.timing.clock import ManualClock
from storage import cases as case_sql
from storage import events as event_sql
from storage.db import Database
from tests.conftest import local_ts
from tests.factories import NEIGHBOUR, RESIDENT, new_case
from tests.test_lifecycle import ADMIN, COMMUNITY, LEADER, WORKER

PEOPLE = [RESIDENT, LEADER, COMMUNITY, ADMIN, None, NEIGHBOUR, WORKER, 100306, 100409]
STEPS = st.lists(
    st.tuples(
        st.sampled_from([a for a in Action if a is not Action.OPEN]),
        st.sampled_from(PEOPLE),
        st.sampled_from(["", "已处理", "不属于报事"]),
        st.sampled_from([None, WORKER, COMMUNITY, 100306]),
    ),
    max_size=25,
)


async def _play(
    config: Config, target: str, steps: list[tuple[Action, int | None, str, int | None]]
) -> None:
    # Each example opens a case of its own in the test's database.
    db = await Database.open(target)
    clock = ManualClock(local_ts("2026-11-25 10:00"))
    lifecycle = Lifecycle(db, config, clock)
    try:
        case_id = (await lifecycle.open_case(new_case(config), group_chat_id=None)).case.id
        applied = 0
        for action, actor, note, assignee in steps:
            clock.advance(600)
            try:
                await lifecycle.apply(
                    case_id, action, actor, note=note, assignee_id=assignee, text=note or None
                )
                applied += 1
            except TransitionError:
                pass
        case = await case_sql.get_case(db.reader, case_id)
        events = await event_sql.list_events(db.reader, case_id)
        assert len(events) == 2 + applied  # open + assign, then one per applied action
        assert events[-1].to_status == case.status
        for earlier, later in zip(events, events[1:], strict=False):
            assert later.from_status == earlier.to_status
            assert later.at >= earlier.at
        assert case.level == ([1] + [e.data["to_level"] for e in events if "to_level" in e.data])[
            -1
        ] or any(e.action == "reassign" for e in events)
        resolutions = sum(e.action == "resolve" for e in events)
        assert case.reopen_count == sum(e.action == "reopen" for e in events) <= resolutions
    finally:
        await db.close()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=STEPS)
def test_any_sequence_of_actions_leaves_the_event_log_consistent_with_the_case(
    config: Config, db_target: str, steps: list[tuple[Action, int | None, str, int | None]]
) -> None:
    asyncio.run(_play(config, db_target, steps))
