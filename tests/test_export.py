"""Exports opened again (csv, openpyxl, json) and compared with the database; masking; the CLI."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.cli.export_command import export_command
from bot.config import Config
from bot.reports.export import build_export, mask_name
from bot.reports.labels import CASE_HEADERS, STATUS_NAMES
from bot.reports.stats import Scope, figures, parse_period
from nlp.taxonomy import CATEGORY_CODES, category_name
from storage.db import Database
from tests.conftest import EXAMPLE, SHANGHAI
from tests.history import HISTORY_NOW, History

NOW = HISTORY_NOW
ADMIN = 100503
PHONE = re.compile(r"1[3-9]\d{9}")


def _cases(config: Config, history: History, scope: Scope, start: int, end: int) -> list[dict]:
    grids = set(scope.grid_ids(config))
    rows = [
        c for c in history.case_dicts() if c["grid_id"] in grids and start <= c["created_at"] < end
    ]
    return sorted(rows, key=lambda c: (c["created_at"], c["id"]))


def _local(ts: int | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, SHANGHAI).replace(tzinfo=None)


SCOPE = Scope("community", "chenghe")


async def test_csv_holds_every_case_of_the_scope_and_period(
    hdb: Database, config: Config, history: tuple[Path, History]
) -> None:
    period = parse_period("2026-10-01..2026-11-25", config, NOW)
    result = await build_export(hdb.reader, config, "csv", SCOPE, period, NOW)
    text = result.data.decode("utf-8")
    assert text.startswith("\ufeff")  # so that Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header, body = rows[0], rows[1:]
    assert header == list(CASE_HEADERS)
    want = _cases(config, history[1], SCOPE, period.start, period.end)
    assert len(body) == len(want) == result.cases
    col = {name: i for i, name in enumerate(header)}
    for row, case in zip(body, want, strict=True):
        assert row[col["编号"]] == case["number"]
        assert row[col["受理时间"]] == _local(case["created_at"]).isoformat(sep=" ")
        assert row[col["类别代码"]] == case["category"]
        assert row[col["类别"]] == category_name(case["category"])
        assert row[col["状态"]] == STATUS_NAMES[case["status"]]
        assert row[col["级别"]] == str(case["level"])
        assert row[col["重新办理次数"]] == str(case["reopen_count"])
        assert row[col["反映人"]] == mask_name(case["reporter_name"])
        assert not PHONE.search(row[col["反映内容"]])


async def test_personal_data_is_masked_unless_unmasked(
    hdb: Database, config: Config, history: tuple[Path, History]
) -> None:
    period = parse_period("2026-09-01..2026-11-30", config, NOW)
    scope = Scope("district", "zhenhai")
    masked = (await build_export(hdb.reader, config, "csv", scope, period, NOW)).data.decode()
    plain = (
        await build_export(hdb.reader, config, "csv", scope, period, NOW, unmasked=True)
    ).data.decode()
    phones = [
        m.group(0)
        for c in _cases(config, history[1], scope, period.start, period.end)
        for m in [PHONE.search(c["text"])]
        if m
    ]
    assert len(phones) > 10
    assert not any(p in masked for p in phones)
    assert all(p in plain for p in phones)
    assert "反映人ID" in plain.splitlines()[0] and "反映人ID" not in masked.splitlines()[0]


async def test_xlsx_has_typed_cases_and_the_statistics(
    hdb: Database, config: Config, history: tuple[Path, History]
) -> None:
    period = parse_period("month", config, NOW)
    result = await build_export(hdb.reader, config, "xlsx", SCOPE, period, NOW)
    book = load_workbook(io.BytesIO(result.data))
    assert book.sheetnames == ["案件", "统计"]
    cases = list(book["案件"].iter_rows(values_only=True))
    header, body = list(cases[0]), cases[1:]
    col = {name: i for i, name in enumerate(header)}
    want = _cases(config, history[1], SCOPE, period.start, period.end)
    assert [r[col["编号"]] for r in body] == [c["number"] for c in want]
    for row, case in zip(body, want, strict=True):
        assert isinstance(row[col["受理时间"]], datetime)
        assert row[col["受理时间"]] == _local(case["created_at"])
        assert row[col["办结时间"]] == _local(case["resolved_at"])
        assert isinstance(row[col["级别"]], int) and row[col["级别"]] == case["level"]
        assert isinstance(row[col["点赞"]], int)
    stats = list(book["统计"].iter_rows(values_only=True))
    heads = {name: i for i, name in enumerate(stats[0])}
    fig = await figures(hdb.reader, config, SCOPE, period, NOW)
    total = stats[1]
    assert total[heads["名称"]] == "城河社区"
    assert total[heads["受理"]] == fig.totals.new == len(want)
    assert total[heads["超期"]] == fig.totals.overdue
    assert total[heads["未评价"]] == fig.satisfaction.unrated
    assert total[heads["满意率"]] == pytest.approx(fig.satisfaction.rate)
    assert isinstance(total[heads["办结用时中位（小时）"]], float)
    assert [r[heads["名称"]] for r in stats[2:]] == ["城河一网格", "城河二网格", "城河三网格"]
    assert sum(r[heads["受理"]] for r in stats[2:]) == fig.totals.new


async def test_open311_follows_georeport_v2(
    hdb: Database, config: Config, history: tuple[Path, History]
) -> None:
    period = parse_period("week", config, NOW)
    result = await build_export(hdb.reader, config, "open311", SCOPE, period, NOW)
    requests = json.loads(result.data)
    want = _cases(config, history[1], SCOPE, period.start, period.end)
    assert [r["service_request_id"] for r in requests] == [c["number"] for c in want]
    fields = {
        "service_request_id", "status", "status_notes", "service_name", "service_code",
        "description", "agency_responsible", "requested_datetime", "updated_datetime",
        "expected_datetime", "address", "lat", "long", "media_url",
    }  # fmt: skip
    for request, case in zip(requests, want, strict=True):
        assert fields <= set(request)
        assert request["service_code"] in CATEGORY_CODES
        assert request["service_name"] == category_name(case["category"])
        closed = case["status"] in ("resolved", "closed", "rejected")
        assert request["status"] == ("closed" if closed else "open")
        requested = datetime.fromisoformat(request["requested_datetime"])
        assert requested.utcoffset() is not None
        assert int(requested.timestamp()) == case["created_at"]
        assert (
            int(datetime.fromisoformat(request["expected_datetime"]).timestamp())
            == case["resolve_due"]
        )
        assert not PHONE.search(request["description"])
        assert request["address"].startswith("镇海区招宝山街道城河社区")


def test_mask_name_keeps_only_the_first_character() -> None:
    assert mask_name("李阿姨") == "李**"
    assert mask_name("王") == "王*"
    assert mask_name("") == ""


# --- the command line --------------------------------------------------------------------------


def _run(tmp_path: Path, history_path: Path, *extra: str, **kwargs: Any) -> tuple[int, str]:
    err = io.StringIO()
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    args = {"db_path": str(history_path), "config_path": str(EXAMPLE), "now": NOW, **kwargs}
    code = export_command(*extra, out=out, err=err, **args)
    return code, err.getvalue()


@pytest.fixture
def db_copy(tmp_path: Path, history: tuple[Path, History]) -> Path:
    target = tmp_path / "copy.sqlite3"
    shutil.copy(history[0], target)
    return target


def test_cli_writes_a_file_for_a_scope_and_dates(tmp_path: Path, db_copy: Path) -> None:
    output = tmp_path / "out.csv"
    code, err = _run(
        tmp_path, db_copy, "csv", date_from="2026-11-01", date_to="2026-11-07",
        scope="street:luotuo", output=str(output),
    )  # fmt: skip
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(output.read_text(encoding="utf-8-sig"))))
    assert len(rows) > 50
    assert {r[2] for r in rows[1:]} == {"骆驼街道"}
    assert {r[1][:10] for r in rows[1:]} <= {f"2026-11-0{d}" for d in range(1, 8)}


def test_cli_writes_to_standard_output_without_output(tmp_path: Path, db_copy: Path) -> None:
    err = io.StringIO()
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8")
    code = export_command(
        "open311", db_path=str(db_copy), config_path=str(EXAMPLE), scope="chenghe-1",
        date_from="2026-11-20", now=NOW, out=out, err=err,
    )  # fmt: skip
    assert code == 0, err.getvalue()
    assert isinstance(json.loads(raw.getvalue()), list)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"unmasked": True}, "--unmasked needs --as"),
        ({"unmasked": True, "as_user": 100001}, "is not an admin"),
        ({"scope": "luotuo"}, "c:luotuo or s:luotuo"),
        ({"scope": "nowhere"}, "unknown scope"),
        ({"date_from": "2026-13-01"}, "is not a date"),
        ({"date_from": "2026-11-10", "date_to": "2026-11-01"}, "is after"),
    ],
)
def test_cli_refuses_what_it_cannot_do(
    tmp_path: Path, db_copy: Path, kwargs: dict[str, Any], message: str
) -> None:
    code, err = _run(tmp_path, db_copy, "csv", output=str(tmp_path / "x.csv"), **kwargs)
    assert code == 2 and message in err
    assert not (tmp_path / "x.csv").exists()


def test_cli_unmasked_by_an_admin(tmp_path: Path, db_copy: Path) -> None:
    output = tmp_path / "plain.xlsx"
    code, err = _run(
        tmp_path, db_copy, "xlsx", unmasked=True, as_user=ADMIN, output=str(output),
        date_from="2026-11-01",
    )  # fmt: skip
    assert code == 0 and f"admin {ADMIN}" in err
    header = next(load_workbook(output)["案件"].iter_rows(values_only=True))
    assert header[-1] == "反映人ID"


def test_cli_without_a_database_does_not_create_one(tmp_path: Path) -> None:
    missing = tmp_path / "none.sqlite3"
    code, err = _run(tmp_path, missing, "csv", output=str(tmp_path / "x.csv"))
    assert code == 2 and "no database" in err and not missing.exists()


def test_cli_without_db_finds_the_demos_database(
    tmp_path: Path, db_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run where `gridbot demo` ran: its gridbot-data/ folder holds the database."""
    (tmp_path / "gridbot-data").mkdir()
    shutil.move(db_copy, tmp_path / "gridbot-data" / "gridbot.sqlite3")
    monkeypatch.chdir(tmp_path)
    code, err = _run(tmp_path, db_copy, "csv", db_path=None, output="out.csv")
    assert code == 0, err
    assert len((tmp_path / "out.csv").read_text(encoding="utf-8-sig").splitlines()) > 50


def test_cli_without_db_and_no_database_here_says_where_to_point_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, err = _run(tmp_path, tmp_path / "unused", "csv", db_path=None, output="x.csv")
    assert code == 2
    assert "gridbot-data/gridbot.sqlite3" in err and "--db FILE" in err
    assert len(err.strip().splitlines()) == 1
    assert not list(tmp_path.iterdir())  # nothing created
