"""The example configuration, the lookups, the normalised JSON and the environment settings."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from bot.config import GRID_TYPE_NAMES, Config, ConfigError, load_config, parse_config_text
from bot.config.env import (
    DEFAULT_API_BASE_URL,
    DEFAULT_FILE_BASE_URL,
    file_base_from_api_base,
    load_env_settings,
)
from nlp.taxonomy import CATEGORY_CODES

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "zhenhai.toml"


@pytest.fixture
def example() -> Config:
    """A fresh copy per test, so tests that change it don't leak into others."""
    return load_config(EXAMPLE)


# --- the example ------------------------------------------------------------------------------


def test_example_has_the_required_shape(example: Config) -> None:
    assert len(example.streets) >= 2
    assert len(example.communities()) >= 4
    assert len(example.grids()) >= 12


def test_example_covers_all_six_grid_types(example: Config) -> None:
    assert {g.type for g in example.grids()} == set(GRID_TYPE_NAMES)


def test_example_has_a_village(example: Config) -> None:
    assert any(c.kind == "village" for c in example.communities())


def test_example_covers_every_category_at_level_3_in_every_street(example: Config) -> None:
    for street in example.streets:
        for code in CATEGORY_CODES:
            assert example.departments_for(code, 3, street.id), (street.id, code)


def test_example_covers_every_category_at_level_4(example: Config) -> None:
    for code in CATEGORY_CODES:
        assert example.departments_for(code, 4), code


def test_example_deadlines_grow_with_the_level(example: Config) -> None:
    deadlines = [example.deadlines[level] for level in (1, 2, 3, 4)]
    assert [d.accept_hours for d in deadlines] == sorted(d.accept_hours for d in deadlines)
    assert [d.resolve_hours for d in deadlines] == sorted(d.resolve_hours for d in deadlines)


def test_example_calendar_has_the_2026_spring_festival_and_its_make_up_days(
    example: Config,
) -> None:
    calendar = example.calendar
    assert date(2026, 2, 17) in calendar.holidays
    assert {date(2026, 2, 14), date(2026, 2, 28)} <= set(calendar.workdays)


def test_example_make_up_days_fall_on_weekends(example: Config) -> None:
    assert all(d.isoweekday() in (6, 7) for d in example.calendar.workdays)


def test_example_remembers_its_source(example: Config) -> None:
    assert example.source == EXAMPLE


# --- lookups ----------------------------------------------------------------------------------


def test_user_is_found_by_id(example: Config) -> None:
    assert example.user(100001).name == "陈建国"


def test_unknown_user_is_none(example: Config) -> None:
    assert example.user(999) is None


def test_grid_is_found_by_id_and_by_chat(example: Config) -> None:
    grid = example.grid("chenghe-2")
    assert grid is not None and grid.name == "城河二网格"
    assert example.grid_by_chat(grid.chat_id) is grid


def test_unknown_grid_and_chat_are_none(example: Config) -> None:
    assert example.grid("nowhere") is None
    assert example.grid_by_chat(-1) is None


def test_community_and_street_of_a_grid(example: Config) -> None:
    assert example.community_of("yufan-2").name == "俞范村"
    assert example.street_of("yufan-2").name == "骆驼街道"
    assert example.street_of_community("qinyong").id == "zhuangshi"


def test_community_of_an_unknown_grid_raises_key_error(example: Config) -> None:
    with pytest.raises(KeyError):
        example.community_of("nowhere")


def test_grids_and_communities_are_listed_in_file_order(example: Config) -> None:
    assert example.grids()[0].id == "chenghe-1"
    assert [c.id for c in example.communities()][:2] == ["chenghe", "bailong"]


def test_level_3_departments_are_limited_to_the_street(example: Config) -> None:
    [department] = example.departments_for("labor", 3, "luotuo")
    assert department.street == "luotuo"
    assert len(example.departments_for("labor", 3)) == len(example.streets)


def test_level_4_departments_ignore_the_street(example: Config) -> None:
    assert example.departments_for("labor", 4, "luotuo") == example.departments_for("labor", 4)


def test_place_names_hold_names_and_places_without_duplicates(example: Config) -> None:
    names = example.place_names()
    assert {"招宝山街道", "城河社区", "城河一网格", "福业街", "庄市大道"} <= set(names)
    assert len(names) == len(set(names))


