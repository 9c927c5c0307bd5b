"""Text clean-up before parsing: Traditional→Simplified, full-width→half-width, a length cap.

Every step keeps the text's length, so a span found in the normalised text is the same span in
the original text (locations and personal data are returned as the resident wrote them).
"""

from __future__ import annotations

import unicodedata

import zhconv

# Work on at most this many characters of a message: a 100k-character paste must stay cheap.
MAX_CHARS = 3000

_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20  # ideographic space


def to_simplified(text: str) -> str:
    """Traditional characters to Simplified, keeping the length (falls back to char by char)."""
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


def junk_ratio(text: str) -> float:
    """Share of characters that look like binary: controls, unassigned, private use, U+FFFD, and
    Latin-1 symbols that show up when bytes are decoded as the wrong encoding. Emoji are not junk."""
    if not text:
        return 0.0
    bad = 0
    for ch in text:
        if ch in "\n\r\t":
            continue
        if (
            "\x80" <= ch <= "\xff"
            or ch == "\ufffd"
            or unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn")
        ):
            bad += 1
    return bad / len(text)
