"""Urgency: danger now is caught even when said indirectly; drills, past and fixed things are not."""

from __future__ import annotations

import pytest

from nlp.normalize import normalize
from nlp.parse import get_parser
from nlp.urgency import detect_urgency, figures_of_speech


def urgent(text: str) -> bool:
    return detect_urgency(normalize(text)).urgent


@pytest.mark.parametrize(
    "text",
    [
        "8号楼冒黑烟了 快打119",
        "楼道里全是烟 看不清",
        "闻到一股焦味 好像是电线烧了",
        "一进门一股臭鸡蛋味 是不是漏气了",
        "厨房好大的煤气味",
        "3栋电梯关人了 里面有小孩在哭",
        "电梯卡在6楼和7楼中间了 我儿子在里面",
        "楼下两个人打起来了 还动刀了",
        "我妈摔倒了起不来",
        "小区有个老人走丢了 穿蓝衣服",
        "水漫进来了 一楼都进水了",
        "独居的王奶奶好几天没出门了 敲门没人应",
        "河水涨得好快 已经快到堤顶了",
        "樓道裡冒煙了 好像著火了",
        "幸福路上井盖没了 一个大洞 小孩放学都走这",
        # said sideways, in dialect or in pinyin
        "卫生间顶上的灯罩里在往下滴水 还滋滋响",
        "对门那家男的又在打老婆 哭声越来越小了",
        "我爸接到电话要他把钱转到安全账户 他正在去银行的路上",
        "有个男的一直跟着那个小姑娘 跟了好几条街了",
        "好像是天然气的味道 整个楼道都是 没人敢开灯",
        "大树倒了 压着电线 就在公交站旁边",
        "水库的坝在渗水 越渗越多",
        "老太太在冲凉房跌咗 起唔到身",
        "有个人在天台边上坐着 一动不动的",
        "超市停车场一辆车里锁着个小孩 大人不在",
        "有小孩在河面冰上走 冰都裂开了",
        "拎着一桶汽油在居委会门口转 说要同归于尽",
        "婆婆吃了山上采的野蘑菇 现在手一直抖 说看东西花",
        "zhao huo le 3 hao lou mao hei yan",
        "楼下那帮喝多了的干起来了 酒瓶子都抡起来了",
        "下穿隧道积水了 还有车往里开",
        "桥墩被水冲得晃了 还有车在过",
        "风很大 工地的塔吊晃得厉害",
        "the basement flat is flooding fast, water coming in under the door",
        "someone is trying the door handles on every floor",
        "公園草叢有條蛇 啲細路就快放學",
    ],
)
def test_danger_now_is_urgent_even_when_said_indirectly(text: str) -> None:
    assert urgent(text)


@pytest.mark.parametrize(
    "text",
    [
        "上次着火演练大家都去了吗",
        "电梯已经修好了 谢谢物业",
        "刚才着火了 已经扑灭了 没事了",
        "楼道飞线充电 万一着火怎么办",
        "没有着火 是烧烤的烟",
        "隔壁又在抽烟 烟味熏死人",
        "饭店油烟很大",
        "昨天楼下有人打架",
        "车被堵住出不来",
        "我刚看到新闻说外地有个小区着火了",
        "寻狗启事 昨晚走失一只泰迪",
        "你们说的那个火灾是去年的事了 别再转了",
        "这要着火就完了 电线拉得到处都是",
        "台风天记得把花盆收进来 不要被吹下去砸到人",
        "上游那个厂又在偷排 河水都黑了",
        "路灯坏了一个多月了 老人摔了好几个",
        "修车铺把机油倒在地上 走路都打滑",
        "化工厂一到晚上就放出一股像烧焦橡胶的味道",
        "好像有厂在偷偷往河里排污水",
        "包工头跑了 能不能帮忙找劳动监察",
    ],
)
def test_drills_negations_past_and_elsewhere_are_not_urgent(text: str) -> None:
    assert not urgent(text)


def test_the_cue_words_are_returned_as_evidence() -> None:
    assert "煤气味" in detect_urgency("厨房好大的煤气味").cues