def test_lookups_follow_an_assignment(example: Config) -> None:
    assert example.grid("chenghe-1") is not None
    example.streets = example.streets[1:]
    assert example.grid("chenghe-1") is None


def test_lookups_follow_a_copy_with_changes(example: Config) -> None:
    assert example.grid("chenghe-1") is not None
    copied = example.model_copy(update={"streets": example.streets[1:]})
    assert copied.grid("chenghe-1") is None
    assert example.grid("chenghe-1") is not None


# --- normalised JSON --------------------------------------------------------------------------


def test_json_round_trip_gives_the_same_configuration(example: Config) -> None:
    again = Config.model_validate_json(example.model_dump_json())
    assert again.model_dump() == example.model_dump()


def test_json_has_integer_deadline_levels_after_the_round_trip(example: Config) -> None:
    again = Config.model_validate_json(example.model_dump_json())
    assert set(again.deadlines) == {1, 2, 3, 4}


def test_json_leaves_out_the_source_path(example: Config) -> None:
    assert "source" not in example.model_dump(mode="json")


def test_json_fills_in_defaults(example: Config) -> None:
    data = json.loads(example.model_dump_json())
    assert data["streets"][0]["communities"][0]["kind"] == "community"
    assert data["intake"]["review_expire_hours"] == 24


# --- environment settings ---------------------------------------------------------------------


def test_token_comes_from_the_environment() -> None:
    settings = load_env_settings(None, {"TELEGRAM_BOT_TOKEN": "123:abc"})
    assert settings.token is not None and settings.token.get_secret_value() == "123:abc"


def test_token_is_hidden_in_the_repr() -> None:
    settings = load_env_settings(None, {"TELEGRAM_BOT_TOKEN": "123:abc"})
    assert "123:abc" not in repr(settings)


def test_missing_token_is_none() -> None:
    assert load_env_settings(None, {}).token is None


def test_token_comes_from_the_env_file_when_the_environment_has_none(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("TELEGRAM_BOT_TOKEN=from-file\n", encoding="utf-8")
    settings = load_env_settings(env_file, {})
    assert settings.token is not None and settings.token.get_secret_value() == "from-file"


def test_env_file_does_not_override_the_environment(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "TELEGRAM_BOT_TOKEN=from-file\nTELEGRAM_API_BASE_URL=http://file/bot\n", encoding="utf-8"
    )
    settings = load_env_settings(
        env_file, {"TELEGRAM_BOT_TOKEN": "from-env", "TELEGRAM_API_BASE_URL": "http://env/bot"}
    )
    assert settings.token is not None and settings.token.get_secret_value() == "from-env"
    assert settings.api_base_url == "http://env/bot"


def test_env_file_does_not_change_os_environ(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text("TELEGRAM_BOT_TOKEN=from-file\n", encoding="utf-8")
    load_env_settings(env_file)
    assert "TELEGRAM_BOT_TOKEN" not in os.environ


def test_missing_env_file_is_fine(tmp_path: Path) -> None:
    assert load_env_settings(tmp_path / "absent.env", {}).token is None


def test_default_urls_are_telegrams() -> None:
    settings = load_env_settings(None, {})
    assert settings.api_base_url == DEFAULT_API_BASE_URL
    assert settings.file_base_url == DEFAULT_FILE_BASE_URL


def test_file_url_is_derived_from_a_local_api_url() -> None:
    settings = load_env_settings(None, {"TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot"})
    assert settings.file_base_url == "http://127.0.0.1:8081/file/bot"


def test_file_url_from_the_environment_wins_over_the_derived_one() -> None:
    settings = load_env_settings(
        None,
        {
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot",
            "TELEGRAM_FILE_BASE_URL": "http://files.local/file/bot",
        },
    )
    assert settings.file_base_url == "http://files.local/file/bot"


def test_file_url_derivation_tolerates_a_trailing_slash() -> None:
    assert file_base_from_api_base("http://h/bot/") == "http://h/file/bot"


def test_token_is_never_read_from_the_toml() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("[district]\n", '[district]\ntoken = "123:abc"\n', 1)
    with pytest.raises(ConfigError) as caught:
        parse_config_text(text, file="zhenhai.toml")
    [issue] = caught.value.issues
    assert issue.path == "district.token"
    assert "TELEGRAM_BOT_TOKEN" in issue.message
