"""Personal data in a message: mobile and landline numbers, 18-character ID numbers; and masking.

Rules, not learning: the forms are regular, and a false mask of a date, a price or a hotline
would hide exactly what the handler needs to read.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel

from nlp.fastregex import compile_led
from nlp.normalize import normalize

PiiKind = Literal["phone", "id_number"]


class PiiSpan(BaseModel):
    """One piece of personal data, as written in the original text."""

    kind: PiiKind
    text: str
    start: int
    end: int


_SEP = r"[ \-‐–—－]?"  # at most one space or dash between digit groups
_NOT_DIGIT_BEFORE = r"(?<![0-9])"
_NOT_DIGIT_AFTER = r"(?![0-9])"

# +86 / 0086 / 86- prefix, then 1[3-9]x xxxx xxxx with optional separators (3-4-4 grouping).
_MOBILE = compile_led(
    _NOT_DIGIT_BEFORE
    + r"(?:(?:\+|00)?86"
    + _SEP
    + r")?(1[3-9]\d"
    + _SEP
    + r"\d{4}"
    + _SEP
    + r"\d{4})"
    + _NOT_DIGIT_AFTER
)

# A Taiwanese mobile: 09xx-xxx-xxx, or +886 9xx xxx xxx (residents from Taiwan give theirs).
_TW_MOBILE = compile_led(
    _NOT_DIGIT_BEFORE
    + r"(?:(?:\+|00)886"
    + _SEP
    + r"9\d{2}|09\d{2})"
    + _SEP
    + r"\d{3}"
    + _SEP
    + r"\d{3}"
    + _NOT_DIGIT_AFTER
)

# A Hong Kong number (8 digits, 2–9 first, often as 9168 2374) only where it is called a phone:
# alone, eight digits are as often an amount or an order number.
# A Taiwanese landline is the same with its area code in front: 02-27581364, (04)2345 6789.
# With Hong Kong's +852 / (852), or a Taiwanese area code in brackets, it is a phone wherever
# it stands.
_HK_PREFIX = r"(?:(?:\+|00)852|\(852\)|（852）)"
_HK_PHONE = compile_led(
    _NOT_DIGIT_BEFORE
    + r"(?P<prefix>"
    + _HK_PREFIX
    + r"[ \-‐–—－]?)?"
    + r"(?:(?P<area>\(0[2-9]\)|（0[2-9]）)|0[2-9][ \-‐–—－])?[2-9]\d{3}"
    + _SEP
    + r"\d{4}"
    + _NOT_DIGIT_AFTER
)
_PHONE_WORD = compile_led(
    r"电话|手机|联络|联系|致电|打给|打我|打过来|拨打|call|tel|phone|whatsapp|wa[:：]|微信|wechat|"
    r"\bsignal\b|\bline\b",
    re.IGNORECASE,
)
# Between the phone word and the digits, words that make them another number (联系快递单号,
# 打疫苗日期) — a Taiwanese mobile's bare ten digits after them are an order number too.
_OTHER_NUMBER = compile_led(
    r"单号|订单|编号|运单|快递|日期|金额|账号|帐号|卡号|流水号|车牌|工号|学号"
)
_PHONE_WINDOW = 16

# Landline with an area code: 010, 02x, 0[3-9]xx; the local number 7–8 digits, not starting 0/1.
_LANDLINE = compile_led(
    _NOT_DIGIT_BEFORE
    + r"(?:\((?:010|02\d|0[3-9]\d{2})\)|（(?:010|02\d|0[3-9]\d{2})）|(?:010|02\d|0[3-9]\d{2}))"
    + r"[ \-‐–—－]?"
    + r"[2-9]\d{2,3}"
    + _SEP
    + r"\d{4}"
    + _NOT_DIGIT_AFTER
)

# 18-character ID: 6 area + 8 birth date + 3 sequence + check (digit or X); groups may be spaced.
_ID_NUMBER = compile_led(
    _NOT_DIGIT_BEFORE
    + r"([1-9]\d{5})"
    + _SEP
    + r"((?:19|20)\d{6})"
    + _SEP
    + r"(\d{3}[0-9Xx])(?![0-9A-Za-z])"
)

# A mobile read out to voice input or typed in words: 幺三八零零幺二三四五六 (one digit per character).
_WORD_DIGITS = "零〇一幺二两三四五六七八九"
_WORD_MOBILE = compile_led(
    rf"(?<![{_WORD_DIGITS}十百千万])[一幺][三四五六七八九][{_WORD_DIGITS}]{{9}}(?![{_WORD_DIGITS}十百千万])"
)

# Said to be an ID number: then a slip in its check digit does not make it anyone's to read.
_NAMED_ID = compile_led(
    r"身份证|身份證|证件号|證件號|身份号码|id\s*(?:no|number|card)?", re.IGNORECASE
)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_ok(digits: str) -> bool:
    """True when an 18-character ID's last character is its ISO 7064 MOD 11-2 check digit."""
    if len(digits) != 18 or not digits[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == digits[17].upper()


def _birth_date_ok(yyyymmdd: str) -> bool:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return False
    return born <= date.today()


def find_pii_normalised(norm: str, original: str) -> list[PiiSpan]:
    """PII in already-normalised text; spans and texts refer to `original` (same length)."""
    spans: list[PiiSpan] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for m in _ID_NUMBER.finditer(norm):
        digits = "".join(m.groups())
        named = _NAMED_ID.search(norm, max(0, m.start() - 12), m.start()) is not None
        if _birth_date_ok(m.group(2)) and (id_check_ok(digits) or named):
            taken.append(m.span())
            spans.append(
                PiiSpan(
                    kind="id_number",
                    text=original[m.start() : m.end()],
                    start=m.start(),
                    end=m.end(),
                )
            )
    for pattern in (_MOBILE, _TW_MOBILE, _LANDLINE):
        for m in pattern.finditer(norm):
            start, end = m.span()
            if pattern is _TW_MOBILE and m.group().isdigit() and _other_number(norm, start):
                continue  # 订单号 0912345678: ten bare digits after an order word
            if free(start, end):
                taken.append((start, end))
                spans.append(PiiSpan(kind="phone", text=original[start:end], start=start, end=end))
    for m in _HK_PHONE.finditer(norm):
        start, end = m.span()
        # +852 or an area code in brackets, (02)2758-1436, make it a phone wherever it stands
        sure = m.group("prefix") or m.group("area")
        if free(start, end) and (sure or _called_a_phone(norm, start)):
            taken.append((start, end))
            spans.append(PiiSpan(kind="phone", text=original[start:end], start=start, end=end))
    for m in _WORD_MOBILE.finditer(norm):
        start, end = m.span()
        if free(start, end):
            taken.append((start, end))
            spans.append(PiiSpan(kind="phone", text=original[start:end], start=start, end=end))
    spans.sort(key=lambda s: s.start)
    return spans


def _other_number(norm: str, start: int) -> bool:
    return _OTHER_NUMBER.search(norm, max(0, start - _PHONE_WINDOW), start) is not None


def _called_a_phone(norm: str, start: int) -> bool:
    """A phone word shortly before `start`, and no order word or date between it and the digits."""
    words = list(_PHONE_WORD.finditer(norm, max(0, start - _PHONE_WINDOW), start))
    if not words:
        return False
    return _OTHER_NUMBER.search(norm, words[-1].start(), start) is None


def find_pii(text: str) -> list[PiiSpan]:
    """Phone numbers and valid ID numbers in `text`, with offsets into `text` as given."""
    if not text:
        return []
    # normalize() caps the length; PII search is linear, so look at the whole text in chunks.
    spans: list[PiiSpan] = []
    step = 2900  # overlap of 100 chars covers a number cut at a chunk edge
    for offset in range(0, len(text), step):
        chunk = text[offset : offset + 3000]
        for span in find_pii_normalised(normalize(chunk), chunk):
            start, end = span.start + offset, span.end + offset
            if not spans or start >= spans[-1].end:
                spans.append(span.model_copy(update={"start": start, "end": end}))
    return spans


def _mask_digits(span: str, keep_first: int, keep_last: int) -> str:
    positions = [i for i, ch in enumerate(span) if ch.isdigit() or ch in "Xx"]
    hide = set(positions[keep_first : len(positions) - keep_last])
    return "".join("*" if i in hide else ch for i, ch in enumerate(span))


def mask_span(span: PiiSpan) -> str:
    """The masked form of one span: mobile 138****5678, landline 0574-******21, ID 330206********123X."""
    if span.kind == "id_number":
        return _mask_digits(span.text, 6, 4)
    norm = normalize(span.text)
    if _WORD_MOBILE.fullmatch(norm):
        return span.text[:3] + "*" * (len(span.text) - 7) + span.text[-4:]
    mobile = _MOBILE.search(norm)
    if mobile is not None:
        # keep a +86 prefix whole, then the first 3 and last 4 digits of the mobile number
        prefix_digits = sum(ch.isdigit() for ch in norm[: mobile.start(1)])
        return _mask_digits(span.text, prefix_digits + 3, 4)
    if _HK_PHONE.fullmatch(norm) and not _LANDLINE.fullmatch(norm):
        # Hong Kong's eight digits (or a Taiwanese landline): keep 852 and the first four, hide
        # the last four — 9168 ****
        return _mask_digits(span.text, sum(ch.isdigit() for ch in norm) - 4, 0)
    digits = "".join(ch for ch in norm if ch.isdigit())
    area = 3 if digits.startswith(("010", "02")) else 4
    return _mask_digits(span.text, area, 2)


def mask_pii(text: str) -> str:
    """`text` with every phone number and ID number masked in place."""
    spans = find_pii(text)
    if not spans:
        return text
    out: list[str] = []
    pos = 0
    for span in spans:
        out.append(text[pos : span.start])
        out.append(mask_span(span))
        pos = span.end
    out.append(text[pos:])
    return "".join(out)
