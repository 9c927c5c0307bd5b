"""The optional [emergency] section: defaults for old files, and mistakes named like the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config, ConfigError, ConfigIssue, parse_config_text

BASE = (Path(__file__).parent / "data" / "bad_configs" / "_base_valid.toml").read_text(
    encoding="utf-8"
)


def _with(section: str) -> Config:
    return parse_config_text(BASE + "\n" + section, file="district.toml")


def _issue(section: str) -> ConfigIssue:
    with pytest.raises(ConfigError) as caught:
        _with(section)
    (issue,) = caught.value.issues
    return issue


def test_a_file_without_the_section_gets_the_national_numbers_and_ten_minutes() -> None:
    settings = parse_config_text(BASE).emergency
    assert (settings.fire, settings.police, settings.ambulance) == ("119", "110", "120")
    assert settings.gas_company is None
    assert (settings.accept_minutes, settings.on_scene_minutes, settings.repeat_minutes) == (
        10,
        30,
        3,
    )


def test_the_gas_line_is_called_first_for_gas_and_missing_lines_are_left_out() -> None:
    settings = _with('[emergency]\ngas_company = "0574-87000000"\n').emergency
    assert settings.calls_for("gas") == [
        ("gas_company", "0574-87000000"),
        ("fire", "119"),
        ("ambulance", "120"),
    ]
    assert parse_config_text(BASE).emergency.calls_for("gas") == [
        ("fire", "119"),
        ("ambulance", "120"),
    ]
    assert settings.calls_for("person") == [("ambulance", "120"), ("police", "110")]


def test_a_district_may_choose_whom_to_call_and_what_to_say() -> None:
    settings = _with(
        '[emergency]\n[emergency.calls]\nwater = ["police"]\n'
        '[emergency.advice]\nfire = "走楼梯，别坐电梯"\n'
    ).emergency
    assert settings.calls_for("water") == [("police", "110")]
    assert settings.advice == {"fire": "走楼梯，别坐电梯"}


def test_an_unknown_hazard_in_the_advice_is_named_with_its_line() -> None:
    issue = _issue('[emergency.advice]\nflood = "往高处走"\n')
    assert issue.path == "emergency.advice"
    assert "unknown hazard 'flood'" in issue.message and "water" in issue.message
    assert issue.line is not None and issue.line > BASE.count("\n")


def test_an_unknown_service_is_named() -> None:
    issue = _issue('[emergency.calls]\ngas = ["firemen"]\n')
    assert issue.path == "emergency.calls"
    assert "unknown service 'firemen'" in issue.message


def test_a_number_that_is_no_phone_number_is_refused() -> None:
    issue = _issue('[emergency]\ngas_company = "call the gas company"\n')
    assert issue.path == "emergency.gas_company"
    assert "invalid phone number" in issue.message


def test_minutes_must_be_positive_and_unknown_keys_get_a_suggestion() -> None:
    assert "must be greater than 0" in _issue("[emergency]\naccept_minutes = 0\n").message
    issue = _issue("[emergency]\naccept_minute = 5\n")
    assert issue.path == "emergency.accept_minute"
    assert "did you mean 'accept_minutes'?" in issue.message
