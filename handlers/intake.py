"""Residents reporting: group messages, /report and mentions, edits, and the step-by-step
private report (its state in the database, a way out at every step). A message that may be a
report gets no answer in the group: it waits for the grid leader (handlers/review.py)."""

from __future__ import annotations

import re

from telegram import Message, MessageEntity, Update

from bot.cases.conversations import REPORT, Question
from bot.cases.intake import Decision, Incoming, IntakeResult
from handlers import keyboards, texts
from handlers.context import (
    GridContext,
    command_args,
    display_name,
    message_text,
    poke_outbox,
    reply,
    say,
)
from handlers.keyboards import Op
from nlp.normalize import strip_invisible
from nlp.taxonomy import category_name

LIMIT_NOTE_SECONDS = 60


def _incoming(message: Message, *, text: str | None = None, forced: bool = False) -> Incoming:
    user = message.from_user
    photo = message.photo[-1].file_id if message.photo else None
    location = (message.location.latitude, message.location.longitude) if message.location else None
    return Incoming(
        chat_id=message.chat_id,
        message_id=message.message_id,
        user_id=user.id if user else 0,
        user_name=display_name(user),
        username=user.username if user else None,
        text=message_text(message) if text is None else strip_invisible(text),
        photo_file_id=photo,
        location=location,
        forced=forced,
    )


async def _answer(update: Update, context: GridContext, result: IntakeResult) -> None:
    """Say as little as possible in a group: the card comes from the outbox."""
    services = context.services
    message = update.effective_message
    if message is None:
        return
    if result.decision is Decision.OPENED:
        poke_outbox(context)
    elif result.decision is Decision.JOINED and result.case is not None:
        await reply(
            update, context,
            texts.JOINED.format(number=result.case.number, count=result.followers + 1),
            quote=True, dedupe_key=f"joined:{message.chat_id}:{message.message_id}",
        )  # fmt: skip
    elif result.decision is Decision.REPEATED and result.case is not None:
        words = texts.ALREADY_YOURS.format(number=result.case.number)
        key = f"repeated:{message.chat_id}:{message.message_id}"
        if result.case.anonymous and message.from_user is not None:
            # An answer in the group would tell everyone whose anonymous case it is.
            await say(services, message.from_user.id, words, dedupe_key=key)
            poke_outbox(context)
        else:
            await reply(update, context, words, quote=True, dedupe_key=key)
    elif result.decision is Decision.HOW_TO:
        await reply(update, context, texts.HOW_TO, quote=True)
    elif result.decision is Decision.NEEDS_TEXT:
        await reply(update, context, texts.REPORT_NEEDS_TEXT, quote=True)
    elif result.decision is Decision.LIMITED:
        # One note a minute per person and chat, kept by the outbox's key (not in memory).
        minute = services.clock.now() // LIMIT_NOTE_SECONDS
        user_id = message.from_user.id if message.from_user else 0
        key = f"limited:{message.chat_id}:{user_id}:{minute}"
        await reply(update, context, texts.LIMITED, quote=True, dedupe_key=key)


async def group_message(update: Update, context: GridContext) -> None:
    """Every text, photo or pin in a grid group: a case, or silence (maybe a review item)."""
    message = update.effective_message
    if message is None or message.from_user is None or message.from_user.is_bot:
        return
    services = context.services
    text = message_text(message)
    incoming = _incoming(message, text=text)
    if _mentions_me(message, context.bot.username):
        incoming.forced = incoming.addressed = True
        incoming.text = _without_mention(text, context.bot.username)
    elif (named := _without_name(text, context.bot.first_name)) is not None:
        # 「@网格通 …」: written as in WeChat, the display name after an @ is a mention too.
        incoming.forced = incoming.addressed = True
        incoming.text = named
    result = await services.intake.receive(incoming)
    await _answer(update, context, result)


def _mentions_me(message: Message, username: str | None) -> bool:
    if not username:
        return False
    for entity, value in (message.parse_entities() | message.parse_caption_entities()).items():
        if entity.type == MessageEntity.MENTION and value.lstrip("@").lower() == username.lower():
            return True
    return False


