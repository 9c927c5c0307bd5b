"""Places: the most specific place a message names, as one span of the text."""

from __future__ import annotations

import pytest

from nlp.places import find_location


def located(text: str, places: tuple[str, ...] = ()) -> str | None:
    span = find_location(text, places)
    return text[span[0] : span[1]] if span else None


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("福业街菜场门口路面塌了个坑 晚上骑车很危险", "福业街菜场门口"),
        ("阳光花园3栋2单元楼道里有人充电", "阳光花园3栋2单元"),
        ("在幸福小区的5号楼门口", "幸福小区的5号楼门口"),
        ("金色水岸12栋电梯坏了", "金色水岸12栋"),
        ("6幢1单元 101室 厨房下水返水", "6幢1单元 101室"),
        ("中山北路123号门口堆了很多东西", "中山北路123号门口"),
        ("人民路与解放路交叉口红绿灯坏了", "人民路与解放路交叉口"),
        ("垃圾没人收 12栋后面", "12栋后面"),
        ("小区东门有人摆摊", "小区东门"),
        ("地下车库积水好深", "地下车库"),
        # names with a character that is usually a function word
        ("育才路那根电线杆上的线垂下来了", "育才路"),
        ("和平新村22号楼楼道窗户玻璃掉了", "和平新村22号楼"),
        ("我和人民路那家店老板吵起来了", "人民路"),
        # bare landmarks
        ("河边那个洗车店的污水直接排到河里", "河边"),
        ("电梯口那一滩谁家狗的", "电梯口"),
        ("地下通道的水到腰了 还有人往里走", "地下通道"),
        # estates and villages named X园, X家Y村, X塘; schools by their usual names
        ("垃圾桶好几天没人倒 泰和园", "泰和园"),
        ("有人在基本农田上盖房子 马家庄村", "马家庄村"),
        ("二中门口那家店卖过期零食", "二中门口"),
        ("实验小学东门那边有人拦小孩要钱", "实验小学东门那边"),
        # flats and buildings written other ways
        ("楼上1202天天半夜剁排骨", "1202"),
        ("dian ti huai le, 9 hao lou", "9 hao lou"),
        ("gas smell in the lobby of Block C", "Block C"),
        ("雨天小区门口那段路一直积水", "小区门口"),
        ("The street light at Heping Road has been flickering", "Heping Road"),
        ("A car is parked outside Gate 3 every day", "Gate 3"),
        ("这种事社区管不管啊 和平里小区", "和平里小区"),
        ("烤鱼店油烟直接排 就在华联商厦后面", "华联商厦后面"),
    ],
)
def test_the_most_specific_place_is_one_span(text: str, place: str) -> None:
    assert located(text) == place


@pytest.mark.parametrize(
    "text",
    [
        "楼下一直有人吵",
        "我家门口垃圾没人收",
        "5月3号停水",
        "走路摔了一跤",
        "雨后山上滚下来的石头把路堵了",
        "等于把绿地变成他家后花园了",
        "今天1200块钱买了个电视",
        "我家住十八楼 电梯又坏了",
        "老板跑路了 工资没发",
        "请问社区医院几点开门",
        "明天小学秋游要带什么",
    ],
)
def test_relative_words_dates_and_everyday_words_are_no_place(text: str) -> None:
    assert located(text) is None


def test_configured_place_names_are_known_without_a_suffix() -> None:
    text = "东方丽都的垃圾三天没人收了"
    assert located(text) is None
    assert located(text, ("东方丽都",)) == "东方丽都"


def test_a_configured_place_beats_a_generic_landmark() -> None:
    assert located("东门那边 城河小区的路灯坏了", ("城河小区",)) == "城河小区"


def test_personal_data_is_not_read_as_a_room_number() -> None:
    text = "窨井盖响 联系我 139-0584-7721 中官路67号"
    span = find_location(text, blanks=[(text.index("139"), text.index("139") + 13)])
    assert span is not None and text[span[0] : span[1]] == "中官路67号"
