"""From (grid, category, level, urgent) to who handles a case and who must know."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Config


class RoutingError(LookupError):
    """The configuration has nobody for this case (validation should have prevented it)."""


@dataclass(frozen=True, slots=True)
class Route:
    level: int
    assignee_id: int
    department_id: str | None
    inform: tuple[int, ...]  # told about the case, never the assignee


def _level_contacts(
    config: Config, grid_id: str, category: str, level: int
) -> tuple[int, str | None]:
    """The person who handles this level, and their department when it has one."""
    grid = config.grid(grid_id)
    if grid is None:
        raise RoutingError(f"unknown grid {grid_id!r}")
    if level == 1:
        return grid.leader, None
    if level == 2:
        community = config.community_of(grid_id)
        if not community.staff:
            raise RoutingError(f"community {community.id} has no staff")
        return community.staff[0], None
    street_id = config.street_of(grid_id).id if level == 3 else None
    departments = config.departments_for(category, level, street_id)
    if not departments or not departments[0].handlers:
        raise RoutingError(f"no department handles {category} at level {level} for {grid_id}")
    return departments[0].handlers[0], departments[0].id


def supervisor_of(config: Config, grid_id: str, level: int) -> int | None:
    """The one person above a case's level: community, street, district, then the admin."""
    if level <= 1:
        staff = config.community_of(grid_id).staff
    elif level == 2:
        staff = config.street_of(grid_id).staff
    elif level == 3:
        staff = config.district.staff
    else:
        staff = config.district.admins or config.district.staff
    return staff[0] if staff else None


def route_case(
    config: Config, grid_id: str, category: str, level: int, urgent: bool = False
) -> Route:
    """Pick the assignee for the level and the people to inform ("small matters stay in the grid").

    Level 1 is the grid leader, 2 the community, 3 the street department for the category,
    4 the district department. From level 2 up the grid leader is informed (the grid must know
    what happens in it); from level 3 up the community too. Urgent cases also inform the level
    above.
    """
    level = min(max(level, 1), 4)
    assignee, department = _level_contacts(config, grid_id, category, level)
    inform: list[int] = []
    grid = config.grid(grid_id)
    assert grid is not None
    if level >= 2:
        inform.append(grid.leader)
    if level >= 3:
        inform.extend(config.community_of(grid_id).staff[:1])
    if urgent:
        above = supervisor_of(config, grid_id, level)
        if above is not None:
            inform.append(above)
    unique = tuple(dict.fromkeys(u for u in inform if u != assignee))
    return Route(level=level, assignee_id=assignee, department_id=department, inform=unique)
