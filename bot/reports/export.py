"""Exports of a scope's cases over a period: CSV, XLSX (cases and statistics) and Open311 JSON.

Personal data is masked unless `unmasked=True` (which only an admin may ask for): phone and ID
numbers in texts and notes (nlp.pii), the reporter's name cut to its first character, and the
reporter's user id left out. Times are local to the configured timezone; the Open311 output
(GeoReport v2 service requests, our categories as services) writes them in ISO 8601 with the
offset.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from bot.reports import labels as T
from bot.reports.stats import Figures, Period, Scope, cohort, days_period, figures, local_today
from nlp.pii import mask_pii
from nlp.taxonomy import category_name
from storage import stats as stats_sql
from storage.stats import ExportRow

if TYPE_CHECKING:
    from bot.config import Config
    from storage.db import Connection

Format = Literal["csv", "xlsx", "open311"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx", "open311")
MEDIA_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "open311": "application/json",
}
SUFFIXES = {"csv": "csv", "xlsx": "xlsx", "open311": "json"}
_CLOSED = frozenset({"resolved", "closed", "rejected"})  # Open311 knows open and closed only


def mask_name(name: str) -> str:
    """李阿姨 → 李**: enough to tell reports apart, not enough to find the person."""
    name = name.strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def _local(config: Config, ts: int | None) -> datetime | None:
    """A naive local datetime (spreadsheets have no time zones)."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, config.calendar.zone).replace(tzinfo=None)


def _iso(config: Config, ts: int | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, config.calendar.zone).isoformat()


def _text(value: str | None, unmasked: bool) -> str:
    if not value:
        return ""
    return value if unmasked else mask_pii(value)


def _reporter(row: ExportRow, unmasked: bool) -> str:
    if unmasked:
        return f"{row.reporter_name}（{T.ANONYMOUS}）" if row.anonymous else row.reporter_name
    return T.ANONYMOUS if row.anonymous else mask_name(row.reporter_name)


def _department(config: Config, department_id: str | None) -> str:
    if department_id is None:
        return ""
    found = next((d for d in config.departments if d.id == department_id), None)
    return found.name if found else department_id


def _place_names(config: Config, row: ExportRow) -> tuple[str, str, str]:
    street = config.street(row.street_id)
    community = config.community(row.community_id)
    grid = config.grid(row.grid_id)
    return (
        street.name if street else row.street_id,
        community.name if community else row.community_id,
        grid.name if grid else row.grid_id,
    )


def case_headers(unmasked: bool) -> list[str]:
    return [*T.CASE_HEADERS, "反映人ID"] if unmasked else list(T.CASE_HEADERS)


def case_values(config: Config, row: ExportRow, *, unmasked: bool) -> list[Any]:
    """One case as typed cells: datetimes, ints and text, in case_headers() order."""
    street, community, grid = _place_names(config, row)
    values: list[Any] = [
        row.number,
        _local(config, row.created_at),
        street,
        community,
        grid,
        row.category,
        category_name(row.category),
        row.level,
        T.YES if row.urgent else T.NO,
        T.STATUS_NAMES.get(row.status, row.status),
        config.user_name(row.assignee_id) if row.assignee_id is not None else "",
        _department(config, row.department_id),
        _local(config, row.accept_due),
        _local(config, row.accepted_at),
        _local(config, row.resolve_due),
        _local(config, row.resolved_at),
        _local(config, row.closed_at),
        T.YES if row.overdue else T.NO,
        row.reopen_count,
        T.SCORE_NAMES.get(row.score, "") if row.score else "",
        row.likes,
        row.location or "",
        _text(row.text, unmasked),
        _reporter(row, unmasked),
        _text(row.last_note, unmasked),
    ]
    if unmasked:
        values.append(row.reporter_id)
    return values


