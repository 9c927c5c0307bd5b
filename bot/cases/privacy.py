"""A resident's own message with their phone or ID number, removed once their case is open.

The card in the group masks personal data, but the message it answers still shows it whole.
Intake queues a `HIDE_PII` notice with the case; the adapter, which alone knows whether it may
delete messages in that group, removes the message and records it here (the card then says so),
or, when it may not, has the grid leader told once how to allow it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cases.lifecycle import queue
from bot.cases.models import NoticeKind
from storage import cards as card_sql
from storage.records import Notice

if TYPE_CHECKING:
    from bot.config import Config
    from bot.timing.clock import Clock
    from nlp.parse import ParseResult
    from storage.db import Connection, Database


def what_to_hide(parse: ParseResult) -> str | None:
    """phone, id_number or both (comma-joined, in that order), or None when there is nothing."""
    kinds = {span.kind for span in parse.pii}
    found = [kind for kind in ("phone", "id_number") if kind in kinds]
    return ",".join(found) or None


async def queue_hide(
    conn: Connection,
    config: Config,
    *,
    case_id: int,
    chat_id: int,
    message_id: int,
    what: str,
    now: int,
) -> None:
    """Ask the adapter to remove the resident's message (a group message only)."""
    if not config.privacy.hide_pii_messages or chat_id >= 0:
        return
    await queue(
        conn, config,
        Notice(NoticeKind.HIDE_PII, chat_id, case_id=case_id,
               payload={"message_id": message_id, "what": what},
               dedupe_key=f"hide:{chat_id}:{message_id}"),
        now=now, urgent=True,
    )  # fmt: skip


class Privacy:
    """What the adapter reports back: a message removed, or no right to remove it."""

    def __init__(self, db: Database, config: Config, clock: Clock) -> None:
        self.db = db
        self.config = config
        self.clock = clock

    async def hidden(self, case_id: int, chat_id: int, message_id: int, what: str) -> None:
        """The message is gone: remember it, and the group card says so."""
        now = self.clock.now()
        async with self.db.write() as conn:
            added = await card_sql.add_hidden(
                conn, chat_id=chat_id, message_id=message_id, case_id=case_id, what=what, now=now
            )
            if added:
                await queue(
                    conn, self.config, Notice(NoticeKind.CARD_UPDATE, chat_id, case_id=case_id),
                    now=now, urgent=True,
                )  # fmt: skip

    async def cannot_hide(self, grid_id: str) -> bool:
        """The bot may not delete there: tell the grid leader once how to allow it."""
        grid = self.config.grid(grid_id)
        if grid is None:
            return False
        now = self.clock.now()
        async with self.db.write() as conn:
            queued = await queue(
                conn, self.config,
                Notice(NoticeKind.TEXT, grid.leader, payload={"template": "pii_hint", "grid": grid.id},
                       dedupe_key=f"pii-hint:{grid.id}"),
                now=now, urgent=False,
            )  # fmt: skip
        return queued is not None