def _without_mention(text: str, username: str | None) -> str:
    if not username:
        return text
    return re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE).strip()


# After the name WeChat puts a narrow space (U+2005); people add commas or colons.
_AFTER_NAME = r"[\s\u2005\u3000,，:：、]*"


def _without_name(text: str, name: str | None) -> str | None:
    """The words around 「@网格通」 (or ＠, with a space after the @), or None when the bot's
    display name is not written there."""
    if not name:
        return None
    pattern = re.compile(rf"[@＠]\s*{re.escape(name)}{_AFTER_NAME}")
    if not pattern.search(text):
        return None
    return pattern.sub(" ", text).strip()


async def group_report(update: Update, context: GridContext) -> None:
    """/report in a group: the words after it, or the message it replies to, become a case."""
    message = update.effective_message
    if message is None or message.from_user is None:
        return
    services = context.services
    words = " ".join(command_args(context)).strip()
    target = message.reply_to_message
    if words:
        incoming = _incoming(message, text=words, forced=True)
    elif target is not None and target.from_user is not None and not target.from_user.is_bot:
        incoming = _incoming(target, forced=True)
    else:
        await reply(update, context, texts.REPORT_NEEDS_TEXT, quote=True)
        return
    result = await services.intake.receive(incoming)
    await _answer(update, context, result)


async def edited_message(update: Update, context: GridContext) -> None:
    """An edited report updates its case; the event log keeps the original words."""
    message = update.edited_message
    if message is None or message.from_user is None:
        return
    services = context.services
    change = await services.intake.edit(
        message.chat_id,
        message.message_id,
        message.from_user.id,
        message_text(message),
    )
    if change is not None:
        poke_outbox(context)
        return
    result = await services.intake.danger_in_edit(_incoming(message))
    await _answer(update, context, result)


# The private, step-by-step report: its steps and what was said so far are kept by the core
# (topic REPORT), so a restart in the middle of it loses nothing.

TEXT, PHOTO, PLACE, GRID, ANONYMOUS = "text", "photo", "place", "grid", "anonymous"


async def private_report_start(update: Update, context: GridContext) -> None:
    """/report in private: ask for the problem, then a photo, the place, the grid, anonymity."""
    user = update.effective_user
    if user is None:
        return
    await context.services.conversations.ask(user.id, REPORT, "report", step=TEXT)
    await reply(update, context, texts.ASK_TEXT)


async def private_report_step(update: Update, context: GridContext, report: Question) -> bool:
    """One step of the private report; False when this update is no answer to it (a grid
    step takes only the grid buttons), so it goes on to whoever else may want it."""
    query = update.callback_query
    pressed = keyboards.decode(query.data if query else None)
    op = pressed.op if pressed is not None else None
    message = _sent_message(update)
    if report.step == TEXT:
        if query is not None:
            return False
        return await _report_text(update, context, report, message)
    if report.step in (PHOTO, PLACE):
        if query is not None and op is not Op.SKIP:
            return False
        if report.step == PHOTO:
            return await _report_photo(update, context, report, message)
        return await _report_place(update, context, report, message)
    if report.step == GRID and op is Op.GRID:
        await _report_grid(update, context, report, pressed)
        return True
    if report.step == ANONYMOUS and op is Op.ANONYMOUS:
        await _report_anonymous(update, context, report, pressed)
        return True
    return False


async def _report_text(
    update: Update, context: GridContext, report: Question, message: Message | None
) -> bool:
    if message is None:
        return False
    if not message_text(message).strip():
        await reply(update, context, texts.UNSUPPORTED)
        return True
    text = message_text(message).strip()
    if not text:
        await reply(update, context, texts.NEED_TEXT)
        return True
    await context.services.conversations.advance(
        report, step=PHOTO, text=text, message_id=message.message_id
    )
    await reply(update, context, texts.ASK_PHOTO, buttons=_buttons(keyboards.skip_or_cancel()))
    return True


