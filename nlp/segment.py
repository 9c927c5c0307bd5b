"""jieba segmentation with Gridbot's user dictionary, loaded once per process."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
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
    """Words of a (normalised) text; HMM off: unknown words fall to characters, covered by n-grams."""
    return tokenizer().lcut(text, HMM=False)
