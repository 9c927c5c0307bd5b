"""Handlers at work: 接单 办结 上报 转派 退回 buttons, their prompts, /todo."""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.error import TelegramError

from bot.cases.conversations import PROMPT, Question
from bot.cases.lifecycle import Change, TransitionError, allowed
from bot.cases.models import OPEN_STATUSES, Action, CaseStatus, NoticeKind, RejectReason
from bot.cases.records import CaseRecord
from bot.cases.roles import can_view_case, is_staff, roles_for
from bot.config import Config
from bot.delivery.notify import send
from handlers import keyboards, render, texts
from handlers.context import GridContext, message_text, poke_outbox, reply, say
from handlers.keyboards import Button, Op
from nlp.taxonomy import CATEGORIES, category_name

_OP_ACTION = {Op.RESOLVE: Action.RESOLVE, Op.ESCALATE: Action.ESCALATE, Op.REJECT: Action.REJECT}
_ASK = {
    Op.RESOLVE: texts.ASK_RESOLVE_NOTE,
    Op.ESCALATE: texts.ASK_ESCALATE_REASON,
    Op.REJECT: texts.ASK_REJECT_REASON,
}
_REFUSALS = {
    "forbidden": texts.NOT_ALLOWED,
    "invalid_state": texts.DONE_ALREADY,
    "not_found": texts.UNKNOWN_CASE,
    "top_level": texts.TOP_LEVEL,
    "note_required": texts.NOTE_REQUIRED,
}


def refusal(error: TransitionError) -> str:
    return _REFUSALS.get(error.code, texts.STALE_BUTTON)


async def _load(context: GridContext, button: Button) -> CaseRecord | None:
    case_id = button.int_field(0)
    if case_id is None:
        return None
    return await context.services.lookup.case(case_id)


