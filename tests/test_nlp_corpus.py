"""The labelled corpus: every part parses, and bad lines are reported with a reason."""

from __future__ import annotations

from pathlib import Path

from nlp.corpus import (
    BadLine,
    LabelledMessage,
    corpus_files,
    is_test,
    load_corpus,
    read_jsonl,
    split_key,
)


def test_every_corpus_line_is_a_valid_labelled_message() -> None:
    messages, bad = load_corpus(corpus_files())
    assert bad == []
    assert len(messages) >= 1500


def test_bad_lines_are_reported_with_file_line_and_reason(tmp_path: Path) -> None:
    file = tmp_path / "part.jsonl"
    file.write_text(
        '{"text": "3栋电梯坏了", "is_report": true, "category": "lift", "level": 2}\n'
        "{not json\n"
        '{"text": "早上好", "is_report": false, "location": "东门"}\n'
        '{"text": "早上好", "is_report": false}\n',
        encoding="utf-8",
    )
    items = list(read_jsonl(file))
    assert [type(i) for i in items] == [BadLine, BadLine, BadLine, LabelledMessage]
    assert items[0].line == 1 and "taxonomy" in items[0].reason
    assert "substring" in items[2].reason


def test_the_split_ignores_spacing_and_punctuation() -> None:
    assert split_key("3栋 电梯坏了！！") == split_key("3栋电梯坏了")
    assert is_test("3栋 电梯坏了！！") == is_test("3栋电梯坏了")
