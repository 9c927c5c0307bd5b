"""Words for cases and notices: HTML-escaped, personal data masked wherever a group can see."""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.cases.cards import CardState
from bot.cases.emergency import responders, response_for, role_of
from bot.cases.models import OPEN_STATUSES, CaseStatus
from bot.cases.records import CaseRecord
from bot.config import Config
from handlers import texts
from nlp.normalize import strip_invisible
from nlp.pii import mask_pii
from nlp.taxonomy import category_name

CARD_TEXT_LIMIT = 300


def esc(value: object) -> str:
    """Ready for HTML: escaped, and without invisible characters (an RLO would turn the rest of a
    card around), whatever the words' age: cases stored before the adapter cleaned input too."""
    return html.escape(strip_invisible(str(value)), quote=False)


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


def when(config: Config, now: int, at: int | None) -> str:
    """When something later happens, as people say it: 07:30, 明天 07:30, 12月1日 07:30."""
    if at is None:
        return ""
    zone = ZoneInfo(config.calendar.timezone)
    today, moment = datetime.fromtimestamp(now, zone).date(), datetime.fromtimestamp(at, zone)
    clock = moment.strftime("%H:%M")
    days = (moment.date() - today).days
    if days == 0:
        return texts.WHEN_TODAY.format(time=clock)
    if days == 1:
        return texts.WHEN_TOMORROW.format(time=clock)
    return texts.WHEN_LATER.format(month=moment.month, day=moment.day, time=clock)


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


def case_card(
    config: Config, case: CaseRecord, followers: int = 0, *, hidden: str | None = None
) -> str:
    """The card in the group: number, category, status, place; personal data masked.

    An urgent case's card starts with what to do now (whom to call, one line of advice) and ends
    with who was alerted, or who is coming. `hidden` says what of the resident's own message the
    bot removed for them (phone, ID).
    """
    fields = _common(config, case, masked=True)
    assignee = texts.CARD_ASSIGNEE.format(name=fields["assignee"]) if case.assignee_id else ""
    card = texts.CARD.format(
        **{k: v for k, v in fields.items() if k != "assignee"},
        status=texts.STATUS.get(case.status, case.status),
        assignee=assignee,
        followers=texts.CARD_FOLLOWERS.format(count=followers) if followers else "",
    )
    if hidden:
        card += texts.PII_HIDDEN.format(what=texts.PII_WORDS.get(hidden, texts.PII_WORDS["phone"]))
    if not case.urgent or CaseStatus(case.status) not in OPEN_STATUSES:
        return card
    return f"{emergency_block(config, case)}\n\n{card}\n{help_line(config, case)}"


def emergency_block(config: Config, case: CaseRecord) -> str:
    """Whom to call and what to do now, for the hazard the report describes."""
    response = response_for(config, case)
    lines = [texts.EMERGENCY_HEAD]
    if response.calls:
        numbers = "、".join(
            texts.EMERGENCY_NUMBER.format(
                name=texts.SERVICE_NAMES.get(service, service), number=esc(number)
            )
            for service, number in response.calls
        )
        lines.append(texts.EMERGENCY_CALL.format(numbers=numbers))
    advice = response.advice or texts.SAFETY_ADVICE.get(
        response.hazard, texts.SAFETY_ADVICE["general"]
    )
    lines.append(texts.EMERGENCY_ADVICE.format(advice=esc(advice)))
    return "\n".join(lines)


def role_name(config: Config, user_id: int, grid_id: str) -> str:
    """How a person serves this grid, in words: 网格长, 社区, the department's name, …"""
    title, department_id = role_of(config, user_id, grid_id)
    if department_id is not None:
        department = next((d for d in config.departments if d.id == department_id), None)
        if department is not None:
            return department.name
    return texts.ROLE_TITLES.get(title, texts.ROLE_TITLES["staff"])


def help_line(config: Config, case: CaseRecord) -> str:
    """Who is coming (accepted) or who was alerted (not yet): staff names, never a resident's."""
    if case.status == CaseStatus.ACCEPTED and case.assignee_id is not None:
        return texts.EMERGENCY_ON_THE_WAY.format(
            name=esc(person(config, case.assignee_id)),
            role=esc(role_name(config, case.assignee_id, case.grid_id)),
        )
    names = "、".join(
        f"{esc(role_name(config, user_id, case.grid_id))} {esc(person(config, user_id))}"
        for user_id in responders(config, case)
    )
    return texts.EMERGENCY_HELP_COMING.format(names=names)


