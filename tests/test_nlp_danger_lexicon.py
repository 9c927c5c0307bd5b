"""The danger groups the urgency head learns from: concepts, in many voices, and how they cross."""

from __future__ import annotations

import pytest

from nlp.features import prepare
from nlp.lexicon import MARK, lexicon_features
from nlp.normalize import normalize


def groups(text: str) -> set[str]:
    return {f.removeprefix(MARK) for f in lexicon_features(prepare(normalize(text)))}


@pytest.mark.parametrize(
    ("text", "hazard"),
    [
        ("厨房一股煤气味 越来越浓", "gas"),
        ("樓梯間瓦斯味好重", "gas"),
        ("there is a gas smell, it is getting worse", "gas"),
        ("3 hao lou mao yan le kuai lai", "fire"),
        ("河水一直涨 快漫上来了", "water"),
        ("外墙在往下掉 砸下来了", "structure"),
        ("电线掉在水里 还在冒火花", "electric"),
        ("阿婆跌咗 起唔到身", "person"),
        # 是不是 is a question, not the negation 不是 (nlp/lexicon.py)
        ("一进楼道就一股臭蛋味 是不是有人家管子坏了", "gas"),
        ("老乡从脚手架上摔下来了 躺在地上说腿没知觉", "structure"),
    ],
)
def test_a_hazard_with_a_sign_of_now_and_no_blocker_is_one_feature(text: str, hazard: str) -> None:
    found = groups(text)
    assert "hz_" + hazard in found
    assert "x_hazard_now_clear" in found


@pytest.mark.parametrize(
    "text",
    [
        "明天下午消防演练 冒烟是正常的",
        "上次煤气泄漏 已经修好了",
        "万一着火了怎么办",
        "请问燃气费在哪交",
        "【温馨提示】汛期河水上涨 请大家注意",
    ],
)
def test_blockers_are_seen(text: str) -> None:
    found = groups(text)
    assert any(g.startswith("blk_") for g in found)
    assert "x_hazard_now_clear" not in found
