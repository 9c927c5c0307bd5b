"""Cross-references checked on the raw TOML data: duplicate ids, unknown users, coverage."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bot.config.toml_lines import join_path as _join
from nlp.taxonomy import CATEGORIES, CATEGORY_CODES


def _list_of_tables(data: Any, key: str, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    items = data.get(key) if isinstance(data, dict) else None
    if isinstance(items, list):
        for i, item in enumerate(items):
            if isinstance(item, dict):
                yield f"{_join(path, key)}[{i}]", item


def _communities(data: Any) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    for spath, street in _list_of_tables(data, "streets", ""):
        for cpath, community in _list_of_tables(street, "communities", spath):
            yield cpath, community, street


def _grids(data: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    for cpath, community, _ in _communities(data):
        yield from _list_of_tables(community, "grids", cpath)


def _key(value: Any) -> Any:
    """A hashable form of an id, or None when the value can't be an id."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return value


def _duplicates(what: str, items: Iterator[tuple[str, Any]]) -> Iterator[tuple[str, str]]:
    seen: dict[Any, str] = {}
    for path, value in items:
        key = _key(value)
        if key is None:
            continue
        if key in seen:
            yield path, f"duplicate {what} {value!r} (already used at {seen[key]})"
        else:
            seen[key] = path


def cross_issues(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    users = list(_list_of_tables(data, "users", ""))
    streets = list(_list_of_tables(data, "streets", ""))
    communities = list(_communities(data))
    grids = list(_grids(data))
    departments = list(_list_of_tables(data, "departments", ""))

    yield from _duplicates("user id", ((f"{p}.id", u.get("id")) for p, u in users))
    yield from _duplicates("street id", ((f"{p}.id", s.get("id")) for p, s in streets))
    yield from _duplicates("community id", ((f"{p}.id", c.get("id")) for p, c, _ in communities))
    yield from _duplicates("grid id", ((f"{p}.id", g.get("id")) for p, g in grids))
    yield from _duplicates("department id", ((f"{p}.id", d.get("id")) for p, d in departments))
    yield from _duplicate_chats(grids)
    if isinstance(data.get("users"), list):
        yield from _unknown_users(data, {_key(u.get("id")) for _, u in users})
    yield from _department_streets(departments, {_key(s.get("id")) for _, s in streets})
    yield from _coverage(streets, departments)


def _duplicate_chats(grids: list[tuple[str, dict[str, Any]]]) -> Iterator[tuple[str, str]]:
    seen: dict[Any, str] = {}
    for path, grid in grids:
        chat = _key(grid.get("chat_id"))
        if chat is None:
            continue
        if chat in seen:
            yield (
                f"{path}.chat_id",
                (
                    f"chat id {chat} is already used by grid {seen[chat]}; "
                    "each grid needs its own group chat"
                ),
            )
        else:
            seen[chat] = f"{grid.get('id', '?')!r} ({path})"


def _user_refs(data: dict[str, Any]) -> Iterator[tuple[str, Any, str]]:
    """Every (path, user id, role) that must name a known user."""

    def many(table: Any, key: str, path: str, role: str) -> Iterator[tuple[str, Any, str]]:
        values = table.get(key) if isinstance(table, dict) else None
        if isinstance(values, list):
            for i, value in enumerate(values):
                yield f"{_join(path, key)}[{i}]", value, role

    district = data.get("district")
    yield from many(district, "staff", "district", "district staff")
    yield from many(district, "admins", "district", "admin")
    for spath, street in _list_of_tables(data, "streets", ""):
        yield from many(street, "staff", spath, "street staff")
        for cpath, community in _list_of_tables(street, "communities", spath):
            yield from many(community, "staff", cpath, "community staff")
            for gpath, grid in _list_of_tables(community, "grids", cpath):
                if "leader" in grid:
                    yield f"{gpath}.leader", grid["leader"], "grid leader (网格长)"
                yield from many(grid, "workers", gpath, "grid worker (网格员)")
    for dpath, department in _list_of_tables(data, "departments", ""):
        yield from many(department, "handlers", dpath, "department handler")


def _unknown_users(data: dict[str, Any], known: set[Any]) -> Iterator[tuple[str, str]]:
    for path, value, role in _user_refs(data):
        key = _key(value)
        if isinstance(key, int) and key not in known:
            yield (
                path,
                f'{role} {key} is not a known user; add {{ id = {key}, name = "…" }} to users',
            )


def _department_streets(
    departments: list[tuple[str, dict[str, Any]]], street_ids: set[Any]
) -> Iterator[tuple[str, str]]:
    known = ", ".join(str(s) for s in street_ids if s is not None)
    for path, department in departments:
        level, street = department.get("level"), department.get("street")
        if level == 3 and street is None:
            yield (
                f"{path}.street",
                (
                    'a level-3 department must name its street (street = "<street id>"); '
                    f"streets: {known}"
                ),
            )
        elif level == 3 and _key(street) not in street_ids:
            yield f"{path}.street", f"unknown street {street!r}; streets: {known}"
        elif level == 4 and street is not None:
            yield (
                f"{path}.street",
                ("a level-4 department serves the whole district and must not name a street"),
            )


def _coverage(
    streets: list[tuple[str, dict[str, Any]]], departments: list[tuple[str, dict[str, Any]]]
) -> Iterator[tuple[str, str]]:
    covered: set[tuple[int, Any, str]] = set()
    for _, department in departments:
        level, categories = department.get("level"), department.get("categories")
        if level not in (3, 4) or not isinstance(categories, list):
            continue
        street = _key(department.get("street")) if level == 3 else None
        covered.update((level, street, c) for c in categories if isinstance(c, str))

    def labels(codes: list[str]) -> str:
        return ", ".join(f"{c!r} ({CATEGORIES[c][0]})" for c in codes)

    for _, street in streets:
        sid = _key(street.get("id"))
        missing = [c for c in CATEGORY_CODES if (3, sid, c) not in covered]
        if sid is not None and missing:
            yield (
                "departments",
                (
                    f"no level-3 department in street {sid!r} ({street.get('name', sid)}) "
                    f"handles {labels(missing)}"
                ),
            )
    missing = [c for c in CATEGORY_CODES if (4, None, c) not in covered]
    if missing:
        yield "departments", f"no level-4 (district) department handles {labels(missing)}"
