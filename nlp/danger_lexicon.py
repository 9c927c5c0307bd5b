"""Danger by concept, for the learned urgency head: hazard classes, signs that it is happening
now, and the blockers that say it is not (negated, over, a drill, a warning, a question, a notice,
a figure of speech) — each a wide group of words in many voices (Simplified after normalisation,
Cantonese, Wu, 东北话, 四川话, English and pinyin written without spaces, as `prepare` leaves
them), plus their crossings.

A group is one feature ("this message names a gas hazard"), so the head learns what a concept is
worth rather than what one wording is worth; the crossings ("a hazard and a sign of now, no
blocker") carry the structure of urgency that the rules in nlp/urgency.py spell out by hand.
Matching is on prepared text: lower case, digits folded to 0, spaces and most punctuation gone.
"""

from __future__ import annotations

HAZARDS: dict[str, str] = {
    "gas": "rottenegg|臭蛋|烟筒堵|烟囱堵|烟道堵|倒烟|漂白水|漂白剂|洁厕灵|消毒液混|smellofgas|gassmell|gasleak|烧碳|碳火|碳盆|碳炉|shaotan|tanhuo|热水炉|取暖炉|煤气|燃气|天然气|液化气|瓦斯|沼气|气罐|煤气罐|钢瓶|气瓶|燃气管|气管|臭鸡蛋|一氧化碳|"
    "gas|meiqi|ranqi|tianranqi|煤氣|燃氣|石油气|石油氣|罐装气|气阀|燃气表|灶台"
    "|炭|炭盆|炭炉|炭火|火盆|烘炉|炉子|煤炉|蜂窝煤|烧炭|热水器|煤气灶|燃气灶"
    "|化粪池|窨井|污水井|地窖|井下|沼气池|锅炉|压力表|压力罐|高压锅|化工|化学|危化品|槽罐车|罐车|氨|氯气|硫化氢|chemical|ammonia|chlorine",
    "fire": "火|烟|焰|着火|起火|失火|火灾|火警|火苗|明火|大火|浓烟|黑烟|焦味|糊味|烧焦|烧起来|"
    "fire|smoke|burning|flame|zhaohuo|qihuo|maoyan|火燭|火烛|冒煙|煙|燒"
    "|火烧厝|烧厝|火烧|着咗火|燃起来|烟道|鞭炮|炮仗|烟花"
    "|huozai|zhaohuole|qihuole|火灾",
    "water": "pond|lake|pool|塘边|河边|湖边|水塘|洪水|山洪|涨水|水位|河水|江水|大水|积水|水库|大坝|堤|决堤|内涝|淹|浸|漫|涌|溪|塘|"
    "河|江|湖|海|潮|flood|river|water|dam|hongshui|水浸|水淹|落水|溺水",
    "structure": "塌|垮|倒塌|坍塌|裂缝|裂开|开裂|危房|滑坡|泥石流|山体|落石|塌方|地陷|掉下来|砸下来|"
    "脚手架|塔吊|广告牌|招牌|外墙|墙皮|天花板|吊顶|阳台|屋顶|房梁|横梁|冧|collapse|crack|"
    "falling|ceiling|roof|wall|tafang|倒下|歪了|倾斜|摇摇欲坠"
    "|崩|土石|土石流|山崩|墙倒|围墙|护坡|往外鼓|鼓起来|裂|wall"
    "|摔下来|坠落|掉下去|从楼上|架子上|脚手架上|山坡|塌下来|埋",
    "electric": "电线|电缆|高压线|漏电|触电|电箱|配电|插座|插线板|电闸|变压器|电瓶|充电|火花|"
    "短路|电到|电亲|wire|cable|socket|spark|electric|dianxian|loudian|電線|漏電"
    "|电火线|电火|闪火|落落来|电线杆",
    "person": "toddler|littleone|mymom|mydad|老人|老人家|老太|老伯|阿婆|阿公|婆婆|爷爷|奶奶|外婆|外公|姥姥|姥爷|大爷|大妈|"
    "孩子|小孩|小朋友|宝宝|婴儿|细路|细佬|娃|儿子|女儿|孕妇|病人|有人|一个人|邻居|"
    "grandma|grandpa|elderly|oldman|oldlady|child|kid|baby|someone|laoren|xiaohai|ayi|dayeye|nainai|yeye|haizi|xiaopengyou|"
    "老豆|老母|阿嫲|阿爷|伯爷|婆仔|老汉|老头|老奶奶|细蚊仔|囡囡|小囡|伢|伢子|崽"
    "|阿嬷|阿妈|老岁仔|囡仔|阿伯|阿姆|老人家|长者|老翁|老妪|室友|同学|朋友"
    "|流浪汉|醉汉|喝醉|工友|工人|兄弟|师傅",
    "violence": "撕扒|撕打|头破|打破头|punched|kicked|打架|打人|打起来|斗殴|群殴|动手|动刀|拿刀|持刀|砍|捅|刀|棍|家暴|杀|抢劫|抢|劫|"
    "抡|拎着凳|抄起|皮带抽|拳打脚踢|扇耳光|掐脖子|肢体冲突|围殴|围着打|相拍|打紧交|头破血流|砸人|酒瓶|"
    "绑架|撬|小偷|贼|入室|砸|掐|踢门|追着|威胁|fight|knife|stab|attack|robbery|burglar|"
    "thief|daren|dajia|打交|劈友|开片|干仗|干起来|掐架|撕扯|扭打|揍|捶"
    "|踹门|砸门|撞门|撬门|撬锁|forceopen|breakin|breakingin|kickingthedoor",
    "self_harm": "结束这一切|结束一切|药瓶|一瓶药|吞了|endit|endthis|endingit|endmylife|跳楼|轻生|自杀|想不开|寻死|不想活|活不下去|割腕|安眠药|农药|跳河|跳江|跳下|"
    "楼顶|天台|窗台|栏杆外|suicide|jump|tiaolou|唔想生|唔想活|冇意思"
    "|遗书|遗言|再见了|永别|告别|最后一条|结束自己|了结|想死|去死|不想活了|活着没意思|吞药|吃了好多药|吃了一瓶|唔想做人|割脉|上吊|goodbye|killmyself|endmylife|遗嘱|交代后事|对不起大家",
    # leave-taking as a last act: thanks for the years, things given away, someone "entrusted"
    "farewell": "sorryforeverything|sorryforall|对不起所有人|最后一句|最后一次在|最后一条|最后一次说|不会再打扰|不再打扰|不麻烦大家|不麻烦各位|"
    "以后不麻烦|别找我|不用找我|拜托给|托付给|就拜托|帮我照顾|照顾好我|后事|下辈子|来世|解脱|"
    "陪他了|陪她了|去找他了|去找她了|这些年的照顾|这几年的照顾|多谢照顾|东西都送|东西都放|"
    "送人了|用不上了|再也不会|不会再见|以后就不|唔使再|多谢大家|farewell|lastmessage|takecareofmy|"
    "willnotbother|wontbother|攏送人|袂閣|最后一面",
    "missing": "走丢|走失|失踪|不见了|找不到|找不着|联系不上|没回家|没回来|寻人|跟丢|走散|"
    "唔见|搵唔到|未返|missing|lost|zoudiu|zhaobudao|寻找|帮忙找"
    "|失智|痴呆|老年痴呆|认知症|脑退化|dementia|alzheimer|糊涂|犹未转来|犹未返|揣无|相揣|走无去",
    "trapped": "困|被困|困住|关住|卡住|卡在|锁在|出不来|出不去|焗|电梯|轿厢|升降机|䢂|lift|"
    "elevator|trapped|stuck|kunzhu|kunzai|dianti",
    "medical": "晕倒|昏倒|昏迷|晕过去|倒地|摔倒|跌倒|摔了|起不来|爬不起|站不起|抽搐|口吐白沫|"
    "没呼吸|不省人事|叫不醒|心脏|中风|脑梗|出血|流血|吐血|喘不|呼吸困难|胸口|中毒|烫伤|"
    "咬伤|受伤|休克|发紫|高烧|跌咗|晕咗|起唔到|唔郁|冇反应|fainted|collapsed|unconscious|"
    "bleeding|breathe|hundao|shuaidao|120|救护车|ambulance"
    "|头痛|头疼|头晕|想吐|恶心|迷迷糊糊|打滚|嘴唇发紫|不动弹|躺那|跋倒|昏去|vomit|dizzy|confused|headache|nausea|被咬|咬伤|咬得"
    "|药|一大把|一把药|降压药|安眠药|overdose|pills",
    "vehicle": "车里|车内|车顶|车窗|熄火|隧道|涵洞|下穿|桥洞|car|tunnel",
    "animal": "蛇|毒蛇|马蜂|黄蜂|蜂窝|野猪|疯狗|狗咬|咬人|snake|hornet|yaoren|gouyao|dagou|wasp"
    "|咬|狗咬|咬人|咬住|咬牢|咬到|扑倒|恶犬|大狼狗|疯狗|野狗|流浪狗|大狗|dog|bite|bitten|马蜂窝|蜂|蛰|蜇|毒蛇",
    "ice": "冰面|冰上|薄冰|结冰|冰窟窿|冰溜|冰柱|冰凌|冰锥|icicle",
    # a person (often a child) high up and outside: windows, rails, ledges, AC units, roof edges
    "height": "窗台|窗外|窗户外|爬窗|爬出|爬到窗|阳台外|阳台栏杆|栏杆外|空调外机|外机上|楼顶边|屋顶边|"
    "房檐|屋檐|边上坐|坐在边|悬空|吊着|挂在外|hangingby|ledge|railing|windowsill|balconyrail",
    # people among moving traffic or hit by it
    "traffic": "马路中间|路中间|马路上跑|车道上|高速上|车流|按喇叭|红绿灯坏|信号灯坏|红绿灯不亮|"
    "差点撞|被撞|撞倒|撞飞|撞了人|车祸|肇事|碾|掉河里|冲进河|hitbyacar|runover|crash|chehuo",
}

