"""Urgency: danger now is caught even when said indirectly; drills, past and fixed things are not."""

from __future__ import annotations

import pytest

from nlp.normalize import normalize
from nlp.urgency import detect_urgency


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
    ],
)
def test_drills_negations_past_and_elsewhere_are_not_urgent(text: str) -> None:
    assert not urgent(text)


def test_the_cue_words_are_returned_as_evidence() -> None:
    assert "煤气味" in detect_urgency("厨房好大的煤气味").cues
