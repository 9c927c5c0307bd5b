"""Hand-made cue words, grouped by meaning: features that generalise past the corpus.

A learned model only knows the words its corpus used; these groups carry what a grid worker
knows (稀释剂 is a fire hazard, 六合彩 is gambling, 哐当 is noise). Each group becomes one
feature ("this message has a word about pests"); the classifier learns what each is worth for
each category, so a message in words the corpus never used still lands near its category.
"""

from __future__ import annotations

from itertools import compress

from nlp.danger_lexicon import DANGER_LEXICON, crossings
from nlp.fastregex import compile_led

LEXICON: dict[str, str] = {
    # people and quarrels
    "neighbour": "邻居|楼上|楼下那家|楼下那户|隔壁|对门|对面那家|街坊|那户人家|那家人",
    "quarrel": "吵架|吵起来|对骂|骂人|骂街|矛盾|纠纷|调解|协调|不讲理|说不通|扯皮|闹掰|翻脸|欺负|理论|争执|闹矛盾",
    "leak_to_me": "漏到我家|渗到我家|滴到我家|漏水到|渗水|天花板|卫生间漏|防水没做|泡坏|渗下来|滴下来",
    "home_noise": "跺脚|拖椅子|拖凳子|弹琴|练琴|剁|咚咚|蹦|跳绳|麻将|大声|吵到|吵死|吵得|睡不着|神经衰弱",
    "pets": "养狗|狗叫|狗狗|遛狗|鸽子|养鸡|打鸣|猫|宠物|狗绳",
    "family": "赡养|遗产|分家|婆媳|兄弟|儿子都不管|老房子|自留地|宅基地|家务事|离婚|家暴|抚养",
    "property_mgmt": "物业费|业委会|物业公司|物业说|物业不|wy|撤场|乱收|停车费|车位费",
    # work and money owed
    "wages": "工资|工钱|欠薪|拖欠|讨薪|结账|结工钱|单钱|提成|高温补贴|最低工资|血汗钱|年终奖|扣钱|罚款|尾款|押金|路费",
    "employer": "包工头|老板|雇主|公司|厂里|工厂|厂子|劳务|派遣|班组|工地|项目部|站点|外包|中介",
    "worker": "工人|员工|农民工|月嫂|保姆|骑手|保安|保洁|临时工|学徒|打工|干活|上班的|帮厨",
    "labour_law": "工伤|劳动合同|合同|辞退|开除|加班费|试用期|补偿|离职|劳动仲裁|仲裁|劳动监察|社保没交|签字",
    "ran_off": "跑路|卷钱|联系不上|电话打不通|人找不到|玩失踪|拉黑",
    # crime and order
    "theft": "偷|小偷|被盗|盗窃|撬|贼|丢了|不见了|被翻|顺走|扒手|剪锁",
    "fraud": "骗|诈骗|骗子|传销|非法集资|高利贷|催收|冒充|碰瓷|保健品讲座|领鸡蛋|投资|理财|中奖",
    "vice": "赌|六合彩|吸毒|卖淫|不正经|足浴|按摩店|棋牌室|打牌",
    "violence": "打架|斗殴|闹事|打人|持刀|威胁|恐吓|敲诈|勒索|砸车|醉汉|动手|推搡|群架",
    "suspicious": "可疑|陌生人|跟踪|尾随|偷拍|猫眼|鬼鬼祟祟|进进出出|推销|敲门|徘徊|不对劲",
    "police": "报警|110|派出所|民警|警察|监控|调监控|立案",
    # building and space
    "construction": "违建|违章|搭建|加盖|搭了|盖了|砌墙|砌了|扩建|加建|加层|盖房|建房|地基|搭棚|往下挖|施工队",
    "enclosure": "圈地|围起来|圈起来|封阳台|外扩|围墙|院子|栅栏|铁栅栏|卷帘门|伸出去|占用公共|公共绿地|私自|霸占",
    "shed": "彩钢|铁皮屋|铁皮房|棚子|板房|偏房|阳光房|鸽子棚|雨棚|遮阳棚|露台|天台|楼顶|顶楼",
    "structure": "承重墙|拆墙|砸墙|改成|改造|打通|审批|规划|违规",
    # street order
    "parking": "乱停|停车|停满|停在|车位|僵尸车|挡住|堵住|开到草坪|压草坪|占了车位|私家车|面包车|三轮车",
    "vendors": "摆摊|摊|小贩|夜市|外摆|卖菜|卖水果|占道|出店经营|流动|烤肠|煎饼",
    "clutter": "堆放|堆满|杂物|晾|拉绳子|横幅|广告牌|门头|招牌|共享单车|挡路|堵路|过不去|走不了",
    "posters": "小广告|牛皮癣|贴满|乱贴|乱挂|传单|涂鸦|喷漆|办证|开锁",
    "pavement": "人行道|盲道|店门口|门口的路|马路上|路边",
    "enforcers": "城管|执法|市监|市场监管|环保局|住建",
    # noise, smells, dirt in air and water
    "business_noise": "噪音|扰民|轰隆|哐当|打桩|施工|电钻|切割|广场舞|音响|喇叭|ktv|酒吧|鸣笛|喊麦|卸货|夜间|凌晨|机器|震",
    "fumes": "油烟|烧烤|烟熏|排烟|熏|油漆味|废气|刺鼻|化工|氯气|气味|异味|恶臭|臭味|腥|粉尘|灰尘|扬尘|烧垃圾|焚烧|烧塑料|烧秸秆",
    "water_pollution": "排污|偷排|排放|污水|发黑|变色|死鱼|河水|河里|河道|水葫芦|油污|泡沫",
    # food, drugs, markets
    "food": "过期|变质|发霉|长毛|食品|食物中毒|拉肚子|吃坏|吃了|地沟油|后厨|异物|虫子|头发|生产日期|保质期|注水|病死|熟食|奶粉|外卖",
    "drugs": "假药|神药|保健品|特效药|药店|诊所|黑诊所|医美|偏方|包治|降糖|降压",
    "licence": "无证|执照|无照|黑作坊|卫生许可|营业执照|没有证",
    "price": "缺斤短两|短秤|乱收费|宰客|标价|虚假宣传|退款|价格|涨价|多收|收费|一斤|块钱|三无|假货|山寨|以次充好",
    "shop": "商家|饭店|餐馆|小饭馆|超市|小卖部|店里|店家|老板娘|菜场|摊主",
    # fire
    "charging": "飞线|充电|电瓶|电动车|锂电池|鼓包|插线板|拉线|私拉|乱拉",
    "fire_exit": "消防|安全出口|安全通道|消防通道|生命通道|消防栓|灭火器|烟感|楼梯间|楼道|堵死|焊死|锁死|疏散",
    "flammable": "易燃|油漆|稀释剂|汽油|柴油|酒精|液化气|煤气罐|燃气|煤气|天然气|烟花|鞭炮|纸箱|泡沫板",
    "electric_fault": "电线|老化|短路|电表箱|电箱|配电|冒烟|火花|焦味|烧焦|跳闸|漏电",
    "fire": "着火|起火|火灾|明火|火苗|烧起来|119",
    # nature
    "weather": "台风|暴雨|大雨|下雨|雨停|大风|刮倒|冰冻|结冰|暴雪|冰雹|打雷|雷|汛|梅雨|寒潮",
    "flood": "积水|内涝|淹|水位|涨水|洪水|山洪|倒灌|排水|沙袋|挡水板|一汪水|进水|水漫|泡了|溢洪|堤|水库|山塘",
    "ground": "塌方|滑坡|泥石流|山体|落石|石头滚|地陷|塌陷|陷下去|裂缝|危房|山脚|掉土|开裂|沉降",
    "trees": "树倒|倒伏|吹倒|大树|树枝|断枝|歪了|压在",
    # repairs
    "broken": "坏了|坏掉|坏|修|维修|报修|不亮|破损|破了|断了|松了|掉了|卡住|不动|失灵|没反应|故障|维保|配件",
    "lift": "电梯|dt|lift|轿厢|按钮|楼层",
    "lights": "路灯|灯|黑灯瞎火|黑漆漆|伸手不见五指|不亮",
    "road": "井盖|窨井|路面|坑|坑坑洼洼|台阶|坡道|无障碍|栏杆|扶手|护栏|减速带|斑马线|篦子|盖板|下水道盖|雨水管|挖开|高低不平|路牙",
    "utilities": "停水|停电|没水|没电|水压|水管|爆管|自来水|供水|供电|来水|来电|电表|水表|信号|宽带|燃气表|二次供水|"
    "水龙头|停气|燃气停|没气|铁锈|水是黄|自来水公司|电力公司|电信|联通|移动|网络|充电桩|充不上",
    "amenities": "健身器材|秋千|滑梯|篮筐|座椅|长椅|站牌|遮雨棚|顶棚|门禁|道闸|车棚|快递柜|公厕|厕所|卷帘门|监控|"
    "一键呼叫|应急灯|楼号牌|门牌|晾衣杆|打气筒",
    "roof_wall": "漏雨|防水|墙皮|外墙|水箱|屋顶|天窗",
    # sanitation
    "rubbish": "垃圾|清运|没人收|没人清|没人倒|满了|溢出|建筑垃圾|装修垃圾|烟头|纸屑|塑料袋|桶|lj",
    "pests": "苍蝇|蚊子|蟑螂|老鼠|四害|消杀|打药|灭鼠|蛆|虫|白蚁|跳蚤",
    "drains": "堵了|疏通|化粪池|污水井|下水道|返水|冒水|马桶|雨水口|排水沟|水沟",
    "filth": "粪|狗屎|便便|尿|吐了|呕吐|脏|卫生|保洁|拖地|打扫|清扫|清理|落叶|死猫|死狗|尸体|臭|味道|发酵|冲一下|扫一下",
    # services
    "asking": "请问|咨询|问一下|想问|怎么办理|需要准备|需要带|去哪|哪里办|在哪办|能不能帮|谁能告诉|流程|几点",
    "paperwork": "办理|材料|证明|户口|身份证|居住证|证件|盖章|开证明|补办|登记|申请|领取|发放|政策",
    "welfare": "社保|医保|养老金|退休|低保|补贴|补助|救助|困难|残疾|残联|老年卡|孤寡|低收入|慰问",
    "care": "养老|独居|空巢|上门|助餐|护理|看护|托管|瘫痪|照顾|帮帮|老年大学|老年食堂|日间照料",
    "health": "疫苗|接种|体检|预约|就医|看病|慢病|医院|卫生院|家庭医生|配药",
    "school": "入学|上学|学位|幼儿园|小学|转学|学籍",
    "urgent_person": "摔|晕|起不来|没人应|联系不上|走丢|走失|找不到|不见了|糊涂|痴呆|一动不动|喘",
    "transport": "公交|末班车|首班车|班次|改线|线路|地铁|校车|打车|停靠点|共享单车投放",
    "rumour": "真的假的|真的吗|传言|听说要|在传|拆迁|消息",
    "can_you": "能不能安|能不能给|能不能在|能不能多|能不能改|可不可以加|可以装|麻烦安排",
    # other requests and not-reports
    "suggestion": "建议|希望|意见|提议|能不能加|能不能装|多装|加个|装个|设个|开个|增加|改名|公众号|wifi|密码|地图|导航|路牌|英文|选举|议事会|书记|网格长",
    "thanks": "谢谢|感谢|辛苦|点赞|👍|🙏|赞|好评|效率高|这么快",
    "greeting": "早上好|晚安|早安|午安|恭喜|祝|快乐|新年|中秋|端午|国庆|春节|过年好|大家好",
    "notice": "通知|温馨提示|【|转发|公告|提醒|请各位|请大家|特此|届时|敬请",
    "advert": "出售|转让|招租|出租|招聘|私聊|欢迎|优惠|团购|拼单|拼车|代购|接单|上门服务|价格实惠|加微信|二手|闲置",
    "chat": "哈哈|嘻嘻|😂|🤣|😄|好吃|好看|天气|吃饭|周末|放假|打卡|红包|群主|加群|进群|有没有人|一起|推荐|谁家的|捡到|笑死",
    "resolved": "修好了|解决了|已经好了|弄好了|处理好了|已处理|已解决|恢复了|不用管了",
}