NOW_SIGNS: dict[str, str] = {
    "smell": "味|闻到|好臭|好呛|呛|熏|刺鼻|臭鸡蛋|焦味|smell|stink|weidao|wenDao|冲鼻|一股",
    "sound": "嘶|呲|滋滋|噼啪|噼里啪啦|啪啪|哐|轰|咔嚓|咔咔|嘎吱|响声|巨响|砰|hiss|bang|crack|"
    "喊|叫|哭|尖叫|惨叫|呼救|救命|拍门|敲门|scream|crying|jiuming|嗌|喊救命|哭喊",
    "visible": "冒烟|冒红光|红光|爬出来|漂起来|漂起|水进来|冒火|火苗|火光|火舌|窜|蹿|浓烟|黑烟|白烟|看不清|看不见|火花|冒出|往外冒|"
    "喷|涌|往里灌|flames|sparks|smoking|睇唔到|睇到|看到|眼看|maoyan|huohua|maohuo|huoguang|"
    "nongyan|heiyan|pouring|gushing|onfire|alight"
    "|辣眼|眼睛辣|眼睛疼|睁不开|流泪|henduoyan|红线|表针",
    "spreading": "越来越|蔓延|扩散|变大|越烧越|越涨越|越裂越|一直涨|一直在|不停|停不下|还在|仲喺|"
    "仲在|spreading|getting|worse|rising|上涨|暴涨|猛涨|漫上来|涨上来|往上冒|快要|就要|马上要|"
    "随时|眼看|快到|快满|要漫|要塌|要倒|要断|一直往"
    "|越来越浓|越来越重|越来越响|嗷嗷响|一直响",
    "breaking": "裂|断|塌|垮|倒了|掉下来|砸下来|松动|晃|歪|倾|下沉|下坠|冲垮|冲走|决口|溃|爆|炸|"
    "break|burst|falling|collaps|shaking|sway|fell|fallen|caved|taxian|tale|duanle|liele|liekai|"
    "diaoxia|zale|baozha|baole|huangde|waile",
    "body": "敲不醒|没知觉|没有知觉|躺在地上|咬伤|被咬|咬了|见人就咬|抓伤|迷迷瞪瞪|迷瞪|yaole|beiyao|yaoshang|拍不醒|喊不应|起不来|站不起|爬不起|动不了|一动不动|没反应|没呼吸|不省人事|叫不醒|叫不应|抽搐|吐血|"
    "流血|出血|满脸是血|见血|喘不|透不过气|说不出话|发紫|脸白|晕|昏|抖|吐|唔郁|冇反应|起唔到|"
    "跌咗|晕咗|cantgetup|notbreathing|unconscious|bleeding|qibulai|血|notmoving|wontwake|"
    "passedout|fainted|collapsed|seizure|zhanbuqi|hunmi|yundao|liuxue|meifanying|buxingle|不行了"
    "|头痛|头疼|头好晕|想吐|恶心|迷迷糊糊|打滚|痛得|疼得|脸通红|嘴唇发紫|抽筋|躺那|躺着不动|不动弹|稀烂|被咬|咬得|咬伤|软脱|人软|昏去|跋倒|袂振动|叫袂醒|无反应|vomit|vomiting|dizzy|headache|confused|passingout"
    "|不会动|不动了|没得反应|喊不醒|白沫|倒在马路|躺在马路|躺在路|躺地上|倒在地上|冻坏|冻僵|没上来|没声音了|不吭声|injured|hurt|notresponding",
    "no_answer": "没接|无人接|无人应|不吱声|没吱声|不出声|没开灯|没有开门|没开门|两日没|几日没|未接|冇接|未有接听|都没接|都不接|从来不会这样|平时从来不|从不如此|平日从不|不像平时|notpickingup|didntanswer|wontanswer|neverdoesthis|不应|没人应|没人开|没人接|打不通|联系不上|没动静|没声音|不接电话|没见|没出门|"
    "冇人应|冇人听|唔听|唔应|noanswer|notanswering|好几天没|几天没|两天没|三天没|报纸堆|牛奶堆"
    "|没下楼|没露面|没出来过|信箱塞满|信箱满了|报纸没拿|门口堆|灯一直亮|灯一直开|窗帘一直|门缝|有异味|一股怪味|好多天没|多天没|关机|联系不到|不回消息|不回信息|没回复|phoneoff|notreplying|mailpilingup|pilingup",
    "missing_since": "没回来|到这会儿|这会儿没|找一圈|找了一圈|找遍了|notbackyet|hasntcomeback|notcomeback|不见了|走丢|走失|一直没回|到现在|还没回|还没找到|未返|唔见咗|since|"
    "出去了|跑出去|跟丢|走散|一个人在|在哭"
    "|一个小时|半小时|几个小时|好几个小时|从早上|从昨天|一直没|还没回|犹未|到今|揣无|anhourago|hoursago|lastseen|walkedout|wanderedoff",
    "trapped_now": "门打不开|门开不了|开不了门|打不开门|doorwontopen|doorswontopen|cantopenthedoor|困在|困住|被困|关在|卡在|锁在|出不来|出不去|在里面|喺入面|爬到|站在车顶|"
    "trapped|stuck|inside|kunzai|还有人|屋里还有|人还在|还在里面|还在车里|kunzhu|chubulai|"
    "cantgetout|chubuqu|guanzai|kazai|焗住|困咗"
    "|埋了|埋住|被埋|压着个人|压着人|压在下面|底下压|下面压|压到人|埋在",
    "urgency": "快|赶紧|赶快|马上|立刻|立即|救命|救救|帮帮|快来|快点|速来|急|紧急|十万火急|"
    "快打|打119|打110|打120|119|110|120|报警|help|urgent|quick|now|asap|hurry|jiuming|kuai|"
    "ganjin|mashang|kuaidian|kuailai|emergency|callpolice|call119|call120|chasing|attacking|"
    "beating|hitting|screaming|"
    "快啲|快d|快滴|搞快|赶快来|快嚟|快来人|要命|出人命|出事了|出大事"
    "|拜托|拜托大家|帮帮忙|帮忙找|救人|快救|救救",
    "right_now": "现在|正在|刚刚|刚才|此刻|眼下|而家|宜家|依家|咁啱|紧急|rightnow|"
    "currently|xianzai|zhengzai|gangcai|ganggang|这会|这会儿|这阵|现下|今朝|这歇|喺度|在这|还在|"
    "justnow|atthemoment|stillgoing|rightoutside",
}