async def _report_photo(
    update: Update, context: GridContext, report: Question, message: Message | None
) -> bool:
    if message is not None and not message.photo:
        await reply(update, context, texts.UNSUPPORTED)
        return True
    photo = message.photo[-1].file_id if message is not None else None
    await context.services.conversations.advance(report, step=PLACE, photo=photo)
    await _skip_answer(update)
    await reply(update, context, texts.ASK_PLACE, buttons=_buttons(keyboards.skip_or_cancel()))
    return True


async def _report_place(
    update: Update, context: GridContext, report: Question, message: Message | None
) -> bool:
    found: dict[str, object] = {}
    if message is not None and message.location is not None:
        found["location"] = [message.location.latitude, message.location.longitude]
    elif message is not None and message_text(message).strip():
        found["place"] = message_text(message).strip()[:100]
    elif message is not None:
        await reply(update, context, texts.UNSUPPORTED)
        return True
    services = context.services
    await services.conversations.advance(report, step=GRID, **found)
    await _skip_answer(update)
    options = [(g.name, g.id) for g in services.config.grids()]
    await reply(
        update, context, texts.ASK_GRID, buttons=_buttons(keyboards.choices(Op.GRID, options))
    )
    return True


async def _report_grid(
    update: Update, context: GridContext, report: Question, pressed: keyboards.Button | None
) -> None:
    query = update.callback_query
    services = context.services
    grid_id = pressed.fields[0] if pressed and pressed.fields else ""
    if query is None or services.config.grid(grid_id) is None:
        if query is not None:
            await query.answer(texts.STALE_BUTTON)
        return
    await query.answer()
    await services.conversations.advance(report, step=ANONYMOUS, grid_id=grid_id)
    options = [(texts.BTN_NAMED, "0"), (texts.BTN_ANONYMOUS, "1")]
    await reply(
        update,
        context,
        texts.ASK_ANONYMOUS,
        buttons=_buttons(keyboards.choices(Op.ANONYMOUS, options)),
    )


async def _report_anonymous(
    update: Update, context: GridContext, report: Question, pressed: keyboards.Button | None
) -> None:
    query = update.callback_query
    if query is None or pressed is None or pressed.fields[:1] not in (("0",), ("1",)):
        if query is not None:
            await query.answer(texts.STALE_BUTTON)
        return
    await query.answer()
    data = report.data
    user = query.from_user
    services = context.services
    text = str(data.get("text", ""))
    place = data.get("place")
    if place and place not in text:
        text = f"{text}（地点：{place}）"
    pin = data.get("location")
    incoming = Incoming(
        chat_id=user.id,
        message_id=int(data.get("message_id", query.message.message_id if query.message else 0)),
        user_id=user.id,
        user_name=display_name(user),
        username=user.username,
        text=text,
        photo_file_id=data.get("photo"),
        location=(pin[0], pin[1]) if pin else None,
        forced=True,
        anonymous=pressed.fields[0] == "1",
        grid_id=data.get("grid_id"),
    )
    # The case is keyed by (chat, message): should a crash make this run again, it is found,
    # not opened twice. The question closes after.
    result = await services.intake.receive(incoming)
    await services.conversations.close(user.id, REPORT)
    if result.case is not None and result.decision is Decision.REPEATED:
        await reply(update, context, texts.ALREADY_YOURS.format(number=result.case.number))
    elif result.case is not None and result.decision is Decision.JOINED:
        await reply(
            update,
            context,
            texts.JOINED.format(number=result.case.number, count=result.followers + 1),
        )
    elif result.case is not None:
        await reply(
            update, context,
            texts.OPENED_PRIVATE.format(number=result.case.number, category=category_name(result.case.category)),
        )  # fmt: skip
    elif result.decision is Decision.LIMITED:
        await reply(update, context, texts.LIMITED)
    poke_outbox(context)


def _sent_message(update: Update) -> Message | None:
    """What the resident sent at this step; a pressed button (跳过) sent nothing, and the message
    it sits on is the bot's own question, which must never become the report's photo or place."""
    return update.message if update.callback_query is None else None


async def _skip_answer(update: Update) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer()


def _buttons(markup: object) -> list[list[tuple[str, str]]]:
    return [[(b.text, str(b.callback_data)) for b in row] for row in markup.inline_keyboard]  # type: ignore[attr-defined]  # callback_data is str here: we built these buttons
