"""高频问题: the words and places that recur most in a period's cases, against the period before.

Words come from jieba's TF-IDF keyword extraction (jieba.analyse) run on each case's text with
Gridbot's segmenter (its user dictionary): a word counts once per case in whose top keywords it
is, so one long message cannot make a topic. Place names are taken out of the text first and
counted on their own, from the place the parser stored with each case. Cases rejected as no
case are left out. Only terms seen in at least `min_count` cases are listed. Segmentation costs
about a tenth of a millisecond per text, so a period's newest `max_cases` cases are read (all of
them for a grid or a week; a sample of the latest for a district's quarter), off the event loop.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.reports.stats import cohort
from storage import stats as stats_sql

if TYPE_CHECKING:
    from jieba.analyse import TFIDF

    from bot.config import Config
    from bot.reports.stats import Period, Scope
    from storage.db import Connection

KEYWORDS_PER_CASE = 4
MAX_CASES = 5000
# Words that carry no topic: politeness, urgency and time words residents add to any report.
# (SIM905: a word list reads better as one block of text than as 80 quoted strings)
STOP_WORDS = frozenset(
    """希望 麻烦 尽快 处理 有人 看看 来看看 好几天 已经 帮忙 帮助 网格员 一下 问题 反映 我们
    你们 他们 这个 那个 没有 什么 怎么 现在 今天 昨天 晚上 早上 一直 还是 还有 可以 需要 请问
    联系电话 电话 谢谢 情况 这里 那里 附近 门口 太危险 危险 非常 特别 好多 很多 严重 起来 不给
    想反映 建议 一个 有个 几天 三个 两个 个月 好几 天了 不到""".split()  # noqa: SIM905
)
_HAS_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class Topic:
    term: str
    count: int  # cases in the period
    previous: int  # cases in the period before

    @property
    def change(self) -> int:
        return self.count - self.previous


@dataclass(frozen=True, slots=True)
class HotTopics:
    scope: Scope
    period: Period
    words: list[Topic]
    places: list[Topic]
    cases: int
    previous_cases: int


_lock = threading.Lock()
_extractor: TFIDF | None = None


def _tfidf() -> TFIDF:
    """jieba's TF-IDF extractor on Gridbot's tokenizer, built once per process."""
    global _extractor
    if _extractor is None:
        with _lock:
            if _extractor is None:
                from jieba.analyse import TFIDF

                from nlp.segment import tokenizer

                extractor = TFIDF()
                extractor.tokenizer = tokenizer()
                extractor.stop_words = extractor.stop_words | STOP_WORDS
                _extractor = extractor
    return _extractor


def keywords(text: str, places: Iterable[str] = (), top_k: int = KEYWORDS_PER_CASE) -> list[str]:
    """The case's top TF-IDF keywords, without place names, numbers or stop words."""
    for place in sorted({p for p in places if p}, key=len, reverse=True):
        text = text.replace(place, " ")
    words = _tfidf().extract_tags(text, topK=top_k * 2)
    return [w for w in words if not _HAS_DIGIT.search(w) and w not in STOP_WORDS][:top_k]


def count_terms(
    rows: Iterable[tuple[str, str, str | None]], place_names: Iterable[str]
) -> tuple[Counter[str], Counter[str]]:
    """(words, places) counted once per case over (grid, text, place) rows."""
    names = set(place_names)
    words: Counter[str] = Counter()
    places: Counter[str] = Counter()
    for _, text, place in rows:
        place = (place or "").strip()
        if place:
            places[place] += 1
        words.update(set(keywords(text, names | {place})))
    return words, places


async def hot_topics(
    conn: Connection,
    config: Config,
    scope: Scope,
    period: Period,
    *,
    limit: int = 10,
    min_count: int = 2,
    max_cases: int = MAX_CASES,
) -> HotTopics:
    """The most recurring words and places of the period, with the previous period's counts."""
    before = period.previous(config)
    rows = await stats_sql.case_texts(
        conn, cohort(config, scope, period.start, period.end), limit=max_cases
    )
    old = await stats_sql.case_texts(
        conn, cohort(config, scope, before.start, before.end), limit=max_cases
    )
    names = config.place_names()
    words, places = await asyncio.to_thread(count_terms, rows, names)
    old_words, old_places = await asyncio.to_thread(count_terms, old, names)
    return HotTopics(
        scope=scope,
        period=period,
        words=_top(words, old_words, limit, min_count),
        places=_top(places, old_places, limit, min_count),
        cases=len(rows),
        previous_cases=len(old),
    )


def _top(now: Counter[str], before: Counter[str], limit: int, min_count: int) -> list[Topic]:
    ranked = sorted(
        (t for t, n in now.items() if n >= min_count),
        key=lambda t: (-now[t], -(now[t] - before[t]), t),
    )
    return [Topic(t, now[t], before[t]) for t in ranked[:limit]]
