"""The simulator's Bot API as python-telegram-bot sees it: every answer parses, errors map to
the right exceptions, updates arrive the way Telegram delivers them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReactionTypeEmoji,
    ReplyParameters,
    Update,
)
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken

from simulator import ControlClient, SimulatorServer, seed
from simulator.testing import (
    BOT_ID,
    GROUP_ID,
    LEADER,
    OFFICIAL,
    OUTSIDER,
    RESIDENT,
    TOKEN,
    WORLD,
    make_bot,
    png_bytes,
    unknown_fields,
)

pytestmark = pytest.mark.timeout(30)
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("接单", callback_data="v1:accept:1")]])


@pytest.fixture
async def server() -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer() as running:
        await seed(running, WORLD)
        yield running


@pytest.fixture
async def bot(server: SimulatorServer) -> AsyncIterator[Bot]:
    async with make_bot(server) as telegram_bot:
        yield telegram_bot


@pytest.fixture
async def sim(server: SimulatorServer) -> AsyncIterator[ControlClient]:
    async with ControlClient(server.base_url) as client:
        yield client


def clean(obj: object) -> object:
    """The object, after checking that python-telegram-bot knew every field of it."""
    assert unknown_fields(obj) == []
    return obj


async def next_updates(bot: Bot, offset: int = 0, **kwargs: object) -> tuple[Update, ...]:
    updates = await bot.get_updates(offset=offset, timeout=2, **kwargs)
    for update in updates:
        clean(update)
    return updates


async def test_every_method_answers_what_python_telegram_bot_parses(
    bot: Bot, sim: ControlClient
) -> None:
    me = clean(await bot.get_me())
    assert me.id == BOT_ID and me.is_bot and me.can_read_all_group_messages
    assert await bot.delete_webhook(drop_pending_updates=True) is True
    clean(await bot.get_webhook_info())
    assert clean(await bot.get_updates(timeout=0)) == ()

    commands = [BotCommand("report", "报事"), BotCommand("stats", "统计")]
    assert await bot.set_my_commands(commands, scope=BotCommandScopeAllGroupChats())
    got = clean(await bot.get_my_commands(scope=BotCommandScopeAllGroupChats()))
    assert [c.command for c in got] == ["report", "stats"]
    assert await bot.delete_my_commands(scope=BotCommandScopeAllGroupChats())

    sent = clean(
        await bot.send_message(
            GROUP_ID, "<b>案件</b> 已受理", parse_mode="HTML", reply_markup=KEYBOARD
        )
    )
    assert sent.text == "案件 已受理" and sent.chat.type == "supergroup" and sent.chat.id < 0
    edited = clean(
        await bot.edit_message_text(
            "<i>处理中</i>",
            chat_id=GROUP_ID,
            message_id=sent.message_id,
            parse_mode="HTML",
            reply_markup=KEYBOARD,
        )
    )
    assert edited.edit_date is not None and edited.text == "处理中"
    clean(await bot.edit_message_reply_markup(GROUP_ID, sent.message_id, reply_markup=None))

    photo = clean(await bot.send_photo(GROUP_ID, png_bytes(640, 480), caption="现场照片"))
    assert [(p.width, p.height) for p in photo.photo] == [(320, 240), (640, 480)]
    clean(await bot.edit_message_caption(GROUP_ID, photo.message_id, caption="整改后"))
    again = clean(await bot.send_photo(GROUP_ID, photo.photo[-1].file_id))
    assert again.photo[-1].file_id == photo.photo[-1].file_id
    document = clean(await bot.send_document(GROUP_ID, b"a,b\n1,2\n", filename="stats.csv"))
    assert document.document.file_name == "stats.csv"
    clean(await bot.send_location(GROUP_ID, latitude=29.95, longitude=121.71))
    file = clean(await bot.get_file(photo.photo[-1].file_id))
    assert bytes(await file.download_as_bytearray())[:3] == b"\xff\xd8\xff"

    chat = clean(await bot.get_chat(GROUP_ID))
    assert chat.title == "福业街网格群"
    admins = clean(await bot.get_chat_administrators(GROUP_ID))
    assert {a.user.id: a.status for a in admins} == {LEADER: "creator", BOT_ID: "administrator"}
    assert clean(await bot.get_chat_member(GROUP_ID, RESIDENT)).status == "member"
    assert clean(await bot.get_chat_member(GROUP_ID, OUTSIDER)).status == "left"
    assert await bot.get_chat_member_count(GROUP_ID) == 4
    assert await bot.send_chat_action(GROUP_ID, "typing") is True
    assert await bot.set_message_reaction(GROUP_ID, sent.message_id, ReactionTypeEmoji("👍"))
    assert await bot.delete_message(GROUP_ID, sent.message_id) is True
    private = clean(await bot.send_message(LEADER, "您有新的案件"))
    assert private.chat.type == "private" and private.chat.id == LEADER
    clean(await bot.get_chat(LEADER))


async def test_every_update_kind_parses(
    bot: Bot, sim: ControlClient, server: SimulatorServer
) -> None:
    await bot.get_updates(timeout=0, allowed_updates=Update.ALL_TYPES)
    said = await sim.send(GROUP_ID, RESIDENT, "/report@sim123456_bot 福业街路面塌了 @zhang_street")
    card = await bot.send_message(GROUP_ID, "案件", reply_markup=KEYBOARD)
    await sim.edit(GROUP_ID, said["message_id"], RESIDENT, "/report 福业街路面塌了个大坑")
    pressing = asyncio.create_task(sim.press(GROUP_ID, card.message_id, LEADER, data="v1:accept:1"))
    await sim.react(GROUP_ID, card.message_id, RESIDENT, "👍")
    await sim.send(GROUP_ID, RESIDENT, None, photo=png_bytes(), caption="照片")
    await sim.send(GROUP_ID, RESIDENT, None, location=(29.95, 121.71), reply_to=card.message_id)
    await sim.block(LEADER)
    await sim.set_bot_status(GROUP_ID, "member")

    kinds: list[str] = []
    offset = 0
    while len(kinds) < 8:
        for update in await next_updates(bot, offset):
            offset = update.update_id + 1
            kinds.append(next(k for k in Update.ALL_TYPES if getattr(update, k, None)))
            if update.callback_query:
                assert update.callback_query.chat_instance
                await update.callback_query.answer("已接单")
            if update.message and update.message.text:
                assert [e.type for e in update.message.entities] == ["bot_command", "mention"]
    assert sorted(kinds) == sorted(
        [
            "message",
            "edited_message",
            "callback_query",
            "message_reaction",
            "message",
            "message",
            "my_chat_member",
            "my_chat_member",
        ]
    )
    assert (await pressing)["answer"]["text"] == "已接单"


async def test_updates_wait_for_a_message_and_wake_at_once(bot: Bot, sim: ControlClient) -> None:
    polling = asyncio.create_task(bot.get_updates(timeout=20))
    await asyncio.sleep(0.3)
    assert not polling.done()
    posted = time.monotonic()
    await sim.send(GROUP_ID, RESIDENT, "楼道灯坏了")
    updates = await asyncio.wait_for(polling, 5)
    assert time.monotonic() - posted < 0.5
    assert updates[0].message.text == "楼道灯坏了"


async def test_an_empty_long_poll_returns_after_its_timeout(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 < time.monotonic() - started < 2.5


async def test_offset_confirms_updates_and_limit_caps_them(bot: Bot, sim: ControlClient) -> None:
    for n in range(3):
        await sim.send(GROUP_ID, RESIDENT, f"第{n}条")
    first = await bot.get_updates(limit=2)
    assert [u.message.text for u in first] == ["第0条", "第1条"]
    rest = await bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest] == ["第2条"]
    assert await bot.get_updates(offset=rest[-1].update_id + 1) == ()
    await sim.send(GROUP_ID, RESIDENT, "第3条")
    await sim.send(GROUP_ID, RESIDENT, "第4条")
    assert [u.message.text for u in await bot.get_updates(offset=-1)] == ["第4条"]


async def test_a_second_poll_ends_the_first_with_conflict(
    bot: Bot, server: SimulatorServer
) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.2)
    async with make_bot(server) as second_instance:
        second = asyncio.create_task(second_instance.get_updates(timeout=1))
        with pytest.raises(Conflict, match="terminated by other getUpdates"):
            await asyncio.wait_for(first, 3)
        await second


async def test_reactions_come_only_when_asked_for(bot: Bot, sim: ControlClient) -> None:
    card = await bot.send_message(GROUP_ID, "案件已办结")
    await bot.get_updates(timeout=0)  # Telegram's default kinds leave reactions out
    await sim.react(GROUP_ID, card.message_id, RESIDENT, "👍")
    assert await bot.get_updates(timeout=0) == ()
    await bot.get_updates(timeout=0, allowed_updates=["message", "message_reaction"])
    await sim.react(GROUP_ID, card.message_id, RESIDENT, "👎")
    [update] = await bot.get_updates(timeout=1)
    reaction = update.message_reaction
    assert reaction.old_reaction == (ReactionTypeEmoji("👍"),)
    assert reaction.new_reaction == (ReactionTypeEmoji("👎"),)


async def test_reactions_reach_only_a_bot_that_is_an_admin(
    bot: Bot, sim: ControlClient, server: SimulatorServer
) -> None:
    await bot.get_updates(timeout=0, allowed_updates=["message", "message_reaction"])
    card = await bot.send_message(GROUP_ID, "案件已办结")
    await sim.set_bot_status(GROUP_ID, "member")
    await sim.react(GROUP_ID, card.message_id, RESIDENT, "👍")
    assert await bot.get_updates(timeout=0) == ()


async def test_a_bot_in_privacy_mode_hears_only_commands_mentions_and_replies(
    server: SimulatorServer, sim: ControlClient
) -> None:
    token = "777:privacy"
    server.register_bot(token, username="quiet_bot", privacy_mode=True)
    group = await sim.add_group("隐私群", members=[RESIDENT], bot_is_admin=False)
    await sim.send(group["key"], RESIDENT, "大家好")
    await sim.send(group["key"], RESIDENT, "/report 路灯坏了")
    await sim.send(group["key"], RESIDENT, "@quiet_bot 看看")
    async with make_bot(server, token) as quiet:
        texts = [u.message.text for u in await quiet.get_updates(timeout=0)]
    assert texts == ["/report 路灯坏了", "@quiet_bot 看看"]


async def test_command_menus_follow_scope_and_language(bot: Bot, sim: ControlClient) -> None:
    await bot.set_my_commands([BotCommand("help", "help")])
    await bot.set_my_commands([BotCommand("help", "帮助")], language_code="zh")
    await bot.set_my_commands([BotCommand("report", "报事")], scope=BotCommandScopeChat(GROUP_ID))
    assert [c.description for c in await bot.get_my_commands(language_code="zh")] == ["帮助"]
    assert [c["command"] for c in await sim.commands(GROUP_ID, RESIDENT)] == ["report"]
    assert [c["description"] for c in await sim.commands(LEADER, LEADER)] == ["帮助"]


async def test_bad_requests_raise_bad_request_with_telegrams_words(bot: Bot) -> None:
    cases = [
        (bot.send_message(-100999, "x"), "Chat not found"),
        (bot.send_message(GROUP_ID, "长" * 4097), "Message is too long"),
        (bot.send_message(GROUP_ID, "   "), "Message text is empty"),
        (
            bot.send_message(GROUP_ID, "<b>未闭合", parse_mode="HTML"),
            "Can't parse entities: can't find end tag corresponding to start tag \"b\"",
        ),
        (
            bot.send_message(GROUP_ID, "换行<br>", parse_mode="HTML"),
            'Can\'t parse entities: unsupported start tag "br" at byte offset 6',
        ),
        (
            bot.send_message(
                GROUP_ID,
                "x",
                reply_markup=InlineKeyboardMarkup(
                    [[InlineKeyboardButton("按钮", callback_data="x" * 65)]]
                ),
            ),
            "Button_data_invalid",
        ),
        (
            bot.send_message(GROUP_ID, "x", reply_parameters=ReplyParameters(999)),
            "Message to be replied not found",
        ),
        (bot.edit_message_text("x", chat_id=GROUP_ID, message_id=999), "Message to edit not found"),
        (bot.delete_message(GROUP_ID, 999), "Message to delete not found"),
        (bot.answer_callback_query("123"), "Query is too old"),
        (bot.get_file("nope"), "Invalid file_id"),
        (
            bot.set_message_reaction(GROUP_ID, 999, ReactionTypeEmoji("👍")),
            "Message to react not found",
        ),
    ]
    for call, words in cases:
        with pytest.raises(BadRequest) as raised:
            await call
        assert str(raised.value).startswith(words), raised.value


async def test_an_unchanged_edit_is_not_modified(bot: Bot) -> None:
    sent = await bot.send_message(GROUP_ID, "<b>案件</b>", parse_mode="HTML", reply_markup=KEYBOARD)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "<b>案件</b>",
            chat_id=GROUP_ID,
            message_id=sent.message_id,
            parse_mode="HTML",
            reply_markup=KEYBOARD,
        )
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(GROUP_ID, sent.message_id, reply_markup=KEYBOARD)


async def test_an_edit_without_markup_drops_the_keyboard_like_telegram(bot: Bot) -> None:
    sent = await bot.send_message(GROUP_ID, "案件", reply_markup=KEYBOARD)
    edited = await bot.edit_message_text("案件已受理", chat_id=GROUP_ID, message_id=sent.message_id)
    assert edited.reply_markup is None


async def test_private_chats_answer_403_until_start_and_after_block(
    bot: Bot, sim: ControlClient
) -> None:
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(RESIDENT, "您好")
    await sim.start(RESIDENT)
    assert (await bot.send_message(RESIDENT, "您好")).chat.id == RESIDENT
    await sim.block(RESIDENT)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(RESIDENT, "您好")


async def test_a_group_without_the_bot_answers_403(bot: Bot, sim: ControlClient) -> None:
    await sim.set_bot_status(GROUP_ID, "kicked")
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.send_message(GROUP_ID, "x")


async def test_strict_tokens_answer_401_to_unknown_bots() -> None:
    async with SimulatorServer(strict_tokens=True) as strict:
        strict.register_bot(TOKEN)
        async with make_bot(strict) as known:
            assert (await known.get_me()).id == BOT_ID
        with pytest.raises(InvalidToken):
            await make_bot(strict, "999:unknown").get_me()


async def test_any_token_registers_a_bot_named_by_its_digits(server: SimulatorServer) -> None:
    async with make_bot(server, "424242:whatever") as other:
        assert (await other.get_me()).id == 424242
    assert 424242 in server.state.bots


async def test_method_names_and_parameter_forms_are_read_like_telegram(
    server: SimulatorServer,
) -> None:
    import aiohttp

    url = f"{server.api_base_url}{TOKEN}"
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{url}/GETME") as response:
            assert (await response.json())["result"]["id"] == BOT_ID
        async with session.post(
            f"{url}/sendMessage", json={"chat_id": GROUP_ID, "text": "json"}
        ) as r:
            assert (await r.json())["result"]["text"] == "json"
        async with session.post(
            f"{url}/sendMessage", data={"chat_id": str(GROUP_ID), "text": "form"}
        ) as r:
            assert (await r.json())["result"]["text"] == "form"
        async with session.get(
            f"{url}/sendMessage", params={"chat_id": GROUP_ID, "text": "q"}
        ) as r:
            assert (await r.json())["result"]["text"] == "q"
        async with session.get(f"{url}/noSuchMethod") as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }


async def test_a_user_link_becomes_a_text_mention_of_that_user(bot: Bot) -> None:
    sent = await bot.send_message(
        GROUP_ID, f'请<a href="tg://user?id={LEADER}">网格长</a>处理', parse_mode="HTML"
    )
    assert sent.entities[0].type == "text_mention"
    assert sent.entities[0].user.first_name == "李网格长"


async def test_bot_messages_get_links_and_mentions_marked(bot: Bot) -> None:
    sent = await bot.send_message(GROUP_ID, "详情见 https://example.cn/case/1 @zhang_street")
    assert [e.type for e in sent.entities] == ["url", "mention"]


async def test_official_outside_private_chat_cannot_be_written_to(bot: Bot) -> None:
    with pytest.raises(Forbidden):
        await bot.send_message(OFFICIAL, "您好")


async def test_deleting_a_members_message_needs_the_right_to_delete(
    bot: Bot, sim: ControlClient
) -> None:
    from telegram import ChatMemberAdministrator

    said = await sim.send(GROUP_ID, RESIDENT, "我电话13812345678")
    member = await bot.get_chat_member(GROUP_ID, BOT_ID)
    assert isinstance(member, ChatMemberAdministrator) and member.can_delete_messages
    await sim.set_bot_status(GROUP_ID, "administrator", rights={"can_delete_messages": False})
    member = await bot.get_chat_member(GROUP_ID, BOT_ID)
    assert isinstance(member, ChatMemberAdministrator) and not member.can_delete_messages
    with pytest.raises(BadRequest, match="can't be deleted"):
        await bot.delete_message(GROUP_ID, said["message_id"])
    await sim.set_bot_status(GROUP_ID, "member")
    with pytest.raises(BadRequest, match="can't be deleted"):
        await bot.delete_message(GROUP_ID, said["message_id"])
    await sim.set_bot_status(GROUP_ID, "administrator")
    assert await bot.delete_message(GROUP_ID, said["message_id"]) is True
    with pytest.raises(BadRequest, match="not found"):
        await bot.delete_message(GROUP_ID, said["message_id"])
