"""A message that only calls the bot is told how to report; one with a problem in it is not."""

from __future__ import annotations

import pytest

from nlp.greeting import calls_the_bot


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
