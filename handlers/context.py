"""What every handler needs from python-telegram-bot's context: the core services, the person."""

from __future__ import annotations

from telegram import Update, User
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.delivery.notify import queue_message
from bot.services import Services
from handlers.message_parts import split_text

SERVICES_KEY = "services"
DRAINER_KEY = "drainer"


async def say(
    services: Services,
    chat_id: int,
    html: str,
    *,
    reply_to: int | None = None,
    buttons: list[list[tuple[str, str]]] | None = None,
    case_id: int | None = None,
    dedupe_key: str | None = None,
    plain: bool = False,
    if_forbidden: tuple[int, str] | None = None,
) -> int | None:
    """Queue a message, in as many parts as Telegram needs (see `message_parts`)."""
    return await queue_message(
        services, chat_id, split_text(html), reply_to=reply_to, buttons=buttons,
        case_id=case_id, dedupe_key=dedupe_key, plain=plain, if_forbidden=if_forbidden,
    )  # fmt: skip


def services_of(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data[SERVICES_KEY]


def display_name(user: User | None) -> str:
    if user is None:
        return "居民"
    return (user.full_name or user.username or str(user.id)).strip()[:64] or str(user.id)


def poke_outbox(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Something was queued: wake the drainer so the answer goes out at once."""
    drainer = context.application.bot_data.get(DRAINER_KEY)
    if drainer is not None:
        drainer.poke()


async def reply(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    html: str,
    *,
    quote: bool = False,
    buttons: list[list[tuple[str, str]]] | None = None,
    dedupe_key: str | None = None,
) -> None:
    """Answer in the chat the update came from, through the outbox."""
    chat = update.effective_chat
    message = update.effective_message
    if chat is None:
        return
    await say(
        services_of(context),
        chat.id,
        html,
        reply_to=message.message_id if quote and message is not None else None,
        buttons=buttons,
        dedupe_key=dedupe_key,
    )
    poke_outbox(context)


async def reply_privately(
    update: Update, context: ContextTypes.DEFAULT_TYPE, html: str, *, hint: str
) -> None:
    """Answer the person in private even when they asked in a group: what is theirs is not the
    group's. Should they never have started the bot, `hint` goes to the group instead."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    if chat.type == ChatType.PRIVATE:
        await reply(update, context, html)
        return
    await say(services_of(context), user.id, html, if_forbidden=(chat.id, hint))
    poke_outbox(context)
