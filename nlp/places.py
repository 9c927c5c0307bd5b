"""The place a message names: road, 小区/社区/村, building, unit, room, landmark — as one span.

Rules, not learning: Chinese addresses are built from a small set of suffixes, and a span has to
be exact enough to send a worker to it. Works on normalised text (same length as the original).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_HAN = "\u4e00-\u9fff"
_NUM = r"(?:\d{1,4}|[一二三四五六七八九十两]{1,3}|[A-Za-z])"

# Suffixes that end a named area; the name before them is found by _name_start().
_AREA_SUFFIXES = (
    "菜市场 农贸市场 小区 花园 家园 新村 新苑 公寓 大厦 广场 社区 公馆 名邸 华庭 山庄 "
    "大道 大街 胡同 路 街 巷 村 苑 府 湾 公园 医院 小学 中学 学校 幼儿园 工业园 园区 "
    "工地 菜场 市场 商场 超市 大桥 桥 河 镇 街道 中心"
).split()
_AREA_SUFFIXES.sort(key=len, reverse=True)
# Suffixes that name a place with a one-character name too (中山路 needs two, but 一村 or 桥 not).
_MIN_NAME = {"路": 2, "街": 2, "村": 2, "巷": 2, "河": 2, "桥": 2, "府": 2, "湾": 2, "镇": 2}
_MAX_NAME = 6
# A suffix followed by these is a word, not a place: 路面, 路灯, 街坊, 村民, 河水…
_NOT_AFTER = {
    "路": "(?![面灯过况线费人由子径段边上])",
    "街": "(?![坊头道])",
    "村": "(?![民委里长])",
    "河": "(?![水边道])",
    "桥": "(?![下洞面])",
    "市场": "(?![监管])",
    "中心": "(?![城])",
}

# Characters that cannot be part of a place name: the name stops before them.
_STOP_CHARS = set(
    "的在了是我你他她它们这那个有和与跟及到从给把被让说住家就都也还又很太真才刚再已对哪啥咱俺侬"
    "啊呀吧呢吗嘛哦哈嗯么去来往向里外边旁条段整各每某该此其谁要想会能快赶找问求帮请看走"
)
_STOP_PREFIXES = (
    "隔壁",
    "对面",
    "附近",
    "旁边",
    "整个",
    "那个",
    "这个",
    "我们",
    "你们",
    "他们",
    "咱们",
    "俺们",
    "老家",
    "前面",
    "后面",
    "里面",
    "外面",
    "这边",
    "那边",
    "今天",
    "昨天",
    "晚上",
    "早上",
    "每天",
    "马",
    "道",
    "公",
    "一",
    "上",
    "下",
    "逛",
    "出",
    "走",
    "修",
    "这",
    "那",
    "全",
)

_UNIT = re.compile(
    rf"{_NUM}(?:号楼|号门|号院|幢|栋|座|单元|楼|层|室|户|排|区|期|组|号)"
    r"|(?<=[栋幢座元])\s?\d{3,4}(?!\d)"  # a bare room number right after a building or unit
    r"|\d{1,3}-\d{1,2}-\d{3,4}|\d{1,3}-\d{3,4}(?![\d-])"  # 3-2-501, 3-501
)
_LANDMARKS = re.compile(
    "地下车库|地下室|地面停车场|停车场|车库|公交站台|公交车站|公交站|地铁站|地铁口|十字路口|交叉口|路口|"
    "红绿灯|天桥|桥洞|桥下|河边|河道|篮球场|健身区|垃圾房|垃圾站|快递柜|门卫室|岗亭|绿化带|人行道|"
    "消防通道|天台|楼顶|小区门口|小区大门|菜市场|菜场|农贸市场|公园|广场|超市|商场|学校|幼儿园|医院|[东南西北正后侧大]门|[东南西北]大门|出入口"
)

_CONNECTOR = set("的 与和及跟")
# Words that extend a place ("3号楼楼道", "123号门口") but name none by themselves.
_EXTENSIONS = re.compile("门口|楼道|边上|旁边|对面|附近")


@dataclass(frozen=True, order=True)
class _Part:
    start: int
    end: int
    rank: int  # 3 configured place, 2 named area, 1 building/unit/room, 0 landmark, -1 extension


def _name_start(text: str, end: int) -> int:
    """Where the name that ends at `end` begins: walk back over name characters."""
    i = end
    while i > 0 and end - i < _MAX_NAME:
        ch = text[i - 1]
        if not (re.match(rf"[{_HAN}A-Za-z0-9]", ch)) or ch in _STOP_CHARS:
            break
        i -= 1
    name = text[i:end]
    trimmed = True
    while trimmed:
        trimmed = False
        for prefix in _STOP_PREFIXES:
            if name.startswith(prefix) and len(name) > len(prefix):
                name, i, trimmed = name[len(prefix) :], i + len(prefix), True
                break
    return i


def _area_parts(text: str) -> list[_Part]:
    parts = []
    for suffix in _AREA_SUFFIXES:
        for m in re.finditer(suffix + _NOT_AFTER.get(suffix, ""), text):
            start = _name_start(text, m.start())
            name = text[start : m.start()]
            if name in _STOP_PREFIXES or len(name) < _MIN_NAME.get(suffix, 1):
                continue
            if name.isdigit():
                continue
            parts.append(_Part(start, m.end(), 2))
    # a road number: 人民路123号
    return parts


def _drop_contained(parts: list[_Part]) -> list[_Part]:
    parts = sorted(parts, key=lambda p: (p.start, -(p.end - p.start)))
    kept: list[_Part] = []
    for part in parts:
        if any(k.start <= part.start and part.end <= k.end for k in kept):
            continue
        kept.append(part)
    return kept


def find_location(text: str, places: Iterable[str] = ()) -> tuple[int, int] | None:
    """The span (start, end) of the most specific place in normalised `text`, or None."""
    parts: list[_Part] = []
    for place in places:
        if place:
            for m in re.finditer(re.escape(place), text):
                parts.append(_Part(m.start(), m.end(), 3))
    parts += _area_parts(text)
    parts += [_Part(m.start(), m.end(), 1) for m in _UNIT.finditer(text)]
    parts += [_Part(m.start(), m.end(), 0) for m in _LANDMARKS.finditer(text)]
    parts += [_Part(m.start(), m.end(), -1) for m in _EXTENSIONS.finditer(text)]
    parts = _drop_contained(parts)
    if not parts:
        return None
    chains: list[list[_Part]] = [[parts[0]]]
    for part in parts[1:]:
        last = chains[-1][-1]
        gap = text[last.end : part.start]
        if part.start <= last.end or (len(gap) <= 1 and set(gap) <= _CONNECTOR):
            chains[-1].append(part)
        else:
            chains.append([part])
    chains = [c for c in chains if max(p.rank for p in c) >= 0]
    if not chains:
        return None

    def score(chain: list[_Part]) -> tuple[int, int, int]:
        return (max(p.rank for p in chain) >= 3, len(chain), max(p.rank for p in chain))

    best = max(chains, key=score)  # max() keeps the earliest among equals
    if (
        len(best) == 1
        and best[0].rank == 1
        and not _standalone_unit(text[best[0].start : best[0].end])
    ):
        others = [c for c in chains if c is not best]
        if not others:
            return None
        best = max(others, key=score)
    return best[0].start, max(p.end for p in best)


def _standalone_unit(unit: str) -> bool:
    """A unit that names a place by itself (3号楼, 5栋), not a bare 3号 (a date or a shop number)."""
    return not re.fullmatch(rf"{_NUM}(?:号|户|组|期)", unit)
