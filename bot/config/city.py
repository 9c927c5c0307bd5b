"""A generated city-size configuration in the real TOML format, for benches, tests and trials.

The format has one `[district]` table (the level-4 tier); a city is written as that one table for
the city (宁波市, its departments level 4) and its districts (区/县) as the first part of each
street's name and id: district → streets → communities/villages → grids, with a leader and a
worker per grid, two staff per community and street, and five street departments covering every
category, as in examples/zhenhai.toml. Names and ids are plausible and unique; the same `grids`
and `seed` always give the same text.

    gridbot city-config --grids 10000 --out city.toml
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# Ningbo's districts and counties (pinyin initials for ids), about 10,000 grids in all.
DISTRICTS: tuple[tuple[str, str], ...] = (
    ("hs", "海曙区"),
    ("jb", "江北区"),
    ("zh", "镇海区"),
    ("bl", "北仑区"),
    ("yz", "鄞州区"),
    ("fh", "奉化区"),
    ("yy", "余姚市"),
    ("cx", "慈溪市"),
    ("nh", "宁海县"),
    ("xs", "象山县"),
)

# Syllables of place names; two of them make a street, community or village name.
_SYLLABLES = (
    "和丰安宁康泰兴隆福寿永昌文明德仁义礼智信华光荣盛鼎新东南西北中江河湖海山岭"
    "桥塘湾港浦溪泉林松柏桂梅兰竹菊荷花月星阳春秋金玉银锦绣龙凤麟鹤明清嘉庆长乐"
    "平定胜利建设前进红旗青云白沙石门"
)

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
_GIVEN = "建国海波丽萍志强春梅文斌美华伟东佳琪明秀英晓燕立军雅琴国良红霞亚萍永刚雪芬振华新婷鹏飞金根素娟君磊敏慧芳杰涛峰勇静"

_GRID_TYPES = ("community", "community", "community", "business", "floating", "enterprise")
_RURAL_TYPES = ("rural", "rural", "enterprise", "demolition")
_NUMERALS = "一二三四五六七八九十"

# Five street departments covering all 13 categories, and the city's level-4 ones.
_STREET_DEPARTMENTS = (
    ("zongzhi", "综治办", ("dispute", "labor", "public_security")),
    ("zhifa", "综合行政执法中队", ("illegal_building", "street_order", "pollution")),
    ("shichang", "市场监管所", ("market_safety",)),
    ("yingji", "应急管理办", ("fire_hazard", "disaster")),
    ("gongfu", "城建与公共服务办", ("facility_repair", "sanitation", "livelihood", "other")),
)
_CITY_DEPARTMENTS = (
    ("zhengfawei", "市委政法委", ("dispute", "public_security", "other")),
    ("renshe", "市人力社保局", ("labor",)),
    ("zhifa", "市综合行政执法局", ("illegal_building", "street_order", "sanitation")),
    ("shengtai", "市生态环境局", ("pollution",)),
    ("shichang", "市市场监管局", ("market_safety",)),
    ("yingji", "市应急管理局", ("fire_hazard", "disaster")),
    ("zhujian", "市住建局", ("facility_repair",)),
    ("minzheng", "市民政局", ("livelihood",)),
)

FIRST_USER_ID = 200_000_001
FIRST_CHAT_ID = -1002000000001


@dataclass(frozen=True)
class CityShape:
    """How many of each tier a city of `grids` grids has (about Ningbo's proportions: some 15
    streets per district, 20 communities per street, 3-4 grids per community)."""

    grids: int
    districts: int
    streets: int
    communities: int


def city_shape(grids: int) -> CityShape:
    if grids < 1:
        raise ValueError(f"a city needs at least one grid, got {grids}")
    communities = max(1, round(grids / 3.3))
    streets = max(1, round(communities / 20))
    districts = min(len(DISTRICTS), streets)
    return CityShape(grids, districts, streets, communities)


def _spread(total: int, parts: int) -> list[int]:
    """`total` split into `parts` counts differing by at most one."""
    base, extra = divmod(total, parts)
    return [base + (i < extra) for i in range(parts)]


class _Names:
    """Unique two-syllable place names and plausible people's names, drawn reproducibly."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        pairs = [a + b for a in _SYLLABLES for b in _SYLLABLES if a != b]
        rng.shuffle(pairs)
        self._places = iter(pairs)
        self._extra = 0

    def place(self) -> str:
        name = next(self._places, None)
        if name is None:  # more than ~9,000 names asked for: number the rest
            self._extra += 1
            name = f"新{self._extra}"
        return name

    def person(self) -> str:
        given = self.rng.choice(_GIVEN) + (
            self.rng.choice(_GIVEN) if self.rng.random() < 0.7 else ""
        )
        return self.rng.choice(_SURNAMES) + given


def _ids(values: list[int]) -> str:
    return "[" + ", ".join(str(v) for v in values) + "]"