async def on_handler_button(update: Update, context: GridContext) -> None:
    """Every handler button is checked against the database and the hierarchy first."""
    query = update.callback_query
    button = keyboards.decode(query.data if query else None)
    if query is None:
        return
    if button is None:
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    services = context.services
    case = await _load(context, button)
    user_id = query.from_user.id
    if case is None or not can_view_case(services.config, user_id, case):
        # A stranger with forged data learns nothing, not even that the case exists.
        await query.answer(texts.UNKNOWN_CASE, show_alert=True)
        return
    roles = roles_for(services.config, user_id, case)
    status = CaseStatus(case.status)
    if button.op is Op.ACCEPT:
        await _apply(
            update, context, case, Action.ACCEPT, texts.ACCEPTED.format(number=case.number)
        )
        return
    if button.op is Op.ARRIVE:
        await _apply(update, context, case, Action.ARRIVE, texts.ARRIVED.format(number=case.number))
        return
    if button.op in _OP_ACTION:
        if not allowed(_OP_ACTION[button.op], status, roles):
            await query.answer(
                texts.NOT_ALLOWED if status in OPEN_STATUSES else texts.DONE_ALREADY,
                show_alert=True,
            )
            return
        if button.op is Op.ESCALATE and case.level >= 4:
            await query.answer(texts.TOP_LEVEL, show_alert=True)
            return
        # The answer stops the spinner; the question comes as a private message.
        await query.answer()
        earlier = await services.conversations.ask(
            user_id, PROMPT, button.op.value, step="note", case_id=case.id
        )
        question = texts.ASK_FOR_CASE.format(number=case.number, question=_ASK[button.op])
        if earlier is not None and earlier.case_id != case.id and earlier.case_id is not None:
            # One question at a time: say that the earlier one is no longer awaited.
            old = await services.lookup.case(earlier.case_id)
            question = texts.PROMPT_REPLACED.format(number=old.number if old else "?") + question
        buttons = (
            _rows(keyboards.reject_reasons(case.id))
            if button.op is Op.REJECT
            else _cancel_buttons()
        )
        await _private(context, user_id, question, buttons=buttons)
        return
    if button.op is Op.REJECT_AS:
        await _reject_as(update, context, case, button)
        return
    if button.op is Op.REASSIGN:
        if not allowed(Action.REASSIGN, status, roles):
            await query.answer(
                texts.NOT_ALLOWED if status in OPEN_STATUSES else texts.DONE_ALREADY,
                show_alert=True,
            )
            return
        options = reassign_targets(services.config, case)
        if not options:
            await query.answer(texts.NO_TARGETS, show_alert=True)
            return
        await query.answer()
        markup = keyboards.choices(Op.REASSIGN_TO, options, case.id, per_row=1)
        await _private(context, user_id, texts.ASK_REASSIGN, buttons=_rows(markup))
        return
    if button.op is Op.REASSIGN_TO:
        target = button.fields[1] if len(button.fields) > 1 else ""
        kwargs: dict[str, object] = {}
        person = keyboards.positive_id(target[1:])
        if target == "c":  # 改类别: pick the category, which routes the case afresh
            if not allowed(Action.REASSIGN, status, roles):
                await query.answer(texts.NOT_ALLOWED, show_alert=True)
                return
            await query.answer()
            options = [(n, f"c{c}") for c, (n, _) in CATEGORIES.items() if c != case.category]
            markup = keyboards.choices(Op.REASSIGN_TO, options, case.id, per_row=3)
            await _private(context, user_id, texts.ASK_CATEGORY, buttons=_rows(markup))
            return
        if target.startswith("c") and target[1:] in CATEGORIES:
            await _apply(
                update, context, case, Action.REASSIGN,
                texts.RECATEGORISED.format(number=case.number, category=category_name(target[1:])),
                category=target[1:],
            )  # fmt: skip
            return
        if target.startswith("u") and person is not None:
            kwargs["assignee_id"] = person
            name = services.config.user_name(person)
        elif target.startswith("d"):
            kwargs["department_id"] = target[1:]
            department = next((d for d in services.config.departments if d.id == target[1:]), None)
            name = department.name if department else target[1:]
        else:
            await query.answer(texts.STALE_BUTTON, show_alert=True)
            return
        await _apply(
            update,
            context,
            case,
            Action.REASSIGN,
            texts.REASSIGNED.format(number=case.number, name=name),
            **kwargs,
        )
        return
    await query.answer(texts.STALE_BUTTON, show_alert=True)


async def _reject_as(
    update: Update, context: GridContext, case: CaseRecord, button: Button
) -> None:
    """退回 for a reason chosen by its button: the reporter is told that reason, and the
    question it answered is closed in the same change."""
    query = update.callback_query
    services = context.services
    try:
        reason = RejectReason(button.fields[1])
    except (IndexError, ValueError):
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    user_id = query.from_user.id
    try:
        change = await services.lifecycle.apply(
            case.id, Action.REJECT, user_id, note=texts.REJECT_NOTE[reason.value],
            data={"reason": reason.value}, answers=(user_id, PROMPT),
        )  # fmt: skip
    except TransitionError as error:
        await query.answer(refusal(error), show_alert=True)
        return
    held = change.held_until(NoticeKind.REPORTER_UPDATE)
    done = (texts.REJECTED if held is None else texts.REJECTED_HELD).format(
        number=change.case.number, when=render.when(services.config, services.clock.now(), held)
    )
    await query.answer(done)
    if query.message is not None:
        # The question is answered: its buttons go, so the reason cannot be chosen twice.
        with contextlib.suppress(TelegramError):  # too old to edit: the 退回 itself counts
            await query.edit_message_text(
                texts.ASK_FOR_CASE.format(number=case.number, question=done)
            )
    poke_outbox(context)


