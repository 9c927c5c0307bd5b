"""Telegram's parse modes and entity detection, as the simulator implements them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.html_entities import (
    EntityParseError,
    detect_entities,
    entities_to_html,
    parse_html,
    utf16_len,
)
from simulator.markdown import parse_markdown, parse_markdown_v2


def test_html_tags_become_entities_with_utf16_offsets() -> None:
    text, entities = parse_html("😀<b>案件</b> <a href='https://x.cn'>详情</a>")
    assert text == "😀案件 详情"
    assert entities == [
        {"type": "bold", "offset": 2, "length": 2},
        {"type": "text_link", "offset": 5, "length": 2, "url": "https://x.cn"},
    ]


def test_html_escapes_decode_and_unknown_ones_stay_literal() -> None:
    assert parse_html("&lt;b&gt; &amp; &quot; &#20013; &nbsp;")[0] == '<b> & " 中 &nbsp;'


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("中<br>", 'Unsupported start tag "br" at byte offset 3'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<b", "Unclosed start tag at byte offset 0"),
    ],
)
def test_bad_html_is_refused_with_tdlibs_words(source: str, error: str) -> None:
    with pytest.raises(EntityParseError) as raised:
        parse_html(source)
    assert str(raised.value) == error


def test_pre_with_code_language_becomes_one_entity() -> None:
    text, entities = parse_html('<pre><code class="language-python">x = 1</code></pre>')
    assert (text, entities) == (
        "x = 1",
        [{"type": "pre", "offset": 0, "length": 5, "language": "python"}],
    )


def test_surrounding_whitespace_is_trimmed_and_entities_follow() -> None:
    assert parse_html("\n  <b>案件</b>  \n") == (
        "案件",
        [{"type": "bold", "offset": 0, "length": 2}],
    )


def test_markdown_v2_parses_and_refuses_unescaped_reserved_characters() -> None:
    text, entities = parse_markdown_v2(r"*粗* _斜_ [链接](https://x.cn) 1\.5")
    assert text == "粗 斜 链接 1.5"
    assert [e["type"] for e in entities] == ["bold", "italic", "text_link"]
    with pytest.raises(EntityParseError, match="Character '.' is reserved"):
        parse_markdown_v2("1.5")


def test_legacy_markdown_parses() -> None:
    assert parse_markdown("*粗* `码`")[0] == "粗 码"


def test_commands_mentions_hashtags_and_links_are_detected() -> None:
    found = detect_entities("/report@gridbot 坑 #路面 @zhang_street https://x.cn/a。 /help")
    assert [e["type"] for e in found] == ["bot_command", "hashtag", "mention", "url", "bot_command"]
    assert found[3]["length"] == len("https://x.cn/a")


def test_chinese_after_a_slash_is_not_a_command() -> None:
    assert detect_entities("/报事 路灯坏了") == []


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_plain_text_survives_a_round_trip_through_html(text: str) -> None:
    parsed, entities = parse_html(entities_to_html(text, []))
    # Telegram drops carriage returns and trims the ends.
    assert parsed == text.replace("\r", "").strip() and entities == []


@given(
    st.text(alphabet="ab😀中 ", min_size=1, max_size=10),
    st.text(alphabet="cd😀", min_size=1, max_size=5),
)
def test_entities_round_trip_through_html(before: str, inside: str) -> None:
    source = f"{before}<b>{inside}</b>"
    text, entities = parse_html(source)
    again = parse_html(entities_to_html(text, entities))
    assert again == (text, entities)
    assert all(e["offset"] + e["length"] <= utf16_len(text) for e in entities)
