"""Urgency: danger to life or property unless people act now — rules, because it must not be missed.

Each cue is a pattern over normalised text; a cue counts unless the words around it make it
hypothetical (万一, 防止), negated (没有烟), finished (已经修好了), past (上次, for events that
are over once they happened) or not about here at all (演练, 新闻里).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PERSON = (
    "人|老人|小孩|孩子|宝宝|老太太|老太|老爷子|老头|奶奶|爷爷|外婆|外公|阿姨|大爷|大妈|阿婆|老伯"
)
_KIN = "孩子|小孩|儿子|女儿|孙子|孙女|老人|爷爷|奶奶|外婆|外公|姥姥|姥爷|老爸|老妈|我爸|我妈|老公|老婆|老母亲|老父亲|母亲|父亲|宝宝|娃"


@dataclass(frozen=True)
class _Cue:
    name: str
    pattern: re.Pattern[str]
    over_when_past: bool = False  # a fight yesterday is over; a gas smell since yesterday is not


def _cue(name: str, pattern: str, *, over_when_past: bool = False) -> _Cue:
    return _Cue(name, re.compile(pattern), over_when_past)


_CUES: tuple[_Cue, ...] = (
    _cue(
        "fire", r"着火|起火|失火|火灾|火警|烧起来|烧着了|着了火|火苗|明火|大火|火势|火光|烧得很旺"
    ),
    _cue("smoke", r"冒烟|冒黑烟|冒白烟|浓烟|黑烟|烟雾|滚滚的烟|烟好大|烟很大|好大的烟|好多烟|呛得"),
    _cue(
        "smoke_smell",
        r"焦味|焦糊|糊味|烧焦|烧糊|(?<![抽吸香油])烟味|塑料烧|电线.{0,3}(?:冒火|打火|火花|烧)|冒火花",
    ),
    _cue(
        "gas",
        r"煤气味|燃气味|天然气味|液化气味|臭鸡蛋味|臭鸡蛋的味|煤气泄漏|燃气泄漏|漏气|"
        r"(?:煤气|燃气|天然气|液化气).{0,5}(?:味|泄|漏|呛)|闻到.{0,6}(?:煤气|燃气|天然气)|一氧化碳|中毒",
    ),
    _cue("explosion", r"爆炸|爆燃|(?:电瓶|电池|锅炉|煤气罐|气罐|罐子).{0,3}炸了|炸开"),
    _cue(
        "trapped",
        r"(?:困|关|卡|锁)在电梯|电梯.{0,8}(?:困|关|卡)(?:住|了|着)?.{0,3}(?:人|老人|小孩|孩子)|"
        r"被困|困住|困在|(?<!车)(?<!车子)出不来|电梯.{0,6}(?:下坠|坠落|掉下去|急坠|冲顶|蹲底)|"
        r"电梯.{0,6}(?:喊|拍门|敲门|呼救)|救命",
    ),
    _cue(
        "collapse",
        r"倒塌|坍塌|塌方|塌了|塌下来|塌陷|垮了|要塌|快塌|要倒了|快倒了|倒下来|砸(?:到|伤|中)了?(?:人|车)|"
        r"砸到|滑坡|泥石流|地陷|裂开了.{0,6}(?:墙|楼)|(?:墙|楼|房).{0,4}裂.{0,4}(?:大|宽|要)|掉下来了|摇摇欲坠",
    ),
    _cue(
        "fight",
        r"打起来|打架|打人|动刀|拿刀|持刀|砍人|捅人|动手了|扭打|斗殴|群殴|厮打|拿着?(?:棍|刀|砖)|"
        r"要杀|杀人|见血|流血|头破血流|满脸是血|家暴|往死里打",
        over_when_past=True,
    ),
    _cue(
        "crime",
        r"(?:正在|在|有人)撬|抓小偷|小偷.{0,3}(?:还在|正在|在里面)|入室抢劫|抢劫|抢包|劫持|绑架",
        over_when_past=True,
    ),
    _cue(
        "medical",
        rf"晕倒|昏倒|昏迷|晕过去|倒在地上|倒地不起|倒地|摔倒|跌倒|摔了一跤|起不来|爬不起来|不省人事|没反应|"
        rf"叫不醒|叫不应|没气了|没有呼吸|没呼吸|抽搐|口吐白沫|心脏病|中风|脑梗|急救|救护车|(?<!\d)120(?![\d元块平米斤个号])|"
        rf"喘不上气|喘不过气|呼吸困难|大出血|受伤|摔伤|咬伤|烫伤|触电|电到人|(?:{_PERSON}).{{0,6}}(?:晕|倒|摔)",
    ),
    _cue(
        "alone_unwell",
        r"(?:独居|一个人住|孤寡|空巢|一个人在家|无儿无女|孤老).{0,20}"
        r"(?:不舒服|生病|病了|发烧|没出门|没开门|敲门没|没人应|没人开|联系不上|没动静|不接电话|好几天没见|几天没见)|"
        r"(?:好几天|几天|两天|三天)没(?:见|看到|看见).{0,8}(?:老人|老太|老头|大爷|阿婆|奶奶)",
    ),
    _cue(
        "missing",
        rf"走丢|走失|失踪|迷路|(?:找不到|不见了|没回来|没回家|联系不上).{{0,2}}(?:{_KIN})|"
        rf"(?:{_KIN}).{{0,8}}(?:不见了|找不到了|走丢|没回来|没回家|一直没回|联系不上|找不着)|老年痴呆.{{0,12}}(?:出门|出去|没回)|"
        r"寻人|帮忙找",
    ),
    _cue(
        "flood",
        r"水漫|漫进|淹了|被淹|淹到|淹没|齐腰|齐膝|没过膝盖|没过小腿|困在水|被水围|"
        r"水.{0,4}(?:进屋|进家|灌进|倒灌|漫上来|涌进)|倒灌|涨水|决堤|溃堤|漫堤|山洪|洪水|"
        r"水位.{0,3}(?:涨|上涨|暴涨|猛涨)|被冲走|冲走了|落水|掉(?:进|到)?(?:河|水|湖|塘)里|溺水",
    ),
    _cue(
        "electric", r"电线.{0,4}(?:掉|垂|落|断).{0,6}(?:地|下来|水)|漏电|高压线.{0,4}(?:断|掉|落)"
    ),
    _cue(
        "self_harm",
        r"跳楼|轻生|自杀|想不开|寻死|要跳下|站在.{0,6}(?:楼顶|天台|窗台|栏杆外)|"
        r"(?:小孩|孩子|宝宝).{0,6}(?:爬|站|坐|挂).{0,4}(?:窗台|窗外|阳台外|栏杆外)",
    ),
)

# Around a cue: the cue does not describe danger happening here and now.
_HYPOTHETICAL = re.compile(
    r"万一|如果|要是|假如|假设|一旦|怕|担心|害怕|生怕|防止|预防|避免|以防|防范|谨防|小心|注意|"
    r"会不会|可能会|容易|迟早|早晚|隐患|不然|否则|差点|差一点|险些|不会|别|防|演练|演习|培训|模拟|知识|"
    r"请问|咨询|怎么收费|多少钱"
)
# Right before a cue: 没有烟, 没着火, 不是漏气.
_NEGATION = re.compile(r"(?:没有|没|不是|并未|未|无)$")
_PAST = re.compile(
    r"上次|上回|去年|前年|以前|之前|前几天|前阵子|上个月|上周|上礼拜|昨天|昨晚|前天|那天|当时|小时候"
)
_RESOLVED = re.compile(
    r"已经?(?:修好|处理|解决|灭了|扑灭|救出|找到|送医|送到医院|没事|好了|恢复|排除|关了|控制住|走了|报警|离开)|"
    r"修好了|已解决|已处理|找到了|救出来了|被救出|火灭了|灭掉了|没事了|虚惊一场|不用担心|恢复了|平安|"
    r"谢谢大家帮忙|感谢.{0,6}(?:消防|民警|警察|物业|网格员)"
)
# The whole message is not about danger here: drills, news, notices, stories.
_ELSEWHERE = re.compile(
    r"演练|演习|消防培训|安全知识|安全教育|宣传|讲座|科普|新闻|电视|视频里|抖音|电影|游戏|小说|梦到|做梦|"
    r"温馨提示|【|通知[:：]|提醒大家|请大家注意|转发|转自|据报道|听说.{0,8}(?:外地|别的|那边)"
)
_SMOKING = re.compile(r"抽烟|吸烟|烟头|烟蒂|香烟|油烟|烟花|炊烟|烧烤|烟囱|二手烟")

_WINDOW = 8


@dataclass(frozen=True)
class Urgency:
    """Whether a message is urgent, and the cue words that made it so."""

    urgent: bool
    cues: tuple[str, ...]


def _clause_start(text: str, pos: int) -> int:
    for i in range(pos - 1, max(-1, pos - 30), -1):
        if text[i] in "，。！？；!?;,\n":
            return i + 1
    return max(0, pos - 30)


def _counts(text: str, cue: _Cue, m: re.Match[str]) -> bool:
    start = _clause_start(text, m.start())
    before = text[max(start, m.start() - _WINDOW) : m.start()]
    if _HYPOTHETICAL.search(before) or _NEGATION.search(text[max(0, m.start() - 2) : m.start()]):
        return False
    after = text[m.end() : m.end() + 40]
    if _RESOLVED.search(after) or _RESOLVED.search(text[start : m.start()]):
        return False
    if cue.over_when_past and _PAST.search(text[start : m.end()]) and "还在" not in after:
        return False
    if cue.name in ("smoke", "smoke_smell") and _SMOKING.search(text):
        return False
    if cue.name == "trapped" and "车" in text[max(start, m.start() - 6) : m.start()]:
        return False  # 车被堵住出不来: a blocked car, not a trapped person
    return True


def detect_urgency(text: str) -> Urgency:
    """Urgent cues in normalised `text` that are not hypothetical, negated, past or elsewhere."""
    if _ELSEWHERE.search(text):
        return Urgency(False, ())
    cues: list[str] = []
    for cue in _CUES:
        for m in cue.pattern.finditer(text):
            if _counts(text, cue, m):
                cues.append(m.group()[:12])
                break
    return Urgency(bool(cues), tuple(cues))
