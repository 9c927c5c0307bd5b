"""Residents reporting: group messages, /report and mentions, edits, and the step-by-step
private report (a ConversationHandler with a way out at every step). A message that may be a
report gets no answer in the group: it waits for the grid leader (handlers/review.py)."""

from __future__ import annotations

import re
import time
import warnings

from telegram import Message, MessageEntity, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.cases.intake import Decision, Incoming, IntakeResult
from handlers import keyboards, texts
from handlers.context import GridContext, display_name, poke_outbox, reply, say
from handlers.keyboards import Op
from nlp.taxonomy import category_name

LIMIT_NOTE_SECONDS = 60

# Private report conversation states
TEXT, PHOTO, PLACE, GRID, ANONYMOUS = range(5)


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
        text=(message.text or message.caption or "") if text is None else text,
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
        notes = (
            context.user_data.setdefault("limit_notes", {}) if context.user_data is not None else {}
        )
        last = notes.get(message.chat_id, 0)
        if time.monotonic() - last > LIMIT_NOTE_SECONDS:
            notes[message.chat_id] = time.monotonic()
            await reply(update, context, texts.LIMITED, quote=True)


async def group_message(update: Update, context: GridContext) -> None:
    """Every text, photo or pin in a grid group: a case, or silence (maybe a review item)."""
    message = update.effective_message
    if message is None or message.from_user is None or message.from_user.is_bot:
        return
    services = context.services
    text = message.text or message.caption or ""
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
    words = " ".join(context.args or []).strip()
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
        message.text or message.caption or "",
    )
    if change is not None:
        poke_outbox(context)
        return
    result = await services.intake.danger_in_edit(_incoming(message))
    await _answer(update, context, result)


# The private, step-by-step report


async def private_report_start(update: Update, context: GridContext) -> int:
    context.user_data["report"] = {}
    await reply(update, context, texts.ASK_TEXT)
    return TEXT


async def private_report_text(update: Update, context: GridContext) -> int:
    message = update.effective_message
    text = (message.text or "").strip() if message else ""
    if not text:
        await reply(update, context, texts.NEED_TEXT)
        return TEXT
    context.user_data["report"].update(text=text, message_id=message.message_id)
    await reply(update, context, texts.ASK_PHOTO, buttons=_buttons(keyboards.skip_or_cancel()))
    return PHOTO


async def private_report_photo(update: Update, context: GridContext) -> int:
    message = _sent_message(update)
    if message is not None and message.photo:
        context.user_data["report"]["photo"] = message.photo[-1].file_id
    await _skip_answer(update)
    await reply(update, context, texts.ASK_PLACE, buttons=_buttons(keyboards.skip_or_cancel()))
    return PLACE


async def private_report_place(update: Update, context: GridContext) -> int:
    message = _sent_message(update)
    report = context.user_data["report"]
    if message is not None and message.location is not None:
        report["location"] = (message.location.latitude, message.location.longitude)
    elif message is not None and message.text:
        report["place"] = message.text.strip()[:100]
    await _skip_answer(update)
    services = context.services
    options = [(g.name, g.id) for g in services.config.grids()]
    await reply(
        update, context, texts.ASK_GRID, buttons=_buttons(keyboards.choices(Op.GRID, options))
    )
    return GRID


async def private_report_grid(update: Update, context: GridContext) -> int:
    query = update.callback_query
    button = keyboards.decode(query.data if query else None)
    services = context.services
    grid_id = button.fields[0] if button and button.fields else ""
    if query is None or services.config.grid(grid_id) is None:
        if query is not None:
            await query.answer(texts.STALE_BUTTON)
        return GRID
    await query.answer()
    context.user_data["report"]["grid_id"] = grid_id
    options = [(texts.BTN_NAMED, "0"), (texts.BTN_ANONYMOUS, "1")]
    await reply(
        update,
        context,
        texts.ASK_ANONYMOUS,
        buttons=_buttons(keyboards.choices(Op.ANONYMOUS, options)),
    )
    return ANONYMOUS


