"""Who a user is in the hierarchy (grid → community → street → district) and over which cases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.cases.emergency import may_take_over
from bot.cases.models import Role

if TYPE_CHECKING:
    from bot.config import Config
    from storage.records import CaseRecord

GRID, COMMUNITY, STREET, DISTRICT, ADMIN = 1, 2, 3, 4, 5
LEVEL_OF_TITLE = {"grid": GRID, "community": COMMUNITY, "street": STREET, "district": DISTRICT}


@dataclass(frozen=True, slots=True)
class Position:
    """One seat a user holds: its level (1 grid … 4 district, 5 admin) and where it reaches."""

    level: int
    scope_id: str  # the grid, community, street or district id
    title: str  # grid_leader, grid_worker, community_staff, street_staff, department, …
    department_id: str | None = None


def positions_of(config: Config, user_id: int) -> tuple[Position, ...]:
    """Every seat the user holds in this configuration."""
    return _positions_index(config).get(user_id, ())


# Built once per configuration object; the object is kept so its id cannot be reused.
_INDEXES: dict[int, tuple[Config, dict[int, tuple[Position, ...]]]] = {}


def _positions_index(config: Config) -> dict[int, tuple[Position, ...]]:
    cached = _INDEXES.get(id(config))
    if cached is None or cached[0] is not config:
        if len(_INDEXES) > 16:
            _INDEXES.clear()
        cached = _INDEXES[id(config)] = (config, _build_index(config))
    return cached[1]


def _build_index(config: Config) -> dict[int, tuple[Position, ...]]:
    found: dict[int, list[Position]] = {}

    def add(user_id: int, position: Position) -> None:
        found.setdefault(user_id, []).append(position)

    for street in config.streets:
        for user_id in street.staff:
            add(user_id, Position(STREET, street.id, "street_staff"))
        for community in street.communities:
            for user_id in community.staff:
                add(user_id, Position(COMMUNITY, community.id, "community_staff"))
            for grid in community.grids:
                add(grid.leader, Position(GRID, grid.id, "grid_leader"))
                for user_id in grid.workers:
                    add(user_id, Position(GRID, grid.id, "grid_worker"))
    for department in config.departments:
        level = STREET if department.level == 3 else DISTRICT
        scope = department.street if department.level == 3 else config.district.id
        for user_id in department.handlers:
            add(user_id, Position(level, scope or config.district.id, "department", department.id))
    for user_id in config.district.staff:
        add(user_id, Position(DISTRICT, config.district.id, "district_staff"))
    for user_id in config.district.admins:
        add(user_id, Position(ADMIN, config.district.id, "admin"))
    return {user_id: tuple(positions) for user_id, positions in found.items()}


def is_staff(config: Config, user_id: int) -> bool:
    """Anyone who handles cases: grid workers up to district departments and admins."""
    return bool(positions_of(config, user_id))


def is_admin(config: Config, user_id: int) -> bool:
    return any(p.level == ADMIN for p in positions_of(config, user_id))


def reaches_grid(config: Config, position: Position, grid_id: str) -> bool:
    """Whether a seat's scope contains the grid."""
    if position.level >= DISTRICT:
        return True
    if position.level == STREET:
        return config.street_of(grid_id).id == position.scope_id
    if position.level == COMMUNITY:
        return config.community_of(grid_id).id == position.scope_id
    return position.scope_id == grid_id


def highest_level_over(
    config: Config, user_id: int, grid_id: str, case: CaseRecord | None = None
) -> int:
    """The highest level at which the user oversees this grid (and, given a case, that case: a
    department oversees only its own categories and the cases sent to it); 0 when not at all."""
    return max(
        (
            p.level
            for p in positions_of(config, user_id)
            if reaches_grid(config, p, grid_id) and (case is None or _covers(config, p, case))
        ),
        default=0,
    )


def _covers(config: Config, position: Position, case: CaseRecord) -> bool:
    if position.department_id is None:
        return True
    if case.department_id == position.department_id:
        return True
    department = next((d for d in config.departments if d.id == position.department_id), None)
    return department is not None and case.category in department.categories


def roles_for(config: Config, user_id: int | None, case: CaseRecord) -> frozenset[Role]:
    """How the user stands to this case; None is the system itself."""
    if user_id is None:
        return frozenset({Role.SYSTEM})
    roles: set[Role] = set()
    if user_id == case.reporter_id:
        roles.add(Role.REPORTER)
    if user_id == case.assignee_id:
        roles.add(Role.ASSIGNEE)
    elif may_take_over(config, user_id, case):
        roles.add(Role.RESPONDER)
    level = highest_level_over(config, user_id, case.grid_id, case)
    if level == ADMIN:
        roles.update({Role.ADMIN, Role.SUPERVISOR})
    elif level > case.level:
        roles.add(Role.SUPERVISOR)
    return frozenset(roles)


def can_view_case(config: Config, user_id: int, case: CaseRecord) -> bool:
    """Who may see a case at all, wherever it is shown (/case, buttons, lists): its reporter, its
    assignee, the handlers and overseers of its grid, community and street, the departments for
    its category or holding it, district staff and administrators. Nobody else, whatever a
    button's data says."""
    if user_id in (case.reporter_id, case.assignee_id):
        return True
    return highest_level_over(config, user_id, case.grid_id, case) > 0