BLOCKERS: dict[str, str] = {
    "negated": "没有烟|没着火|没有着火|没漏|没事|不是|没有人|没人受伤|无人受伤|冇事|唔系|"
    "不是煤气|notfire|nosmoke|noone|nobody|bushi|meiyou|虚惊|误报|假的|没啥事|没什么事",
    "handled": "已经|修好|处理好|解决了|灭了|扑灭|救出|找到了|送医|送到医院|恢复|控制住|搞掂|"
    "平安|放心|幸好|还好|好了|走了|散了|退了|isout|putout|safe|fixed|resolved|谢谢|感谢|辛苦",
    "past": "上次|上回|去年|前年|以前|之前|前几天|前阵子|上个月|上周|上礼拜|昨天|昨晚|前天|"
    "那天|当时|小时候|那次|那年|以往|往年|lastyear|lastweek|yesterday|舊年|寻日|琴日|尋日",
    "drill": "演练|演习|培训|模拟|科普|宣传|讲座|安全知识|安全教育|消防日|drill|training|"
    "exercise|yanlian|学习|课",
    "hypothetical": "万一|如果|要是|假如|假设|一旦|怕|担心|害怕|防止|预防|避免|以防|防范|谨防|"
    "小心|注意|隐患|会不会|可能会|容易|迟早|早晚|不然|否则|差点|险些|别|不要|记得|"
    "if|incase|risk|hazard|prevent|wanyi|rugua|千祈|唔好|好危险|太危险|危险",
    "question": "请问|咨询|怎么办理|怎么收费|多少钱|费用|缴费|交费|账单|燃气费|电费|水费|气费|"
    "怎么交|在哪交|怎么弄|怎么办|咋办|如何|能不能|可不可以|有没有|吗|呢|？|?|how|what|"
    "howto|bill|fee|点算|点搞|点样|有冇|系咪",
    "notice": "通知|温馨提示|【|转发|转自|转：|公告|提醒大家|请大家|特此|届时|敬请|据报道|新闻|"
    "电视|视频|抖音|朋友圈|听说|外地|别的小区|notice|reminder|announcement|forward|update|"
    "停气|停电通知|检修|安检|上门检查|巡检|计划",
    "figure": "热得|辣得|气得|急得|笑得|骂得|脑壳|头上|心都|人都|嘴巴|着火了吧|火大|上火|火气|"
    "发火|冒火了我|吵翻|炸了锅|炸锅|爆单|爆款|爆满|火爆|炸裂|笑死|哈哈|😂|🤣|lol|xswl|"
    "比喻|好像要|快要死了|累死|饿死|热死|冷死|困死|烦死|气死|卷|躺平",
    "story": "梦到|做梦|电影|电视剧|小说|游戏|故事|那部|剧里|dream|movie|game",
}


