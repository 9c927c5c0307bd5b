"""Whether two places as residents write them name the same spot (for 同问, the same problem
reported again): buildings, gates, estates and roads compared as tokens, 3号楼 = 3栋 = 3幢.

Pure string work; it imports nothing outside nlp/.
"""

from __future__ import annotations

import re


def places_overlap(a: str | None, b: str | None) -> bool:
    """Two places written by two residents name the same spot: one within the other, or they
    share a building/landmark token such as 3号楼 or 菜场门口. When both name a building or a
    gate, those decide: 城河小区3号楼 and 城河小区5号楼 are two spots in one estate."""
    if not a or not b:
        return False
    a, b = a.strip(), b.strip()
    if _within(a, b) or _within(b, a):
        return True
    tokens_a, tokens_b = set(_place_tokens(a)), set(_place_tokens(b))
    fine_a, fine_b = (
        {t for t in tokens_a if _FINE.search(t)},
        {t for t in tokens_b if _FINE.search(t)},
    )
    if fine_a and fine_b:
        return bool(fine_a & fine_b)
    return bool(tokens_a & tokens_b)


_TOKEN = re.compile(
    r"[0-9一二三四五六七八九十]+(?:号楼|幢|栋|单元|号)|[\u4e00-\u9fff]{2,6}?(?:小区|花园|苑|社区|村|路|街|大道|门口|东门|西门|南门|北门)"
)


_FINE = re.compile(r"(?:号楼|幢|栋|单元|号|门口|东门|西门|南门|北门)$")


_GATE = re.compile(r"[东西南北]门")


_BUILDING_WORD = re.compile(r"(?<=[0-9一二三四五六七八九十])(?:号楼|幢|栋|座)")
_NUMERAL = re.compile(r"[0-9一二三四五六七八九十]")


def _place_tokens(place: str) -> list[str]:
    # 3号楼, 3幢, 3栋 and 3座 are one building however it is written
    tokens = _TOKEN.findall(place) + _GATE.findall(place)
    return [_BUILDING_WORD.sub("栋", t) for t in tokens]


def _within(inner: str, outer: str) -> bool:
    """`inner` occurs in `outer` as a whole: 3号楼 is within 阳光小区3号楼, not within 13号楼."""
    start = outer.find(inner)
    while start >= 0:
        before_ok = start == 0 or not (
            _NUMERAL.match(inner[0]) and _NUMERAL.match(outer[start - 1])
        )
        if before_ok:
            return True
        start = outer.find(inner, start + 1)
    return False
