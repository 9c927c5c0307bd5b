"""The web chat in a real browser: a resident writes in a grid group, a tiny echo bot answers,
the resident presses its button; the persona switcher and the times of a configured zone.
Screenshots go to tests/artifacts/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from simulator import ControlClient, SimulatorServer, seed
from simulator.testing import GROUP_ID, LEADER, RESIDENT, TOKEN, WORLD
from tests.browser import CHROMIUM, LAUNCH_ARGS, WAIT_MS, be_patient, require_browser

ARTIFACTS = Path(__file__).parent / "artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.timeout(60),
]


@pytest.fixture(autouse=True)
def _browser_installed() -> None:
    require_browser()
    be_patient()


RATING = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("👍 满意", callback_data="v1:rate:good"),
            InlineKeyboardButton("👎 不满意", callback_data="v1:rate:bad"),
        ]
    ]
)


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo a group message as a small card with rating buttons, typing first."""
    message = update.effective_message
    assert message is not None and message.text is not None
    await context.bot.send_chat_action(message.chat_id, "typing")
    await message.reply_html(
        f"<b>已收到</b>：{message.text}\n编号 <code>FY-0001</code>", reply_markup=RATING
    )


async def rate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Thank for the rating and keep the card without buttons."""
    query = update.callback_query
    assert query is not None and query.message is not None
    await query.answer("感谢您的评价")
    await query.edit_message_text(
        f"{query.message.text_html}\n评价：<b>满意</b>", parse_mode="HTML"
    )


@pytest.fixture
async def world() -> AsyncIterator[SimulatorServer]:
    async with SimulatorServer() as server:
        server.register_bot(TOKEN, username="gridbot", first_name="网格通")
        await seed(server, WORLD)
        application: Application = (
            ApplicationBuilder()
            .token(TOKEN)
            .base_url(server.api_base_url)
            .base_file_url(server.file_base_url)
            .build()
        )
        application.add_handler(MessageHandler(filters.TEXT & filters.ChatType.GROUPS, echo))
        application.add_handler(CallbackQueryHandler(rate))
        async with application:
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(poll_interval=0, timeout=5)
            yield server
            await application.updater.stop()
            await application.stop()


async def test_a_resident_writes_in_a_group_and_presses_the_bots_button(
    world: SimulatorServer,
) -> None:
    from playwright.async_api import async_playwright, expect

    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1200, "height": 780})
            await page.goto(world.base_url + "/")
            await page.wait_for_selector("body[data-ready='1']")

            await page.click("#me-avatar")
            await page.click(f".persona[data-user-id='{RESIDENT}']")
            await expect(page.locator("#me-name")).to_have_text("王阿姨")
            await page.click(".chat-item:has-text('福业街网格群')")
            await page.fill("#input", "福业街菜场门口路面塌了个坑 晚上骑车很危险")
            await page.press("#input", "Enter")

            card = page.locator(".msg:not(.me) .bubble", has_text="已收到")
            await expect(card).to_be_visible(timeout=WAIT_MS)
            await expect(page.locator(".msg.me .bubble", has_text="路面塌了")).to_be_visible()
            await page.locator(".msg:not(.me)").last.hover()
            await page.screenshot(path=str(ARTIFACTS / "sim_browser_card.png"))
            await page.click(".keyboard button:has-text('满意')")
            await expect(page.locator("#toast")).to_have_text("感谢您的评价")
            await expect(page.locator(".bubble", has_text="评价：满意")).to_be_visible()
            bot_message = page.locator(".msg:not(.me)").last
            await bot_message.hover()
            await bot_message.locator(".actions button").first.click()  # 赞: a 👍 reaction
            await expect(bot_message.locator(".reaction.mine")).to_have_text("👍 1")
            await page.screenshot(path=str(ARTIFACTS / "sim_browser_desktop.png"))

            phone = await browser.new_page(
                viewport={"width": 390, "height": 780}, is_mobile=True, has_touch=True
            )
            await phone.goto(f"{world.base_url}/?as={LEADER}")
            await phone.wait_for_selector("body[data-ready='1']")
            await phone.screenshot(path=str(ARTIFACTS / "sim_browser_phone_list.png"))
            await phone.click(".chat-item:has-text('福业街网格群')")
            await expect(phone.locator(".bubble", has_text="评价：满意")).to_be_visible()
            await phone.screenshot(path=str(ARTIFACTS / "sim_browser_phone_chat.png"))
        finally:
            await browser.close()
    transcript = world.state.group(GROUP_ID)
    assert transcript is not None and len(transcript.messages) == 2


# People as the demo names them (bot/demo_people.py: "title · where", several joined by "；"),
# listed residents first so that the page has to reorder them.
STAFF_WORLD = {
    "timezone": "Asia/Kathmandu",  # UTC+05:45: even its minutes differ from UTC and the browser
    "users": [
        {"id": 9000001, "name": "王阿姨", "role": "居民"},
        {"id": 100501, "name": "庞敏", "role": "区"},
        {"id": 100502, "name": "史晓军", "role": "区级"},
        {"id": 100301, "name": "葛志刚", "role": "部门 · 招宝山街道综治办"},
        {"id": 100201, "name": "马建军", "role": "街道 · 招宝山街道"},
        {"id": 100101, "name": "何丽娟", "role": "社区 · 城河社区"},  # not under 区
        {"id": 100002, "name": "林晓燕", "role": "网格员 · 城河一网格"},
        {"id": 100001, "name": "陈建国", "role": "网格长 · 城河一网格", "started": True},
        {"id": 100003, "name": "王海波", "role": "网格员 · 城河一网格；网格长 · 城河二网格"},
        {"id": 100503, "name": "郭磊", "role": "管理员"},
    ],
    "groups": [
        {
            "chat_id": -1001000001101,
            "title": "城河一网格群",
            "members": [9000001, 100002, 100101],
            "admins": [100001],
        }
    ],
}
LEADERS_FIRST = ["网格长", "网格员", "社区", "街道", "部门", "区", "管理员", "居民"]


BROWSER_ZONE = "America/Los_Angeles"  # neither the machine's clock (UTC) nor the bot's zone
GROUP_KEY = "g:-1001000001101"


def _clock(seconds: int, zone: str) -> str:
    return datetime.fromtimestamp(seconds, ZoneInfo(zone)).strftime("%H:%M")


@pytest.fixture
async def staff() -> AsyncIterator[tuple[SimulatorServer, ControlClient]]:
    async with SimulatorServer() as server, ControlClient(server.base_url) as sim:
        server.register_bot(TOKEN, username="gridbot", first_name="网格通")
        await seed(server, STAFF_WORLD)
        yield server, sim


async def test_times_read_in_the_bots_zone_not_the_browsers(
    staff: tuple[SimulatorServer, ControlClient],
) -> None:
    from playwright.async_api import async_playwright, expect

    server, sim = staff
    said = await sim.send(GROUP_KEY, 9000001, "城河小区3号楼门口的路灯坏了")
    in_zone = _clock(said["date"], "Asia/Kathmandu")
    assert in_zone not in (_clock(said["date"], BROWSER_ZONE), _clock(said["date"], "UTC"))
    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            context = await browser.new_context(
                viewport={"width": 1280, "height": 800}, timezone_id=BROWSER_ZONE
            )
            page = await context.new_page()
            await page.goto(f"{server.base_url}/?as=9000001&chat={GROUP_KEY}")
            await page.wait_for_selector("body[data-ready='1']")
            assert await page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == (
                BROWSER_ZONE
            )
            separator = page.locator(".time-sep").first
            await expect(separator).to_have_text(in_zone)
            await expect(page.locator(".chat-item .time").first).to_have_text(in_zone)
            title = await separator.get_attribute("title")
            assert title is not None and title.endswith(f"{in_zone}（Asia/Kathmandu）")
            await page.screenshot(path=str(ARTIFACTS / "sim_browser_zone.png"))

            # A new seed's zone reaches an open page at once.
            await sim.seed({"timezone": "Asia/Tokyo"})
            await expect(separator).to_have_text(_clock(said["date"], "Asia/Tokyo"))
        finally:
            await browser.close()


async def test_personas_are_grouped_leaders_first_and_who_you_are_shows(
    staff: tuple[SimulatorServer, ControlClient],
) -> None:
    from playwright.async_api import async_playwright, expect

    server, _ = staff
    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 800})
            await page.goto(f"{server.base_url}/?as=100001&chat={GROUP_KEY}")
            await page.wait_for_selector("body[data-ready='1']")

            # Who you are is on the desktop page itself, not only behind a click.
            me = page.locator("#me-button")
            await expect(me).to_be_visible()
            await expect(me).to_contain_text("当前身份：陈建国 · 网格长")
            await expect(me).to_contain_text("城河一网格")

            await me.click()
            groups = page.locator("#persona-list .persona-group")
            await expect(groups.first).to_be_visible()
            order = await groups.evaluate_all("sections => sections.map(s => s.dataset.group)")
            assert order == LEADERS_FIRST
            await expect(page.locator("#persona-jump button")).to_have_text(LEADERS_FIRST)
            leaders = page.locator(".persona-group[data-group='网格长'] .persona")
            await expect(leaders).to_have_count(2)  # 王海波 leads one grid, works in another
            await expect(leaders.first).to_contain_text("陈建国")
            await expect(leaders.first).to_contain_text("当前")
            await expect(leaders.nth(1)).to_contain_text("城河二网格；网格员 · 城河一网格")
            await expect(
                page.locator(".persona-group[data-group='网格长'] .group-title")
            ).to_have_text("网格长（2）")
            district = page.locator(".persona-group[data-group='区'] .persona")
            await expect(district).to_have_count(2)  # 区 and 区级, and not 社区
            await expect(
                page.locator(".persona-group[data-group='社区'] .persona")
            ).to_contain_text("何丽娟")
            await page.screenshot(path=str(ARTIFACTS / "sim_browser_personas.png"))

            await page.click(".persona[data-user-id='100201']")
            await expect(me).to_contain_text("当前身份：马建军 · 街道")
            await expect(me).to_contain_text("招宝山街道")
        finally:
            await browser.close()


async def test_a_message_the_bot_removed_says_who_removed_it_not_that_its_author_took_it_back(
    world: SimulatorServer,
) -> None:
    from playwright.async_api import async_playwright, expect
    from telegram import Bot

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1200, "height": 780})
            await page.goto(f"{world.base_url}/?as={RESIDENT}")
            await page.wait_for_selector("body[data-ready='1']")
            await page.click(".chat-item:has-text('福业街网格群')")
            await page.fill("#input", "路灯坏了 我电话13812345678")
            await page.press("#input", "Enter")
            await expect(page.locator(".bubble", has_text="已收到")).to_be_visible(timeout=WAIT_MS)
            group = world.state.group(GROUP_ID)
            assert group is not None
            mine = next(m for m in group.messages.values() if m.sender_id == RESIDENT)
            async with Bot(TOKEN, base_url=world.api_base_url) as bot:
                await bot.delete_message(GROUP_ID, mine.message_id)
            await expect(
                page.locator(".system", has_text="网格通 删除了我的一条消息")
            ).to_be_visible()
            await expect(page.locator(".msg.me .bubble")).to_have_count(0)
            assert await page.locator("text=撤回").count() == 0
        finally:
            await browser.close()