def reassign_targets(config: Config, case: CaseRecord) -> list[tuple[str, str]]:
    """Grid workers, the community, the departments for the case's category, and 改类别."""
    grid = config.grid(case.grid_id)
    people: list[int] = []
    if grid is not None:
        people += [grid.leader, *grid.workers]
    people += config.community_of(case.grid_id).staff
    options = [
        (config.user_name(u), f"u{u}") for u in dict.fromkeys(people) if u != case.assignee_id
    ]
    street = config.street_of(case.grid_id).id
    for level in (3, 4):
        for department in config.departments_for(
            case.category, level, street if level == 3 else None
        ):
            if department.id != case.department_id:
                options.append((department.name, f"d{department.id}"))
    options.append((texts.BTN_RECATEGORISE, "c"))
    return options


async def _apply(
    update: Update,
    context: GridContext,
    case: CaseRecord,
    action: Action,
    done: str,
    **kwargs: object,
) -> None:
    query = update.callback_query
    services = context.services
    try:
        change = await services.lifecycle.apply(case.id, action, query.from_user.id, **kwargs)
    except TransitionError as error:
        await query.answer(refusal(error), show_alert=True)
        return
    await query.answer(done + _held_for_assignee(context, change))
    # The card the button sat on, and every other copy, follow through the outbox (cards.py).
    poke_outbox(context)


def _held_for_assignee(context: GridContext, change: Change) -> str:
    """After 转派 or 上报 at night: when the new handler hears of it (empty: now)."""
    held = change.held_until(NoticeKind.ASSIGNED)
    if held is None:
        return ""
    services = context.services
    return texts.HELD_FOR_ASSIGNEE.format(
        when=render.when(services.config, services.clock.now(), held)
    )


async def _private(
    context: GridContext,
    user_id: int,
    html: str,
    *,
    buttons: list[list[tuple[str, str]]] | None = None,
) -> None:
    await say(context.services, user_id, html, buttons=buttons)
    poke_outbox(context)


def _rows(markup: object) -> list[list[tuple[str, str]]]:
    return [[(b.text, str(b.callback_data)) for b in row] for row in markup.inline_keyboard]  # type: ignore[attr-defined]  # callback_data is str here: we built these buttons


def _cancel_buttons() -> list[list[tuple[str, str]]]:
    return _rows(keyboards.cancel())


