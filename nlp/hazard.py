"""What kind of danger an urgent message describes: gas, fire, electricity, water, structure,
violence, a person at risk, or `general` when nothing more precise is said.

The hazard decides the first thing the group is told (whom to call, one line of safety advice),
so the order is "most specific advice first": a fire caused by gas is a fire (leave by the
stairs), a smell of gas without flames is gas (no switches, no flames), sparks are electricity.
These are narrower than the danger groups of nlp/danger_lexicon.py, which feed the urgency head
and are wide on purpose (气管, 高压锅 count there as "gas"); advice needs the named thing.
Matching is on normalised text (Traditional, full-width and upper case read as Simplified lower
case), so 煤氣 / 瓦斯味 / GAS read as gas.
"""

from __future__ import annotations

import re

from nlp.normalize import normalize

HAZARDS = ("gas", "fire", "electricity", "water", "structure", "person", "violence", "general")

_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "fire",
        re.compile(r"着火|起火|失火|火灾|烧起来|烧着了|明火|火苗|火光|浓烟|全是烟|冒黑烟|火警"),
    ),
    (
        "gas",
        # the gas itself, its smell (臭鸡蛋: the odorant) and carbon monoxide from burning fuel
        re.compile(
            r"煤气|燃气|天然气|液化气|瓦斯|气罐|漏气|泄漏.{0,2}气|气味.{0,4}(冲|大|浓)|臭鸡蛋|"
            r"一氧化碳|烧炭|炭火|炭盆|火盆|煤炉|热水器|\bgas\b|meiqi|ranqi"
        ),
    ),
    ("electricity", re.compile(r"电线|漏电|触电|火花|配电|电箱|电缆|短路|变压器|电表箱|电瓶")),
    ("fire", re.compile(r"冒烟|烟雾|烟味|烧焦|焦味|烧")),
    (
        "water",
        re.compile(r"进水|淹|积水|内涝|涨水|水位|洪水|被困.{0,4}水|水.{0,4}被困|溺水|落水|掉进河"),
    ),
    (
        "structure",
        re.compile(r"塌|倒塌|坍塌|开裂|裂缝|倾斜|掉下来|坠落|砸|脱落|松动|滑坡|倒了|要倒"),
    ),
    (
        "violence",
        re.compile(r"打架|斗殴|持刀|拿刀|拿着刀|砍人|捅|抢劫|打人|家暴|行凶|动手|闹事|威胁"),
    ),
    (
        "person",
        re.compile(
            r"独居|一个人住|没开门|不开门|没人应|敲门|晕倒|昏倒|昏迷|倒在|摔倒|没反应|没动静|"
            r"想不开|轻生|跳楼|跳河|自杀|走失|不见了|老人|孩子|小孩|困在电梯|电梯.{0,4}困|"
            r"中毒|上吐下泻|抽搐|流血|受伤|锁在车|遗书|后事|解脱|最后一句|最后一次|不会再打扰|"
            r"不再打扰|不麻烦大家|以后不麻烦|不想活|活不下去|安眠药|吃了好多药"
        ),
    ),
)
# When the words say nothing more precise, the category's usual danger.
_BY_CATEGORY = {
    "fire_hazard": "fire",
    "disaster": "water",
    # without a word of violence, a public-security danger is a person: missing, a farewell, a
    # threat to jump — neighbours knocking help there, "keep away" does not
    "public_security": "person",
    "livelihood": "person",
}


def hazard_of(category: str | None, text: str) -> str:
    """The hazard an urgent message describes (one of HAZARDS), from its words, then its category."""
    words = normalize(text).lower()
    for hazard, pattern in _WORDS:
        if pattern.search(words):
            return hazard
    return _BY_CATEGORY.get(category or "", "general")
