"""Questions the bot is waiting on a person to answer in private (a note, a reason, a photo)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telegram import Message
from telegram.ext import filters

if TYPE_CHECKING:
    from handlers.context import BotData, GridContext

# A question unanswered for this long is dropped: a message days later is not its answer.
PROMPT_SECONDS = 60 * 60


@dataclass(slots=True)
class Prompt:
    op: str  # resolve | escalate | reject | why
    case_id: int
    step: str = "note"  # resolve: note, then photo
    note: str | None = None
    round: int = 0
    asked_at: float = field(default_factory=time.monotonic)

    def expired(self, now: float | None = None) -> bool:
        return (time.monotonic() if now is None else now) - self.asked_at > PROMPT_SECONDS


def prompts_in(bot_data: BotData) -> dict[int, Prompt]:
    """The one registry of open questions, kept in the application's bot_data."""
    return bot_data.prompts


def prompts_of(context: GridContext) -> dict[int, Prompt]:
    return prompts_in(context.bot_data)


class WaitingOn(filters.MessageFilter):
    """Private messages from people the bot asked something and is waiting on."""

    def __init__(self, prompts: dict[int, Prompt]) -> None:
        super().__init__(name="WaitingOn")
        self.prompts = prompts

    def filter(self, message: Message) -> bool:
        if message.from_user is None:
            return False
        prompt = self.prompts.get(message.from_user.id)
        if prompt is not None and prompt.expired():
            del self.prompts[message.from_user.id]
            return False
        return prompt is not None
