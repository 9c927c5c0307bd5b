"""The district configuration as pydantic models: districts, streets, grids, people, settings."""

from __future__ import annotations

import re
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
    ValidationInfo,
    field_validator,
    model_validator,
)

from bot.config.emergency import EmergencySettings
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
    """Hours in which the bot sends no non-urgent notices (may wrap past midnight).

    `enabled = false` sends everything at once (the demo runs so, to show a report's whole way
    at any hour).
    """

    enabled: bool = True
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

    The parser's P(report) decides (nlp.decide.action): at or above `report_confidence` a case
    opens at once; between the two the message goes quietly to the grid leader for review
    (立案 / 不是), the waiting ones sent together `review_batch_minutes` after the first, each
    open for `review_expire_hours`; below `unsure_confidence` the message is left alone. Unset,
    the parser's own thresholds apply (nlp.decide: chosen on the real data's dev bucket).
    """

    report_confidence: float | None = Field(None, ge=0, le=1)
    unsure_confidence: float | None = Field(None, ge=0, le=1)
    review_batch_minutes: int = Field(5, ge=0)
    review_expire_hours: int = Field(24, gt=0)
    duplicate_window_hours: int = Field(48, ge=0)
    max_cases_per_minute: int = Field(3, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> IntakeSettings:
        low, high = self.unsure_confidence, self.report_confidence
        if low is not None and high is not None and low > high:
            raise ValueError(
                f"unsure_confidence {self.unsure_confidence} must not exceed "
                f"report_confidence {self.report_confidence}"
            )
        return self


class PrivacySettings(_Model):
    """A resident's own message with their phone or ID number stays above the masked card.

    With `hide_pii_messages` the bot removes such a message once its case is open, where it is
    allowed to delete messages (an administrator with 删除消息), and says so on the card; where
    it is not, the grid leader is told once how to allow it.
    """

    hide_pii_messages: bool = True


class DeliverySettings(_Model):
    """How the outbox retries a notice the API did not take: waits that double (with jitter) up
    to `backoff_cap_seconds`, and a notice is given up only when it has been failing for
    `give_up_after_hours` (or on a permanent error), so an outage of minutes loses nothing."""

    give_up_after_hours: float = Field(24, gt=0)
    backoff_cap_seconds: int = Field(300, gt=0)


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
    privacy: PrivacySettings = PrivacySettings()
    risk: RiskSettings = RiskSettings()
    emergency: EmergencySettings = EmergencySettings()
    delivery: DeliverySettings = DeliverySettings()
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