async def on_prompt_reply(update: Update, context: GridContext, prompt: Question) -> None:
    """A private answer to the bot's question: a note, a reason, or the resolution photo."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    services = context.services
    text = message_text(message).strip()
    if prompt.op == Op.RESOLVE.value and prompt.step == "photo":
        await _resolve_with_photo_or_ask(update, context, prompt)
        return
    if not text:
        await reply(update, context, texts.EMPTY_INPUT)
        return
    if prompt.op == Op.RESOLVE.value:
        # The photo question has its own hour.
        await services.conversations.advance(prompt, step="photo", note=text[:1000])
        await _resolve_with_photo_or_ask(update, context, prompt)
        return
    action = Action.ESCALATE if prompt.op == Op.ESCALATE.value else Action.REJECT
    try:
        # The answer closes the question in the change's own transaction: handled again after
        # a crash, the same message finds nothing waiting instead of escalating twice.
        change = await services.lifecycle.apply(
            prompt.case_id, action, user.id, note=text[:1000], answers=(user.id, PROMPT)
        )
    except TransitionError as error:
        await services.conversations.close(user.id, PROMPT)
        await reply(update, context, refusal(error))
        return
    if action is Action.ESCALATE:
        done = texts.ESCALATED.format(
            number=change.case.number, level=texts.LEVEL.get(change.case.level, "")
        ) + _held_for_assignee(context, change)
    else:
        held = change.held_until(NoticeKind.REPORTER_UPDATE)
        done = (texts.REJECTED if held is None else texts.REJECTED_HELD).format(
            number=change.case.number, when=render.when(services.config, services.clock.now(), held)
        )
    await reply(update, context, done)


async def _resolve_with_photo_or_ask(
    update: Update, context: GridContext, prompt: Question
) -> None:
    """The photo step of 办结: a photo with the message resolves now; otherwise ask for one."""
    message = update.effective_message
    if message is not None and message.photo:
        await _finish_resolve(
            update, context, prompt, photo=message.photo[-1].file_id, message_id=message.message_id
        )
        return
    await reply(update, context, texts.ASK_RESOLVE_PHOTO, buttons=_rows(keyboards.skip_or_cancel()))


async def on_prompt_skip(update: Update, context: GridContext, prompt: Question | None) -> None:
    """跳过 while resolving: finish without a photo."""
    query = update.callback_query
    if query is None:
        return
    if prompt is None or prompt.op != Op.RESOLVE.value or prompt.step != "photo":
        await query.answer(texts.STALE_BUTTON)
        return
    await query.answer()
    await _finish_resolve(update, context, prompt)


async def _finish_resolve(
    update: Update,
    context: GridContext,
    prompt: Question,
    *,
    photo: str | None = None,
    message_id: int | None = None,
) -> None:
    services = context.services
    user = update.effective_user
    try:
        change = await services.lifecycle.apply(
            prompt.case_id, Action.RESOLVE, user.id, note=prompt.data.get("note"),
            answers=(user.id, PROMPT),
        )  # fmt: skip
    except TransitionError as error:
        await services.conversations.close(user.id, PROMPT)
        await reply(update, context, refusal(error))
        return
    if photo is not None:
        await services.lookup.add_photo(
            prompt.case_id, photo, added_by=user.id, message_id=message_id
        )
    held = change.held_until(NoticeKind.RATING_REQUEST)
    done = texts.RESOLVED if held is None else texts.RESOLVED_HELD
    when = render.when(services.config, services.clock.now(), held)
    await reply(update, context, done.format(number=change.case.number, when=when))


async def todo(update: Update, context: GridContext) -> None:
    """/todo: my open cases, urgent and oldest first."""
    user = update.effective_user
    services = context.services
    if user is None or not is_staff(services.config, user.id):
        await reply(update, context, texts.STAFF_ONLY.format(command="/todo"))
        return
    cases = await services.lookup.open_cases_of(user.id, limit=30)
    if not cases:
        await reply(update, context, texts.NO_TODO)
        return
    lines = [texts.TODO_HEAD]
    entries = []
    for case in cases:
        urgent = "🚨" if case.urgent else "•"
        status = texts.STATUS.get(case.status, case.status)
        lines.append(
            f"{urgent} <b>{case.number}</b> {category_name(case.category)} · {status}"
            f" · 时限 {render.local_time(services.config, case.resolve_due)}\n  {render.safe_text(case.text, masked=False, limit=40)}"
        )
        label = texts.TODO_BUTTON.format(
            urgent="🚨 " if case.urgent else "", number=case.number,
            category=category_name(case.category), status=status,
        )  # fmt: skip
        entries.append((case.id, label))
    await reply(update, context, "\n".join(lines), buttons=_rows(keyboards.open_cases(entries)))


async def on_open(update: Update, context: GridContext) -> None:
    """A /todo entry tapped: the case comes as the handler's card, with its buttons."""
    query = update.callback_query
    button = keyboards.decode(query.data if query else None)
    if query is None or button is None:
        return
    case = await _load(context, button)
    if case is None:
        await query.answer(texts.UNKNOWN_CASE, show_alert=True)
        return
    user_id = query.from_user.id
    config = context.services.config
    if not (is_staff(config, user_id) and can_view_case(config, user_id, case)):
        await query.answer(texts.NOT_ALLOWED, show_alert=True)
        return
    # The answer stops the spinner; the card comes as a new message, kept like any card.
    await query.answer()
    await send(context.services, NoticeKind.ASSIGNED, user_id, {"why": "view"}, case_id=case.id)
    poke_outbox(context)
