"""Normalisation: Traditional to Simplified and full-width to half-width, keeping every offset."""

from __future__ import annotations

from nlp.normalize import MAX_CHARS, normalize, to_simplified


def test_traditional_characters_become_simplified() -> None:
    assert to_simplified("樓道裡的燈壞了") == "楼道里的灯坏了"


def test_simplified_text_is_returned_unchanged() -> None:
    text = "楼道里的灯坏了"
    assert to_simplified(text) is text


def test_normalising_keeps_the_length_so_spans_map_back() -> None:
    text = "電話：１３８　１２３４　５６７８，金色水岸12棟"
    assert len(normalize(text)) == len(text)
    assert normalize(text).endswith("金色水岸12栋")


def test_control_characters_become_spaces() -> None:
    assert normalize("a\x00b\x07c") == "a b c"


def test_long_text_is_capped() -> None:
    assert len(normalize("好" * 100_000)) == MAX_CHARS