def handler_card(
    config: Config, case: CaseRecord, state: CardState, *, why: str = "new", seq: int = 0
) -> str:
    """A handler's private card (unmasked: they need the phone number), as the case stands; an
    urgent open case's starts with what to do now, and while nobody has taken it, the alert
    (`why` it came, the `seq`-th repeat)."""
    fields = _common(config, case, masked=False)
    assignee = ""
    if case.assignee_id is not None and not state.works_it:
        assignee = texts.CARD_ASSIGNEE.format(name=fields["assignee"])
    reason = ""
    if state.reopened_because:
        reason = texts.REOPENED_WHY.format(reason=esc(clip(state.reopened_because, 200)))
    elif case.reopen_count and state.stage in ("reopened", "accepted", "new"):
        reason = texts.REOPENED_NO_REASON
    if state.note:
        reason += texts.NOTE_WHY.format(note=safe_text(state.note, masked=False, limit=200))
    due = ""
    if state.works_it and case.accepted_at is None:
        due = texts.HANDLER_DUE.format(
            accept_due=local_time(config, case.accept_due),
            resolve_due=local_time(config, case.resolve_due),
        )
    elif state.works_it:
        due = texts.HANDLER_RESOLVE_DUE.format(resolve_due=local_time(config, case.resolve_due))
    if state.score:
        due += texts.CLOSED_SCORE.format(score=texts.SCORE.get(state.score, state.score))
    body = texts.HANDLER_CARD.format(
        **{k: v for k, v in fields.items() if k != "assignee"},
        head=texts.HANDLER_HEAD.get(state.stage, texts.HANDLER_HEAD["new"]),
        status=texts.STATUS.get(case.status, case.status),
        assignee=assignee,
        why=reason,
        due=due,
    )
    if not case.urgent or CaseStatus(case.status) not in OPEN_STATUSES:
        return body
    head = emergency_block(config, case)
    if case.accepted_at is None and state.stage != "moved":
        alert = texts.URGENT_ALERT.get(why, texts.URGENT_ALERT["new"]).format(
            minutes=config.emergency.accept_minutes, times=seq + 1
        )
        head = f"{alert}\n{head}"
    return f"{head}\n\n{body}"


def inform(config: Config, case: CaseRecord, payload: dict[str, object] | None = None) -> str:
    by = (payload or {}).get("by")
    if (payload or {}).get("why") == "taken" and isinstance(by, int):
        return texts.URGENT_TAKEN.format(
            number=case.number,
            name=esc(person(config, by)),
            role=esc(role_name(config, by, case.grid_id)),
        )
    return texts.INFORM.format(**_common(config, case, masked=False))


def reporter_update(config: Config, case: CaseRecord, payload: dict[str, object]) -> str:
    event = str(payload.get("event", ""))
    if event == "accepted" and case.urgent:
        event = "coming"  # danger: the reporter is told who is on the way, and as whom
    template = texts.REPORTER_UPDATE.get(event)
    if template is None:
        return texts.STATUS.get(case.status, case.status)
    actor_id = payload.get("actor_id")
    actor = person(config, actor_id if isinstance(actor_id, int) else None, "系统")
    note = payload.get("note")
    return template.format(
        number=case.number,
        actor=esc(actor),
        role=esc(role_name(config, actor_id, case.grid_id)) if isinstance(actor_id, int) else "",
        level=texts.LEVEL.get(case.level, ""),
        note=esc(note) if note else texts.NO_NOTE if event == "rejected" else "",
    )


def note_text(payload: dict[str, object], *, masked: bool) -> str:
    """A handler's note: masked where a group reads it (it may quote the reporter's phone)."""
    note = payload.get("note")
    return safe_text(str(note), masked=masked, limit=200) if note else texts.NO_NOTE


def on_scene_overdue(config: Config, case: CaseRecord, *, to_holder: bool) -> str:
    """No 到场 in time: a reminder to whoever accepted, an alert to the one above them."""
    minutes = config.emergency.on_scene_minutes
    if to_holder:
        return texts.ON_SCENE_REMINDER.format(number=case.number, minutes=minutes)
    holder = case.assignee_id
    return texts.NOT_ON_SCENE.format(
        number=case.number,
        category=esc(category_name(case.category)),
        name=esc(person(config, holder, "—")),
        role=esc(role_name(config, holder, case.grid_id)) if holder is not None else "",
        minutes=minutes,
    )
