"""The whole flow in the web chat, with the real bot: a resident reports in the group, the grid
leader accepts and resolves in private, the resident taps 👍 满意 and likes the resolution.
Screenshots go to tests/artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cases.models import CaseStatus
from storage import feedback as feedback_sql
from tests.browser import CHROMIUM, LAUNCH_ARGS, WAIT_MS, be_patient, require_browser
from tests.e2e import GROUP, WANG, Live

ARTIFACTS = Path(__file__).parent / "artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.timeout(90),
]


@pytest.fixture(autouse=True)
def _browser_installed() -> None:
    require_browser()
    be_patient()


GROUP_TITLE = "城河一网格群"
BOT_NAME = "网格通"


async def _open(page, live: Live, user_id: int, chat_title: str) -> None:
    await page.goto(f"{live.server.base_url}/?as={user_id}")
    await page.wait_for_selector("body[data-ready='1']")
    await page.click(f".chat-item:has(.name:text-is('{chat_title}'))")


async def test_report_accept_resolve_rate_and_like_in_the_web_chat(live: Live) -> None:
    from playwright.async_api import async_playwright, expect

    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1200, "height": 800})
            # The resident reports in the group and sees the case card appear.
            await _open(page, live, WANG, GROUP_TITLE)
            await page.fill("#input", "城河小区3号楼门口的垃圾桶盖子掉了 麻烦网格员看一下")
            await page.press("#input", "Enter")
            card = page.locator(".msg:not(.me) .bubble", has_text="案件")
            await expect(card).to_be_visible(timeout=WAIT_MS)
            await page.screenshot(path=str(ARTIFACTS / "flow_1_report.png"))
            case = await live.case()
            leader = case.assignee_id

            # The handler accepts and resolves from the private notice.
            await _open(page, live, leader, BOT_NAME)
            await page.screenshot(path=str(ARTIFACTS / "flow_2a_notice.png"))
            notice = page.locator(".msg:not(.me)", has_text=case.number).last
            await notice.locator(".keyboard button:has-text('接单')").click()
            await expect(page.locator("#toast")).to_contain_text("已接单", timeout=WAIT_MS)
            await notice.locator(".keyboard button:has-text('办结')").click()
            await expect(page.locator(".bubble", has_text="办理结果")).to_be_visible(
                timeout=WAIT_MS
            )
            await page.fill("#input", "盖子已经装回去并固定好了")
            await page.press("#input", "Enter")
            skip = page.locator(".msg:not(.me)").last.locator(".keyboard button:has-text('跳过')")
            await skip.click(timeout=WAIT_MS)
            # The card itself now says ✅ 已办结 too: wait for the bot's answer to 跳过.
            await expect(page.locator(".bubble", has_text="已请报事人评价")).to_be_visible(
                timeout=WAIT_MS
            )
            await page.screenshot(path=str(ARTIFACTS / "flow_2_handler.png"))

            # The resident rates with one tap, then likes the resolution in the group.
            await _open(page, live, WANG, BOT_NAME)
            rating = page.locator(".msg:not(.me)", has_text="请为处理结果打分").last
            await rating.locator(".keyboard button:has-text('满意')").first.click()
            await expect(page.locator("#toast")).to_contain_text("谢谢", timeout=WAIT_MS)
            await _open(page, live, WANG, GROUP_TITLE)
            resolution = page.locator(".msg:not(.me)", has_text="已办结").last
            await resolution.hover()
            await resolution.locator(".actions button").first.click()
            await expect(resolution.locator(".reaction.mine")).to_have_text("👍 1", timeout=WAIT_MS)
            await page.screenshot(path=str(ARTIFACTS / "flow_3_liked.png"))
        finally:
            await browser.close()
    await live.settle()
    closed = await live.case(case.number)
    assert closed.status == CaseStatus.CLOSED
    assert await feedback_sql.count_likes(live.services.db.reader, case.id) == 1
    assert GROUP