def _spec() -> dict[str, str]:
    spec: dict[str, str] = {}
    for prefix, groups in (("hz_", HAZARDS), ("now_", NOW_SIGNS), ("blk_", BLOCKERS)):
        for name, words in groups.items():
            spec[prefix + name] = words
    return spec


DANGER_LEXICON: dict[str, str] = _spec()


def crossings(groups: set[str]) -> list[str]:
    """Features for how the danger groups found in a message combine."""
    hazards = sorted(g[3:] for g in groups if g.startswith("hz_"))
    nows = sorted(g[4:] for g in groups if g.startswith("now_"))
    blockers = sorted(g[4:] for g in groups if g.startswith("blk_"))
    out: list[str] = []
    if hazards and nows:
        out.append("x_hazard_now")
        out += [f"x_{h}_now" for h in hazards]
        strong = [n for n in nows if n not in ("right_now",)]
        if strong:
            out.append("x_hazard_strongnow")
        if not blockers:
            out.append("x_hazard_now_clear")
            out += [f"x_{h}_now_clear" for h in hazards]
        out += [f"x_now_{b}" for b in blockers]
    if hazards and blockers:
        out += [f"x_{h}_{b}" for h in hazards for b in blockers]
    if len(hazards) >= 2:
        out.append("x_two_hazards")
    if len(nows) >= 2:
        out.append("x_two_nows")
        if not blockers:
            out.append("x_two_nows_clear")
    return out


_PREFIXES = ("\x03hz_", "\x03now_", "\x03blk_", "\x03x_")


def is_danger_feature(feature: str) -> bool:
    """Whether a feature string is one of the danger groups or their crossings."""
    return feature.startswith(_PREFIXES)
