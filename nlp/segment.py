"""jieba segmentation with Gridbot's user dictionary, loaded once per process."""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import zipfile
from collections.abc import Iterable
from math import inf, log
from pathlib import Path

import jieba
import numpy as np

USERDICT = Path(__file__).parent / "data" / "userdict.txt"

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None

# jieba logs "Building prefix dict…" at DEBUG to stderr; a library must stay quiet.
jieba.setLogLevel(logging.WARNING)


# jieba keeps its prefix dictionary (498,113 words and prefixes) in a marshal file that Python 3.11
# reads in 1.1 s on a slow machine, most of the parser's cold start; the same dictionary as two
# arrays reads in 0.2 s. Written beside jieba's own cache after the first start, per user and
# jieba version, and read only if it is this user's own file (no other user can plant words).
_FREQ_CACHE = Path(tempfile.gettempdir()) / (
    f"gridbot-jieba-{jieba.__version__}-{getattr(os, 'getuid', lambda: 0)()}.npz"
)


def _load() -> jieba.Tokenizer:
    # A private Tokenizer: our user words must not leak into other users of the global jieba.
    tokenizer = jieba.Tokenizer()
    if not _read_freq_cache(tokenizer, _FREQ_CACHE):
        tokenizer.initialize()  # jieba's own dictionary (its marshal cache after the first run)
        _write_freq_cache(tokenizer, _FREQ_CACHE)
    tokenizer.load_userdict(str(USERDICT))
    return tokenizer


def _read_freq_cache(tokenizer: jieba.Tokenizer, path: Path) -> bool:
    """Fill an uninitialised tokenizer from our cache; False when there is none fit to use."""
    try:
        if hasattr(os, "getuid") and path.stat().st_uid != os.getuid():
            return False
        with np.load(path) as arrays:  # no pickles: allow_pickle is off
            words = arrays["words"].tobytes().decode("utf-8").split("\n")
            counts = arrays["counts"].tolist()
            total = int(arrays["total"])
    except (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile):
        return False
    if len(words) != len(counts) or total <= 0:
        return False
    tokenizer.FREQ = dict(zip(words, counts, strict=True))
    tokenizer.total = total
    tokenizer.initialized = True
    return True


def _write_freq_cache(tokenizer: jieba.Tokenizer, path: Path) -> None:
    """Best effort: a read-only temp dir only means the next start is slower."""
    words = list(tokenizer.FREQ)
    if any("\n" in w for w in words):
        return
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(
                handle,
                words=np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8),
                counts=np.array([tokenizer.FREQ[w] for w in words], dtype=np.int64),
                total=np.array(tokenizer.total, dtype=np.int64),
            )
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)  # a full disk leaves no half-written file behind


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
