"""Words that only call the bot or ask what it does: 「在吗」「有人吗」「你好」「怎么用」; and words
that only ask who is there: 「现在还有人没睡吗」「有人在线吗」「谁还在」.

The report model is taught on problems, so a bare 「@网格通 在吗」 can look like a report to it;
intake answers such a message with how to report instead of guessing a category. A roll call in
the group is chat, whatever the hour: its words (还有人, 没睡, 一个人) are also the words of people
at risk, and the model had called 「现在还有人没睡吗」 a danger (the emergency card, at night).
"""

from __future__ import annotations

import re

_CALL = re.compile(
    r"(?:请问|喂|嗨|哈喽|你好|您好|hi|hello|小?网格通)*"
    r"(?:在吗|在么|在不在|有人吗|有人在吗|你好|您好|哈喽|嗨|hi|hello|喂|怎么用|怎么报事|如何报事"
    r"|怎么反映问题?|你是谁|你能做什么|能做什么|干什么的|干嘛的|是干嘛的|帮助|help)+"
    r"[啊呀呢吧哦嘛啦]*",
    re.IGNORECASE,
)
_NOT_WORDS = re.compile(r"[\s\W_]+")
# Nothing but: when (现在, 这么晚了…), who (有人, 有没有人, 谁, 有谁; 还), and being there (在, 在线,
# 醒着, 没睡…) or a question particle. 「还有人呢」 says, not asks: not one.
_WHO_IS_THERE = re.compile(
    r"(?:请问|喂|大家好)*"
    r"(?:现在|这会儿|这会|此刻|今晚|晚上|半夜|大半夜的?|这么晚了?)*"
    r"还?(?:有没有人|有人|有谁|谁)还?"
    r"(?:(?:在|在线|醒着|没睡|睡了没|睡没睡|在家)[吗么嘛没不呢啊呀吧]*|[吗么嘛]+[啊呀]*)"
)


def calls_the_bot(text: str) -> bool:
    """Whether the words only call the bot (the parser, taught on reports, may call 「在吗」 one)."""
    return bool(_CALL.fullmatch(_NOT_WORDS.sub("", text)))


def asks_who_is_there(text: str) -> bool:
    """Whether the words only ask who is there (有人吗, 还有人没睡吗, 谁还在): chat, not a report."""
    return bool(_WHO_IS_THERE.fullmatch(_NOT_WORDS.sub("", text)))