async def private_report_anonymous(update: Update, context: GridContext) -> int:
    query = update.callback_query
    button = keyboards.decode(query.data if query else None)
    if query is None or button is None or button.fields[:1] not in (("0",), ("1",)):
        if query is not None:
            await query.answer(texts.STALE_BUTTON)
        return ANONYMOUS
    await query.answer()
    report = context.user_data.pop("report", {})
    user = query.from_user
    services = context.services
    text = report.get("text", "")
    if report.get("place") and report["place"] not in text:
        text = f"{text}（地点：{report['place']}）"
    incoming = Incoming(
        chat_id=user.id,
        message_id=int(report.get("message_id", query.message.message_id if query.message else 0)),
        user_id=user.id,
        user_name=display_name(user),
        username=user.username,
        text=text,
        photo_file_id=report.get("photo"),
        location=report.get("location"),
        forced=True,
        anonymous=button.fields[0] == "1",
        grid_id=report.get("grid_id"),
    )
    result = await services.intake.receive(incoming)
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
    return ConversationHandler.END


async def private_report_cancel(update: Update, context: GridContext) -> int:
    context.user_data.pop("report", None)
    await _skip_answer(update)
    await reply(update, context, texts.REPORT_CANCELLED)
    return ConversationHandler.END


async def private_report_unexpected(update: Update, context: GridContext) -> None:
    """A sticker or voice message mid-report: say what is understood; the step stays."""
    await reply(update, context, texts.UNSUPPORTED)


def _sent_message(update: Update) -> Message | None:
    """What the resident sent at this step; a pressed button (跳过) sent nothing, and the message
    it sits on is the bot's own question, which must never become the report's photo or place."""
    return update.message if update.callback_query is None else None


async def _skip_answer(update: Update) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer()


def _buttons(markup: object) -> list[list[tuple[str, str]]]:
    return [[(b.text, str(b.callback_data)) for b in row] for row in markup.inline_keyboard]  # type: ignore[attr-defined]  # callback_data is str here: we built these buttons


def _op(op: Op) -> str:
    return rf"^v1:{op.value}(:|$)"


def private_report_conversation() -> ConversationHandler:
    private = filters.ChatType.PRIVATE
    cancel = [
        CommandHandler("cancel", private_report_cancel, filters=private),
        CallbackQueryHandler(private_report_cancel, pattern=_op(Op.CANCEL)),
    ]
    odd = MessageHandler(private & ~filters.COMMAND, private_report_unexpected)
    # One conversation per user and chat, whatever message a button sits on: that is what a
    # step-by-step report is, so PTB's per_message advice does not apply here.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return _conversation(private, cancel, odd)


def _conversation(
    private: filters.BaseFilter, cancel: list, odd: MessageHandler
) -> ConversationHandler:
    return ConversationHandler(
        entry_points=[CommandHandler("report", private_report_start, filters=private)],
        states={
            TEXT: [
                MessageHandler(private & filters.TEXT & ~filters.COMMAND, private_report_text),
                odd,
            ],
            PHOTO: [
                MessageHandler(private & filters.PHOTO, private_report_photo),
                CallbackQueryHandler(private_report_photo, pattern=_op(Op.SKIP)),
                odd,
            ],
            PLACE: [
                MessageHandler(
                    private & (filters.LOCATION | (filters.TEXT & ~filters.COMMAND)),
                    private_report_place,
                ),
                CallbackQueryHandler(private_report_place, pattern=_op(Op.SKIP)),
                odd,
            ],
            GRID: [CallbackQueryHandler(private_report_grid, pattern=_op(Op.GRID))],
            ANONYMOUS: [CallbackQueryHandler(private_report_anonymous, pattern=_op(Op.ANONYMOUS))],
        },
        fallbacks=cancel,
        name="private_report",
        allow_reentry=True,
        conversation_timeout=30 * 60,
    )
