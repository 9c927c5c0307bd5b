"""The control API: seeding, people acting in chats, transcripts and waiting without sleeps."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.config import Config
from simulator import ControlClient, SimulatorServer, seed
from simulator.client import ControlError
from simulator.testing import BOT_ID, GROUP_ID, LEADER, RESIDENT, WORLD, make_bot, png_bytes

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
async def server() -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer() as running:
        await seed(running, WORLD)
        yield running


@pytest.fixture
async def sim(server: SimulatorServer) -> AsyncIterator[ControlClient]:
    async with ControlClient(server.base_url) as client:
        yield client


@pytest.fixture
async def bot(server: SimulatorServer) -> AsyncIterator[Bot]:
    async with make_bot(server) as telegram_bot:
        yield telegram_bot


async def test_seeding_makes_users_groups_and_started_chats(
    server: SimulatorServer, sim: ControlClient, bot: Bot
) -> None:
    state = await sim.state()
    assert {u["name"] for u in state["users"]} >= {"王阿姨", "李网格长", "张科长"}
    group = server.state.group(GROUP_ID)
    assert group is not None and group.member_status(BOT_ID) == "administrator"
    assert server.state.private_chat(BOT_ID, LEADER) is not None  # "started": true
    assert server.state.private_chat(BOT_ID, RESIDENT) is None


async def test_seeding_twice_updates_in_place(server: SimulatorServer) -> None:
    counts = await seed(server, WORLD)
    assert counts == {"bots": 0, "users": 4, "groups": 1}


async def test_the_seed_names_the_zone_the_web_chat_shows_times_in(
    server: SimulatorServer, sim: ControlClient
) -> None:
    assert (await sim.state())["timezone"] == "Asia/Shanghai"  # the default, as the bot's
    after = server.state.last_event_seq
    await sim.seed({"timezone": "Asia/Kathmandu"})
    assert (await sim.state())["timezone"] == "Asia/Kathmandu"
    event = await sim.wait_event(after=after, kind="settings")
    assert event["data"] == {"timezone": "Asia/Kathmandu"}
    with pytest.raises(ControlError, match="unknown timezone"):
        await sim.seed({"timezone": "Mars/Olympus_Mons"})
    assert (await sim.state())["timezone"] == "Asia/Kathmandu"
    await sim.reset()
    assert (await sim.state())["timezone"] == "Asia/Shanghai"


async def test_the_demo_seeds_the_configured_zone(server: SimulatorServer, config: Config) -> None:
    from bot.cli.demo_people import simulator_spec

    calendar = config.calendar.model_copy(update={"timezone": "Asia/Urumqi"})
    await seed(server, simulator_spec(config.model_copy(update={"calendar": calendar})))
    assert server.state.timezone == "Asia/Urumqi"


async def test_a_user_message_gets_telegrams_entities(sim: ControlClient) -> None:
    sent = await sim.send(GROUP_ID, RESIDENT, "/report@gridbot 路灯坏了 #照明 @zhang_street")
    assert [e["type"] for e in sent["entities"]] == ["bot_command", "hashtag", "mention"]
    assert sent["entities"][0] == {"type": "bot_command", "offset": 0, "length": 15}


async def test_photo_location_and_reply_are_posted(sim: ControlClient) -> None:
    first = await sim.send(GROUP_ID, RESIDENT, "看这里")
    photo = await sim.send(
        GROUP_ID, RESIDENT, None, photo=png_bytes(), caption="坑", reply_to=first["message_id"]
    )
    place = await sim.send(GROUP_ID, RESIDENT, None, location=(29.96, 121.72))
    assert photo["photo"][0]["width"] == 64 and photo["caption"] == "坑"
    assert photo["reply_to_message"]["text"] == "看这里"
    assert place["location"] == {"latitude": 29.96, "longitude": 121.72}


async def test_people_outside_a_group_cannot_post_in_it(sim: ControlClient) -> None:
    with pytest.raises(ControlError, match="not a member"):
        await sim.send(GROUP_ID, 4001, "我不在群里")


async def test_waiting_for_a_bot_message_times_out_cleanly(sim: ControlClient) -> None:
    await sim.send(GROUP_ID, RESIDENT, "有人吗")
    with pytest.raises(TimeoutError):
        await sim.wait_bot_message(GROUP_ID, timeout=0.2)


async def test_waiting_returns_the_bot_reply_that_came_after(sim: ControlClient, bot: Bot) -> None:
    said = await sim.send(GROUP_ID, RESIDENT, "有人吗")
    waiting = asyncio.create_task(sim.wait_bot_message(GROUP_ID))
    await asyncio.sleep(0.1)
    await bot.send_message(GROUP_ID, "在的")
    reply = await waiting
    assert reply["text"] == "在的" and reply["message_id"] > said["message_id"]


async def test_an_unanswered_button_reports_that_after_the_timeout(
    sim: ControlClient, bot: Bot
) -> None:
    card = await bot.send_message(
        GROUP_ID,
        "案件",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("接单", callback_data="v1:a:1")]]),
    )
    pressed = await sim.press(GROUP_ID, card.message_id, LEADER, data="v1:a:1", timeout=0.2)
    assert pressed == {
        "query_id": pressed["query_id"],
        "data": "v1:a:1",
        "answered": False,
        "answer": None,
    }
    with pytest.raises(ControlError, match="no such button"):
        await sim.press(GROUP_ID, card.message_id, LEADER, data="v1:other")


async def test_the_transcript_keeps_edits_reactions_and_deletions(
    sim: ControlClient, bot: Bot
) -> None:
    sent = await bot.send_message(GROUP_ID, "第一版")
    await bot.edit_message_text("第二版", chat_id=GROUP_ID, message_id=sent.message_id)
    await sim.react(GROUP_ID, sent.message_id, RESIDENT, "👍")
    await sim.react(GROUP_ID, sent.message_id, LEADER, "👍")
    gone = await bot.send_message(GROUP_ID, "撤回")
    await bot.delete_message(GROUP_ID, gone.message_id)
    first, second = await sim.transcript(GROUP_ID)
    assert first["text"] == "第二版" and [h["text"] for h in first["history"]] == ["第一版"]
    assert first["reactions"] == {"👍": [RESIDENT, LEADER]} and first["from_bot"]
    assert second["deleted"] is True


async def test_reactions_must_be_telegram_reactions(sim: ControlClient, bot: Bot) -> None:
    sent = await bot.send_message(GROUP_ID, "x")
    with pytest.raises(ControlError, match="REACTION_INVALID"):
        await sim.react(GROUP_ID, sent.message_id, RESIDENT, "🦆")
    cleared = await sim.react(GROUP_ID, sent.message_id, RESIDENT, None)
    assert cleared["reactions"] == {}


async def test_blocking_and_restarting_tell_the_bot(sim: ControlClient, bot: Bot) -> None:
    await bot.get_updates(timeout=0)
    await sim.block(LEADER)
    await sim.start(LEADER)
    updates = await bot.get_updates(timeout=1)
    statuses = [
        (u.my_chat_member.old_chat_member.status, u.my_chat_member.new_chat_member.status)
        for u in updates
        if u.my_chat_member
    ]
    assert statuses == [("member", "kicked"), ("kicked", "member")]
    assert updates[-1].message.text == "/start"


async def test_events_can_be_awaited_by_kind(sim: ControlClient, bot: Bot) -> None:
    mark = await sim.last_event()
    await bot.send_chat_action(GROUP_ID, "typing")
    event = await sim.wait_event("typing", chat=GROUP_ID, after=mark)
    assert event["data"]["bot_id"] == BOT_ID


async def test_the_event_stream_sends_live_events(
    server: SimulatorServer, sim: ControlClient
) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{server.base_url}/control/stream") as stream,
    ):
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        await sim.send(GROUP_ID, RESIDENT, "实时")
        received = b""
        while b"\xe5\xae\x9e\xe6\x97\xb6" not in received:  # "实时"
            received += await asyncio.wait_for(stream.content.readany(), 3)
    assert b"data: " in received


async def test_chats_of_a_user_include_the_bot_to_start(sim: ControlClient, bot: Bot) -> None:
    chats = await sim.chats(RESIDENT)
    assert {c["title"] for c in chats} == {"福业街网格群", "网格通"}
    assert next(c for c in chats if c["type"] == "private")["not_started"] is True


async def test_reset_forgets_everything(server: SimulatorServer, sim: ControlClient) -> None:
    await sim.reset()
    assert (await sim.state())["users"] == [] and server.state.chats == {}


async def test_the_web_page_and_its_files_are_served(server: SimulatorServer) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(server.base_url + "/") as page:
            assert page.status == 200 and "网格通" in await page.text()
        async with session.get(server.base_url + "/web/app.js") as script:
            assert script.status == 200
