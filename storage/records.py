"""Plain records that storage reads and writes; the core builds its own meaning on them."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(slots=True)
class Counts:
    """How many cases: the one counting type of the statistics, the digests and their cells.

    A figure that does not apply where it is used stays 0.
    """

    new: int = 0
    open: int = 0
    resolved: int = 0
    rejected: int = 0
    overdue: int = 0
    urgent: int = 0
    reopened: int = 0
    awaiting_rating: int = 0  # resolved, waiting for the reporter's rating

    def add(self, other: Counts) -> None:
        """Add another count (or a cell that is one) field by field."""
        for f in fields(Counts):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass(slots=True)
class NewCase:
    """What intake knows when a case is opened."""

    grid_id: str
    community_id: str
    street_id: str
    reporter_id: int
    reporter_name: str
    chat_id: int
    message_id: int
    text: str
    category: str
    level: int
    urgent: bool
    location: str | None
    confidence: float
    anonymous: bool = False


@dataclass(slots=True)
class CaseRecord:
    id: int
    number: str
    grid_id: str
    community_id: str
    street_id: str
    reporter_id: int
    reporter_name: str
    anonymous: bool
    chat_id: int
    message_id: int
    text: str
    category: str
    level: int
    urgent: bool
    location: str | None
    confidence: float
    status: str
    assignee_id: int | None
    department_id: str | None
    accept_due: int | None
    resolve_due: int | None
    created_at: int
    updated_at: int
    accepted_at: int | None
    resolved_at: int | None
    closed_at: int | None
    reopen_count: int
    escalation_count: int
    overdue: bool
    card_chat_id: int | None
    card_message_id: int | None


@dataclass(slots=True)
class EventRecord:
    id: int
    case_id: int
    at: int
    actor_id: int | None
    action: str
    from_status: str | None
    to_status: str
    note: str | None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Notice:
    """A message to send, queued in the same transaction as the change that caused it."""

    kind: str
    chat_id: int
    case_id: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    dedupe_key: str | None = None
    not_before: int | None = None


@dataclass(slots=True)
class OutboxRecord:
    id: int
    case_id: int | None
    kind: str
    chat_id: int
    payload: dict[str, Any]
    dedupe_key: str | None
    created_at: int
    not_before: int
    status: str
    attempts: int
    sent_at: int | None
    message_id: int | None
    last_error: str | None
    retry_since: int | None = None  # when the current run of failed attempts began


@dataclass(slots=True)
class RatingRecord:
    case_id: int
    round: int
    rater_id: int
    score: str
    reason: str | None
    at: int


@dataclass(slots=True)
class UserRecord:
    id: int
    name: str
    username: str | None
    started_bot: bool
    blocked: bool
    first_seen: int
    last_seen: int
