"""What the browser tests need: Debian's Chromium and the fonts that draw Chinese and emoji.

Locally a missing piece skips the browser tests with the reason (`pytest -rs` shows it); in CI
(`CI` set) it fails them, so CI can never go green without having looked through a browser.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf",
)
LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

# How long a browser test waits for something to show (ms). Playwright's expect() gives 5 s,
# which Chromium beside the bot and the suite on a loaded machine can use up; a passing run
# waits no longer for it.
WAIT_MS = 30_000


def be_patient() -> None:
    """Every expect() in the test waits WAIT_MS unless it says otherwise."""
    from playwright.async_api import expect

    expect.set_options(timeout=WAIT_MS)


def missing() -> list[str]:
    """The browser and font files that are not installed."""
    return [path for path in (CHROMIUM, *FONTS) if not Path(path).exists()]


def require_browser() -> None:
    """Skip (locally) or fail (in CI) when Chromium or a font is missing."""
    absent = missing()
    if not absent:
        return
    reason = (
        f"not installed: {', '.join(absent)} (`make system-deps` as root installs chromium, "
        "fonts-wqy-microhei and fonts-noto-color-emoji)"
    )
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; in CI a browser test may not skip", pytrace=False)
    pytest.skip(reason)
