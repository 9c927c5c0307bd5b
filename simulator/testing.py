"""Helpers for tests that run python-telegram-bot against the simulator.

Imports python-telegram-bot, so only tests import this module; the server never does.
"""

from __future__ import annotations

import io
from typing import Any

from telegram import Bot, TelegramObject

from simulator.server import SimulatorServer

TOKEN = "123456:test-secret"
BOT_ID = 123456
GROUP_ID = -1001000000001
RESIDENT, LEADER, OFFICIAL, OUTSIDER = 1001, 2001, 3001, 4001

# A small world: a grid group with a resident, its leader (an admin) and a street official.
WORLD: dict[str, Any] = {
    "users": [
        {"id": RESIDENT, "name": "王阿姨", "role": "居民"},
        {"id": LEADER, "name": "李网格长", "role": "网格长", "started": True},
        {"id": OFFICIAL, "name": "张科长", "role": "街道", "username": "zhang_street"},
        {"id": OUTSIDER, "name": "路人甲", "role": "居民"},
    ],
    "groups": [
        {
            "chat_id": GROUP_ID,
            "title": "福业街网格群",
            "members": [RESIDENT, OFFICIAL],
            "admins": [LEADER],
            "bot_is_admin": True,
        }
    ],
}


def png_bytes(
    width: int = 64, height: int = 48, color: tuple[int, int, int] = (200, 60, 60)
) -> bytes:
    """A small PNG image made on the spot."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def unknown_fields(obj: Any, path: str = "") -> list[str]:
    """Fields that python-telegram-bot did not recognise (kept in api_kwargs), recursively.

    A faithful server sends none: each would be a name Telegram does not use.
    """
    found: list[str] = []
    if isinstance(obj, (tuple, list)):
        for index, item in enumerate(obj):
            found.extend(unknown_fields(item, f"{path}[{index}]"))
    elif isinstance(obj, TelegramObject):
        found.extend(f"{path}.{name}" for name in obj.api_kwargs)
        for name, value in obj._get_attrs(recursive=False).items():
            if name == "api_kwargs":
                continue
            found.extend(unknown_fields(value, f"{path}.{name}"))
    return found


def make_bot(server: SimulatorServer, token: str = TOKEN) -> Bot:
    """A telegram.Bot that talks to the simulator."""
    return Bot(token, base_url=server.api_base_url, base_file_url=server.file_base_url)
