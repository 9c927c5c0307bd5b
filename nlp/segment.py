"""jieba segmentation with Gridbot's user dictionary, loaded once per process."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from math import inf, log
from pathlib import Path

import jieba

USERDICT = Path(__file__).parent / "data" / "userdict.txt"

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None

# jieba logs "Building prefix dict…" at DEBUG to stderr; a library must stay quiet.
jieba.setLogLevel(logging.WARNING)


def _load() -> jieba.Tokenizer:
    # A private Tokenizer: our user words must not leak into other users of the global jieba.
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()  # reads jieba's own cache file in the temp dir after the first run
    tokenizer.load_userdict(str(USERDICT))
    return tokenizer


def tokenizer() -> jieba.Tokenizer:
    """The shared Tokenizer (default dictionary + data/userdict.txt)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                _tokenizer = _load()
    return _tokenizer


def add_words(words: Iterable[str]) -> None:
    """Teach the tokenizer extra words, e.g. 小区 names from a configuration."""
    tk = tokenizer()
    for word in words:
        word = word.strip()
        if word and tk.FREQ.get(word, 0) == 0:
            tk.add_word(word, freq=2000)


def cut(text: str) -> list[str]:
    """Words of a (normalised) text; HMM off: unknown words fall to characters, covered by n-grams.

    The same words as `tokenizer().lcut(text, HMM=False)` (tests/test_nlp_segment.py pins it),
    computed in one pass per block instead of jieba's chain of generators and dictionaries.
    """
    tk = tokenizer()
    freq = tk.FREQ
    logtotal = log(tk.total)
    words: list[str] = []
    for block in _RE_HAN.split(text):
        if not block:
            continue
        if _RE_HAN.match(block):
            _cut_block(block, freq, logtotal, words)
        else:
            for part in _RE_SKIP.split(block):
                if _RE_SKIP.match(part):
                    words.append(part)
                else:
                    words += part
    return words


_RE_HAN = jieba.re_han_default
_RE_SKIP = jieba.re_skip_default
_ENG = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def _cut_block(sentence: str, freq: dict[str, int], logtotal: float, words: list[str]) -> None:
    """jieba's get_DAG, calc and __cut_DAG_NO_HMM for one block, appending to `words`.

    Same arithmetic in the same order (log(freq or 1) - logtotal + the rest of the route), and
    the same tie-break as max() over (score, end) pairs: the later end wins a tie.
    """
    n = len(sentence)
    # Backwards, so the best route from every later position is known when a start is scored:
    # the DAG of each start is walked once and never stored.
    best: list[float] = [0.0] * (n + 1)
    nxt = [0] * (n + 1)
    for k in range(n - 1, -1, -1):
        top = -inf
        end = k
        i = k
        frag = sentence[k]
        while i < n and frag in freq:
            count = freq[frag]
            if count:
                value = log(count) - logtotal + best[i + 1]
                if value >= top:
                    top, end = value, i
            i += 1
            frag = sentence[k : i + 1]
        if top == -inf:  # no word starts here: the character alone, at frequency 1
            top = log(1) - logtotal + best[k + 1]
        best[k] = top
        nxt[k] = end
    x = 0
    buf = ""
    while x < n:
        y = nxt[x] + 1
        if y - x == 1 and sentence[x] in _ENG:
            buf += sentence[x]
        else:
            if buf:
                words.append(buf)
                buf = ""
            words.append(sentence[x:y])
        x = y
    if buf:
        words.append(buf)
