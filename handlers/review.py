"""The grid leader's review of messages that may be reports: the batched message and its
「n 立案」「n 不是」 buttons."""

from __future__ import annotations

import contextlib
from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.cases.intake import Decision
from bot.cases.review import ReviewError, ReviewItem, ReviewStatus
from bot.config import Config
from handlers import keyboards, render, texts
from handlers.context import GridContext, poke_outbox, say, services_of
from nlp.taxonomy import CATEGORIES, category_name


def batch_message(
    config: Config, items: list[dict[str, Any]]
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The leader's message for a batch: numbered items, buttons for those still open.

    Each item is a notice payload's entry ({"id", "grid", "author", "text", "category", "at"}),
    with "status" and "number" once decided."""
    lines = [texts.REVIEW_HEAD.format(count=len(items))]
    open_items: list[tuple[int, int]] = []
    for index, item in enumerate(items, start=1):
        grid = config.grid(str(item.get("grid")))
        category = item.get("category")
        guess = (
            texts.REVIEW_GUESS.format(category=render.esc(category_name(category)))
            if category in CATEGORIES and category != "other"
            else ""
        )
        line = texts.REVIEW_ITEM.format(
            index=index,
            text=render.safe_text(str(item.get("text", "")), masked=True),
            author=render.esc(item.get("author", "")),
            grid=render.esc(grid.name if grid else item.get("grid", "")),
            time=render.local_time(
                config, item.get("at") if isinstance(item.get("at"), int) else None
            ),
            guess=guess,
        )
        status = item.get("status", ReviewStatus.OPEN)
        if status == ReviewStatus.OPEN:
            open_items.append((index, int(item["id"])))
        else:
            outcome = texts.REVIEW_OUTCOME.get(str(status), "")
            line += "\n　　" + outcome.format(number=item.get("number") or "")
        lines.append(line)
    lines.append(texts.REVIEW_FOOT.format(hours=config.intake.review_expire_hours))
    return "\n".join(lines), keyboards.review(open_items)


def _as_payload(item: ReviewItem) -> dict[str, Any]:
    return {**item.payload(), "status": item.status, "number": item.case_number}


def _outcome(item: ReviewItem) -> str:
    return texts.REVIEW_OUTCOME.get(item.status, "").format(number=item.case_number or "")


async def on_review_button(update: Update, context: GridContext) -> None:
    """立案 / 不是 on a review item: the presser is checked against the configuration."""
    query = update.callback_query
    if query is None:
        return
    button = keyboards.decode(query.data)
    item_id = button.int_field(0) if button else None
    choice = button.fields[1] if button and len(button.fields) > 1 else ""
    if item_id is None or choice not in ("y", "n"):
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    services = services_of(context)
    hours = services.config.intake.review_expire_hours
    try:
        decided = await services.review.decide(item_id, query.from_user.id, accept=choice == "y")
    except ReviewError as error:
        if error.code == "decided" and error.item is not None:
            answer = texts.REVIEW_ALREADY.format(outcome=_outcome(error.item))
        else:
            answer = {
                "forbidden": texts.REVIEW_FORBIDDEN,
                "expired": texts.REVIEW_EXPIRED.format(hours=hours),
                "limited": texts.LIMITED,
            }.get(error.code, texts.REVIEW_UNKNOWN)
        await query.answer(answer, show_alert=True)
        return
    result = decided.result
    if result is None:
        done = texts.REVIEW_DONE["rejected"]
    elif result.decision is Decision.OPENED:
        done = texts.REVIEW_DONE["accepted"].format(number=decided.item.case_number)
    else:  # the same problem was reported meanwhile: the resident joins that case
        done = texts.REVIEW_DONE["joined"].format(number=decided.item.case_number)
    # Answering stops the client's spinner; the list then shows the outcome in place.
    await query.answer(done)
    if result is not None and result.decision is Decision.JOINED and result.case is not None:
        # As if the resident had said it again in the group: the same 同问 answer, to them.
        chat_id, message_id = decided.chat_id, decided.message_id
        await say(
            services, chat_id,
            texts.JOINED.format(number=result.case.number, count=result.followers + 1),
            reply_to=message_id, dedupe_key=f"joined:{chat_id}:{message_id}",
        )  # fmt: skip
    if decided.batch_id is not None and query.message is not None:
        items = [_as_payload(i) for i in await services.review.batch(decided.batch_id)]
        text, markup = batch_message(services.config, items)
        # Unchanged or too old to edit: the decision itself is what matters.
        with contextlib.suppress(TelegramError):
            await query.edit_message_text(text, reply_markup=markup)
    poke_outbox(context)


async def send_review_batches(context: GridContext) -> None:
    """The timer: leaders' waiting items go out as one message each (not in the quiet hours)."""
    services = services_of(context)
    if await services.review.send_due():
        poke_outbox(context)