def _index() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[int, ...]]]:
    """Words to their groups; one-character words; for each two-character start, the lengths."""
    groups: dict[str, list[str]] = {}
    for name, words in (*LEXICON.items(), *DANGER_LEXICON.items()):
        for word in words.lower().split("|"):
            groups.setdefault(word, []).append(name)
    lengths: dict[str, set[int]] = {}
    for word in groups:
        if len(word) > 1:
            lengths.setdefault(word[:2], set()).add(len(word))
    return (
        {w: tuple(g) for w, g in groups.items()},
        {pair: tuple(sorted(n)) for pair, n in lengths.items()},
    )


_GROUPS, _LENGTHS_BY_PAIR = _index()
_ONE_CHAR = {w: g for w, g in _GROUPS.items() if len(w) == 1}
MARK = "\x03"  # prefixes lexicon features so no text n-gram can equal one


# 可是不是着火 / 就是不是 say "but it is not": their 不是 denies and stays
_ASKS = compile_led(r"(?<![可就倒但])是不是")


def _unask(text: str) -> str:
    """「是不是」 asks; it does not deny: without this its 不是 would read as a negation
    (「是不是有人家管子坏了」 would say the danger is not there)."""
    return _ASKS.sub("是否", text) if "是不是" in text else text


def lexicon_features(text: str) -> list[str]:
    """One feature per group whose cue words occur in `text` (lower-case, as prepared)."""
    found: set[str] = set()
    text = _unask(text)
    # The loops over characters and character pairs run inside map(), in C; Python only visits
    # the few places where a word can start. (tests/test_nlp_lexicon.py pins this against the
    # plain scan of every position and every word length.)
    for hit in filter(None, map(_ONE_CHAR.get, text)):
        found.update(hit)
    groups = _GROUPS
    starts = [*map(_LENGTHS_BY_PAIR.get, map(str.__add__, text, text[1:]))]
    for i in compress(range(len(starts)), starts):
        for size in starts[i]:
            hit = groups.get(text[i : i + size])
            if hit is not None:
                found.update(hit)
    # the danger groups (nlp/danger_lexicon.py) also count in combination: a hazard with a sign
    # of now and no blocker is the shape of an urgent report, whatever the words
    return [MARK + name for name in (*sorted(found), *crossings(found))]
