"""The place a message names: road, 小区/社区/村, building, unit, room, landmark — as one span.

Rules, not learning: Chinese addresses are built from a small set of suffixes, and a span has to
be exact enough to send a worker to it. Works on normalised text (same length as the original).

A message is cut into parts — configured names, named areas (福业街, 阳光小区), units (3号楼,
2单元, 501室), landmarks (东门, 地下车库) and positional tails (后面, 门口) — and adjacent parts
are joined into chains; the chain with the most parts wins, the earliest among equals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from nlp.fastregex import compile_led
from nlp.segment import tokenizer

_HAN = "\u4e00-\u9fff"
_NUM = r"(?:\d{1,4}|[一二三四五六七八九十两]{1,3}|[A-Za-z])"

# Suffixes that end a named area; the name before them is found by _name_start().
_AREA_SUFFIXES = (
    "农贸市场 菜市场 小区 花园 家园 新村 新苑 公寓 大厦 广场 社区 公馆 名邸 华庭 山庄 大道 大街 "
    "胡同 路 街 巷 村 苑 府 湾 公园 医院 卫生院 小学 中学 学校 幼儿园 工业园 工业区 园区 工地 菜场 "
    "市场 商场 超市 大桥 桥 河 镇 街道 中心 活动室 礼堂 食堂 "
    "城 水岸 雅居 绿洲 世家 豪庭 新城 名城 华府 首府 嘉园 丽园 景园 佳园 物流园 产业园 科技园 湖 园 塘 庄 "
    "商厦 大药房 药房 药店 国际"
).split()
_AREA_SUFFIXES.sort(key=len, reverse=True)
_AREA = compile_led("|".join(_AREA_SUFFIXES))
# A suffix followed by these is part of a word, not a place: 路面, 路灯, 街坊, 村民, 河水…
_NOT_AFTER = {
    "路": "面灯过况线费人由子径段牌",
    "城": "管里市墙中",
    "街": "坊头道",
    "村": "民委里长口头尾",
    "园": "区林艺丁长",
    "塘": "里边",
    "庄": "稼重严园",
    "河": "水边道",
    "桥": "下洞面",
    "市场": "监管",
    "中心": "城",
}
# Institutions that are only a place with a proper name before them (社区 alone is the office).
_NEEDS_PROPER_NAME = {
    "社区",
    "商厦",
    "大药房",
    "药房",
    "药店",
    "国际",
    "学校",
    "小学",
    "中学",
    "幼儿园",
    "医院",
    "卫生院",
    "中心",
    "站",
    "食堂",
    "活动室",
    "礼堂",
    "广场",
    "公园",
    "市场",
    "商场",
    "超市",
    "工地",
    "河",
    "桥",
    "大桥",
}
# Estates and roads are often named with everyday words: 阳光小区, 人民路, 车站路.
_COMMON_WORD_NAMES = {
    "小区",
    "花园",
    "家园",
    "新村",
    "新苑",
    "公寓",
    "大厦",
    "苑",
    "府",
    "湾",
    "山庄",
    "华庭",
    "名邸",
    "公馆",
    "路",
    "街",
    "大道",
    "大街",
    "巷",
    "胡同",
    "村",
    "水岸",
    "新城",
    "城",
}
_COMMON = 1000  # a jieba frequency above which a word is everyday vocabulary, not a name
_MAX_NAME = 6

# Characters that cannot be part of a place name: the name stops before them.
_STOP_CHARS = set(
    "的在了是我你他她它们这那个有和与跟及到从给把被让说住家就都也还又很真才刚再已对哪啥咱俺侬事"
    "啊呀吧呢吗嘛哦哈嗯么去来往向里外边旁条段整各每某该此其谁要想会能快赶找问求帮请看走叫喊"
)
# Stop characters that are also common in names (育才路, 和平新村, 盛和苑, 成都路): the walk goes
# on over them and _proper_name() drops them again when they only lead into the name.
_SOFT_STOP = set("和才都家里")
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴"
)
# Words that open a stretch of name characters but are no part of the name.
_STOP_PREFIXES = tuple(
    sorted(
        (
            "隔壁 对面 附近 旁边 整个 那个 这个 我们 你们 他们 咱们 俺们 阿拉 老家 前面 后面 里面 外面 "
            "这边 那边 今天 昨天 明天 后天 前天 晚上 早上 中午 下午 上午 每天 这周 下周 上周 本周 周末 "
            "今年 明年 去年 孩子 小孩 建议 谢谢 感谢 请问 问问 知道 本人 麻烦 通知 听说 以前 现在 还有 "
            "就是 名叫 叫做 公交站 社区 楼下 楼上 对门 家门口 住户 业主 居民 所有 全部 一直 已经 马路 道 公 一 上 下 逛 出 走 修 全 "
            "过后 之后 以后 其实 周一 周二 周三 周四 周五 周六 周日 周 最近 昨晚 今晚 明晚 刚才 刚刚 平时 每晚 半夜 凌晨 傍晚 "
            "雨天 下雨天 晴天 夏天 冬天 白天 天天 已经 不见 看不见 送"
        ).split(),
        key=len,
        reverse=True,
    )
)
_VERBS = set("跑进去来到出走回上下住修扫开过占堆放搬找叫买卖干做搞弄挖拆建盖停骑逛")
# Kinds of road, not names of roads: 大马路, 那条机耕路.
_GENERIC_ROAD = compile_led(
    "(?:马|公|道|小|大|铁|出|走|一|跑|上|过|让|修|带|问|近|远|弯|土|机耕|石板|行人|水泥|柏油|泥巴)路$"
)
_STOP_PREFIX_SET = frozenset(_STOP_PREFIXES)
_PREFIX_SIZES = sorted({len(p) for p in _STOP_PREFIXES}, reverse=True)
_NAME_CHAR = compile_led(f"[{_HAN}A-Za-z]")
_TIME_END = compile_led(r"[天周节月年日号点]$")

_UNIT = compile_led(
    rf"{_NUM}(?:号楼|号门|号院|幢|栋|座|单元|室|户|排|弄|号|楼|层)"
    r"|(?<=[栋幢座元])\s?\d{3,4}(?![\d室号户])"  # a bare room number right after a building/unit
    r"|(?<![\d-])\d{1,3}-\d{1,2}-\d{3,4}(?![\d-])|(?<![\d-])\d{1,3}-\d{3,4}(?![\d-])"  # 3-2-501
    r"|(?i:\b(?:block|blk|building|bldg|tower|unit|room|rm)\.?\s?(?:\d{1,4}[a-z]?|[a-z])\b)"
    r"|(?i:\b\d{1,4} ?(?:hao ?lou|dong|zhuang|dan ?yuan|ceng|hao)\b)"  # pinyin: 3 dong 1 dan yuan
    r"|(?:(?<=楼上)|(?<=楼下)|(?<=对门)|(?<=隔壁))\d{3,4}(?!\d)"  # 楼上1202: a flat
    r"|(?<![\d.-])\d{3,4}(?=的门|那家|那户|对门|家(?![\d]))"
)
_A_BUILDING = {"一栋", "一幢", "一座", "一排", "一户"}  # 盖了一栋楼: "a building", no address
_BUILDING = compile_led(rf"^{_NUM}(?:号楼|幢|栋|座|单元)$|^(?i:block|blk|building|bldg|tower)")
_FLOOR_OR_NUMBER = compile_led(rf"^{_NUM}(?:号|户|排|楼|层)$")
_LANDMARKS = compile_led(
    "地下车库|车库入口|车库|车棚|公交站台|公交车站|公交站|地铁站|地铁口|十字路口|交叉口|"
    "天桥|桥洞|桥下|篮球场|健身区|垃圾房|垃圾站|垃圾中转站|保安亭|"
    "消防通道|xf通道|安全出口|停车场|路口|人行道|天台|楼顶|顶楼|地下室|单元门口|"
    "小区门口|小区大门|菜市场|菜场|农贸市场|公园|广场|幼儿园|养老院|敬老院|学校|祠堂|卫生室|"
    "化工区|工业区|开发区|风景区|(?:店|厂|馆|院|所|行|吧)门口|"
    "(?:医院|学校|小学|中学|幼儿园|超市|银行|网吧|工地|饭店|酒店|商场|市场|厂)门口|"
    "(?:加油|垃圾中转|中转|火车|汽车|高铁|公交|地铁)站|"
    "公厕|村口|村头|村东头|村西头|村南头|村北头|池塘|人工湖|喷泉|"
    "地下通道|电梯口|电梯间|电梯厅|配电房|配电间|消防控制室|消防栓|楼梯间|楼道口|"
    "(?<![雨前])后山|后巷|河边|河堤|江边|江滩|湖边|塘边|涵洞|街市|绿化带|草坪|村委会|居委会|村委|"
    "公车站|站牌|胡同口|巷口|街口|门卫室|岗亭|公告栏|宣传栏|快递柜|"
    "(?:实验|育才|育英|外国语|师范附属|附属)(?:小学|中学|学校|幼儿园)|"
    "[一二三四五六七八九十]{1,2}[中小](?=门口|校门|后门|旁边|附近|对面|那边)|"
    "[东南西北正后侧大]门|[东南西北]大门|出入口|"
    "(?:健身器材|健身路径|花坛|凉亭|滑梯|秋千)(?=那|这|旁|边|附近|后|前)"
)
# Places written in English (or pinyin with English words): Jianshe Road, Xinhua Market, Gate 3.
_ENGLISH_PLACE = compile_led(
    r"\b(?:[A-Z][a-z]+ ){1,3}(?:Road|Rd|Street|St|Lu|Jie|Market|Gardens?|Park|Plaza|Mall|Avenue|"
    r"Ave|Community|Village|Estate|Tower|Centre|Center|Square|Bridge|Residence|Apartments?)\b"
    r"(?: \d{1,4}\b)?|\b(?:Gate|Entrance|Exit) ?(?:\d{1,3}|[A-Z])\b"
)
_UPPER = compile_led("[A-Z]")
# A stop named for its road or village: 中官路站 (looked for only when 站 occurs: a leading [汉]
# class would make the regex try every position).
_NAMED_STOP = compile_led(f"[{_HAN}]{{2,4}}(?:路|街|村|桥|湖|门|园)站")
# Before a landmark or unit, 小区 (or xq) belongs to the place: 小区北门, xq西门.
_OUR_ESTATE = compile_led(r"小区|xq|XQ")
# Tails that extend a place (12栋后面, 东门外, 停车场那边) but name none by themselves.
_TAILS = compile_led(
    "河道|"
    "门口|后面|前面|旁边|对面|附近|那里|那边|这边|里面|外面|中间|下面|底下|入口|出口|边上|"
    "东头|西头|南头|北头|外(?![卖地面国])"
)
_GAP = set("的 与和及跟")


@dataclass(frozen=True)
class _Part:
    start: int
    end: int
    rank: int  # 3 configured, 2 named area, 1 unit, 0 landmark, -1 tail, -2 小区 before a part


def _name_start(text: str, end: int) -> int:
    """Where the name that ends at `end` begins: walk back over name characters, drop openers."""
    i = end
    while i > 0 and end - i < _MAX_NAME:
        ch = text[i - 1]
        if (ch in _STOP_CHARS and ch not in _SOFT_STOP) or not _NAME_CHAR.match(ch):
            break
        i -= 1
    trimmed = True
    while trimmed and i < end:
        trimmed = False
        for size in _PREFIX_SIZES:  # longest first
            if i + size <= end and text[i : i + size] in _STOP_PREFIX_SET:
                i += size
                trimmed = True
                break
    return i


@lru_cache(maxsize=8192)
def _proper_name(name: str, suffix: str) -> str | None:
    """The name with everyday words in front dropped, or None when it is no name at all."""
    if len(name) < 2 or not re.search(f"[{_HAN}]", name):
        return None
    freq = tokenizer().FREQ
    words = tokenizer().lcut(name, HMM=False)
    if len(words) > 1 and words[0] in _SOFT_STOP:
        words = words[1:]  # 家后花园, 和人民路: the soft character only led into the name
        name = "".join(words)
    while (
        len(words) > 1
        and freq.get(words[0], 0) >= _COMMON
        and len("".join(words[1:])) >= 2
        and words[0] not in _SURNAMES  # 马家庄村, 王家坝村: a family name starts the place
    ):
        words.pop(0)
    name = "".join(words)
    if name in _STOP_PREFIX_SET:
        return None  # 台风过后小区: what is left is a time word, not a name
    # an unknown name falls apart into single characters; everyday words are longer
    everyday = all(len(w) > 1 and freq.get(w, 0) >= _COMMON for w in words)
    if len(words) > 1 and words[-1] in _VERBS and any(len(w) > 1 for w in words[:-1]):
        return None  # 老板跑路, 工人进小区: a verb before the suffix, not a name
    if suffix in _NEEDS_PROPER_NAME:
        if (
            everyday
            or freq.get(name, 0) >= 100
            or _TIME_END.search(name)
            or not re.fullmatch(f"[{_HAN}]+", name)
        ):
            return None
    elif everyday and suffix not in _COMMON_WORD_NAMES:
        return None
    return name if len(name) >= 2 else None


def _area_parts(text: str) -> list[_Part]:
    parts = []
    for m in _AREA.finditer(text):
        suffix = m.group()
        if m.end() < len(text) and text[m.end()] in _NOT_AFTER.get(suffix, ""):
            continue
        start = _name_start(text, m.start())
        name = _proper_name(text[start : m.start()], suffix)
        if name is not None and not _GENERIC_ROAD.search(name + suffix):
            parts.append(_Part(m.start() - len(name), m.end(), 2))
    return parts


def _named_building_parts(text: str, units: list[_Part]) -> list[_Part]:
    """A name right before a building number is a place even without a suffix: 金色水岸7幢."""
    parts = []
    for unit in units:
        if not _BUILDING.match(text[unit.start : unit.end]):
            continue
        start = _name_start(text, unit.start)
        name = text[start : unit.start]
        if len(name) >= 2 and not name.isascii():
            parts.append(_Part(start, unit.start, 2))
    return parts


def _without_contained(parts: list[_Part]) -> list[_Part]:
    parts = sorted(parts, key=lambda p: (p.start, -(p.end - p.start), -p.rank))
    kept: list[_Part] = []
    for part in parts:
        if any(k.start <= part.start and part.end <= k.end for k in kept):
            continue
        kept.append(part)
    return kept


def _chains(text: str, parts: list[_Part]) -> list[list[_Part]]:
    chains: list[list[_Part]] = []
    for part in parts:
        if chains:
            last = chains[-1][-1]
            gap = text[last.end : part.start]
            joins = part.start <= last.end or (len(gap) == 1 and gap in _GAP)
            if gap == " " and part.rank != 1:
                joins = False  # "6幢1单元 101室" is one place; "东门那边 城河小区" is two
            if part.rank == -1:
                joins = part.start <= last.end or gap == ""  # a tail sticks to its place
            if last.rank == -2:
                joins = gap == "" or gap == "的"
            if joins:
                chains[-1].append(part)
                continue
        chains.append([part])
    return [_trim(c) for c in chains]


def _trim(chain: list[_Part]) -> list[_Part]:
    while chain and chain[0].rank == -1:
        chain = chain[1:]
    while chain and chain[-1].rank == -2:
        chain = chain[:-1]
    return chain


def _worth(text: str, chain: list[_Part]) -> bool:
    """A chain names a place unless it is only a floor or a bare number (十八楼, 3号)."""
    real = [p for p in chain if p.rank >= 0]
    if not real:
        return False
    return not (len(real) == 1 and _FLOOR_OR_NUMBER.match(text[real[0].start : real[0].end]))


def find_location(
    text: str, places: Iterable[str] = (), blanks: Iterable[tuple[int, int]] = ()
) -> tuple[int, int] | None:
    """The span (start, end) of the most specific place in normalised `text`, or None.

    `blanks` are spans to ignore (personal data: a phone number is not a room number)."""
    for start, end in blanks:
        text = text[:start] + " " * (end - start) + text[end:]
    parts: list[_Part] = []
    for place in places:
        parts += [_Part(m.start(), m.end(), 3) for m in re.finditer(re.escape(place), text)]
    units = [
        _Part(m.start(), m.end(), 0 if _FLOOR_OR_NUMBER.match(m.group()) else 1)
        for m in _UNIT.finditer(text)
        if m.group() not in _A_BUILDING
    ]
    parts += units + _area_parts(text) + _named_building_parts(text, units)
    parts += [_Part(m.start(), m.end(), 0) for m in _LANDMARKS.finditer(text)]
    if _UPPER.search(text):
        parts += [_Part(m.start(), m.end(), 2) for m in _ENGLISH_PLACE.finditer(text)]
    if "站" in text:
        parts += [_Part(m.start(), m.end(), 0) for m in _NAMED_STOP.finditer(text)]
    parts += [_Part(m.start(), m.end(), -1) for m in _TAILS.finditer(text)]
    parts += [_Part(m.start(), m.end(), -2) for m in _OUR_ESTATE.finditer(text)]
    chains = [c for c in _chains(text, _without_contained(parts)) if c and _worth(text, c)]
    if not chains:
        return None

    def score(chain: list[_Part]) -> tuple[bool, bool, int]:
        ranks = [p.rank for p in chain]
        return (3 in ranks, 1 in ranks or 2 in ranks, sum(r >= 0 for r in ranks))

    best = max(chains, key=score)  # max() keeps the earliest among equals
    return best[0].start, best[-1].end
