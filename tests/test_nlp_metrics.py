"""Evaluation figures on a tiny hand-made file, where every number can be checked by hand."""

from __future__ import annotations

from nlp.corpus import LabelledMessage
from nlp.metrics import evaluate, format_report
from nlp.parse import ParseResult
from nlp.pii import PiiSpan


def gold(text: str, **labels: object) -> LabelledMessage:
    return LabelledMessage(text=text, **labels)  # type: ignore[arg-type]  # test data given as loose keyword arguments


def predicted(**fields: object) -> ParseResult:
    return ParseResult(**{"is_report": False, "confidence": 0.9, **fields})  # type: ignore[arg-type]  # test data given as loose keyword arguments


GOLD = [
    gold("3栋电梯坏了", is_report=True, category="facility_repair", level=2, location="3栋"),
    gold("楼道着火了 快来", is_report=True, category="fire_hazard", level=4, urgent=True),
    gold(
        "垃圾没人收 电话13812345678",
        is_report=True,
        category="sanitation",
        level=2,
        pii=["13812345678"],
    ),
    gold("早上好", is_report=False),
    gold("5月3号 110", is_report=False),
]
PREDICTED = [
    predicted(is_report=True, category="facility_repair", level=2, location="3栋"),
    predicted(is_report=True, category="fire_hazard", level=3, urgent=True, location="楼道"),
    predicted(
        is_report=True,
        category="facility_repair",
        level=2,
        pii=[PiiSpan(kind="phone", text="13812345678", start=9, end=20)],
    ),
    predicted(is_report=True, category="other", level=1, urgent=True),
    predicted(pii=[PiiSpan(kind="phone", text="110", start=5, end=8)]),
]


def test_report_detection_counts_a_false_alarm() -> None:
    report = evaluate(GOLD, PREDICTED).report
    assert (report.precision, report.recall) == (3 / 4, 1.0)


def test_category_scores_are_over_gold_reports() -> None:
    result = evaluate(GOLD, PREDICTED)
    assert result.category_accuracy == 2 / 3
    assert result.per_category["sanitation"].recall == 0.0
    assert result.per_category["facility_repair"].precision == 1 / 2
    assert result.confusion["sanitation"]["facility_repair"] == 1


def test_level_exact_and_within_one() -> None:
    result = evaluate(GOLD, PREDICTED)
    assert (result.level_exact, result.level_within_one) == (2 / 3, 1.0)


def test_urgent_recall_and_precision() -> None:
    urgent = evaluate(GOLD, PREDICTED).urgent
    assert (urgent.recall, urgent.precision) == (1.0, 1 / 2)


def test_location_scores_count_a_place_named_where_none_was() -> None:
    result = evaluate(GOLD, PREDICTED)
    assert result.location_n == 2
    assert (result.location_exact, result.location_overlap) == (1 / 2, 1 / 2)


def test_personal_data_recall_and_false_masks() -> None:
    result = evaluate(GOLD, PREDICTED)
    assert (result.pii_recall, result.pii_false_masks) == (1.0, 1)


def test_the_printed_report_has_every_table() -> None:
    text = format_report(evaluate(GOLD, PREDICTED))
    for heading in (
        "report detection",
        "macro-F1",
        "within one",
        "urgent",
        "overlap",
        "false masks",
        "confusion",
    ):
        assert heading in text
