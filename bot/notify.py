"""Plain messages that adapters queue through the outbox (replies, questions, notes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.lifecycle import queue
from bot.models import NoticeKind
from storage.records import Notice

if TYPE_CHECKING:
    from bot.services import Services

Buttons = list[list[tuple[str, str]]]  # rows of (label, callback data)


async def say(
    services: Services,
    chat_id: int,
    html: str,
    *,
    reply_to: int | None = None,
    buttons: Buttons | None = None,
    case_id: int | None = None,
    dedupe_key: str | None = None,
) -> int | None:
    """Queue one message; it goes out now (it answers someone) with the outbox's retries."""
    payload: dict[str, object] = {"text": html}
    if reply_to is not None:
        payload["reply_to"] = reply_to
    if buttons:
        payload["buttons"] = buttons
    now = services.clock.now()
    async with services.db.write() as conn:
        return await queue(
            conn,
            services.config,
            Notice(
                NoticeKind.TEXT, chat_id, case_id=case_id, payload=payload, dedupe_key=dedupe_key
            ),
            now=now,
            urgent=True,  # a direct answer is never held for the quiet hours
        )
