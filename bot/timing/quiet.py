"""Quiet hours: no non-urgent private notice at night; held ones go out in the morning."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.cases.models import NoticeKind

if TYPE_CHECKING:
    from bot.config import Config

# Replies in a group to what someone just did there are answers, not interruptions; an edit
# or a deletion makes no sound at all.
_ALWAYS_NOW = frozenset(
    {
        NoticeKind.CASE_CARD,
        NoticeKind.CARD_UPDATE,
        NoticeKind.TEXT,
        NoticeKind.HELD_CARDS,
        NoticeKind.HIDE_PII,
        NoticeKind.EDIT,
    }
)


def _in_window(moment: time, start: time, end: time) -> bool:
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end  # the window spans midnight


def release_time(config: Config, now: int, kind: str, *, urgent: bool) -> int:
    """When a notice of this kind may go out: now, or the end of the quiet hours."""
    if urgent or kind in _ALWAYS_NOW:
        return now
    quiet = config.quiet_hours
    if not quiet.enabled:
        return now
    zone = ZoneInfo(config.calendar.timezone)
    local = datetime.fromtimestamp(now, zone)
    if not _in_window(local.time(), quiet.start, quiet.end):
        return now
    release = datetime.combine(local.date(), quiet.end, zone)
    if release <= local:
        release += timedelta(days=1)
    return int(release.timestamp())
