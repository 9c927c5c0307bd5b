"""Plain messages that adapters queue through the outbox (replies, questions, notes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.cases.lifecycle import queue
from bot.cases.models import NoticeKind
from storage.records import Notice

if TYPE_CHECKING:
    from bot.services import Services

Buttons = list[list[tuple[str, str]]]  # rows of (label, callback data)


async def queue_message(
    services: Services,
    chat_id: int,
    parts: Sequence[str],
    *,
    reply_to: int | None = None,
    buttons: Buttons | None = None,
    case_id: int | None = None,
    dedupe_key: str | None = None,
    plain: bool = False,
    if_forbidden: tuple[int, str] | None = None,
    held: str | None = None,
) -> int | None:
    """Queue one message, already cut by the adapter into the parts its platform takes; it
    goes out now (it answers someone) with the outbox's retries.

    `plain` sends the words as they are (no HTML). `if_forbidden` is (chat, words) to say there
    instead when the person never started the bot, e.g. a hint in the group they asked from.
    `held` ("buttons") keeps the sent message as one showing the case `case_id` (cards.py), so
    that its buttons follow the case.
    """
    payload: dict[str, object] = {"text": parts[0]}
    if reply_to is not None:
        payload["reply_to"] = reply_to
    if buttons:
        payload["buttons"] = buttons
    if plain:
        payload["plain"] = True
    if held is not None and case_id is not None:
        payload["held"] = held
    if if_forbidden is not None:
        payload["if_forbidden"] = {"chat_id": if_forbidden[0], "text": if_forbidden[1]}
    if len(parts) == 1:
        return await send(
            services, NoticeKind.TEXT, chat_id, payload, case_id=case_id, dedupe_key=dedupe_key
        )
    # One notice per part, queued together: each is sent (and retried) once, in order, the
    # reply on the first and the buttons under the last.
    notices = []
    for index, part in enumerate(parts):
        piece = dict(payload, text=part)
        if index > 0:
            piece.pop("reply_to", None)
            piece.pop("if_forbidden", None)  # one hint is enough
        if index < len(parts) - 1:
            piece.pop("buttons", None)
        key = f"{dedupe_key}:part{index}" if dedupe_key else None
        notices.append(
            Notice(NoticeKind.TEXT, chat_id, case_id=case_id, payload=piece, dedupe_key=key)
        )
    now = services.clock.now()
    async with services.db.write() as conn:
        ids = [await queue(conn, services.config, n, now=now, urgent=True) for n in notices]
    return ids[0]


async def send(
    services: Services,
    kind: NoticeKind,
    chat_id: int,
    payload: dict[str, object],
    *,
    case_id: int | None = None,
    dedupe_key: str | None = None,
) -> int | None:
    """Queue a notice of any kind as a direct answer (never held for the quiet hours)."""
    now = services.clock.now()
    async with services.db.write() as conn:
        return await queue(
            conn,
            services.config,
            Notice(kind, chat_id, case_id=case_id, payload=payload, dedupe_key=dedupe_key),
            now=now,
            urgent=True,  # a direct answer is never held for the quiet hours
        )


async def queue_edit(
    services: Services,
    chat_id: int,
    message_id: int,
    text: str,
    *,
    buttons: Buttons | None = None,
) -> int | None:
    """Queue an edit of one message (HTML words; without buttons the keyboard goes)."""
    payload: dict[str, object] = {"message_id": message_id, "text": text}
    if buttons:
        payload["buttons"] = buttons
    return await send(services, NoticeKind.EDIT, chat_id, payload)
