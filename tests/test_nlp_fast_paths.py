"""The parser's fast paths find exactly what the plain implementations they replaced find.

Each fast path (the lexicon scan, the segmenter, the alternation regexes of the urgency rules)
is checked against the straightforward version kept here as the reference, on random text built
from the very words each one looks for, so that overlaps, prefixes and ties come up often.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import jieba
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp import segment
from nlp.danger_lexicon import DANGER_LEXICON, crossings
from nlp.fastregex import (
    REWRITTEN,
    FastAlternation,
    _led_by_a_character,
    _required_literal,
    _top_level_branches,
    compile_led,
    led,
)
from nlp.lexicon import LEXICON, MARK, lexicon_features
from nlp.urgency import _CUES, _ELSEWHERE, _ELSEWHERE_ANY, _PAIRS

# ---- the lexicon: every group whose word occurs anywhere, overlaps included -------------------

_TERMS = sorted(
    {w for words in (*LEXICON.values(), *DANGER_LEXICON.values()) for w in words.lower().split("|")}
)


def _reference_lexicon_features(text: str) -> list[str]:
    """Every position, every word length: the scan as first written."""
    groups: dict[str, list[str]] = {}
    for name, words in (*LEXICON.items(), *DANGER_LEXICON.items()):
        for word in words.lower().split("|"):
            groups.setdefault(word, []).append(name)
    found: set[str] = set()
    text = text.replace("是不是", "是否")  # a question, not a negation (nlp/lexicon.py)
    for i in range(len(text)):
        for j in range(i + 1, len(text) + 1):
            found.update(groups.get(text[i:j], ()))
    return [MARK + name for name in (*sorted(found), *crossings(found))]


_FILLER = st.text(alphabet="的了在我有人水火电0a ？!", max_size=3)
_LEXICON_TEXT = st.lists(st.sampled_from(_TERMS) | _FILLER, max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=_LEXICON_TEXT)
def test_the_lexicon_scan_finds_the_same_groups_as_trying_every_substring(text: str) -> None:
    assert lexicon_features(text) == _reference_lexicon_features(text)


def test_the_lexicon_scan_finds_overlapping_words_and_words_inside_words() -> None:
    # 煤气罐 holds 煤气 and 气罐; 电瓶充电 runs two words together; 火 alone is a word
    for text in ("煤气罐", "楼道电瓶充电冒烟了", "着火", "火", "a火b", "电"):
        assert lexicon_features(text) == _reference_lexicon_features(text)
    assert MARK + "hz_gas" in lexicon_features("家里煤气罐")


# ---- segmentation: the same words as jieba's own cut without HMM ------------------------------

_USER_WORDS = [
    line.split()[0]
    for line in segment.USERDICT.read_text(encoding="utf-8").splitlines()
    if line.strip()
]
_SEGMENT_TEXT = st.lists(
    st.sampled_from(_TERMS + _USER_WORDS)
    | st.text(alphabet="的了是在我有人水火电楼门口路灯坏0123abcXY _.-+#%&,，。！\n\t", max_size=4),
    max_size=12,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=_SEGMENT_TEXT)
def test_the_segmenter_cuts_like_jieba_without_hmm(text: str) -> None:
    assert segment.cut(text) == segment.tokenizer().lcut(text, HMM=False)


def test_the_segmenter_keeps_jiebas_handling_of_latin_digits_and_spaces() -> None:
    for text in (
        "",
        " ",
        "wifi密码是abc123",
        "3号楼 2单元\r\n漏水",
        "a.b-c_d",
        "ＡＢ全角",
        "😂😂好",
    ):
        assert segment.cut(text) == segment.tokenizer().lcut(text, HMM=False)


# ---- the urgency rules' alternations: the same matches in the same order -----------------------


def _reference_finditer(pattern: str, text: str) -> Iterator[re.Match[str]]:
    """FastAlternation as first written: led branches, then each gated branch in turn (of the
    pattern as led() rewrites it, which finds the same as the pattern: see the tests below)."""
    fast, slow = [], []
    for branch in _top_level_branches(led(pattern)):
        (fast if _led_by_a_character(branch) else slow).append(branch)
    if fast:
        yield from re.finditer("|".join(fast), text)
    for branch in slow:
        gate = _required_literal(branch)
        if gate is None or gate in text:
            yield from re.finditer(branch, text)


_PATTERNS = sorted(
    {
        alt.pattern
        for cue in (*_CUES, *(p.cue for p in _PAIRS))
        for alt in (cue.pattern, cue.also)
        if alt is not None
    }
    | {p.hazard.pattern for p in _PAIRS}
)
# the words each pattern is made of, so that its matches (and near misses) are common
_WORDS_OF = [sorted(set(re.findall(r"[\u4e00-\u9fffa-z]{1,4}", p))) for p in _PATTERNS]
_PATTERN_WORDS = sorted({w for words in _WORDS_OF for w in words})
_FILLER_URGENT = st.text(alphabet="的了在我 0,。", max_size=3)


def _text_for(data: st.DataObject, index: int) -> str:
    words = st.sampled_from(_WORDS_OF[index]) | st.sampled_from(_PATTERN_WORDS) | _FILLER_URGENT
    return "".join(data.draw(st.lists(words, max_size=10)))


@settings(max_examples=300, deadline=None)
@given(data=st.data(), index=st.integers(min_value=0, max_value=len(_PATTERNS) - 1))
def test_the_urgency_alternations_match_like_the_plain_split(
    data: st.DataObject, index: int
) -> None:
    pattern = _PATTERNS[index]
    text = _text_for(data, index)
    expected = [(m.span(), m.group()) for m in _reference_finditer(pattern, text)]
    alternation = FastAlternation(pattern)
    assert [(m.span(), m.group()) for m in alternation.finditer(text)] == expected
    # told the text's characters, it may skip the text only when nothing could match
    chars = frozenset(text)
    assert [(m.span(), m.group()) for m in alternation.finditer(text, chars)] == expected


@settings(max_examples=300, deadline=None)
@given(data=st.data(), index=st.integers(min_value=0, max_value=len(_PATTERNS) - 1))
def test_a_match_always_starts_with_one_of_the_lead_characters(
    data: st.DataObject, index: int
) -> None:
    alternation = FastAlternation(_PATTERNS[index])
    assert alternation.lead is not None  # every urgency pattern is filtered
    text = data.draw(st.text(max_size=6)) + _text_for(data, index)
    for m in re.finditer(f"(?=(?:{_PATTERNS[index]}))", text):
        assert text[m.start()] in alternation.lead


def test_the_lead_characters_allow_for_optional_and_zero_width_starts() -> None:
    assert FastAlternation(r"(?:现在|而家)?还在踢").lead == {"现", "而", "还"}
    assert FastAlternation(r"(?<!打)火星|\bfire\b(?! exit)").lead == {"火", "f"}
    assert FastAlternation(r"[着著](?:了|咗)?火|.{0,2}x?烟").lead is None  # . starts anywhere
    assert FastAlternation(r"[着著](?:了|咗)?火|[0-2]岁").lead == {"着", "著", "0", "1", "2"}
    assert FastAlternation(r"a*(?:b|c?)").lead is None  # may match nothing: no filter


def test_every_urgency_alternation_matches_like_the_plain_split_on_its_own_words() -> None:
    for pattern in _PATTERNS:
        alternation = FastAlternation(pattern)
        for text in ("", "没事", "".join(_PATTERN_WORDS[::7]), "".join(_PATTERN_WORDS[3::11])):
            expected = [(m.span(), m.group()) for m in _reference_finditer(pattern, text)]
            got = [(m.span(), m.group()) for m in alternation.finditer(text, frozenset(text))]
            assert got == expected


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_the_split_elsewhere_rule_finds_a_drill_or_a_notice_exactly_when_the_regex_does(
    data: st.DataObject,
) -> None:
    words = re.findall(r"[\u4e00-\u9fffa-z]{1,4}", _ELSEWHERE.pattern)
    parts = st.sampled_from(words) | st.text(alphabet="的了在 a,:：", max_size=3)
    text = "".join(data.draw(st.lists(parts, max_size=8)))
    found = _ELSEWHERE_ANY.search(text, frozenset(text))
    assert (found is not None) == (_ELSEWHERE.search(text) is not None)


# ---- the dictionary cache: the same prefix dictionary as jieba's own, or none at all -------------


def test_the_dictionary_cache_gives_jiebas_own_dictionary(tmp_path: Path) -> None:
    reference = jieba.Tokenizer()
    reference.initialize()
    cache = tmp_path / "freq.npz"
    segment._write_freq_cache(reference, cache)
    cached = jieba.Tokenizer()
    assert segment._read_freq_cache(cached, cache)
    assert cached.FREQ == reference.FREQ and cached.total == reference.total
    text = "福业街菜场门口路面塌了个坑 晚上骑车很危险 the lift in block 5"
    assert cached.lcut(text, HMM=False) == reference.lcut(text, HMM=False)


def test_a_damaged_or_foreign_dictionary_cache_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "freq.npz"
    for damaged in (b"", b"PK\x03\x04 not a zip", b"\x93NUMPY garbage"):
        cache.write_bytes(damaged)
        assert not segment._read_freq_cache(jieba.Tokenizer(), cache)
    assert not segment._read_freq_cache(jieba.Tokenizer(), tmp_path / "missing.npz")
    # Another user's file in the shared temp dir is never read.
    reference = jieba.Tokenizer()
    reference.initialize()
    segment._write_freq_cache(reference, cache)
    monkeypatch.setattr(segment.os, "getuid", lambda: cache.stat().st_uid + 1)
    assert not segment._read_freq_cache(jieba.Tokenizer(), cache)


# ---- led(): the same regex with its branches starting on a plain character ----------------------


def _same_matches(original: str, rewritten: str, text: str, flags: int = 0) -> None:
    a, b = re.compile(original, flags), re.compile(rewritten, flags)
    assert [(m.span(), m.group()) for m in b.finditer(text)] == [
        (m.span(), m.group()) for m in a.finditer(text)
    ]
    for method in ("match", "fullmatch"):
        found_a, found_b = getattr(a, method)(text), getattr(b, method)(text)
        assert (found_b and found_b.span()) == (found_a and found_a.span())


# small patterns of the shapes led() rewrites, over a small alphabet so that they match often
_ATOM = st.sampled_from(["a", "b", "不", "是", "ab", "是不", "a不"])
_TAIL = st.lists(
    st.sampled_from(["a", "b", "是", "[ab]", "a?", "(?!b)", "(?=是)", ".{0,2}b"]), max_size=3
)
_HEAD = st.sampled_from(
    [
        "",
        "(?:a|b不)",
        "(?:a|是)?",
        "(?:不|)",
        "(?:a)?",
        "(?<!不)",
        "(?<=a)",
        "(?<!不|是)",
        "(?<!a)(?<!b)",
        "[ab]",
        "[a不]{1,2}",
        "[ab]+",
        "[ab]+?",
        "[ab]{2}",
        "[ab]*",
        "(?:a|b)+",
        "\\b",
        "(?:(?<!a)b|是)",
        "[a.|]",
        "[]a]",
        "[^]a]",
    ]
)
_BRANCH = st.tuples(_HEAD, _ATOM, _TAIL).map(lambda t: t[0] + t[1] + "".join(t[2]))
_SMALL_PATTERN = st.lists(_BRANCH, min_size=1, max_size=4).map("|".join)


@settings(max_examples=500, deadline=None)
@given(pattern=_SMALL_PATTERN, text=st.text(alphabet="ab不是 ", max_size=12))
def test_a_led_pattern_finds_the_same_matches_in_the_same_order(pattern: str, text: str) -> None:
    _same_matches(pattern, led(pattern), text)


def _words_text(data: st.DataObject, pattern: str) -> str:
    words = re.findall(r"[\u4e00-\u9fffa-z]{1,4}", pattern) or ["a"]
    filler = st.text(alphabet="的了在我不没是有 0,。a", max_size=3)
    return "".join(data.draw(st.lists(st.sampled_from(words) | filler, max_size=10)))


def test_the_parser_compiles_many_patterns_led() -> None:
    import nlp.parse  # noqa: F401  (imports every rule module)

    assert len(REWRITTEN) >= 60  # the urgency, place, hazard and personal-data rules


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_every_led_rule_of_the_parser_matches_like_the_rule_as_written(data: st.DataObject) -> None:
    import nlp.parse  # noqa: F401

    (original, flags), rewritten = data.draw(st.sampled_from(sorted(REWRITTEN.items())))
    _same_matches(original, rewritten, _words_text(data, original), flags)


def test_led_rewrites_each_shape_it_knows_and_keeps_the_rest() -> None:
    assert led("(?:a|b)c|d") == "ac|bc|d"
    assert led("(?:现在|而家)?还在踢") == "现在还在踢|而家还在踢|还在踢"  # greedy: with it first
    assert led("(?<!不|没)是") == "是(?<!(?:不|没)是)"
    assert led("[搵揾]返") == "搵返|揾返"
    assert led("[一二]{1,2}中") == "一[一二]{0,1}中|二[一二]{0,1}中"
    assert led("[ab]+?c") == "a[ab]*?c|b[ab]*?c"
    for kept in ("(a|b)c", "(?:a|b)*c", "[ab]*c", "\\bfire", "(?i:ab)", "\\d+号", "a|(?:b)?"):
        assert led(kept) == kept  # groups that capture, starts that may be absent or unknown
    # a look-behind at the very start of the text still looks at nothing
    for text in ("是", "不是", "a是", "没是是"):
        _same_matches("(?<!不|没)是", led("(?<!不|没)是"), text)
    assert compile_led("(?:a|b)c", re.VERBOSE).pattern == "(?:a|b)c"  # spaces mean nothing there


@pytest.mark.parametrize(
    ("pattern", "texts"),
    [
        # a class's characters that mean more outside it, or a ] that opens it (found in review)
        ("[a|b]c", ["c |c", "ac"]),
        ("[.。]{3,}", ["x.. 。。。", "..."]),
        ("[.。]$", ["好的x", "好的。"]),
        ("[a^]c", ["c ^c"]),
        ("[!！?？]{2,}", ["啊！？"]),
        ("[)）]了", ["好）了"]),
        ("[]|[ab]c]", ["c", "]", "ac]"]),
        ("[^]|[ab]c]", ["xc]", "]"]),
        # spaces and # mean something else under (?x); comments are not read
        ("(?x)q|[a b]c", ["c  c ac"]),
        ("(?x)q|(?<!b)[#]c", ["#c"]),
        ("[cb](?#n){1,2}", ["bc"]),
        ("(?<!x)a(?#n)?b", ["b", "ab"]),
        # an open brace inside a group must not meet its count outside it
        ("(?:ax{1,)2}", ["ax{1,2}", "axx"]),
    ],
)
def test_led_keeps_what_it_cannot_read_as_it_was(pattern: str, texts: list[str]) -> None:
    for text in texts:
        _same_matches(pattern, led(pattern), text)
