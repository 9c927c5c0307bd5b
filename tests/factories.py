"""Builders of test data that read like the situations they stand for."""

from __future__ import annotations

import itertools

from bot.config import Config
from storage.records import NewCase

_message_ids = itertools.count(1000)
RESIDENT = 900001  # a resident, unknown to the configuration
NEIGHBOUR = 900002


def new_case(
    config: Config,
    grid_id: str = "chenghe-1",
    *,
    category: str = "facility_repair",
    level: int = 1,
    urgent: bool = False,
    reporter_id: int = RESIDENT,
    message_id: int | None = None,
    text: str = "3号楼的路灯坏了好几天了",
) -> NewCase:
    grid = config.grid(grid_id)
    assert grid is not None
    return NewCase(
        grid_id=grid_id,
        community_id=config.community_of(grid_id).id,
        street_id=config.street_of(grid_id).id,
        reporter_id=reporter_id,
        reporter_name="李阿姨",
        chat_id=grid.chat_id,
        message_id=next(_message_ids) if message_id is None else message_id,
        text=text,
        category=category,
        level=level,
        urgent=urgent,
        location="3号楼",
        confidence=0.93,
    )
