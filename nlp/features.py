"""Features for the linear models: character 1–2-grams, jieba words, Latin-letter words (English,
pinyin, romanised dialect, as the writer spaced them) and lexicon groups.

The same function feeds scikit-learn at training time and the numpy predictor at run time, so
the two cannot drift apart.
"""

from __future__ import annotations

import re

from nlp.lexicon import lexicon_features
from nlp.segment import cut

WORD_MARK = "\x01"  # prefixes word features so a one-character word differs from a char 1-gram
_DIGITS = re.compile(r"\d+")
# Spaces and punctuation go: voice-to-text without punctuation and typed text must look alike.
# "?" and "!" stay: a question to staff and an exclamation say something.
_NOISE = re.compile(
    r"[\u0300-\u036f\s,.;:'\"()\[\]{}<>/\\|`~@#$%^&*_+=，。、；：‘’“”（）【】《》〈〉「」『』…—～·￥\-]+"
)
MAX_FEATURE_CHARS = 600  # long rants: the first few hundred characters decide the category
# Pinyin typed with tone marks (zháo huǒ le) reads as plain pinyin (zhao huo le): the lexicon's
# pinyin words and the n-grams learned from toneless pinyin then apply to it too.
_TONES = str.maketrans("āáǎàâēéěèêīíǐìîōóǒòôūúǔùûǖǘǚǜüńňǹḿ", "aaaaaeeeeeiiiiiooooouuuuuvvvvvnnnm")


def prepare(text: str) -> str:
    """Lower-case, digits folded to 0, tone marks dropped, spacing and punctuation dropped."""
    text = _DIGITS.sub("0", text[:MAX_FEATURE_CHARS].lower()).translate(_TONES)
    return _NOISE.sub("", text)


# Latin-letter words as the writer spaced them (English, pinyin, romanised Hokkien): `prepare`
# runs them together, so without these an English message has letters and letter pairs only.
_LATIN_WORD = re.compile(r"[a-z]{2,}")


def latin_words(norm: str) -> list[str]:
    """The Latin-letter words of a normalised text, lower-cased, tone marks dropped."""
    return _LATIN_WORD.findall(norm[:MAX_FEATURE_CHARS].lower().translate(_TONES))


def features(
    prepared: str, words: list[str] | None = None, latin: list[str] | None = None
) -> list[str]:
    """Feature strings of a prepared text (duplicates kept; the caller counts presence);
    `latin` is `latin_words` of the text before `prepare` ran its words together."""
    feats: list[str] = []
    append = feats.append
    n = len(prepared)
    for i in range(n):
        append(prepared[i])
        if i + 2 <= n:
            append(prepared[i : i + 2])
    if words is None:
        words = cut(prepared)
    for word in words:
        if len(word) > 1:
            append(WORD_MARK + word)
    for word in latin or ():
        append(WORD_MARK + word)
    feats += lexicon_features(prepared)
    return feats
