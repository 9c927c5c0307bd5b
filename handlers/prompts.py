"""Whose answer a private message or a step button is: the private /report, a question the bot
asked (a note, a reason, a photo), or nobody's (then a short hint).

The questions are kept by the core in the database (bot/cases/conversations.py), so an answer
after a restart still lands where it belongs, and one that came too late is told so.
"""

from __future__ import annotations

from telegram import Update

from bot.cases.conversations import PROMPT, REPORT, Question
from handlers import feedback, handling, intake, texts
from handlers.context import GridContext, reply
from handlers.keyboards import Op, decode


async def answer(update: Update, context: GridContext) -> None:
    """A private message that is no command: a report step, an answer, or a hint."""
    user = update.effective_user
    message = update.effective_message
    if user is None or message is None:
        return
    conversations = context.services.conversations
    report = await conversations.waiting(user.id, REPORT)
    if report.question is not None and await intake.private_report_step(
        update, context, report.question
    ):
        return
    prompt = await conversations.waiting(user.id, PROMPT)
    if prompt.question is not None and (message.text or message.photo):
        await _answer_prompt(update, context, prompt.question)
        return
    if prompt.expired is not None:
        await _say_expired(update, context, prompt.expired)
        return
    if report.expired is not None:
        await reply(update, context, texts.REPORT_EXPIRED)
        return
    await fallback(update, context)


async def _answer_prompt(update: Update, context: GridContext, question: Question) -> None:
    if question.op == "why":
        await feedback.save_reason(update, context, question)
    else:
        await handling.on_prompt_reply(update, context, question)


async def _say_expired(update: Update, context: GridContext, question: Question) -> None:
    case = await context.services.lookup.case(question.case_id) if question.case_id else None
    await reply(update, context, texts.QUESTION_EXPIRED.format(number=case.number if case else ""))


async def button(update: Update, context: GridContext) -> None:
    """跳过, a grid or 实名/匿名: a step of the private report, or 跳过 of 办结's photo."""
    query = update.callback_query
    if query is None:
        return
    pressed = decode(query.data)
    conversations = context.services.conversations
    report = await conversations.waiting(query.from_user.id, REPORT)
    if report.question is not None and await intake.private_report_step(
        update, context, report.question
    ):
        return
    if pressed is not None and pressed.op is Op.SKIP:
        prompt = await conversations.waiting(query.from_user.id, PROMPT)
        await handling.on_prompt_skip(update, context, prompt.question)
        return
    await query.answer(
        texts.REPORT_EXPIRED if report.expired is not None else texts.STALE_BUTTON,
        show_alert=True,
    )


async def cancel(update: Update, context: GridContext) -> None:
    """取消 or /cancel: the private report if one runs, else the open question."""
    user = update.effective_user
    if update.callback_query is not None:
        # Stops the client's spinner; what was cancelled is said in the chat.
        await update.callback_query.answer()
    if user is None:
        return
    conversations = context.services.conversations
    if await conversations.close(user.id, REPORT):
        await reply(update, context, texts.REPORT_CANCELLED)
        return
    await conversations.close(user.id, PROMPT)
    await reply(update, context, texts.PROMPT_CANCELLED)


async def fallback(update: Update, context: GridContext) -> None:
    """Anything else in private (stickers, voice, free text): a short hint, never silence."""
    message = update.effective_message
    if message is None:
        return
    await reply(update, context, texts.HELP if message.text else texts.UNSUPPORTED)
