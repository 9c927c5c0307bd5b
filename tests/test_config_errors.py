"""Malformed configuration files: each must be rejected with its field path, message and line."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from bot.config import ConfigError, ConfigIssue, load_config, parse_config_text

BAD = Path(__file__).parent / "data" / "bad_configs"
MARKER = "# <- error"

# file stem -> (field path, part of the message, number of issues the file must produce)
CASES: dict[str, tuple[str, str, int]] = {
    "syntax_error": ("", "TOML syntax error", 1),
    "missing_field": ("streets[0].communities[0].grids[0].leader", "required field is missing", 1),
    "wrong_type": (
        "streets[0].communities[0].grids[1].leader",
        "expected a whole number, got '陈建国'",
        1,
    ),
    "unknown_field": (
        "streets[0].communities[0].grids[1].place",
        "unknown field 'place'; did you mean 'places'?",
        1,
    ),
    "duplicate_grid_id": (
        "streets[0].communities[0].grids[1].id",
        "duplicate grid id 'chenghe-1'",
        1,
    ),
    "duplicate_chat_id": (
        "streets[0].communities[0].grids[1].chat_id",
        "chat id -1001000001101 is already used by grid 'chenghe-1'",
        1,
    ),
    "positive_chat_id": ("streets[0].communities[0].grids[1].chat_id", "must be negative", 1),
    "unknown_grid_type": (
        "streets[0].communities[0].grids[1].type",
        "unknown grid type 'shopping'; expected one of: floating (流动)",
        1,
    ),
    "unknown_category": ("departments[1].categories[13]", "unknown category code 'fire'", 1),
    "uncovered_level3": (
        "departments",
        "no level-3 department in street 'zhaobaoshan' (招宝山街道) handles 'labor' (劳资纠纷)",
        1,
    ),
    "uncovered_level4": (
        "departments",
        "no level-4 (district) department handles 'other' (其他)",
        1,
    ),
    "unknown_leader": (
        "streets[0].communities[0].grids[1].leader",
        "grid leader (网格长) 1999 is not a known user",
        1,
    ),
    "unknown_handler": (
        "departments[1].handlers[0]",
        "department handler 5002 is not a known user",
        1,
    ),
    # Without its street the department also leaves the street uncovered: two issues.
    "level3_without_street": (
        "departments[0].street",
        "a level-3 department must name its street",
        2,
    ),
    "level4_with_street": ("departments[1].street", "must not name a street", 1),
    "nonpositive_deadline": ("deadlines.3.resolve_hours", "must be a positive number of hours", 1),
    "missing_deadline_level": ("deadlines", "missing deadline for level(s) 4", 1),
    "invalid_timezone": ("calendar.timezone", "unknown timezone 'Asia/Beijing'", 1),
    "holiday_and_workday": (
        "calendar.workdays",
        "2026-10-03 listed both in holidays and in workdays",
        1,
    ),
    "quiet_hours_empty": ("quiet_hours.end", "start and end are both 22:00", 1),
    "token_in_file": ("district.bot_token", "set TELEGRAM_BOT_TOKEN", 1),
    "duplicate_user_id": ("users[7].id", "duplicate user id 1002 (already used at users[1].id)", 1),
    "duplicate_department_id": ("departments[1].id", "duplicate department id 'zbs-all'", 1),
    # The users list also goes missing from the top level: two issues.
    "users_inside_district": ("district.users", "must come before the first [table] header", 2),
}


def _issues(stem: str) -> list[ConfigIssue]:
    with pytest.raises(ConfigError) as caught:
        load_config(BAD / f"{stem}.toml")
    return caught.value.issues


def _marked_line(stem: str) -> int | None:
    lines = (BAD / f"{stem}.toml").read_text(encoding="utf-8").splitlines()
    return next((n for n, line in enumerate(lines, start=1) if MARKER in line), None)


def test_the_base_of_the_bad_files_is_valid() -> None:
    load_config(BAD / "_base_valid.toml")


def test_there_are_at_least_ten_malformed_files() -> None:
    assert len(CASES) >= 10
    assert {p.stem for p in BAD.glob("*.toml")} >= set(CASES)


@pytest.mark.parametrize("stem", CASES)
def test_malformed_file_is_reported_with_its_field_path_and_message(stem: str) -> None:
    path, message, _ = CASES[stem]
    issues = _issues(stem)
    assert any(i.path == path and message in i.message for i in issues), issues


@pytest.mark.parametrize("stem", CASES)
def test_malformed_file_reports_only_its_own_problems(stem: str) -> None:
    assert len(_issues(stem)) == CASES[stem][2]


@pytest.mark.parametrize("stem", [s for s in CASES if _marked_line(s) is not None])
def test_issue_names_the_line_of_the_faulty_value(stem: str) -> None:
    path = CASES[stem][0]
    issue = next(i for i in _issues(stem) if i.path == path)
    assert issue.line == _marked_line(stem)


@pytest.mark.parametrize("stem", CASES)
def test_issue_names_the_file(stem: str) -> None:
    assert all(i.file == str(BAD / f"{stem}.toml") for i in _issues(stem))


def test_all_problems_in_a_file_are_reported_at_once() -> None:
    paths = {i.path: i.message for i in _issues("many_errors")}
    assert set(paths) == {
        "deadlines.3.resolve_hours",
        "calendar.timezone",
        "streets[0].communities[0].grids[1].type",
        "streets[0].communities[0].grids[1].chat_id",
        "streets[0].communities[0].grids[1].leader",
    }
    assert "got -5" in paths["deadlines.3.resolve_hours"]
    assert "Mars/Olympus" in paths["calendar.timezone"]


def test_problems_are_listed_in_line_order() -> None:
    lines = [i.line for i in _issues("many_errors")]
    assert lines == sorted(lines)


def test_error_text_has_one_problem_per_line_with_file_line_and_path() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(BAD / "many_errors.toml")
    text = str(caught.value).splitlines()
    assert len(text) == 5
    assert text[0] == (
        f"{BAD / 'many_errors.toml'}:28: deadlines.3.resolve_hours: "
        "must be a positive number of hours, got -5.0"
    )


def test_issue_without_a_known_line_omits_it() -> None:
    issue = ConfigIssue("a.toml", "users", "required field is missing", None)
    assert str(issue) == "a.toml: users: required field is missing"


def test_syntax_error_names_its_line() -> None:
    issue = _issues("syntax_error")[0]
    assert issue.line == _marked_line("syntax_error")
    assert str(issue).startswith(f"{BAD / 'syntax_error.toml'}:{issue.line}: TOML syntax error")


def test_missing_file_is_reported_as_a_config_error() -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(BAD / "no_such_file.toml")


def test_a_token_nested_anywhere_is_refused() -> None:
    text = (BAD / "_base_valid.toml").read_text(encoding="utf-8")
    text = text.replace('id = "chenghe-1"\n', 'id = "chenghe-1"\ntoken = "123:abc"\n')
    with pytest.raises(ConfigError) as caught:
        parse_config_text(text, file="t.toml")
    [issue] = caught.value.issues
    assert issue.path == "streets[0].communities[0].grids[0].token"
    assert "TELEGRAM_BOT_TOKEN" in issue.message


def test_a_department_with_an_unknown_street_is_reported() -> None:
    text = (BAD / "_base_valid.toml").read_text(encoding="utf-8")
    text = text.replace('street = "zhaobaoshan"', 'street = "zhaobaosan"')
    with pytest.raises(ConfigError) as caught:
        parse_config_text(text, file="t.toml")
    messages = {i.path: i.message for i in caught.value.issues}
    assert messages["departments[0].street"] == (
        "unknown street 'zhaobaosan'; streets: zhaobaoshan"
    )


def test_an_unknown_staff_member_or_admin_is_reported() -> None:
    text = (BAD / "_base_valid.toml").read_text(encoding="utf-8")
    text = text.replace("admins = [9001]", "admins = [9002]").replace(
        "staff = [2001]", "staff = [2002]"
    )
    with pytest.raises(ConfigError) as caught:
        parse_config_text(text, file="t.toml")
    messages = {i.path: i.message for i in caught.value.issues}
    assert messages["district.admins[0]"].startswith("admin 9002 is not a known user")
    assert messages["streets[0].communities[0].staff[0]"].startswith(
        "community staff 2002 is not a known user"
    )


def test_a_time_written_as_a_number_is_refused() -> None:
    text = (BAD / "_base_valid.toml").read_text(encoding="utf-8")
    text = text.replace("start = 22:00:00", "start = 22")
    with pytest.raises(ConfigError) as caught:
        parse_config_text(text, file="t.toml")
    [issue] = caught.value.issues
    assert (issue.path, issue.message) == (
        "quiet_hours.start",
        "expected a time like 08:30, got 22",
    )


def test_any_single_line_edit_fails_only_with_config_error() -> None:
    lines = (BAD / "_base_valid.toml").read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        key = line.split("=")[0] if "=" in line else None
        edits = [""] + ([f"{key}= {v}" for v in ('"x"', "-1", "[]", "true", "1.5")] if key else [])
        for edit in edits:
            with contextlib.suppress(ConfigError):
                parse_config_text("\n".join(lines[:i] + [edit] + lines[i + 1 :]))
