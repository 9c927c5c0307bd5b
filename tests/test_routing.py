"""Routing over the example configuration: who handles each case and who is told."""

from __future__ import annotations

import pytest

from bot.cases.routing import route_case, supervisor_of
from bot.config import Config
from nlp.taxonomy import CATEGORY_CODES

GRIDS = [
    "chenghe-1", "chenghe-3", "bailong-2", "luotuo-2", "yufan-1", "xingzhuang-2", "qinyong-3",
]  # fmt: skip


@pytest.mark.parametrize("grid_id", GRIDS)
@pytest.mark.parametrize("category", CATEGORY_CODES)
def test_level_one_stays_with_the_grid_leader(config: Config, grid_id: str, category: str) -> None:
    route = route_case(config, grid_id, category, 1)
    assert route.assignee_id == config.grid(grid_id).leader
    assert route.department_id is None
    assert route.inform == ()


@pytest.mark.parametrize("grid_id", GRIDS)
def test_level_two_goes_to_the_community_and_informs_the_grid(config: Config, grid_id: str) -> None:
    route = route_case(config, grid_id, "sanitation", 2)
    assert route.assignee_id == config.community_of(grid_id).staff[0]
    assert route.inform == (config.grid(grid_id).leader,)


@pytest.mark.parametrize(
    ("grid_id", "category", "department", "handler"),
    [
        ("chenghe-1", "dispute", "zbs-zongzhi", 100301),
        ("chenghe-2", "illegal_building", "zbs-zhifa", 100303),
        ("bailong-1", "market_safety", "zbs-shichang", 100304),
        ("luotuo-1", "fire_hazard", "lt-yingji", 100314),
        ("yufan-2", "labor", "lt-zongzhi", 100311),
        ("xingzhuang-1", "facility_repair", "zs-gongfu", 100325),
        ("qinyong-2", "other", "zs-gongfu", 100325),
    ],
)
def test_level_three_goes_to_the_street_department_of_the_category(
    config: Config, grid_id: str, category: str, department: str, handler: int
) -> None:
    route = route_case(config, grid_id, category, 3)
    assert (route.department_id, route.assignee_id) == (department, handler)
    assert route.inform == (config.grid(grid_id).leader, config.community_of(grid_id).staff[0])


@pytest.mark.parametrize(
    ("category", "department", "handler"),
    [
        ("labor", "qu-renshe", 100403),
        ("pollution", "qu-shengtai", 100405),
        ("disaster", "qu-yingji", 100407),
        ("livelihood", "qu-minzheng", 100410),
        ("sanitation", "qu-zhifa", 100404),
    ],
)
def test_level_four_goes_to_the_district_department(
    config: Config, category: str, department: str, handler: int
) -> None:
    route = route_case(config, "luotuo-2", category, 4)
    assert (route.department_id, route.assignee_id) == (department, handler)


@pytest.mark.parametrize("grid_id", GRIDS)
@pytest.mark.parametrize("category", CATEGORY_CODES)
@pytest.mark.parametrize("level", [3, 4])
def test_every_category_has_a_handler_in_every_street(
    config: Config, grid_id: str, category: str, level: int
) -> None:
    route = route_case(config, grid_id, category, level)
    department = next(d for d in config.departments if d.id == route.department_id)
    assert category in department.categories and department.level == level
    if level == 3:
        assert department.street == config.street_of(grid_id).id


@pytest.mark.parametrize("level", [1, 2, 3, 4])
def test_urgent_cases_also_inform_the_level_above(config: Config, level: int) -> None:
    calm = route_case(config, "bailong-2", "fire_hazard", level, urgent=False)
    urgent = route_case(config, "bailong-2", "fire_hazard", level, urgent=True)
    above = supervisor_of(config, "bailong-2", level)
    assert above in urgent.inform and above not in calm.inform
    assert urgent.assignee_id == calm.assignee_id


def test_the_assignee_is_never_in_the_inform_list(config: Config) -> None:
    for grid in config.grids():
        for level in (1, 2, 3, 4):
            route = route_case(config, grid.id, "dispute", level, urgent=True)
            assert route.assignee_id not in route.inform
            assert len(set(route.inform)) == len(route.inform)


def test_levels_outside_one_to_four_are_clamped(config: Config) -> None:
    assert route_case(config, "chenghe-1", "dispute", 0).level == 1
    assert route_case(config, "chenghe-1", "dispute", 9).level == 4
