"""A message that only calls the bot is told how to report; one with a problem in it is not. A
roll call in the group (现在还有人没睡吗) is chat, not a report and not a danger."""

from __future__ import annotations

import pytest

from nlp.decide import action
from nlp.greeting import asks_who_is_there, calls_the_bot
from nlp.parse import get_parser


@pytest.mark.parametrize(
    "text",
    ["@网格通 在吗", "在吗？", "有人在吗", "你好呀", "网格通 怎么用", "Hello!", "你能做什么"],
)
def test_calling_the_bot_or_asking_what_it_does(text: str) -> None:
    assert calls_the_bot(text)


@pytest.mark.parametrize(
    "text", ["在吗 3号楼路灯坏了", "有人吗 电梯困人了", "你好，楼下垃圾三天没人收", "在家吗", ""]
)
def test_a_problem_or_other_words_are_not_a_call(text: str) -> None:
    assert not calls_the_bot(text)


@pytest.mark.parametrize(
    "text",
    [
        "这么晚了还有谁没睡呀",
        "有没有人在线啊",
        "大半夜的谁还醒着",
        "现在有人在吗？？",
        "有人在家吗",
    ],
)
def test_a_roll_call_in_the_group_is_chat_at_any_hour(text: str) -> None:
    """Its words (还有人, 没睡) are also the words of people at risk: no case, no emergency card."""
    assert asks_who_is_there(text)
    result = get_parser().parse(text)
    assert action(result) == "ignore" and not result.urgent


@pytest.mark.parametrize(
    "text",
    [
        "3号楼着火了 楼里还有人",
        "电梯里有人吗 好像困住了半天了",
        "还有人没出来 快打119",
        "还有人呢！",
    ],
)
def test_who_is_there_with_anything_else_is_not_a_roll_call(text: str) -> None:
    assert not asks_who_is_there(text)


def test_danger_that_asks_who_is_there_is_still_danger() -> None:
    assert get_parser().parse("3号楼着火了 楼里还有人").urgent
