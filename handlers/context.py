"""What every handler needs from python-telegram-bot's context: the core services, the person.

`GridContext` is the typed context every handler gets (`CONTEXT_TYPES` in the builder): its
`bot_data` is a `BotData` object with named fields, not a dict of string keys.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

from telegram import Message, Update, User
from telegram.constants import ChatType
from telegram.ext import CallbackContext, ContextTypes, ExtBot

from bot.delivery.notify import queue_message
from bot.services import Services
from handlers.message_parts import split_text
from nlp.normalize import strip_invisible

if TYPE_CHECKING:
    from bot.delivery.outbox import OutboxDrainer
    from bot.timing.deadlines import DeadlineKeeper
    from handlers.inbox import UpdateInbox


class BotData:
    """What the application keeps for its handlers: the core's services and the running parts."""

    def __init__(self) -> None:
        self.services: Services | None = None
        self.deadlines_on = True  # off only for tests that replay a history on a held clock
        self.drainer: OutboxDrainer | None = None
        self.keeper: DeadlineKeeper | None = None
        self.tasks: dict[str, asyncio.Task[object]] = {}
        self.inbox: UpdateInbox | None = None  # the getUpdates loop (handlers/inbox.py)
        # Webhook mode: this process is one of `workers`; claims run out after `lease` seconds.
        self.workers = 1
        self.lease: int | None = None
        self.menus = True  # set the command menus at start (one worker does)
        self.claimant: str | None = None  # names this process's claims (worker, pid, random)


class GridContext(CallbackContext[ExtBot[None], dict, dict, BotData]):
    """The context handlers get: python-telegram-bot's, plus the core services by name."""

    @property
    def services(self) -> Services:
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("build_application sets the services before any update")
        return services


CONTEXT_TYPES = ContextTypes(context=GridContext, bot_data=BotData)


@dataclass(slots=True)
class Handling:
    """The update being handled from the inbox: what keys its replies, and how it went."""

    update_id: int
    received_at: int
    replies: int = 0
    error: Exception | None = None

    def next_key(self) -> str:
        # Handling the same update again (after a crash) queues each reply under the same key,
        # which the outbox keeps once. received_at tells apart an update id Telegram reuses.
        self.replies += 1
        return f"in:{self.update_id}:{self.received_at}:{self.replies}"


_HANDLING: ContextVar[Handling | None] = ContextVar("gridbot_handling", default=None)


@contextmanager
def handling_update(update_id: int, received_at: int) -> Iterator[Handling]:
    """Everything queued while this update's handlers run is keyed by it."""
    handling = Handling(update_id, received_at)
    token = _HANDLING.set(handling)
    try:
        yield handling
    finally:
        _HANDLING.reset(token)


def note_failure(error: Exception) -> None:
    """The error handler saw this update fail: the inbox tries it again or sets it aside."""
    handling = _HANDLING.get()
    if handling is not None and handling.error is None:
        handling.error = error


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
    held: str | None = None,
) -> int | None:
    """Queue a message, in as many parts as Telegram needs (see `message_parts`)."""
    handling = _HANDLING.get()
    if dedupe_key is None and handling is not None:
        dedupe_key = handling.next_key()
    return await queue_message(
        services, chat_id, split_text(html), reply_to=reply_to, buttons=buttons,
        case_id=case_id, dedupe_key=dedupe_key, plain=plain, if_forbidden=if_forbidden,
        held=held,
    )  # fmt: skip


def services_of(context: GridContext) -> Services:
    return context.services


def display_name(user: User | None) -> str:
    if user is None:
        return "居民"
    name = strip_invisible(user.full_name or user.username or str(user.id))
    return name.strip()[:64] or str(user.id)


def message_text(message: Message | None) -> str:
    """What a person wrote (text or caption), without invisible characters: the only way the
    adapter reads incoming words, so that nothing behind it parses or stores a hidden one."""
    if message is None:
        return ""
    return strip_invisible(message.text or message.caption or "")


def command_args(context: GridContext) -> list[str]:
    """A command's words, cleaned like `message_text`."""
    return [word for word in (strip_invisible(arg) for arg in context.args or []) if word]


def poke_outbox(context: GridContext) -> None:
    """Something was queued: wake the drainer so the answer goes out at once."""
    drainer = context.bot_data.drainer
    if drainer is not None:
        drainer.poke()


async def reply(
    update: Update,
    context: GridContext,
    html: str,
    *,
    quote: bool = False,
    buttons: list[list[tuple[str, str]]] | None = None,
    dedupe_key: str | None = None,
    case_id: int | None = None,
    held: str | None = None,
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
        case_id=case_id,
        held=held,
    )
    poke_outbox(context)


async def reply_privately(update: Update, context: GridContext, html: str, *, hint: str) -> None:
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
