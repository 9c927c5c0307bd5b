"""Text clean-up before parsing: Traditional→Simplified, full-width→half-width, a length cap.

Every step of `normalize` keeps the text's length, so a span found in the normalised text is the
same span in the original text (locations and personal data are returned as the resident wrote
them). `strip_invisible` is the one step that does not: adapters apply it to incoming text before
anything else sees it, and to whatever they render.
"""

from __future__ import annotations

import re
import unicodedata

import zhconv

# Work on at most this many characters of a message: a 100k-character paste must stay cheap.
MAX_CHARS = 3000

_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20  # ideographic space


def _traditional_chars() -> frozenset[str]:
    """Characters that zhconv changes on their own: a text with none of them needs no conversion."""
    try:
        from zhconv.zhconv import getdict

        table = getdict("zh-cn")
    except (ImportError, AttributeError):  # another zhconv layout: always convert
        return frozenset()
    return frozenset(k for k, v in table.items() if len(k) == 1 and v != k)


_TRADITIONAL = _traditional_chars()


def to_simplified(text: str) -> str:
    """Traditional characters to Simplified, keeping the length (falls back to char by char)."""
    if _TRADITIONAL and _TRADITIONAL.isdisjoint(text):
        return text  # most messages: skip zhconv's per-character Python loop
    converted = zhconv.convert(text, "zh-cn")
    if len(converted) == len(text):
        return converted
    out = []
    for ch in text:
        one = zhconv.convert(ch, "zh-cn")
        out.append(one if len(one) == 1 else ch)
    return "".join(out)


def _scrub(ch: str) -> str:
    """Control and private-use characters become spaces so binary junk cannot match anything."""
    if ch in "\n\t":
        return " "
    category = unicodedata.category(ch)
    if category in ("Cc", "Cs", "Co", "Cn") or ch == "\ufffd":
        return " "
    return ch


def normalize(text: str) -> str:
    """The text the parser reads: capped, scrubbed, half-width, Simplified, same length."""
    text = text[:MAX_CHARS]
    if not text.isprintable():
        text = "".join(_scrub(ch) for ch in text)
    text = text.translate(_FULLWIDTH)
    return to_simplified(text)


# Characters that show up when bytes are read as text: controls, Latin-1 symbols from a wrong
# decoding, U+FFFD, surrogates and private use. Emoji and CJK are not junk.
_JUNK = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\xff\ufffd\ud800-\udfff\ue000-\uf8ff]")


def junk_ratio(text: str) -> float:
    """Share of characters that look like binary rather than writing."""
    if not text:
        return 0.0
    return len(_JUNK.findall(text)) / len(text)


# Invisible characters that change what text means without showing: zero-width spaces and joiners
# split a place name so that it no longer matches itself, bidirectional controls (RLO and the
# isolates) turn a card's text around on screen, the soft hyphen and the BOM hide inside words.
_INVISIBLE = frozenset(
    {
        0x00AD,  # soft hyphen
        0x034F,  # combining grapheme joiner
        0x061C,  # Arabic letter mark
        0x180E,  # Mongolian vowel separator
        *range(0x200B, 0x2010),  # zero-width space, non-joiner, joiner; LRM, RLM
        *range(0x202A, 0x202F),  # LRE, RLE, PDF, LRO, RLO
        *range(0x2060, 0x2065),  # word joiner, invisible operators
        *range(0x2066, 0x2070),  # isolates LRI RLI FSI PDI; deprecated format controls
        0xFEFF,  # BOM / zero-width no-break space
    }
)
# A zero-width joiner between two pictographs builds one emoji (👨‍👩‍👧): that one stays.
_PICTOGRAPH = "[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f]"
_INVISIBLE_OR_LONE_JOINER = re.compile(
    "["
    + "".join(chr(code) for code in _INVISIBLE if code != 0x200D)
    + f"]|(?<!{_PICTOGRAPH})\u200d|\u200d(?!{_PICTOGRAPH})"
)


def strip_invisible(text: str) -> str:
    """The text without zero-width and bidirectional control characters (emoji joins kept)."""
    if text.isascii():
        return text
    return _INVISIBLE_OR_LONE_JOINER.sub("", text)
