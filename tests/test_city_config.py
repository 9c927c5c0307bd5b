"""A generated city configuration (bot/config/city.py) is a valid configuration in the real format,
and a case in any of its grids reaches that grid's leader, community and street."""

from __future__ import annotations

import random
import tomllib
from pathlib import Path

import pytest

from bot.cases.routing import route_case
from bot.cli.main import main
from bot.config import Config, load_config, parse_config_text
from bot.config.city import city_config_text
from nlp.taxonomy import CATEGORY_CODES

GRIDS = 1_000


@pytest.fixture(scope="module")
def text() -> str:
    return city_config_text(GRIDS, seed=7)


@pytest.fixture(scope="module")
def city(text: str) -> Config:
    return parse_config_text(text, file="city.toml")


@pytest.fixture(scope="module")
def raw(text: str) -> dict:
    return tomllib.loads(text)


def test_a_thousand_grid_city_validates_with_unique_ids_and_names(city: Config) -> None:
    grids = city.grids()
    assert len(grids) == GRIDS
    assert len({g.id for g in grids}) == GRIDS
    assert len({g.name for g in grids}) == GRIDS
    assert len({g.chat_id for g in grids}) == GRIDS
    communities = city.communities()
    assert len({c.name for c in communities}) == len(communities)
    assert len({s.name for s in city.streets}) == len(city.streets)
    # every tier is there, and more than one of each above the grid
    assert len(city.streets) > 1 and len(communities) > len(city.streets)
    assert {c.kind for c in communities} == {"community", "village"}


def test_the_same_seed_gives_the_same_city_and_another_seed_another(text: str) -> None:
    assert city_config_text(GRIDS, seed=7) == text
    assert city_config_text(GRIDS, seed=8) != text


def _street_of_chat(raw: dict, chat_id: int) -> tuple[str, str, dict]:
    """(street id, community id, grid table) holding this chat, read from the TOML itself."""
    for street in raw["streets"]:
        for community in street["communities"]:
            for grid in community["grids"]:
                if grid["chat_id"] == chat_id:
                    return street["id"], community["id"], grid
    raise AssertionError(f"no grid has chat {chat_id}")


def test_a_case_in_any_grid_goes_to_its_own_grid_community_and_street(
    city: Config, raw: dict
) -> None:
    rng = random.Random(16)
    chats = [g.chat_id for g in city.grids()]
    for chat_id in rng.sample(chats, 40):
        street_id, community_id, grid_table = _street_of_chat(raw, chat_id)
        grid = city.grid_by_chat(chat_id)  # what intake does with a group message
        assert grid is not None and grid.id == grid_table["id"]
        category = rng.choice(CATEGORY_CODES)

        assert route_case(city, grid.id, category, 1).assignee_id == grid_table["leader"]
        community = next(
            c for s in raw["streets"] for c in s["communities"] if c["id"] == community_id
        )
        assert route_case(city, grid.id, category, 2).assignee_id == community["staff"][0]

        level3 = route_case(city, grid.id, category, 3)
        department = next(d for d in raw["departments"] if d["id"] == level3.department_id)
        assert department["street"] == street_id
        assert category in department["categories"]
        assert level3.assignee_id == department["handlers"][0]

        level4 = route_case(city, grid.id, category, 4)
        department = next(d for d in raw["departments"] if d["id"] == level4.department_id)
        assert department["level"] == 4 and "street" not in department


def test_gridbot_city_config_writes_a_file_check_config_accepts(tmp_path: Path, capsys) -> None:
    out = tmp_path / "city.toml"
    assert main(["city-config", "--grids", "120", "--out", str(out)]) == 0
    assert len(load_config(out).grids()) == 120
    assert main(["check-config", str(out)]) == 0
    assert "120 grids" in capsys.readouterr().out


def test_gridbot_city_config_refuses_no_grids(capsys) -> None:
    assert main(["city-config", "--grids", "0"]) == 2
    assert "--grids must be at least 1" in capsys.readouterr().err
