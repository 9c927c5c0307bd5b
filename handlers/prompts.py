"""Questions the bot is waiting on a person to answer in private (a note, a reason, a photo)."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Message
from telegram.ext import ContextTypes, filters

PROMPTS_KEY = "prompts"


@dataclass(slots=True)
class Prompt:
    op: str  # resolve | escalate | reject | why
    case_id: int
    step: str = "note"  # resolve: note, then photo
    note: str | None = None
    round: int = 0


def prompts_in(bot_data: dict) -> dict[int, Prompt]:
    """The one registry of open questions, kept in the application's bot_data."""
    return bot_data.setdefault(PROMPTS_KEY, {})


def prompts_of(context: ContextTypes.DEFAULT_TYPE) -> dict[int, Prompt]:
    return prompts_in(context.application.bot_data)


class WaitingOn(filters.MessageFilter):
    """Private messages from people the bot asked something and is waiting on."""

    def __init__(self, prompts: dict[int, Prompt]) -> None:
        super().__init__(name="WaitingOn")
        self.prompts = prompts

    def filter(self, message: Message) -> bool:
        return message.from_user is not None and message.from_user.id in self.prompts
