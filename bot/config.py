"""The district configuration: pydantic models, loading from TOML, and validation.

`load_config` reports every problem at once (a `ConfigError` holding `ConfigIssue`s), each
with the file, the field path (`streets[0].communities[1].grids[2].chat_id`) and, when it
can be found in the source text, the line. Cross-references (duplicate ids, unknown users,
category coverage) are checked on the raw TOML data, so they are reported even when some
other field fails type validation.
"""

from __future__ import annotations

import copy
import difflib
import re
import tomllib
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from nlp.taxonomy import CATEGORIES, CATEGORY_CODES, LEVELS

GridType = Literal["floating", "demolition", "enterprise", "business", "community", "rural"]

GRID_TYPE_NAMES: dict[str, str] = {
    "floating": "流动",
    "demolition": "拆迁",
    "enterprise": "企业",
    "business": "商圈",
    "community": "社区",
    "rural": "农村",
}

COMMUNITY_KIND_NAMES: dict[str, str] = {"community": "社区", "village": "村"}

# Ids travel in callback data (64 bytes at most), so keep them short and plain.
_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_TOKEN_KEYS = frozenset({"token", "bot_token", "telegram_bot_token"})


def _check_id(value: str) -> str:
    if not _ID_PATTERN.match(value):
        raise ValueError(
            f"invalid id {value!r}: use 1-32 lower-case letters, digits, '-' or '_' "
            '(e.g. "chenghe-1")'
        )
    return value


def _check_category(value: str) -> str:
    if value not in CATEGORIES:
        raise ValueError(
            f"unknown category code {value!r}; known codes: {', '.join(CATEGORY_CODES)}"
        )
    return value


def _check_user_id(value: int) -> int:
    if value <= 0:
        raise ValueError(f"a Telegram user id is a positive integer, got {value}")
    return value


def _time_input(value: Any) -> Any:
    # pydantic would read a bare number as seconds since midnight in UTC; nobody means that.
    if not isinstance(value, time | str):
        raise ValueError(f"expected a time like 08:30, got {value!r}")
    return value


