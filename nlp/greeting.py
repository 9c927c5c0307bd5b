"""Words that only call the bot or ask what it does: 「在吗」「有人吗」「你好」「怎么用」.

The report model is taught on problems, so a bare 「@网格通 在吗」 can look like a report to it;
intake answers such a message with how to report instead of guessing a category.
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


def calls_the_bot(text: str) -> bool:
    """Whether the words only call the bot (the parser, taught on reports, may call 「在吗」 one)."""
    return bool(_CALL.fullmatch(_NOT_WORDS.sub("", text)))
