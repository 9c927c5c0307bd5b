"""`check-config`: a summary and exit 0 for a good file, every error and exit 2 for a bad one."""

from __future__ import annotations

import io
import json
from pathlib import Path

from bot.cli.check_config import check_config_command
from bot.config import load_config

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "zhenhai.toml"
MANY_ERRORS = ROOT / "tests" / "data" / "bad_configs" / "many_errors.toml"


def _run(path: Path, *, as_json: bool = False) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = check_config_command(str(path), as_json=as_json, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_valid_file_exits_0_with_nothing_on_stderr() -> None:
    code, _, err = _run(EXAMPLE)
    assert code == 0
    assert err == ""


def test_summary_names_the_district_and_counts() -> None:
    _, out, _ = _run(EXAMPLE)
    assert "镇海区 (zhenhai) — 3 streets, 6 communities/villages, 14 grids" in out


def test_summary_lists_streets_communities_and_villages() -> None:
    _, out, _ = _run(EXAMPLE)
    assert "招宝山街道 (zhaobaoshan)" in out
    assert "俞范村 (yufan, 村)" in out


def test_summary_counts_grids_by_type_with_chinese_names() -> None:
    _, out, _ = _run(EXAMPLE)
    section = out.split("Grids by type")[1].split("\n\n")[0]
    assert "流动 floating    2" in section
    assert "社区 community   4" in section


def test_summary_lists_departments_with_their_handlers() -> None:
    _, out, _ = _run(EXAMPLE)
    assert "区人力社保局 (qu-renshe)" in out
    assert "→ 许国栋" in out


def test_summary_routing_table_names_department_and_handler_per_street() -> None:
    _, out, _ = _run(EXAMPLE)
    routing = out.split("Who handles what")[1]
    luotuo = routing.split("骆驼街道 (luotuo)")[1].split("庄市街道 (zhuangshi)")[0]
    row = next(line for line in luotuo.splitlines() if "劳资纠纷 labor" in line)
    assert "骆驼街道综治办 → 邬海峰" in row
    assert "区人力社保局 → 许国栋" in row


def test_summary_routing_table_has_a_row_for_every_category_in_every_street() -> None:
    _, out, _ = _run(EXAMPLE)
    routing = out.split("Who handles what")[1].split("Deadlines")[0]
    assert routing.count("其他 other") == 3
    assert "(none)" not in routing


def test_summary_shows_deadlines_calendar_and_quiet_hours() -> None:
    _, out, _ = _run(EXAMPLE)
    assert "accept within 2 h" in out
    assert "resolve within 240 h" in out
    assert "33 holidays, 6 make-up working days" in out
    assert "Quiet hours 免打扰: 22:00-07:30" in out


def test_summary_shows_whom_urgent_cases_call_and_their_minutes() -> None:
    _, out, _ = _run(EXAMPLE)
    line = next(line for line in out.splitlines() if line.startswith("Emergency"))
    assert "fire 119" in line and "gas_company 0574-87000000" in line
    assert "accept within 10 min" in line and "on the scene within 30 min" in line


def test_json_output_is_the_normalised_configuration() -> None:
    code, out, _ = _run(EXAMPLE, as_json=True)
    assert code == 0
    assert json.loads(out) == load_config(EXAMPLE).model_dump(mode="json")


def test_json_output_keeps_chinese_readable() -> None:
    _, out, _ = _run(EXAMPLE, as_json=True)
    assert "镇海区" in out


def test_invalid_file_exits_2_with_nothing_on_stdout() -> None:
    code, out, _ = _run(MANY_ERRORS)
    assert code == 2
    assert out == ""


def test_invalid_file_prints_every_field_path() -> None:
    _, _, err = _run(MANY_ERRORS)
    for path in (
        "deadlines.3.resolve_hours",
        "calendar.timezone",
        "streets[0].communities[0].grids[1].type",
        "streets[0].communities[0].grids[1].chat_id",
        "streets[0].communities[0].grids[1].leader",
    ):
        assert f": {path}: " in err
    assert err.splitlines()[-1] == f"5 problems found in {MANY_ERRORS}"


def test_invalid_json_request_still_exits_2() -> None:
    code, out, _ = _run(MANY_ERRORS, as_json=True)
    assert (code, out) == (2, "")


def test_missing_file_exits_2() -> None:
    code, _, err = _run(ROOT / "nowhere.toml")
    assert code == 2
    assert "file not found" in err