# Danger by its parts: a hazard, a sign that it is happening now, not negated / past / a drill /
# handled. Each line pairs a hazard with a sign in words no single phrase rule was written for.
@pytest.mark.parametrize(
    "text",
    [
        "修路的挖掘机把人行道下面的燃气管挖断了 嘶嘶地往外冒",
        "樓梯間一股瓦斯味 越來越濃",
        "对门86岁的阿婆一个人在家 头晕 站不起来了",
        "村边那条河快漫上来了 河边住的全是老人",
        "部𨋢困咗個細路 喺入面喊緊",
        "我家四岁的儿子不见了 刚才还在楼下滑滑梯",
        "上游水库的坝在溢水了 下面就是村子",
        "天然气管子被铲车铲破了 一大股味",
        "老爷子九十多了 独自在家 早上摔了起不来",
        "河堤那边水位涨得飞快 眼看要漫过堤了",
        "帮忙找一下 5岁小女孩 穿红衣服 在超市门口走失的",
        "我們大廈升降機卡住咗 有個小朋友喺入面",
        "配电箱里的线烧黑了 还在滋滋响",
        "隔壁独居的老伯三天没开门了 电话也没人接",
        "a kid is stuck in the lift between floors, crying",
        "there is a strong gas smell in the stairwell of block 4",
        "后山的泥冲下来把后门堵了 老人还在屋里",
        "涵洞的水已经没过车窗 司机爬到车顶上了",
        "河里的水一下子涨了一米多 下面还有人在钓鱼",
        "花坛后面躺着一个人 一动不动的",  # 一动不动 is not 动不动 (every so often)
        "家里进贼了 门是开着的 人可能刚走",
        # 是不是 asks: its 不是 does not deny the hazard that follows
        "厨房是不是煤气漏了 好臭",
        "楼道里是不是着火了",
        # asking whether people are all right is no all-clear
        "楼道着火了 大家冇事吧？",
        # the figures of speech above do not hide the real thing
        "一楼进水了 水还在往上涨",
        "后面那堵围墙被水冲垮了 有人在下面",
    ],
)
def test_a_hazard_with_a_sign_of_now_is_urgent(text: str) -> None:
    assert urgent(text)


@pytest.mark.parametrize(
    "text",
    [
        "不是煤气 是楼下在做臭豆腐",
        "燃气公司明天上门安检 请家里留人",
        "上次煤气泄漏演练大家都配合得很好",
        "我家孩子五岁了 想报个兴趣班",
        "河边步道修好了 晚上散步很舒服",
        "老人家九十岁大寿 大家来喝喜酒",
        "昨天电梯困人了 已经救出来了 没事了",
        "bushi zhaohuo, shi louxia shao zhiqian",
        "万一燃气管被挖断怎么办 施工要小心",
        "楼上阳台的衣服掉下来了 在我家雨棚上",
        "今天热得人都要着火了 来杯冰奶茶",
        "我家狗从沙发上跳下来 把花瓶打了 哈哈",
        "转：天然气泄漏怎么办？先关阀门 再开窗",
        "没有人受伤 火已经灭了",
        "Fire drill in Block 2 at 3pm, no need to call 119",
        # over and said so: in written Chinese, Cantonese, 北方话
        "前晚5栋电梯困人的事已处理完毕 人员安全",
        "刚才那股焦味搞清楚了 是楼下在烤红薯 冇得事",
        "琴日B座个火警系有人煮嘢烧燶咗 消防已经走咗",
        "刚有人喊着火 我下楼瞅了 是烧烤摊生炉子 没事儿",
        # water in a head or a phone, people "collapsing" from work: figures of speech
        "你脑子进水了吧 这都信",
        "手机进水了 开不了机 有没有修手机的推荐",
        "天天加班 身体都累垮了",
    ],
)
def test_the_same_hazards_without_danger_now_are_not_urgent(text: str) -> None:
    assert not urgent(text)


@pytest.mark.parametrize(
    "text",
    [
        "剛剛煙霧警報器響是因為我在烤魚，不好意思嚇到大家了",
        "刚才那个煤气味是我家的 炖汤溢出来把火浇灭了 已经关阀门开窗了",
        "昨晚上那个困电梯的已经放出来了，莫得人受伤",
        "Sorry for the alarm everyone, I burnt my toast. All fine.",
    ],
)
def test_a_false_alarm_or_an_all_clear_opens_no_emergency(text: str) -> None:
    assert not detect_urgency(normalize(text)).urgent


@pytest.mark.parametrize(
    "text",
    [
        "不好意思打扰 3号楼冒黑烟了",
        "不是我家的 是楼上着火了",
        "sorry to bother, smoke is pouring out of flat 302",
        "刚才以为没事了 现在又冒烟了 快来人",
    ],
)
def test_politeness_or_a_denial_does_not_hide_danger(text: str) -> None:
    assert detect_urgency(normalize(text)).urgent


