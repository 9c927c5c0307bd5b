"""Questions the bot waits on: an hour later, a private message is no longer their answer."""

from __future__ import annotations

from datetime import UTC

from telegram import Chat, Message, User

from handlers.prompts import PROMPT_SECONDS, Prompt, WaitingOn


def _message(user_id: int) -> Message:
    from datetime import datetime

    user = User(id=user_id, first_name="陈", is_bot=False)
    return Message(1, datetime.now(UTC), Chat(user_id, "private"), from_user=user, text="好")


def test_a_fresh_question_waits_and_an_old_one_is_dropped() -> None:
    prompts = {1: Prompt(op="reject", case_id=7), 2: Prompt(op="why", case_id=8)}
    prompts[2].asked_at -= PROMPT_SECONDS + 1
    waiting = WaitingOn(prompts)
    assert waiting.filter(_message(1))
    assert not waiting.filter(_message(2))
    assert 2 not in prompts and 1 in prompts
    assert not waiting.filter(_message(3))
