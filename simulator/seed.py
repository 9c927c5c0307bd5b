"""Fill the simulator with people and groups from one plain dict.

The dict (the lead's translation of the bot's configuration)::

    {
      "bots":   [{"token": "123:abc", "username": "gridbot", "first_name": "网格通"}],   # optional
      "users":  [{"id": 1001, "name": "王阿姨", "role": "居民", "username": "wang",
                  "started": false}],
      "groups": [{"chat_id": -1001000000001, "title": "福业街网格群", "members": [1001],
                  "admins": [2001], "bot_is_admin": true, "type": "supergroup"}],
      "started": false,     # the default for users' "started"
      "timezone": "Asia/Shanghai"   # the bot's zone: the web chat shows times in it (default)
    }

``started`` users have a private chat with the bot already (as if they had pressed START long
ago), so the bot may write to them; the others get 403 until they /start. Bots that register
after seeding join the seeded groups with the status given here.
"""

from __future__ import annotations

from typing import Any, Protocol

from simulator.state import SimState


class _HasState(Protocol):
    state: SimState


def apply_seed(state: SimState, spec: dict[str, Any]) -> dict[str, int]:
    """Apply a seed dict to a state; returns how many bots, users and groups it holds."""
    if spec.get("timezone"):
        state.set_timezone(spec["timezone"])
    for bot in spec.get("bots", []):
        state.register_bot(
            bot["token"],
            username=bot.get("username"),
            first_name=bot.get("first_name"),
            privacy_mode=bool(bot.get("privacy_mode", False)),
        )
    started_default = bool(spec.get("started", False))
    for user in spec.get("users", []):
        name = user.get("first_name") or user.get("name")
        if not name:
            raise ValueError(f"user {user.get('id')} has no name")
        user_id = int(user["id"])
        state.add_user(
            user_id,
            name,
            last_name=user.get("last_name"),
            username=user.get("username"),
            language_code=user.get("language_code", "zh-hans"),
            role=user.get("role"),
        )
        if user.get("started", started_default):
            state.started_users.add(user_id)
            for bot_id in state.bots:
                state.start_chat_silently(user_id, bot_id)
    for group in spec.get("groups", []):
        state.add_group(
            group["title"],
            chat_id=int(group["chat_id"]) if group.get("chat_id") is not None else None,
            chat_type=group.get("type"),
            members=[int(m) for m in group.get("members", [])],
            admins=[int(a) for a in group.get("admins", [])],
            creator=group.get("creator"),
            bot_is_admin=bool(group.get("bot_is_admin", True)),
            username=group.get("username"),
        )
    return {
        "bots": len(state.bots),
        "users": sum(1 for u in state.users.values() if not u.is_bot),
        "groups": sum(1 for c in state.chats.values() if c.is_group),
    }


async def seed(target: SimState | _HasState, spec: dict[str, Any]) -> dict[str, int]:
    """Seed a SimState or a SimulatorServer (anything with ``.state``) from a plain dict."""
    state = target if isinstance(target, SimState) else target.state
    return apply_seed(state, spec)
