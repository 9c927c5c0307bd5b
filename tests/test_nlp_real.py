"""Real public text that nobody on the team wrote (../shared/data/real, never copied into the
repository): on its held-out test bucket the bot stays quiet on chat and notices reports.

What was tuned on what: the action thresholds were chosen on the dev bucket; the training rows
are the train bucket; nothing here reads the dev or train buckets except the split checks. The
title rule for questions was drawn up on the 300 hand labels of batch 2 (see nlp/real.py).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from nlp.corpus import DATA_DIR, corpus_files, load_corpus
from nlp.decide import action
from nlp.parse import get_parser
from nlp.real import (
    LABELS_FILE,
    REAL_DIR,
    available,
    bucket,
    chat_rows,
    complaint_rows,
    load_labels,
    looks_like_question,
    mask_places,
)
from nlp.real_eval import RealFigures, figures, format_figures, parse_rows


def test_the_real_data_is_beside_the_repository() -> None:
    # CI clones the repository with shared/ beside it; without it the shipped model cannot be
    # reproduced, so its absence is a failure, not a skip.
    assert available(REAL_DIR), f"expected the real data at {REAL_DIR}"


@pytest.fixture(scope="module")
def held_out() -> RealFigures:
    return figures(parse_rows(get_parser(), REAL_DIR, ("test",)), ("test",))


def test_chat_almost_never_opens_a_case_or_a_review(held_out: RealFigures) -> None:
    assert len(held_out.chat) == 4
    for source, rates in held_out.chat.items():
        assert rates.n >= 150, source
        assert rates.case <= 0.01, (source, rates.case)
        assert rates.review <= 0.05, (source, rates.review)


def test_board_reports_are_noticed_and_mostly_opened_at_once(held_out: RealFigures) -> None:
    assert len(held_out.reports) == 2
    for source, rates in held_out.reports.items():
        assert rates.n >= 250, source
        assert rates.noticed >= 0.95, (source, rates.noticed)
        assert rates.case >= 0.75, (source, rates.case)


def test_board_titles_alone_are_noticed(held_out: RealFigures) -> None:
    for source, rates in held_out.titles.items():
        assert rates.noticed >= 0.85, (source, rates.noticed)


def test_hand_labelled_board_reports_are_noticed_and_categorised(held_out: RealFigures) -> None:
    for source, rates in held_out.labelled.items():
        assert rates.n >= 25, source
        assert rates.noticed >= 0.95, (source, rates.noticed)
        # measured 0.58–0.62: the board's 13-way categories are hard; a floor, not a target
        assert rates.category_accuracy >= 0.5, (source, rates.category_accuracy)


def test_the_figures_print_per_source(held_out: RealFigures) -> None:
    text = format_figures(held_out)
    for source in (*held_out.chat, *held_out.reports):
        assert source in text


def test_every_source_has_its_own_fixed_held_out_share() -> None:
    rows = [*chat_rows(), *complaint_rows()]
    per_source: dict[str, Counter[str]] = {}
    for row in rows:
        per_source.setdefault(row.source, Counter())[row.bucket] += 1
        assert row.bucket == bucket(row.source, row.id)  # by hash of source and id, nothing else
    for source, counts in per_source.items():
        n = sum(counts.values())
        assert 0.55 <= counts["train"] / n <= 0.65, source
        assert 0.15 <= counts["test"] / n <= 0.25, source


def test_the_boards_place_codes_are_masked_and_real_places_kept() -> None:
    assert mask_places("西地省A市A3区幸福家园10栋电梯停运") == "幸福家园10栋电梯停运"
    assert mask_places("K7县柳树镇东坡村路灯不亮") == "柳树镇东坡村路灯不亮"
    assert mask_places("B区3号楼电梯坏了") == "3号楼电梯坏了"
    assert mask_places("幸福路3号楼 ABC快递柜") == "幸福路3号楼 ABC快递柜"
    for row in complaint_rows()[:500]:
        assert "A市" not in row.text and "西地省" not in row.title


def test_the_title_rule_mostly_agrees_with_the_hand_labels() -> None:
    titles = {}
    with (REAL_DIR / "complaints.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            titles[item["id"]] = item["title"]
    labels = load_labels()
    assert len(labels) == 1400
    agree = sum(looks_like_question(titles[i]) != label["is_report"] for i, label in labels.items())
    assert agree / len(labels) >= 0.8


def test_no_real_text_is_stored_in_the_repository() -> None:
    """Only ids and labels of the real data may be committed: no utterance, title or body."""
    real_texts = {r.text for r in chat_rows() if len(r.text) >= 6}
    with (REAL_DIR / "complaints.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            real_texts.update({item["title"], item["body"][:120], mask_places(item["title"])})
    ours: set[str] = set()
    files = [*corpus_files(), *DATA_DIR.glob("*.jsonl"), *(DATA_DIR / "strangers").glob("*.jsonl")]
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                ours.update(v for v in item.values() if isinstance(v, str))
    assert not ours & real_texts
    assert set(json.loads(LABELS_FILE.read_text().splitlines()[0])) == {
        "id", "kind", "is_report", "category", "level", "urgent"
    }  # fmt: skip
    messages, _ = load_corpus(corpus_files())
    assert not {m.text for m in messages} & real_texts


def test_a_labelled_question_is_not_taught_as_a_report(tmp_path: Path) -> None:
    from nlp.train import real_samples

    labels = load_labels()
    questions = {i for i, label in labels.items() if not label["is_report"]}
    texts = {r.text for r in complaint_rows() if r.id in questions and r.bucket == "train"}
    assert texts
    taught = {s.text for s in real_samples(REAL_DIR)}
    assert not texts & taught


def test_chat_in_the_group_voice_is_still_understood() -> None:
    """Short colloquial reports still open cases after training on long formal letters."""
    parser = get_parser()
    for text in ("3栋电梯又坏了 困了半天", "小区门口垃圾三天没人收了"):
        assert action(parser.parse(text)) == "case", text
    # A hyperbolic nuisance complaint reaches the grid leader at least (a review, or a case). It
    # opened a case until the fifth session's model (P(report) 0.85, then 0.72: real chat is full
    # of "…死人了 天天这样" about life), a known loss; the grid leader's 立案 teaches the next model.
    assert action(parser.parse("楼下烧烤店油烟熏死人了 天天这样")) != "ignore"
    for text in ("哈哈哈 笑死", "今天天气真好 出去走走", "收到 谢谢网格员"):
        assert action(parser.parse(text)) == "ignore", text
