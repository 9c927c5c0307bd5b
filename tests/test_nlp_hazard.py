"""The hazard an urgent message describes: it picks whom the group is told to call and what to do."""

from __future__ import annotations

import pytest

from nlp.hazard import hazard_of
from nlp.parse import Parser, get_parser


@pytest.fixture(scope="module")
def parser() -> Parser:
    return get_parser()


@pytest.mark.parametrize(
    ("category", "text", "hazard"),
    [
        ("fire_hazard", "3号楼楼道里全是烟 好像着火了", "fire"),
        ("fire_hazard", "5栋2单元好大一股煤气味 闻着头晕", "gas"),
        ("fire_hazard", "厨房燃气泄漏着火了", "fire"),
        # gas told by its smell, in Traditional, or as carbon monoxide: gas advice, not the stairs
        ("fire_hazard", "楼道里一股臭鸡蛋味越来越浓 我头有点晕", "gas"),
        ("fire_hazard", "樓梯間好重的瓦斯味", "gas"),
        ("fire_hazard", "浴室热水器开着 我妈在里面洗澡叫不应", "gas"),
        ("fire_hazard", "Strong GAS smell in the stairwell of Block 6", "gas"),
        ("fire_hazard", "配电箱冒火花 电线烧焦的味道", "electricity"),
        ("livelihood", "12号楼的李奶奶一个人住 好几天没开门了 敲门也没人应", "person"),
        ("disaster", "地下车库进水了 有车被淹 人被困", "water"),
        ("disaster", "老房子墙体开裂 要塌了", "structure"),
        ("public_security", "楼下有人打架 拿着刀", "violence"),
        ("market_safety", "食堂吃完好多人上吐下泻 像是中毒了", "person"),
        ("other", "小孩被锁在车里了 太阳底下晒着", "person"),
        # a farewell is a person to reach, not a scene to keep away from
        ("public_security", "这是我在群里最后一句话了 房租我转给房东了 对不起大家", "person"),
        ("public_security", "孩子不见了 穿红衣服 5岁", "missing"),
        # gas named by a notice that forbids flames, by its smell in English, or by a coal stove
        ("fire_hazard", "物业通知：3栋有燃气味 请勿使用明火和电器开关", "gas"),
        ("fire_hazard", "Smells like rotten eggs in the stairwell of Block 2", "gas"),
        ("fire_hazard", "屋里烧着煤饼炉 门窗关着 老人说头晕想吐", "gas"),
        ("fire_hazard", "插座冒火星子 一股焦味", "electricity"),
        # a person who falls is not a wall that falls
        ("livelihood", "楼下大爷突然倒了 叫不醒", "person"),
        ("facility_repair", "电梯卡在两层中间 里面有个老人", "lift"),
        ("public_security", "两个人打起来了 一个拿着酒瓶", "violence"),
        # "call me" in a missing-child message is no violence
        ("public_security", "孩子走丢了 穿蓝衣服 有线索请打我电话", "missing"),
        ("pollution", "工厂那边飘来一股刺鼻的味道 好多人咳嗽 眼睛睁不开", "chemical"),
        ("livelihood", "路口一辆电动车被货车撞倒了 人躺在地上不动", "traffic"),
        ("public_security", "烧烤店门口两个喝多了的干起来了 酒瓶都抡上了", "violence"),
        ("facility_repair", "外墙上的空调支架松脱了 整台机器悬在半空晃", "structure"),
        # a body swaying or hanging out of a window is a person, not a loose sign
        ("public_security", "有个人站在楼顶边上 摇摇晃晃的 要跳楼", "person"),
        ("public_security", "孩子坐在窗台上 半个身子悬在外面", "person"),
        ("livelihood", "老人嘴歪 手脚没力气", "person"),
        # smoke that chokes is a fire; a fever is no fire; a fall is no road accident
        ("fire_hazard", "楼道里烟好大 呛得喘不过气", "fire"),
        ("livelihood", "孩子发高烧 抽搐 叫不醒", "person"),
        ("livelihood", "李奶奶在家摔倒了 头撞了一下 起不来", "person"),
        ("livelihood", "爷爷喝了农药 叫不醒", "person"),
        # seventh session: voice-input homophones and Hokkien for gas, a heated kang's fumes; a
        # child on a ledge in English; a slope giving way; a sign loose in the wind; a car on
        # the pavement; a man threatening to jump from a crane
        ("fire_hazard", "楼道里好大一股媒气味道 要不要叫人", "gas"),
        ("fire_hazard", "Tshù-lāi ū ga-suh bī, a-má thâu-khak hîn", "gas"),
        ("livelihood", "屋里烧炕 早上奶奶叫不醒", "gas"),
        ("fire_hazard", "A little boy is standing on the window ledge of the 6th floor", "person"),
        ("disaster", "屋后的山崩了 泥沙冲到墙上 墙已经裂开", "structure"),
        ("facility_repair", "超市门口的招牌被风吹得一直晃 下面都是人", "structure"),
        ("street_order", "一辆车冲到人行道上了 撞到两个学生", "traffic"),
        (
            "facility_repair",
            "A van mounted the pavement and hit a cyclist, he is not moving",
            "traffic",
        ),
        ("labor", "工友讨不到工钱 爬上塔吊说要跳下来", "person"),
        ("public_security", "隔壁男的喝醉了在打孩子 哭得好惨", "violence"),
        ("fire_hazard", "楼上在烧东西 烟从窗户缝里飘进来 呛得眼泪直流", "fire"),
        # a farewell that cannot be reached is a door to knock on; a missing child is a search
        ("public_security", "朋友发了遗书 现在联系不上 她住在3栋", "person"),
        ("livelihood", "My dad (dementia) wandered off from the clinic an hour ago", "missing"),
        # 找不到 alone is a lost thing; the person is who matters
        ("livelihood", "速效救心丸找不到了 我爷爷心口痛 喘不过气", "person"),
        ("public_security", "我女儿放学一直没回家 电话也打不通", "missing"),
        # someone who lives alone and went out is missing, not behind a door
        ("public_security", "王伯一个人住 早上出去散步 到现在还没回来", "missing"),
        # gone by the water: the water is searched first
        ("public_security", "小孙子在塘边玩 一眨眼不见了", "water"),
        # a named chemical, or a cigarette, is not a fire to flee
        ("fire_hazard", "农药厂的烟飘过来了 呛得眼泪直流", "chemical"),
        ("livelihood", "隔壁吸烟的烟飘进来 我妈哮喘犯了 喘不上气", "person"),
        ("fire_hazard", "楼下饭店的烟飘进来了 越来越浓 好像着了", "fire"),
        ("public_security", "一辆车冲上人行道 撞倒了 一个老人", "traffic"),
        # said by the scene, not by the hazard's name
        ("fire_hazard", "车棚里一辆电动车的电池鼓起来了 在冒烟", "fire"),
        ("livelihood", "我舅舅刚把一瓶百草枯喝了 嘴唇都白了", "person"),
        ("disaster", "暴雨 一楼的水已经漫过插座了 还有老人在屋里", "water"),
        ("disaster", "后山的泥一直往下冲 石头滚到路上了 下面有人家", "structure"),
        ("fire_hazard", "楼道里有股怪味 闻了一会儿头晕", "gas"),
        ("pollution", "隔壁厂里一桶稀料打翻了 味道熏得人想吐", "chemical"),
        ("public_security", "一条大黑狗扑上来咬住一个小孩的腿 主人不在", "violence"),
        ("livelihood", "我爷爷吃饭吃着突然倒了 叫他也不答应", "person"),
        ("facility_repair", "电梯一下往下梭了好几层 卡住了 里面有人", "lift"),
        ("facility_repair", "三楼外墙的瓷砖一块一块往下掉 下面是学校门口", "structure"),
        ("public_security", "有人在停车场拿砖砸车窗 还在骂人", "violence"),
        ("disaster", "快来人啊", "water"),  # the category's usual danger
        ("other", "快来人啊", "general"),
    ],
)
def test_the_hazard_comes_from_the_words_then_the_category(
    category: str, text: str, hazard: str
) -> None:
    assert hazard_of(category, text) == hazard


@pytest.mark.parametrize(
    ("text", "hazard"),
    [
        ("5栋2单元好大一股煤气味 闻着头晕", "gas"),
        ("3号楼楼道里全是烟 好像着火了", "fire"),
        ("樓梯間好重的瓦斯味 有人頭暈", "gas"),
        ("地下车库进水了 水已经到膝盖 还有人在车里", "water"),
    ],
)
def test_the_parser_names_the_hazard_of_an_urgent_report(
    parser: Parser, text: str, hazard: str
) -> None:
    result = parser.parse(text)
    assert result.urgent
    assert result.hazard == hazard


def test_an_ordinary_report_names_no_hazard(parser: Parser) -> None:
    result = parser.parse("南门那盏路灯坏了快一个月了 晚上黑乎乎的")
    assert result.is_report and not result.urgent
    assert result.hazard is None
