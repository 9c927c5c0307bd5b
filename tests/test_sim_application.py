"""A small python-telegram-bot Application, polling the simulator, through every method the bot
uses: a command, text, a button, an edit, a reaction, a photo and its download."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    MessageReactionHandler,
    filters,
)

from simulator import ControlClient, SimulatorServer, seed
from simulator.testing import GROUP_ID, LEADER, RESIDENT, TOKEN, WORLD, png_bytes

pytestmark = pytest.mark.timeout(40)
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("接单", callback_data="v1:accept:7")]])


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet a user who pressed START."""
    assert update.message is not None
    await update.message.reply_text("您好，我是网格通。")


async def report(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Acknowledge /report with a card the grid leader can accept."""
    message = update.message
    assert message is not None
    await context.bot.send_chat_action(message.chat_id, "typing")
    await message.reply_html("<b>案件 7</b> 已登记", reply_markup=KEYBOARD, do_quote=True)


async def accept(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Accept the case: the button must always be answered, then the card changes."""
    query = update.callback_query
    assert query is not None
    await query.answer("已接单")
    await query.edit_message_text("<b>案件 7</b> 已接单", parse_mode="HTML")


async def liked(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Thank the user for a reaction."""
    reaction = update.message_reaction
    assert reaction is not None
    emoji = reaction.new_reaction[0].emoji  # type: ignore[union-attr]  # the test sent an emoji reaction
    await context.bot.send_message(reaction.chat.id, f"感谢点赞 {emoji}")


async def photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Download the photo and send it back with its size."""
    message = update.message
    assert message is not None and message.photo
    data = await (await message.photo[-1].get_file()).download_as_bytearray()
    await message.reply_photo(bytes(data), caption=f"收到照片 {len(data)} 字节")


async def edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Notice an edited report."""
    assert update.edited_message is not None
    await update.edited_message.reply_text("已更新")


@pytest.fixture
async def running() -> AsyncIterator[tuple[SimulatorServer, Application]]:
    async with SimulatorServer() as server:
        await seed(server, WORLD)
        application = (
            ApplicationBuilder()
            .token(TOKEN)
            .base_url(server.api_base_url)
            .base_file_url(server.file_base_url)
            .build()
        )
        application.add_handler(CommandHandler("start", start))
        # Commands handle edited messages too unless told otherwise; edits go to `edited`.
        application.add_handler(CommandHandler("report", report, filters.UpdateType.MESSAGE))
        application.add_handler(CallbackQueryHandler(accept, pattern=r"^v1:accept:"))
        application.add_handler(MessageReactionHandler(liked))
        application.add_handler(MessageHandler(filters.PHOTO, photo))
        application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, edited))
        async with application:
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(
                allowed_updates=Update.ALL_TYPES, poll_interval=0, timeout=5
            )
            yield server, application
            await application.updater.stop()
            await application.stop()


async def test_a_polling_application_goes_through_every_method(
    running: tuple[SimulatorServer, Application],
) -> None:
    server, _ = running
    async with ControlClient(server.base_url) as sim:
        started = await sim.start(RESIDENT)
        greeting = await sim.wait_bot_message(RESIDENT, after=started["message_id"])
        assert greeting["text"] == "您好，我是网格通。"

        said = await sim.send(GROUP_ID, RESIDENT, "/report 福业街菜场门口路面塌了个坑")
        card = await sim.wait_bot_message(GROUP_ID, after=said["message_id"])
        assert card["html"] == "<b>案件 7</b> 已登记"
        assert card["reply_to_message_id"] == said["message_id"]
        assert card["reply_markup"]["inline_keyboard"][0][0]["text"] == "接单"

        pressed = await sim.press(GROUP_ID, card["message_id"], LEADER, text="接单", timeout=60.0)
        assert pressed["answer"]["text"] == "已接单"
        after_press = await sim.wait_event("edit", chat=GROUP_ID, after=0)
        assert after_press["data"]["message"]["text"] == "案件 7 已接单"

        await sim.react(GROUP_ID, card["message_id"], RESIDENT, "👍")
        thanks = await sim.wait_bot_message(GROUP_ID, after=card["message_id"])
        assert thanks["text"] == "感谢点赞 👍"

        picture = png_bytes(400, 300)
        sent_photo = await sim.send(GROUP_ID, RESIDENT, None, photo=picture, caption="现场")
        echoed = await sim.wait_bot_message(GROUP_ID, after=sent_photo["message_id"])
        largest = sent_photo["photo"][-1]
        assert echoed["caption"] == f"收到照片 {largest['file_size']} 字节"

        await sim.edit(
            GROUP_ID, said["message_id"], RESIDENT, "/report 福业街菜场门口路面塌了个大坑"
        )
        updated = await sim.wait_bot_message(GROUP_ID, after=echoed["message_id"])
        assert updated["text"] == "已更新"

        transcript = await sim.transcript(GROUP_ID)
        card_now = next(m for m in transcript if m["message_id"] == card["message_id"])
        assert card_now["text"] == "案件 7 已接单"
        assert [h["text"] for h in card_now["history"]] == ["案件 7 已登记"]
        assert card_now["reactions"] == {"👍": [RESIDENT]}
        assert "reply_markup" not in card_now  # the edit carried no keyboard
    methods = {call["method"] for call in await ControlClient(server.base_url).calls()}
    assert {
        "getme",
        "getupdates",
        "sendmessage",
        "sendchataction",
        "answercallbackquery",
        "editmessagetext",
        "getfile",
        "sendphoto",
    } <= methods