def _local_time(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError(f"write a local time without an offset, like 08:30, got {value}")
    return value


Id = Annotated[str, AfterValidator(_check_id)]
LocalTime = Annotated[time, BeforeValidator(_time_input), AfterValidator(_local_time)]
CategoryCode = Annotated[str, AfterValidator(_check_category)]
UserId = Annotated[int, AfterValidator(_check_user_id)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class User(_Model):
    """A person the bot knows: a Telegram user id and a display name."""

    id: UserId
    name: str = Field(min_length=1)


class Grid(_Model):
    """One grid (网格) with its group chat, leader (网格长) and workers."""

    id: Id
    name: str = Field(min_length=1)
    type: GridType
    chat_id: int
    leader: UserId
    workers: list[UserId] = []
    places: list[str] = []

    @field_validator("chat_id")
    @classmethod
    def _chat_is_group(cls, value: int) -> int:
        if value >= 0:
            raise ValueError(
                f"must be negative (a Telegram group chat id looks like -1001000000101), "
                f"got {value}"
            )
        return value


class Community(_Model):
    """A community (社区) or village (村); staff[0] is the default level-2 assignee."""

    id: Id
    name: str = Field(min_length=1)
    kind: Literal["community", "village"] = "community"
    staff: list[UserId] = Field(min_length=1)
    grids: list[Grid]


class Street(_Model):
    """A street office or town (街道/镇) and its communities."""

    id: Id
    name: str = Field(min_length=1)
    staff: list[UserId] = Field(min_length=1)
    communities: list[Community]


class Department(_Model):
    """A department handling some categories at level 3 (one street) or 4 (the district)."""

    id: Id
    name: str = Field(min_length=1)
    level: Literal[3, 4]
    street: str | None = None
    categories: list[CategoryCode] = Field(min_length=1)
    handlers: list[UserId] = Field(min_length=1)


def _positive_hours(value: float) -> float:
    if not value > 0:
        raise ValueError(f"must be a positive number of hours, got {value}")
    return value


class LevelDeadline(_Model):
    """How long a level has to accept and to resolve a case, in hours."""

    accept_hours: Annotated[float, AfterValidator(_positive_hours)]
    resolve_hours: Annotated[float, AfterValidator(_positive_hours)]


class Calendar(_Model):
    """Working days and hours, public holidays and make-up working days (调休)."""

    timezone: str = "Asia/Shanghai"
    working_days: list[Annotated[int, Field(ge=1, le=7)]] = [1, 2, 3, 4, 5]
    work_start: LocalTime = time(8, 30)
    work_end: LocalTime = time(17, 30)
    holidays: list[date] = []
    workdays: list[date] = []

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f'unknown timezone {value!r}; use an IANA name such as "Asia/Shanghai"'
            ) from None
        return value

    @field_validator("work_end")
    @classmethod
    def _end_after_start(cls, value: time, info: ValidationInfo) -> time:
        start = info.data.get("work_start")
        if start is not None and start >= value:
            raise ValueError(f"work_end {value:%H:%M} must be after work_start {start:%H:%M}")
        return value

    @field_validator("workdays")
    @classmethod
    def _not_holidays(cls, value: list[date], info: ValidationInfo) -> list[date]:
        both = sorted(set(info.data.get("holidays", [])) & set(value))
        if both:
            days = ", ".join(d.isoformat() for d in both)
            raise ValueError(
                f"{days} listed both in holidays and in workdays (调休); a day can only be one"
            )
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The calendar's timezone as a ZoneInfo."""
        return ZoneInfo(self.timezone)


class QuietHours(_Model):
    """Hours in which the bot sends no non-urgent notices (may wrap past midnight)."""

    start: LocalTime = time(22, 0)
    end: LocalTime = time(7, 30)

    @field_validator("end")
    @classmethod
    def _not_empty(cls, value: time, info: ValidationInfo) -> time:
        if info.data.get("start") == value:
            raise ValueError(
                f"start and end are both {value:%H:%M}; quiet hours must have a length "
                "(remove the [quiet_hours] table to use 22:00-07:30)"
            )
        return value


class IntakeSettings(_Model):
    """Thresholds for turning messages into cases.

    The parser's confidence is P(report) × P(category). At or above `report_confidence` a case
    opens at once; between the two the author is asked (是报事 / 不是 / the category); below
    `unsure_confidence` the message is left alone. On the parser's test split and hold-out the
    defaults open 78% of reports at once, ask about 19%, miss 2.5%, and ask about 2.5% of chatter.
    """

    report_confidence: float = Field(0.55, ge=0, le=1)
    unsure_confidence: float = Field(0.2, ge=0, le=1)
    unsure_card_minutes: int = Field(30, gt=0)
    duplicate_window_hours: int = Field(48, ge=0)
    max_cases_per_minute: int = Field(3, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> IntakeSettings:
        if self.unsure_confidence > self.report_confidence:
            raise ValueError(
                f"unsure_confidence {self.unsure_confidence} must not exceed "
                f"report_confidence {self.report_confidence}"
            )
        return self


class RiskWeights(_Model):
    """How much each factor counts in the risk score (see bot/risk.py); any scale, normalised."""

    volume: float = Field(0.20, ge=0)
    conflict_share: float = Field(0.15, ge=0)
    conflict_trend: float = Field(0.15, ge=0)
    urgent: float = Field(0.15, ge=0)
    overdue: float = Field(0.15, ge=0)
    reopened: float = Field(0.10, ge=0)
    dissatisfaction: float = Field(0.10, ge=0)


class RiskSettings(_Model):
    """The five-colour risk index per grid: window, saturation points, weights, colour cut-offs."""

    window_days: int = Field(7, gt=0)
    baseline_windows: int = Field(8, gt=0)
    min_cases: int = Field(5, gt=0)
    volume_surge: float = Field(2.0, gt=1)
    conflict_share_full: float = Field(0.5, gt=0, le=1)
    conflict_trend_full: float = Field(1.0, gt=0)
    urgent_full: int = Field(3, gt=0)
    overdue_share_full: float = Field(0.3, gt=0, le=1)
    reopened_share_full: float = Field(0.2, gt=0, le=1)
    unsatisfied_share_full: float = Field(0.3, gt=0, le=1)
    weights: RiskWeights = RiskWeights()
    red: float = Field(65, ge=0, le=100)
    orange: float = Field(50, ge=0, le=100)
    yellow: float = Field(35, ge=0, le=100)
    blue: float = Field(20, ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> RiskSettings:
        cuts = [self.red, self.orange, self.yellow, self.blue]
        if cuts != sorted(cuts, reverse=True):
            raise ValueError(
                f"colour thresholds must not rise from red to blue: red {self.red}, "
                f"orange {self.orange}, yellow {self.yellow}, blue {self.blue}"
            )
        if sum(self.weights.model_dump().values()) <= 0:
            raise ValueError("at least one risk weight must be positive")
        return self


class District(_Model):
    """The district (区) itself: its staff and the bot's administrators."""

    id: Id
    name: str = Field(min_length=1)
    staff: list[UserId] = []
    admins: list[UserId] = Field(min_length=1)


@dataclass(frozen=True)
class _Index:
    users: dict[int, User]
    grids: dict[str, Grid]
    grids_by_chat: dict[int, Grid]
    communities: dict[str, Community]
    community_of_grid: dict[str, Community]
    street_of_community: dict[str, Street]


class Config(_Model):
    """The whole district configuration, with lookups built once on first use."""

    district: District
    users: list[User]
    streets: list[Street] = Field(min_length=1)
    departments: list[Department]
    deadlines: dict[int, LevelDeadline]
    calendar: Calendar = Calendar()
    quiet_hours: QuietHours = QuietHours()
    intake: IntakeSettings = IntakeSettings()
    risk: RiskSettings = RiskSettings()
    source: Path | None = Field(default=None, exclude=True)

    _index: _Index | None = PrivateAttr(default=None)

    @field_validator("deadlines")
    @classmethod
    def _all_levels(cls, value: dict[int, LevelDeadline]) -> dict[int, LevelDeadline]:
        unknown = sorted(set(value) - set(LEVELS))
        missing = sorted(set(LEVELS) - set(value))
        problems = []
        if unknown:
            problems.append(f"unknown level(s) {', '.join(map(str, unknown))}; levels are 1-4")
        if missing:
            tables = ", ".join(f"[deadlines.{n}]" for n in missing)
            problems.append(
                f"missing deadline for level(s) {', '.join(map(str, missing))} "
                f"(add {tables} with accept_hours and resolve_hours)"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return dict(sorted(value.items()))

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name in type(self).model_fields:
            self._index = None

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> Config:
        """Copy, dropping the lookup index so that it is rebuilt from the copy."""
        copied = super().model_copy(update=update, deep=deep)
        copied._index = None
        return copied

    @property
    def _idx(self) -> _Index:
        if self._index is None:
            self._index = self._build_index()
        return self._index

    def _build_index(self) -> _Index:
        grids: dict[str, Grid] = {}
        by_chat: dict[int, Grid] = {}
        communities: dict[str, Community] = {}
        community_of_grid: dict[str, Community] = {}
        street_of_community: dict[str, Street] = {}
        for street in self.streets:
            for community in street.communities:
                communities[community.id] = community
                street_of_community[community.id] = street
                for grid in community.grids:
                    grids[grid.id] = grid
                    by_chat[grid.chat_id] = grid
                    community_of_grid[grid.id] = community
        return _Index(
            users={u.id: u for u in self.users},
            grids=grids,
            grids_by_chat=by_chat,
            communities=communities,
            community_of_grid=community_of_grid,
            street_of_community=street_of_community,
        )

    def user(self, user_id: int) -> User | None:
        """The user with this Telegram id, or None."""
        return self._idx.users.get(user_id)

    def user_name(self, user_id: int) -> str:
        """The configured name of a user, or the id as text when unknown."""
        user = self.user(user_id)
        return user.name if user else str(user_id)

    def grid(self, grid_id: str) -> Grid | None:
        """The grid with this id, or None."""
        return self._idx.grids.get(grid_id)

    def grid_by_chat(self, chat_id: int) -> Grid | None:
        """The grid whose group chat this is, or None."""
        return self._idx.grids_by_chat.get(chat_id)

    def grids(self) -> list[Grid]:
        """All grids, in file order."""
        return list(self._idx.grids.values())

    def communities(self) -> list[Community]:
        """All communities and villages, in file order."""
        return list(self._idx.communities.values())

    def community(self, community_id: str) -> Community | None:
        """The community or village with this id, or None."""
        return self._idx.communities.get(community_id)

    def street(self, street_id: str) -> Street | None:
        """The street with this id, or None."""
        return next((s for s in self.streets if s.id == street_id), None)

    def community_of(self, grid_id: str) -> Community:
        """The community a grid belongs to (KeyError for an unknown grid)."""
        return self._idx.community_of_grid[grid_id]

    def street_of(self, grid_id: str) -> Street:
        """The street a grid belongs to (KeyError for an unknown grid)."""
        return self._idx.street_of_community[self.community_of(grid_id).id]

    def street_of_community(self, community_id: str) -> Street:
        """The street a community belongs to (KeyError for an unknown community)."""
        return self._idx.street_of_community[community_id]

    def departments_for(
        self, category: str, level: int, street_id: str | None = None
    ) -> list[Department]:
        """Departments handling a category at a level; level 3 is limited to street_id if given."""
        return [
            d
            for d in self.departments
            if d.level == level
            and category in d.categories
            and (level != 3 or street_id is None or d.street == street_id)
        ]

    def place_names(self) -> list[str]:
        """Street, community and grid names and grid places, for the parser's dictionary."""
        names: dict[str, None] = {}
        for street in self.streets:
            names[street.name] = None
            for community in street.communities:
                names[community.name] = None
                for grid in community.grids:
                    names[grid.name] = None
                    names.update(dict.fromkeys(grid.places))
        return list(names)


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in a configuration file."""

    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ConfigError(Exception):
    """A configuration file with problems; `issues` holds all of them."""

    def __init__(self, issues: list[ConfigIssue]) -> None:
        super().__init__(issues)
        self.issues = issues

    def __str__(self) -> str:
        return "\n".join(str(issue) for issue in self.issues)


def load_config(path: str | Path) -> Config:
    """Read, parse and validate a TOML configuration; raise ConfigError with every problem."""
    path = Path(path)
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([ConfigIssue(file, "", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([ConfigIssue(file, "", f"cannot read the file: {exc}")]) from None
    config = parse_config_text(text, file=file)
    config.source = path
    return config


def parse_config_text(text: str, *, file: str = "<config>") -> Config:
    """Parse and validate TOML text; `file` names it in the issues."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([_syntax_issue(file, exc)]) from None
    return validate_config_data(data, file=file, text=text)


def validate_config_data(data: dict[str, Any], *, file: str = "<config>", text: str = "") -> Config:
    """Validate already-parsed configuration data; `text`, when given, supplies line numbers."""
    data = copy.deepcopy(data)
    issues = list(_token_issues(data, ""))
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        config = None
        issues.extend(_pydantic_issues(exc))
    issues.extend(_cross_issues(data))
    if issues:
        lines = _LineFinder(text)
        located = [ConfigIssue(file, path, message, lines.find(path)) for path, message in issues]
        located.sort(key=lambda i: (i.line is None, i.line or 0))
        raise ConfigError(located)
    assert config is not None
    return config


# --- problems found by tomllib and pydantic -------------------------------------------------


def _syntax_issue(file: str, exc: tomllib.TOMLDecodeError) -> ConfigIssue:
    message = str(exc)
    match = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if match:
        message = message[: match.start()].strip() + f" (column {match.group(2)})"
        return ConfigIssue(file, "", f"TOML syntax error: {message}", int(match.group(1)))
    return ConfigIssue(file, "", f"TOML syntax error: {message}")


def _token_issues(data: Any, path: str) -> Iterator[tuple[str, str]]:
    """Find (and drop) bot tokens: they belong in the environment, never in this file."""
    if isinstance(data, dict):
        for key in list(data):
            sub = _join(path, key)
            if str(key).lower() in _TOKEN_KEYS:
                del data[key]
                yield (
                    sub,
                    (
                        "the bot token must not be in the configuration file; "
                        "set TELEGRAM_BOT_TOKEN in the environment or in a .env file"
                    ),
                )
            else:
                yield from _token_issues(data[key], sub)
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from _token_issues(item, f"{path}[{i}]")


def _join(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _loc_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if part == "[key]":
            continue
        path = _join(path, part)
    return path


def _pydantic_issues(exc: ValidationError) -> Iterator[tuple[str, str]]:
    for error in exc.errors():
        loc = tuple(error["loc"])
        yield _loc_path(loc), _translate(error, loc)


def _translate(error: Any, loc: tuple[Any, ...]) -> str:
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    got = f", got {value!r}"
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return _unknown_field_message(loc)
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "literal_error":
        if loc and loc[-1] == "type":
            expected = ", ".join(f"{k} ({v})" for k, v in GRID_TYPE_NAMES.items())
            return f"unknown grid type {value!r}; expected one of: {expected}"
        return f"must be one of {ctx.get('expected')}{got}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number{got}"
    if kind in ("float_type", "float_parsing"):
        return f"expected a number{got}"
    if kind in ("string_type",):
        return f"expected text in quotes{got}"
    if kind in ("list_type",):
        return f"expected a list [...]{got}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a table{got}"
    if kind.startswith("time"):
        return f"expected a time like 08:30{got}"
    if kind.startswith("date"):
        return f"expected a date like 2026-10-01{got}"
    if kind == "too_short":
        return (
            "must not be empty: list at least one"
            if ctx.get("min_length") == 1
            else f"needs at least {ctx.get('min_length')} items"
        )
    if kind == "string_too_short":
        return "must not be empty"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return f"{error['msg'].replace('Input should be', 'must be')}{got}"
    if kind == "bool_type" or kind == "bool_parsing":
        return f"expected true or false{got}"
    return f"{error['msg']}{got}"


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that the location `loc` points into (for 'did you mean')."""
    model: Any = Config
    for part in loc:
        if isinstance(model, type) and issubclass(model, BaseModel) and isinstance(part, str):
            field = model.model_fields.get(part)
            if field is None:
                return model if part == loc[-1] else None
            model = field.annotation
        elif not (isinstance(part, int) or str(part).isdigit() or part == "[key]"):
            return None
        while typing.get_origin(model) in (list, dict, typing.Union, types.UnionType, Annotated):
            args = [a for a in typing.get_args(model) if a is not type(None)]
            model = args[-1] if typing.get_origin(model) is not Annotated else args[0]
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _unknown_field_message(loc: tuple[Any, ...]) -> str:
    name = str(loc[-1]) if loc else ""
    model = _model_at(loc)
    if model is None:
        return f"unknown field {name!r}"
    if model is not Config and name in Config.model_fields and len(loc) == 2:
        return (
            f"unknown field {name!r} in [{loc[0]}]; top-level keys such as {name!r} must come "
            "before the first [table] header, or TOML puts them inside that table"
        )
    allowed = list(model.model_fields)
    close = difflib.get_close_matches(name, allowed, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown field {name!r}; {hint}allowed here: {', '.join(allowed)}"


# --- cross-references, checked on the raw data ------------------------------------------------


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


def _cross_issues(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
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


# --- finding lines in the TOML text -----------------------------------------------------------

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=\s*(.*)$"""
)
_INLINE_KEY = re.compile(r"""([A-Za-z0-9_-]+)\s*=""")


def _split_key(key: str) -> list[str]:
    return [
        part.strip().strip("\"'")
        for part in re.split(r"\.(?=(?:[^\"']*[\"'][^\"']*[\"'])*[^\"']*$)", key)
    ]


def _strip_comment(line: str) -> str:
    out, quote = [], ""
    for ch in line:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            break
        out.append(ch)
    return "".join(out)


class _LineFinder:
    """Maps field paths to line numbers by reading the TOML text (a best effort)."""

    def __init__(self, text: str) -> None:
        self.lines: dict[str, int] = {}
        self._counts: dict[str, int] = {}
        self._lineno = 0
        self._scan(text)

    def find(self, path: str) -> int | None:
        """The line of `path`, or of its nearest enclosing field or table that was found."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = re.sub(r"(\[\d+\]|\.[^.\[]+|^[^.\[]+)$", "", path)
        return None

    def _note(self, path: str, lineno: int) -> None:
        self.lines.setdefault(path, lineno)

    def _resolve(self, parts: list[str], array: bool) -> str:
        path = ""
        for i, part in enumerate(parts):
            path = _join(path, part)
            self._note(path, self._lineno)
            last = i == len(parts) - 1
            if last and array:
                n = self._counts.get(path, 0)
                self._counts[path] = n + 1
                self._note(path, self._lineno)
                path = f"{path}[{n}]"
            elif path in self._counts:
                path = f"{path}[{self._counts[path] - 1}]"
        return path

    def _scan(self, text: str) -> None:
        table = ""
        array_key: str | None = None
        array_items = 0
        depth = 0
        for lineno, raw in enumerate(text.splitlines(), start=1):
            self._lineno = lineno
            line = _strip_comment(raw)
            if array_key is not None:
                array_items = self._array_line(array_key, array_items, line, lineno)
                depth += line.count("[") - line.count("]")
                if depth <= 0:
                    array_key = None
                continue
            header = _HEADER.match(line)
            if header:
                table = self._resolve(_split_key(header.group(2)), header.group(1) == "[[")
                self._note(table, lineno)
                continue
            match = _KEY.match(line)
            if not match:
                continue
            parts = _split_key(match.group(1))
            path = table
            for part in parts:
                path = _join(path, part)
                self._note(path, lineno)
            value = match.group(2)
            self._inline_keys(path, value, lineno)
            depth = value.count("[") - value.count("]")
            if value.lstrip().startswith("[") and depth > 0:
                array_key, array_items = path, self._array_line(path, 0, value[1:], lineno)
            elif value.lstrip().startswith("["):
                self._array_line(path, 0, value.strip()[1:-1], lineno)

    def _array_line(self, path: str, start: int, line: str, lineno: int) -> int:
        """Note the items of a (multi-line) array found on one line; return the next index."""
        body = line.strip().rstrip(",").strip()
        if not body or body in ("]", "["):
            return start
        if body.startswith("{"):
            items = [body]
        else:
            items = [item for item in body.rstrip("]").split(",") if item.strip()]
        for offset, item in enumerate(items):
            item_path = f"{path}[{start + offset}]"
            self._note(item_path, lineno)
            self._inline_keys(item_path, item, lineno)
        return start + len(items)

    def _inline_keys(self, path: str, value: str, lineno: int) -> None:
        if "{" in value:
            for key in _INLINE_KEY.findall(value):
                self._note(_join(path, key), lineno)
