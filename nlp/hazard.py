"""What kind of danger an urgent message describes: gas, fire, a chemical, electricity, water, a
lift, traffic, structure, violence, a person at risk, a missing person, or `general` when nothing
more precise is said.

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

from nlp.fastregex import compile_led
from nlp.normalize import normalize

HAZARDS = (
    "gas",
    "fire",
    "chemical",
    "electricity",
    "water",
    "structure",
    "lift",
    "traffic",
    "person",
    "missing",
    "violence",
    "general",
)

_NOT_LATIN = r"(?<![a-z])"  # English and pinyin words start after a non-letter
_SMOKE = compile_led(
    r"烟.{0,6}(?:飘进|飘过来|钻进|进来|往外冒|冒出)|冒烟|冒出来好多烟|冒(?:黑|乌|浓)烟|烟雾|烟味|浓烟|黑烟|乌烟|"
    r"烟很大|烟好大|"
    r"好大的烟|好多烟|一屋子烟|有烟了"
)
# Smoke from a cigarette is not a fire to flee (隔壁抽烟的烟飘过来 老人哮喘发作了: a person).
_CIGARETTE = compile_led(r"抽烟|吸烟|香烟|二手烟|烟头|烟蒂|cigarette")
_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        # a battery that smokes or hisses is a fire about to happen, not gas or wiring
        "fire",
        compile_led(
            r"(?:电瓶|电池|充电柜|充电宝).{0,12}(?:冒烟|冒白烟|白烟|烟|起火|着火|鼓包.{0,6}烟)"
        ),
    ),
    (
        # poison swallowed, pills taken: the person first (喝了一瓶农药 is not fumes)
        "person",
        compile_led(
            r"(?:喝|吃|服)了?.{0,4}(?:农药|百草枯|老鼠药|敌敌畏)|(?:药|安眠药).{0,6}(?:都|全)?吃了"
        ),
    ),
    (
        # water reaching the sockets: the flood is the danger, its advice keeps people off it
        "water",
        compile_led(r"(?:漫|淹|灌|冒水|进水).{0,8}(?:插座|插排|配电|充电桩|电箱)"),
    ),
    (
        # hillsides and mud coming down: structure (keep away, do not stand under), not flood
        "structure",
        compile_led(
            r"山.{0,6}(?:崩|塌|滑|泥)|泥巴|泥石|(?:土|泥|涂|坡)(?!道).{0,4}(?:崩|流落|往下(?:掉|滑|冲|梭|流))"
        ),
    ),
    (
        "fire",
        # flames and heavy smoke (明火 is left out: 勿使用明火 is gas advice)
        compile_led(
            r"着火|起火|失火|火灾|烧起来|烧着了|着咗火|火苗|火光|火舌|浓烟|全是烟|冒黑烟|火警|"
            rf"{_NOT_LATIN}(?:on fire|flames|zhao ?huo|qi ?huo|huo ?zai)"
        ),
    ),
    (
        "gas",
        # the gas itself, its smell (臭鸡蛋: the odorant), its hiss, and carbon monoxide from fuel
        # burnt indoors (charcoal, coal briquettes, a stove, a heated kang, a flue water heater)
        compile_led(
            r"煤气|燃气|天然气|液化气|瓦斯|媒气|霉气|烧炕|气罐|漏气|泄漏.{0,2}气|气味.{0,4}(冲|大|浓)|臭鸡蛋|"
            r"一氧化碳|烧炭|烧碳|炭火|火炭|炭盆|火盆|炭炉|炭锅|煤炉|煤饼|煤球|蜂窝煤|煤烟|煤火|"
            r"烧炉子|火炕|烟道|热水器|热水炉|石油气|(?<!电瓶)(?<!电池)嘶嘶|沼气|打火机.{0,4}气|大蒜味|像大蒜|"
            r"生炉子|(?:墙|管|阀|罐|灶).{0,6}(?:呲呲|嗤嗤)|"
            rf"{_NOT_LATIN}(?:gas(?![a-z])|ga-?suh|rotten eggs?|carbon monoxide|co alarm|mei ?qi|ran ?qi|"
            r"tian ?ran ?qi|wa ?si|chou ?ji ?dan|shao ?tan|tan ?huo)"
        ),
    ),
    (
        "electricity",
        compile_led(
            r"电线|漏电|触电|火花|火星|配电|电箱|电缆|短路|变压器|电表|插座|插排|插线板|电闸|电瓶|"
            r"滋滋|灯.{0,2}(?:在闪|一直闪|闪个不停)|"
            rf"充电|{_NOT_LATIN}(?:sparks?|wires?|socket|electric|flickering|buzzing)"
        ),
    ),
    (
        # a named chemical before smoke: 化工厂的烟飘过来了 is fumes to keep out, not a fire to flee
        "chemical",
        compile_led(
            r"化工|(?<![喝吃了])农药|氯气|漂白水|漂白剂|洁厕|清洁剂|不明液体|不知名液体|不知道什么液体|"
            r"化学|氨气|硫化氢|化肥|汽油味|柴油味|油漆味|稀料|天那水|香蕉水|漏液|液体.{0,4}(?:漏|洒|倒)|"
            r"黄烟|黄色的烟|槽罐车|罐车|烟囱.{0,8}(?:味|黄|呛)|"
            rf"{_NOT_LATIN}(?:chemical|chlorine|ammonia|acid)"
        ),
    ),
    # smoke before stinging fumes: 楼道里烟好大 呛得喘不过气 is a fire; a neighbour's cigarette is
    # not (hazard_of skips this entry when _CIGARETTE is in the message)
    ("fire", _SMOKE),
    (
        "chemical",
        # fumes that sting, said without naming them
        compile_led(rf"药水味|(?<!眼)药水.{{0,4}}味道|刺鼻|呛得|{_NOT_LATIN}fumes?(?![a-z])"),
    ),
    (
        # a smell that makes people dizzy, no chemical named: gas or carbon monoxide
        "gas",
        compile_led(r"(?:闻|味).{0,12}(?:头晕|头有点晕|头昏|脑壳昏|晕乎)"),
    ),
    (
        # before the weak fire words: 烧烤店门口俩喝多了的干起来了 is a fight, not a fire
        "violence",
        compile_led(
            r"打架|斗殴|持刀|拿刀|提刀|拿着刀|砍人|捅|抢劫|打人|家暴|行凶|动手|闹事|威胁|打起来|打紧|"
            r"砸东西|砸门|往外拽|扯头发|往墙上撞|抢.{0,6}包|(?:打|揍)(?:她|他)(?!.{0,2}(?:电话|手机))|(?:摸|掏|拔)(?:了|出)?.{0,2}刀|"
            r"(?:狗|犬).{0,10}(?:咬|追|扑)|挂彩|"
            r"干仗|干起来|相拍|打交|打紧交|开片|抡|砸人|踢他|踢她|打老婆|打老公|抽小孩|围着.{0,6}打|"
            r"拿着(?:棍|砖|酒瓶|凳|刀)|打孩子|打小孩|推搡|拿了根棍|da ?lao ?po|抄起|又在打|打我们|按在地上|拽着.{0,4}头发|在砸车|砸车窗|拿砖|钢管|开瓢|"
            rf"{_NOT_LATIN}(?:fight|knife|stab|beating|punch|attack|na ?zhe ?dao|zhui ?ren|da ?jia|na ?dao)"
        ),
    ),
    (
        "fire",
        # 烧 but not a fever (发烧, 高烧) or a burn (烧伤)
        compile_led(rf"烧焦|焦味|糊味|(?<![发高退])烧(?![伤])|{_NOT_LATIN}(?:smoke|burning)"),
    ),
    (
        "water",
        compile_led(
            r"进水|淹|积水|内涝|涨水|水位|洪水|被困.{0,4}水|水.{0,4}被困|溺水|落水|掉进河|掉进水|(?:河|湖|江|塘|水库).{0,3}冰面|冰面.{0,8}(?:裂|化|薄|咔|掉下)|"
            # gone by the water: the water is searched first (孩子在河边玩 一转眼不见了)
            r"(?:河|江|湖|塘|海|水库|水塘|池塘)(?:边|里|旁).{0,16}(?:不见了|找不到|找不着|没影|冇咗|唔见)|"
            r"(?:河|江)?水(?:很|好|太|特别)?急|(?:水管|总管|主管|暖气管|暖气片).{0,8}(?:爆|裂|崩)|爆管|"
            r"水.{0,2}涨|冰窟窿|往水里走|水.{0,3}到.{0,3}(?:肚子|腰|胸|脖子)|"
            rf"{_NOT_LATIN}(?:flood|drown)"
        ),
    ),
    (
        # before the body words: 电梯停了 按警铃没反应 is a lift
        "lift",
        compile_led(rf"电梯|升降机|䢂|轿厢|{_NOT_LATIN}(?:lift|elevator|dian ?ti)(?![a-z])"),
    ),
    (
        "traffic",
        compile_led(
            r"车祸|(?:车|摩托|的士|巴士|公交|三轮).{0,6}(?:撞|刮倒|翻|铲上|剷上|压)|撞.{0,3}车|被车|"
            rf"翻车|侧翻|追尾|冲(?:到|上)人行道|车底下|撞(?:到|倒|飞)了?.{0, 3}(?:人|伢|孩|娃|老人|大爷|学生)|(?:mounted|onto) the (?:pavement|sidewalk)|hit (?:a |an |two |some |the )?(?:kids?|child|children|man|woman|people|pedestrians?|cyclist)|卡在驾驶室|卡在车里|{_NOT_LATIN}(?:hit by|crash|run over|got hit)"
        ),
    ),
    (
        "person",
        # a body in trouble, before "structure": 突然倒了 is a person, not a wall
        compile_led(
            r"晕倒|昏倒|摔倒|跌倒|倒在地|倒地|突然倒了|叫不醒|叫不应|不省人事|昏迷|抽搐|没反应|"
            r"没呼吸|说不出话|嘴唇发紫|口吐白沫|嘴歪|口角歪|跳楼|轻生|自杀|窗台|楼顶边|天台边|栏杆外|"
            r"爬窗|坐在边|吐白沫|跳下来|跳下去|喘不上气|喘不过气|透不过气|哮喘|心脏病|心梗|胸口(?:痛|疼|闷)|"
            r"(?:露台|阳台|窗台|窗边).{0,6}爬|栽倒|(?:就|突然|一下|人)倒了|不答应|不说话了|发紫|按.{0,2}胸口|"
            r"不出汗|迷糊|咽不下|血糖|说胡话|不认人|说话含糊|拿不住|拉肚子|头着地|站在边上|要跳|就跳|往下跳|"
            rf"{_NOT_LATIN}(?:collapsed|unconscious|not breathing|fainted|mei ?fan ?ying|dao ?zai ?di|ledge|windowsill|chuang ?tai|yang ?tai)"
        ),
    ),
    (
        "structure",
        compile_led(
            r"塌|倒塌|坍塌|开裂|裂缝|裂了|碎裂|倾斜|掉下来|坠落|跌落|掉落|飞落|砸|脱落|松脱|松动|"
            r"滑坡|山崩|崩塌|崩下|垮|裂开|鼓了个大包|歪脱|螺丝掉|吹得.{0,4}晃|吹到摇|倒了|要倒|冰溜|冰柱|摇晃|晃动|晃荡|晃来晃去|一直在晃|摇摇欲坠|悬在半空|悬着|歪了|"
            r"往下掉|往下落|往下头落|掉了一块|掉渣|在晃|一晃一晃|摆来摆去|摆嚟摆去|吊着|吊喺度|松着|松了|松咗|裂子|咯吱|咔咔|"
            rf"{_NOT_LATIN}(?:collaps|crack|falling|hanging by|wobbl|swinging|sway)"
        ),
    ),
    (
        # someone who went out and has not come back is missing, even if they live alone
        "missing",
        compile_led(
            r"(?:出门|出去|出了门|出咗去|买菜|散步|遛弯|上学|放学).{0,20}"
            r"(?:没回家|没回来|还没回|没有回|未返|未翻|冇返|不见了|找不到人|联系不上)|"
            r"(?:痴呆|失智|脑退化|糊涂|阿尔茨海默).{0,20}(?:走咗|走了|出去|出门|未返|没回)|"
            r"到现在(?:还|都)?(?:没|未|冇)(?:回|返)|就没回(?:来|家)|未转来|还未转|无转来|"
            r"(?:走咗|走了|出去|出门).{0,20}(?:痴呆|失智|脑退化)"
        ),
    ),
    (
        # a farewell or a threat to oneself: someone must reach the person now, before "missing"
        # (发了遗书 现在联系不上 is a door to knock on, not a street to search)
        "person",
        compile_led(
            r"想不开|轻生|跳楼|跳河|自杀|遗书|后事|解脱|最后一句|最后一次|不会再打扰|不再打扰|"
            r"不麻烦大家|以后不麻烦|不想活|活不下去|安眠药|吃了好多药|独居|一个人住|没开门|不开门|"
            r"没人应|敲门|没动静|"
            rf"{_NOT_LATIN}(?:mei ?kai ?men|bu ?kai ?men|mei ?ren ?ying|bu ?jie|qiao ?men)"
        ),
    ),
    (
        # someone missing: neighbours look around and call 110, nobody knocks
        "missing",
        compile_led(
            # 找不到 alone may be pills or keys: a person must be what is not found
            r"走失|走丢|不见了|(?:找不到|找不着|[搵揾]唔到)(?:人|了|他|她|佢|孩|娃|小孩|老人|我(?:家|的)?|妈|爸|爷|奶|外公|外婆|儿子|女儿)|"
            r"(?:孩子|小孩|老人|妈|爸|爷爷|奶奶|外公|外婆|儿子|女儿|阿爸|阿妈|老豆|老母).{0,8}(?:找不到|找不着|[搵揾]唔到)|"
            r"失踪|寻人|没回家|还没回来|一直没回|跟丢|走散|唔见咗|未返|冇返|"
            rf"{_NOT_LATIN}(?:missing|wandered off|zou ?diu|zou ?shi|bu ?jian ?le)"
        ),
    ),
    (
        "person",
        compile_led(r"老人|孩子|小孩|中毒|上吐下泻|流血|受伤|锁在车"),
    ),
)
# When no word above names the danger, the category's usual one (the category is the model's, so
# a message about a missing person that the words did not catch falls to public_security: person).
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
        if pattern is _SMOKE and _CIGARETTE.search(words):
            continue
        if pattern.search(words):
            return hazard
    return _BY_CATEGORY.get(category or "", "general")