@pytest.mark.parametrize(
    ("text", "urgent"),
    [
        ("下午三点物业要测试火警铃 会响大概十分钟 大家不用跑", False),
        ("管理處通告：本週六上午十時將進行火警鐘測試，期間警鐘會間歇響起", False),
        ("Fire alarm test at 10am Saturday, no need to leave", False),
        ("火警铃响了 不是测试 楼道里真的有烟", True),
        ("火警铃响了 不是在测试 楼道里真的有烟 快跑", True),
        ("火警鐘響緊 唔係測試 真係有煙", True),
        ("This is NOT an alarm test, there is smoke in the stairwell", True),
        ("核酸测试点着火了 快报警", True),
    ],
)
def test_an_alarm_test_notice_is_no_danger_unless_it_is_not_a_test(text: str, urgent: bool) -> None:
    assert detect_urgency(normalize(text)).urgent is urgent


@pytest.mark.parametrize(
    "text",
    [
        # asking whether people are all right is not saying they are
        "二楼走廊着火了 你哋冇事嗎",
        "楼下冒黑烟 大家有冇事",
        "冇得事吧 六楼好大的烟",
        "楼道里全是烟 邻居们没事儿呢",
        # orders and unfinished work are not news that it is over
        "有人坐在天台边上要往下跳 请保障人员安全",
        "车库着火了 先确保人员安全 快来",
        "燃气泄漏 处理完毕之前谁都别进楼道",
        "一股煤气味 还没搞清楚了是哪家",
        # someone gone, not the firemen: 走咗 is not "they left, all is well"
        "我阿嫲已经走咗大半日 到而家都未返 佢有脑退化",
        # 可是 / 就是 before 不是 deny; the danger after it stands
        "可是不是演习 是真的着火了",
        "楼门跟前儿着火了 快来人",
    ],
)
def test_a_question_an_order_or_a_look_alike_of_an_all_clear_keeps_the_danger(text: str) -> None:
    assert detect_urgency(normalize(text)).urgent


@pytest.mark.parametrize(
    "text",
    [
        "消防车已经走咗 火救熄咗 冇事",
        "可是不是着火 是隔壁在烧烤",
        "就是不是着火 是楼下饭店炒辣椒",
        "所有人员安全 火已经灭了",
        "雨水口被树叶堵了 一下雨就冒水 人民路口",
    ],
)
def test_an_all_clear_a_denial_or_a_standing_problem_is_not_an_emergency(text: str) -> None:
    assert not detect_urgency(normalize(text)).urgent


@pytest.mark.parametrize(
    "text",
    ["他脑子进水了", "耳朵进水了", "热得脑壳都要冒烟了", "天天加班 身体都累垮了"],
)
def test_danger_words_in_a_figure_of_speech_open_no_emergency_through_the_learned_head(
    text: str,
) -> None:
    # the rules hear the figure; the learned head knows the words (进水, 冒烟) but not the figure,
    # and had called 他脑子进水了 and 耳朵进水了 (real chat) an emergency on its own
    assert figures_of_speech(normalize(text))
    assert not get_parser().parse(text).urgent


@pytest.mark.parametrize(
    "text",
    [
        "地下室进水了 水已经到膝盖了",
        "问个事，宿舍那个热水器老是打不着火，今天有股臭味，有个工友洗澡晕在里面了",
        "工地宿舍三楼那个插线板烧得发黑了，还有人拿热得快在烧水，一屋子胶皮味",
    ],
)
def test_a_water_heater_or_a_flooded_basement_is_no_figure_of_speech(text: str) -> None:
    assert not figures_of_speech(normalize(text))
    assert get_parser().parse(text).urgent


def test_a_figure_of_speech_does_not_hide_danger_the_rest_of_the_message_describes() -> None:
    # the learned head gives way only when the figure's words were its danger
    parser = get_parser()
    assert parser._only_the_figure(normalize("他脑子进水了"), 0.45)
    mixed = normalize("脑子进水了 我爸八十多了一个人住 电话一直打不通")
    assert figures_of_speech(mixed)
    assert not parser._only_the_figure(mixed, 0.45)


@pytest.mark.parametrize(
    "text",
    [
        "天太热了空调外机着火了",
        "热得空调外机都着火了 3栋",
        "太热了电瓶车起火了 在5栋楼下",
        "天太热了墙塌了砸到人了",
    ],
)
def test_heat_that_sets_something_on_fire_is_a_cause_not_a_figure(text: str) -> None:
    # heat is a figure only when it runs straight into the cue (热得要冒烟了); a review found
    # bare 热 hid these from the rules, and then (for a while) from the learned head too
    assert urgent(text)
    assert get_parser().parse(text).urgent


@pytest.mark.parametrize("text", ["今天热得要冒烟了", "这天热得冒烟", "辣得嘴巴都要着火了"])
def test_heat_running_straight_into_smoke_or_fire_is_a_figure(text: str) -> None:
    assert not get_parser().parse(text).urgent