def to_csv(config: Config, rows: list[ExportRow], *, unmasked: bool = False) -> bytes:
    """UTF-8 with a BOM, so that Excel shows the Chinese; times as 2026-11-25 10:00:00."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(case_headers(unmasked))
    for row in rows:
        writer.writerow(
            [
                v.isoformat(sep=" ") if isinstance(v, datetime) else v
                for v in case_values(config, row, unmasked=unmasked)
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def stats_rows(config: Config, blocks: list[tuple[str, Figures]]) -> list[list[Any]]:
    """Statistics-sheet rows: one per scope (the whole, then each grid), numbers as numbers."""
    out = []
    for kind_name, f in blocks:
        t, s = f.totals, f.satisfaction
        out.append(
            [
                kind_name, f.scope.name(config), t.new, t.open, t.resolved, t.rejected,
                t.overdue, t.urgent, t.reopened, s.satisfied, s.basic, s.unsatisfied,
                s.unrated, s.rate, f.likes,
                *(_hours(v) for v in (f.accept.median, f.accept.p90, f.resolve.median, f.resolve.p90)),
            ]
        )  # fmt: skip
    return out


STATS_DURATION_HEADERS = (
    "接单用时中位（小时）",
    "接单用时P90（小时）",
    "办结用时中位（小时）",
    "办结用时P90（小时）",
)


def _hours(seconds: int | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def to_xlsx(
    config: Config,
    rows: list[ExportRow],
    blocks: list[tuple[str, Figures]],
    *,
    unmasked: bool = False,
) -> bytes:
    """A workbook with a sheet of cases and a sheet of statistics, cells properly typed."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = T.CASE_SHEET
    sheet.append(case_headers(unmasked))
    for row in rows:
        sheet.append(case_values(config, row, unmasked=unmasked))
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
    widths = {"受理时间": 20, "接单时限": 20, "接单时间": 20, "办结时限": 20, "办结时间": 20,
              "结案时间": 20, "反映内容": 48, "最新备注": 24, "承办部门": 18}  # fmt: skip
    for i, header in enumerate(case_headers(unmasked), start=1):
        sheet.column_dimensions[get_column_letter(i)].width = widths.get(header, 12)
    sheet.freeze_panes = "B2"

    stats = book.create_sheet(T.STATS_SHEET)
    stats.append([*T.STATS_HEADERS, *STATS_DURATION_HEADERS])
    for values in stats_rows(config, blocks):
        stats.append(values)
    rate_column = T.STATS_HEADERS.index("满意率") + 1
    for (cell,) in stats.iter_rows(min_row=2, min_col=rate_column, max_col=rate_column):
        cell.number_format = "0.0%"
    stats.column_dimensions["B"].width = 16
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _agency(config: Config, row: ExportRow) -> str:
    if row.department_id:
        return _department(config, row.department_id)
    street, community, grid = _place_names(config, row)
    return grid if row.level <= 1 else community


def open311_request(config: Config, row: ExportRow, *, unmasked: bool = False) -> dict[str, Any]:
    """One case as a GeoReport v2 service request."""
    street, community, grid = _place_names(config, row)
    status_name = T.STATUS_NAMES.get(row.status, row.status)
    note = _text(row.last_note, unmasked)
    return {
        "service_request_id": row.number,
        "status": "closed" if row.status in _CLOSED else "open",
        "status_notes": f"{status_name}：{note}" if note else status_name,
        "service_name": category_name(row.category),
        "service_code": row.category,
        "description": _text(row.text, unmasked),
        "agency_responsible": _agency(config, row),
        "service_notice": None,
        "requested_datetime": _iso(config, row.created_at),
        "updated_datetime": _iso(config, row.updated_at),
        "expected_datetime": _iso(config, row.resolve_due),
        "address": f"{config.district.name}{street}{community}{grid}"
        + (f" {row.location}" if row.location else ""),
        "address_id": None,
        "zipcode": None,
        "lat": row.latitude,
        "long": row.longitude,
        "media_url": None,  # photos are chat file ids, not public URLs
    }


def to_open311(config: Config, rows: list[ExportRow], *, unmasked: bool = False) -> bytes:
    """A JSON array of service requests, as GET /requests.json answers in GeoReport v2."""
    requests = [open311_request(config, row, unmasked=unmasked) for row in rows]
    return json.dumps(requests, ensure_ascii=False, indent=1).encode("utf-8")


@dataclass(frozen=True, slots=True)
class Export:
    """A finished export: the bytes, a file name and its media type."""

    data: bytes
    filename: str
    media_type: str
    cases: int


async def export_period(
    conn: Connection,
    config: Config,
    now: int,
    *,
    first: date | None = None,
    last: date | None = None,
) -> Period:
    """The local days first..last; open ends reach back to the first case and up to today."""
    today = local_today(config, now)
    if first is None:
        earliest = await stats_sql.earliest_case(conn)
        first = local_today(config, earliest) if earliest is not None else today
    last = last or today
    return days_period(config, min(first, last), last, "range")


async def build_export(
    conn: Connection,
    config: Config,
    fmt: Format,
    scope: Scope,
    period: Period,
    now: int,
    *,
    unmasked: bool = False,
) -> Export:
    """The cases of a scope reported in a period, in one format (reads only)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    rows = await stats_sql.export_rows(conn, cohort(config, scope, period.start, period.end), now)
    if fmt == "csv":
        data = to_csv(config, rows, unmasked=unmasked)
    elif fmt == "open311":
        data = to_open311(config, rows, unmasked=unmasked)
    else:
        blocks = [(T.SCOPE_KIND_NAMES[scope.kind], await figures(conn, config, scope, period, now))]
        if scope.kind != "grid":
            for grid_id in scope.grid_ids(config):
                grid_scope = Scope("grid", grid_id)
                blocks.append(
                    (
                        T.SCOPE_KIND_NAMES["grid"],
                        await figures(conn, config, grid_scope, period, now),
                    )
                )
        data = to_xlsx(config, rows, blocks, unmasked=unmasked)
    name = f"gridbot-{scope.id}-{period.first_day:%Y%m%d}-{period.last_day:%Y%m%d}.{SUFFIXES[fmt]}"
    return Export(data=data, filename=name, media_type=MEDIA_TYPES[fmt], cases=len(rows))
