"""Residents' feedback: the one-tap rating, the optional why of a 👎, and 👍 reactions."""

from __future__ import annotations

from telegram import Message, ReactionTypeEmoji, Update
from telegram.constants import ChatType

from bot.cases.conversations import PROMPT, Question
from bot.cases.lifecycle import TransitionError
from bot.cases.models import Score
from bot.delivery.notify import queue_edit
from handlers import keyboards, render, texts
from handlers.context import GridContext, message_text, poke_outbox, reply, say
from handlers.handling import refusal

LIKE = "👍"


async def on_rating(update: Update, context: GridContext) -> None:
    """👍 满意 / 👌 基本满意 / 👎 不满意: one tap records it, no second confirmation."""
    query = update.callback_query
    button = keyboards.decode(query.data if query else None)
    if query is None:
        return
    case_id = button.int_field(0) if button else None
    letter = button.fields[1] if button and len(button.fields) > 1 else ""
    if case_id is None or letter not in keyboards.SCORE_LETTERS:
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    score = Score(keyboards.SCORE_LETTERS[letter])
    services = context.services
    try:
        rated = await services.feedback.rate(case_id, query.from_user.id, score)
    except TransitionError as error:
        await query.answer(refusal(error), show_alert=True)
        return
    await query.answer(texts.RATED[score.value])
    await _show_choice(update, context, score)
    if score is Score.UNSATISFIED:
        await _ask_why(update, context, case_id, rated.round)
    poke_outbox(context)


async def _show_choice(update: Update, context: GridContext, score: Score) -> None:
    """The rating message keeps its words and shows the choice where the buttons were."""
    query = update.callback_query
    message = query.message if query else None
    if not isinstance(message, Message) or not message.text:
        return
    in_private = message.chat.type == ChatType.PRIVATE
    choice = (texts.RATED_CHOICE if in_private else texts.RATED_CHOICE_GROUP).format(
        score=texts.SCORE_BUTTON[score.value]
    )
    lines = message.text_html.split("\n")
    if in_private and lines[-1] == texts.RATING_REQUEST.rsplit("\n", 1)[-1]:
        lines.pop()  # 「请为处理结果打分：」 is answered: the choice takes its place
    await queue_edit(
        context.services, message.chat.id, message.message_id, "\n".join([*lines, choice])
    )
    poke_outbox(context)


async def _ask_why(update: Update, context: GridContext, case_id: int, round_: int) -> None:
    """Ask for the reason in private, and only where the question can be seen: a 👎 pressed in
    the group by someone who never started the bot gets no hidden question that would swallow
    their next private message."""
    query = update.callback_query
    user_id = query.from_user.id
    services = context.services
    in_private = query.message is not None and query.message.chat.type == ChatType.PRIVATE
    if not in_private:
        person = await services.lookup.user(user_id)
        if person is None or not person.started_bot or person.blocked:
            return
    case = await services.lookup.case(case_id)
    await services.conversations.ask(
        user_id, PROMPT, "why", step="note", case_id=case_id, round_=round_
    )
    question = texts.ASK_FOR_CASE.format(
        number=case.number if case else "", question=texts.ASK_UNSATISFIED_REASON
    )
    await say(services, user_id, question)


async def save_reason(update: Update, context: GridContext, prompt: Question) -> None:
    """The words after a 👎 go to the assignee and the supervisor."""
    message = update.effective_message
    user = update.effective_user
    text = message_text(message).strip()
    services = context.services
    # Passing the reason on is keyed by (case, round, person): a second run adds nothing.
    passed = await services.feedback.explain(prompt.case_id, user.id, prompt.round, text)
    await services.conversations.close(user.id, PROMPT)
    if passed is None:
        return
    if passed.held_until is None:
        await reply(update, context, texts.THANKS_REASON)
    else:
        when = render.when(services.config, services.clock.now(), passed.held_until)
        await reply(update, context, texts.THANKS_REASON_HELD.format(when=when))
    poke_outbox(context)


async def on_reaction(update: Update, context: GridContext) -> None:
    """A 👍 on the resolution message in the group is a like (点赞) for its case."""
    reaction = update.message_reaction
    if reaction is None or reaction.user is None or reaction.user.is_bot:
        return
    before = {r.emoji for r in reaction.old_reaction if isinstance(r, ReactionTypeEmoji)}
    after = {r.emoji for r in reaction.new_reaction if isinstance(r, ReactionTypeEmoji)}
    if (LIKE in before) == (LIKE in after):
        return
    await context.services.feedback.react(
        reaction.chat.id, reaction.message_id, reaction.user.id, liked=LIKE in after
    )
