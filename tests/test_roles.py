"""Who oversees a case: the hierarchy above its grid, and a department only for its own work."""

from __future__ import annotations

from bot.cases.lifecycle import Lifecycle
from bot.cases.models import Role
from bot.cases.roles import can_view_case, roles_for
from bot.config import Config
from bot.timing.clock import ManualClock
from storage.db import Database
from tests.factories import RESIDENT, new_case

ENFORCEMENT = 100303  # 招宝山综合行政执法中队: illegal building, street order, pollution
COMMUNITY = 100101


async def test_a_department_oversees_its_categories_only(
    db: Database, config: Config, clock: ManualClock
) -> None:
    lifecycle = Lifecycle(db, config, clock)
    rubbish = (
        await lifecycle.open_case(new_case(config, category="sanitation"), group_chat_id=None)
    ).case
    shed = (
        await lifecycle.open_case(new_case(config, category="illegal_building"), group_chat_id=None)
    ).case
    assert Role.SUPERVISOR not in roles_for(config, ENFORCEMENT, rubbish)
    assert not can_view_case(config, ENFORCEMENT, rubbish)
    assert Role.SUPERVISOR in roles_for(config, ENFORCEMENT, shed)
    assert can_view_case(config, ENFORCEMENT, shed)
    # the community above the grid oversees both, whatever their category
    assert Role.SUPERVISOR in roles_for(config, COMMUNITY, rubbish)
    assert roles_for(config, RESIDENT, rubbish) == frozenset({Role.REPORTER})
