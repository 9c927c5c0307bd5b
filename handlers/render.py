"""Words for cases and notices: HTML-escaped, personal data masked wherever a group can see."""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.cases.records import CaseRecord
from bot.config import Config
from handlers import texts
from nlp.pii import mask_pii
from nlp.taxonomy import category_name

CARD_TEXT_LIMIT = 300


def esc(value: object) -> str:
    return html.escape(str(value), quote=False)


def clip(text: str, limit: int = CARD_TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def safe_text(text: str, *, masked: bool, limit: int = CARD_TEXT_LIMIT) -> str:
    """A resident's words ready for HTML: masked for groups, clipped, escaped."""
    return esc(clip(mask_pii(text) if masked else text, limit))


def person(config: Config, user_id: int | None, fallback: str = "") -> str:
    if user_id is None:
        return fallback
    return config.user_name(user_id) if config.user(user_id) else (fallback or str(user_id))


def mention(user_id: int, name: str) -> str:
    """A tap-able name for a group message: a resident's display name may carry a phone number."""
    return f'<a href="tg://user?id={user_id}">{esc(mask_pii(name))}</a>'


def reporter(case: CaseRecord, *, masked: bool) -> str:
    if case.anonymous and masked:
        return texts.ANONYMOUS_NAME
    return esc(mask_pii(case.reporter_name) if masked else case.reporter_name)


def local_time(config: Config, seconds: int | None) -> str:
    if seconds is None:
        return "—"
    return datetime.fromtimestamp(seconds, ZoneInfo(config.calendar.timezone)).strftime(
        "%m-%d %H:%M"
    )


def local_year(config: Config, seconds: int) -> int:
    return datetime.fromtimestamp(seconds, ZoneInfo(config.calendar.timezone)).year


def _common(config: Config, case: CaseRecord, *, masked: bool) -> dict[str, str]:
    return {
        "number": case.number,
        "category": category_name(case.category),
        "level": texts.LEVEL.get(case.level, str(case.level)),
        "urgent": texts.URGENT_MARK + " " if case.urgent else "",
        "text": safe_text(case.text, masked=masked),
        "reporter": reporter(case, masked=masked),
        "place": texts.CARD_PLACE.format(place=safe_text(case.location, masked=masked, limit=60))
        if case.location
        else "",
        "assignee": esc(person(config, case.assignee_id, "—")),
    }


def case_card(config: Config, case: CaseRecord, followers: int = 0) -> str:
    """The card in the group: number, category, status, place; personal data masked."""
    fields = _common(config, case, masked=True)
    assignee = texts.CARD_ASSIGNEE.format(name=fields["assignee"]) if case.assignee_id else ""
    return texts.CARD.format(
        **{k: v for k, v in fields.items() if k != "assignee"},
        status=texts.STATUS.get(case.status, case.status),
        assignee=assignee,
        followers=texts.CARD_FOLLOWERS.format(count=followers) if followers else "",
    )


def assigned(config: Config, case: CaseRecord, why: str) -> str:
    """The private notice to the assignee (unmasked: they need the phone number)."""
    fields = _common(config, case, masked=False)
    head = texts.ASSIGNED_AGAIN.get(why, "")
    body = texts.ASSIGNED.format(
        **{k: v for k, v in fields.items() if k != "assignee"},
        accept_due=local_time(config, case.accept_due),
        resolve_due=local_time(config, case.resolve_due),
    )
    return f"{head}\n{body}" if head else body


def inform(config: Config, case: CaseRecord) -> str:
    return texts.INFORM.format(**_common(config, case, masked=False))


def reporter_update(config: Config, case: CaseRecord, payload: dict[str, object]) -> str:
    event = str(payload.get("event", ""))
    template = texts.REPORTER_UPDATE.get(event)
    if template is None:
        return texts.STATUS.get(case.status, case.status)
    actor_id = payload.get("actor_id")
    actor = person(config, actor_id if isinstance(actor_id, int) else None, "系统")
    note = payload.get("note")
    return template.format(
        number=case.number,
        actor=esc(actor),
        level=texts.LEVEL.get(case.level, ""),
        note=esc(note) if note else texts.NO_NOTE if event == "rejected" else "",
    )


def note_text(payload: dict[str, object], *, masked: bool) -> str:
    """A handler's note: masked where a group reads it (it may quote the reporter's phone)."""
    note = payload.get("note")
    return safe_text(str(note), masked=masked, limit=200) if note else texts.NO_NOTE
