"""The demo's world: the people and groups of a configuration as the local Telegram's seed (plus
demo residents), and the configuration the demo runs with."""

from __future__ import annotations

from typing import Any

from bot.cases.roles import positions_of
from bot.config import Config

DEMO_BOT = {"token": "7000000001:gridbot-demo-token", "username": "gridbot", "first_name": "网格通"}
# Residents who live in every demo grid; one of them has never started the bot, so the demo
# shows the rating request falling back to a mention in the group.
DEMO_RESIDENTS = [
    {"id": 9000001, "name": "王阿姨", "role": "居民", "started": True},
    {"id": 9000002, "name": "李大爷", "role": "居民", "started": True},
    {"id": 9000003, "name": "张小姐", "role": "居民", "started": False},
]
_TITLES = {
    "grid_leader": "网格长",
    "grid_worker": "网格员",
    "community_staff": "社区",
    "street_staff": "街道",
    "department": "部门",
    "district_staff": "区",
    "admin": "管理员",
}


def role_label(config: Config, user_id: int) -> str:
    """How the persona switcher names someone: 网格长 · 城河一网格."""
    labels = []
    for position in positions_of(config, user_id):
        title = _TITLES.get(position.title, position.title)
        where = ""
        if position.department_id:
            where = next((d.name for d in config.departments if d.id == position.department_id), "")
        elif position.title.startswith("grid"):
            grid = config.grid(position.scope_id)
            where = grid.name if grid else ""
        elif position.title == "community_staff":
            community = config.community(position.scope_id)
            where = community.name if community else ""
        elif position.title == "street_staff":
            street = config.street(position.scope_id)
            where = street.name if street else ""
        labels.append(f"{title} · {where}" if where else title)
    return "；".join(labels) or "居民"


def with_residents(
    spec: dict[str, Any], per_group: int, *, first_id: int, stride: int, name: str = "居民"
) -> dict[str, Any]:
    """`per_group` more started residents in every group of a simulator spec (for load tests
    and benches): resident r of group g is user first_id + g * stride + r."""
    for index, group in enumerate(spec["groups"]):
        for r in range(per_group):
            user_id = first_id + index * stride + r
            spec["users"].append({"id": user_id, "name": f"{name}{index}-{r}", "started": True})
            group["members"].append(user_id)
    return spec


def simulator_spec(config: Config, *, bot: dict[str, Any] | None = None) -> dict[str, Any]:
    """Users (staff started, so the bot may write to them), grid groups with their people, and
    the configured time zone, which the web chat shows times in."""
    users = [
        {"id": u.id, "name": u.name, "role": role_label(config, u.id), "started": True}
        for u in config.users
    ]
    users += DEMO_RESIDENTS
    residents = [r["id"] for r in DEMO_RESIDENTS]
    groups = []
    for grid in config.grids():
        community = config.community_of(grid.id)
        members = [grid.leader, *grid.workers, *community.staff[:1], *residents]
        groups.append(
            {
                "chat_id": grid.chat_id,
                "title": f"{grid.name}群",
                "members": list(dict.fromkeys(members)),
                "admins": [grid.leader],
                "bot_is_admin": True,
                "type": "supergroup",
            }
        )
    return {
        "bots": [bot or DEMO_BOT],
        "users": users,
        "groups": groups,
        "timezone": config.calendar.timezone,
    }


def demo_config(config: Config, *, quiet_hours: bool = False) -> Config:
    """The configuration as the demo runs it: quiet hours off unless asked for, so that a demo
    started in the evening shows a report's whole way (the leader's case, the rating request)
    at once instead of at the end of the quiet hours."""
    if quiet_hours:
        return config
    quiet = config.quiet_hours.model_copy(update={"enabled": False})
    return config.model_copy(update={"quiet_hours": quiet})
