"""`gridbot check-config FILE [--json]`: validate a configuration and summarise it."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from typing import TextIO

from bot.config import (
    COMMUNITY_KIND_NAMES,
    GRID_TYPE_NAMES,
    Config,
    ConfigError,
    Department,
    load_config,
)
from bot.config.emergency import SERVICES
from nlp.taxonomy import CATEGORY_CODES, LEVEL_NAMES, category_name

EXIT_OK = 0
EXIT_INVALID = 2


def check_config_command(path: str, *, as_json: bool, out: TextIO, err: TextIO) -> int:
    """Print a summary (or the normalised JSON) and return 0, or print every error and return 2."""
    try:
        config = load_config(path)
    except ConfigError as exc:
        for issue in exc.issues:
            print(issue, file=err)
        count = len(exc.issues)
        print(f"{count} problem{'s' if count != 1 else ''} found in {path}", file=err)
        return EXIT_INVALID
    if as_json:
        print(json.dumps(config.model_dump(mode="json"), ensure_ascii=False, indent=2), file=out)
    else:
        out.write(summarise_config(config))
    return EXIT_OK


def summarise_config(config: Config) -> str:
    """A readable summary of a valid configuration, for the office's IT person."""
    sections = [
        _overview(config),
        _hierarchy(config),
        _grids_by_type(config),
        _departments(config),
        _routing(config),
        _timing(config),
    ]
    return "\n\n".join("\n".join(lines) for lines in sections) + "\n"


def _width(text: str) -> int:
    """Display width in a terminal: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _table(rows: list[list[str]], indent: str = "  ") -> list[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        (indent + "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True))).rstrip()
        for row in rows
    ]


def _names(config: Config, user_ids: Iterable[int]) -> str:
    return ", ".join(config.user_name(u) for u in user_ids) or "-"


def _overview(config: Config) -> list[str]:
    d = config.district
    source = f": {config.source}" if config.source else ""
    return [
        f"Configuration OK{source}",
        "",
        f"District 区: {d.name} ({d.id}) — {len(config.streets)} streets, "
        f"{len(config.communities())} communities/villages, {len(config.grids())} grids, "
        f"{len(config.departments)} departments, {len(config.users)} users",
        f"  staff: {_names(config, d.staff)}; admins: {_names(config, d.admins)}",
    ]


def _hierarchy(config: Config) -> list[str]:
    lines = ["Streets 街道 → communities 社区/村 → grids 网格"]
    for street in config.streets:
        lines.append(f"  {street.name} ({street.id}) — staff: {_names(config, street.staff)}")
        for community in street.communities:
            kind = COMMUNITY_KIND_NAMES[community.kind]
            lines.append(
                f"    {community.name} ({community.id}, {kind}) — staff: "
                f"{_names(config, community.staff)}"
            )
            rows = [
                [
                    grid.name,
                    grid.id,
                    f"{GRID_TYPE_NAMES[grid.type]} {grid.type}",
                    f"chat {grid.chat_id}",
                    f"网格长 {config.user_name(grid.leader)}",
                    f"网格员 {_names(config, grid.workers)}",
                ]
                for grid in community.grids
            ]
            lines.extend(_table(rows, indent="      ") if rows else ["      (no grids)"])
    return lines


def _grids_by_type(config: Config) -> list[str]:
    rows = []
    for code, name in GRID_TYPE_NAMES.items():
        grids = [g.name for g in config.grids() if g.type == code]
        rows.append([f"{name} {code}", str(len(grids)), ", ".join(grids) or "-"])
    return ["Grids by type 网格类型", *_table(rows)]


def _departments(config: Config) -> list[str]:
    lines = ["Departments 部门"]
    for street in config.streets:
        lines.append(f"  Level 3 — {street.name}")
        rows = [_department_row(config, d) for d in config.departments if d.street == street.id]
        lines.extend(_table(rows, indent="    ") if rows else ["    (none)"])
    lines.append("  Level 4 — district 区级")
    rows = [_department_row(config, d) for d in config.departments if d.level == 4]
    lines.extend(_table(rows, indent="    ") if rows else ["    (none)"])
    return lines


def _department_row(config: Config, department: Department) -> list[str]:
    return [
        f"{department.name} ({department.id})",
        "、".join(category_name(c) for c in department.categories),
        f"→ {_names(config, department.handlers)}",
    ]


def _assignee(config: Config, departments: list[Department]) -> str:
    if not departments:
        return "(none)"
    first = departments[0]
    return f"{first.name} → {config.user_name(first.handlers[0])}"


def _routing(config: Config) -> list[str]:
    lines = [
        "Who handles what 分派表 (levels 1-2 go to the grid leader and the community; "
        "the first handler of the first matching department receives the case)"
    ]
    for street in config.streets:
        lines.append(f"  {street.name} ({street.id})")
        rows = [["category 类别", f"level 3 {LEVEL_NAMES[3]}", f"level 4 {LEVEL_NAMES[4]}"]]
        for code in CATEGORY_CODES:
            rows.append(
                [
                    f"{category_name(code)} {code}",
                    _assignee(config, config.departments_for(code, 3, street.id)),
                    _assignee(config, config.departments_for(code, 4)),
                ]
            )
        lines.extend(_table(rows, indent="    "))
    return lines


def _timing(config: Config) -> list[str]:
    rows = [
        [
            f"level {level} {LEVEL_NAMES.get(level, '')}",
            f"accept within {deadline.accept_hours:g} h",
            f"resolve within {deadline.resolve_hours:g} h",
        ]
        for level, deadline in sorted(config.deadlines.items())
    ]
    cal = config.calendar
    days = ",".join(str(d) for d in cal.working_days)
    quiet = config.quiet_hours
    return [
        "Deadlines 时限",
        *_table(rows),
        "",
        f"Calendar 日历: {cal.timezone}; working days {days} (ISO, 1 = Monday); "
        f"{cal.work_start:%H:%M}-{cal.work_end:%H:%M}; {len(cal.holidays)} holidays, "
        f"{len(cal.workdays)} make-up working days (调休)",
        f"Quiet hours 免打扰: {quiet.start:%H:%M}-{quiet.end:%H:%M}"
        if quiet.enabled
        else "Quiet hours 免打扰: off (every notice goes out at once)",
        _emergency(config),
    ]


def _emergency(config: Config) -> str:
    urgent = config.emergency
    lines = ", ".join(
        f"{service} {urgent.number(service)}" for service in SERVICES if urgent.number(service)
    )
    own = f"; own advice for {', '.join(urgent.advice)}" if urgent.advice else ""
    return (
        f"Emergency 紧急 (never held by quiet hours): {lines}; accept within "
        f"{urgent.accept_minutes} min per level, alert repeated every {urgent.repeat_minutes} "
        f"min, on the scene within {urgent.on_scene_minutes} min{own}"
    )