def _strings(values: list[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


def city_config_text(grids: int = 10_000, *, seed: int = 2026, city: str = "宁波市") -> str:
    """The TOML text of a city with `grids` grids (see the module docstring)."""
    shape = city_shape(grids)
    rng = random.Random(seed)
    names = _Names(rng)
    users: list[tuple[int, str]] = []

    def new_user() -> int:
        user_id = FIRST_USER_ID + len(users)
        users.append((user_id, names.person()))
        return user_id

    district_staff = [new_user(), new_user()]
    admins = [new_user()]
    streets_per_district = _spread(shape.streets, shape.districts)
    communities_per_street = _spread(shape.communities, shape.streets)
    grids_per_community = _spread(shape.grids, shape.communities)
    rng.shuffle(grids_per_community)  # some communities bigger than others, as in life

    body: list[str] = []
    departments: list[str] = []
    street_no = community_no = grid_no = 0
    for d, (dcode, dname) in enumerate(DISTRICTS[: shape.districts]):
        body.append(f"\n# {'=' * 30} {dname} {'=' * 30}")
        for s in range(streets_per_district[d]):
            sname = names.place()
            sid = f"{dcode}-s{s + 1:02d}"
            kind_of_street = "镇" if street_no % 3 == 2 else "街道"
            body += [
                "\n[[streets]]",
                f'id = "{sid}"',
                f'name = "{dname}{sname}{kind_of_street}"',
                f"staff = {_ids([new_user(), new_user()])}",
            ]
            for code, dept_name, categories in _STREET_DEPARTMENTS:
                handlers = [new_user()] + ([new_user()] if code in ("zongzhi", "yingji") else [])
                departments += [
                    "\n[[departments]]",
                    f'id = "{sid}-{code}"',
                    f'name = "{sname}{kind_of_street}{dept_name}"',
                    "level = 3",
                    f'street = "{sid}"',
                    f"categories = {_strings(list(categories))}",
                    f"handlers = {_ids(handlers)}",
                ]
            for c in range(communities_per_street[street_no]):
                village = kind_of_street == "镇" and c % 2 == 1
                cname = names.place()
                cid = f"{sid}-c{c + 1:02d}"
                body += [
                    "\n[[streets.communities]]",
                    f'id = "{cid}"',
                    f'name = "{cname}{"村" if village else "社区"}"',
                    f'kind = "{"village" if village else "community"}"',
                    f"staff = {_ids([new_user(), new_user()])}",
                ]
                for g in range(grids_per_community[community_no]):
                    numeral = _NUMERALS[g] if g < len(_NUMERALS) else str(g + 1)
                    kinds = _RURAL_TYPES if village else _GRID_TYPES
                    places = [f"{cname}{numeral}区", f"{cname}路{g * 20 + 1}-{g * 20 + 20}号"]
                    body += [
                        "\n[[streets.communities.grids]]",
                        f'id = "{cid}-g{g + 1}"',
                        f'name = "{cname}{numeral}网格"',
                        f'type = "{kinds[(grid_no + g) % len(kinds)]}"',
                        f"chat_id = {FIRST_CHAT_ID - grid_no}",
                        f"leader = {new_user()}",
                        f"workers = {_ids([new_user()])}",
                        f"places = {_strings(places)}",
                    ]
                    grid_no += 1
                community_no += 1
            street_no += 1
    for code, dept_name, categories in _CITY_DEPARTMENTS:
        departments += [
            "\n[[departments]]",
            f'id = "city-{code}"',
            f'name = "{dept_name}"',
            "level = 4",
            f"categories = {_strings(list(categories))}",
            f"handlers = {_ids([new_user(), new_user()])}",
        ]

    head = [
        f"# 网格通 Gridbot — 生成的城市配置 generated city configuration: {city}, "
        f"{shape.districts} districts, {shape.streets} streets, {shape.communities} communities, "
        f"{shape.grids} grids (gridbot city-config --grids {grids} --seed {seed}).",
        "# Names, user ids and chat ids are invented.",
        "users = [",
        *(f'  {{ id = {uid}, name = "{name}" }},' for uid, name in users),
        "]",
        "",
        "[district]",
        'id = "city"',
        f'name = "{city}"',
        f"staff = {_ids(district_staff)}",
        f"admins = {_ids(admins)}",
        "",
        "[deadlines.1]\naccept_hours = 2\nresolve_hours = 24",
        "[deadlines.2]\naccept_hours = 4\nresolve_hours = 72",
        "[deadlines.3]\naccept_hours = 8\nresolve_hours = 120",
        "[deadlines.4]\naccept_hours = 24\nresolve_hours = 240",
        "",
        '[calendar]\ntimezone = "Asia/Shanghai"',
    ]
    return "\n".join(head + body + departments) + "\n"
