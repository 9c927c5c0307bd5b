"""What the bot does with a parse: case, a quiet review for the grid leader, or nothing."""

from __future__ import annotations

import pytest

from nlp import decide
from nlp.decide import action
from nlp.parse import ParseResult, get_parser


def result(p: float, *, urgent: bool = False) -> ParseResult:
    return ParseResult(
        is_report=p >= 0.5 or urgent,
        category="sanitation" if p >= 0.5 or urgent else None,
        level=2 if p >= 0.5 or urgent else None,
        urgent=urgent,
        confidence=0.3,
        report_probability=p,
    )


@pytest.mark.parametrize(
    ("p", "expected"),
    [(0.99, "case"), (decide.CASE_THRESHOLD, "case"), (0.6, "review"),
     (decide.REVIEW_THRESHOLD, "review"), (0.2, "ignore"), (0.0, "ignore")],
)  # fmt: skip
def test_the_report_probability_picks_the_action(p: float, expected: str) -> None:
    assert action(result(p)) == expected


def test_danger_is_always_a_case_whatever_the_thresholds() -> None:
    assert action(result(0.1, urgent=True), case_threshold=1.0, review_threshold=1.0) == "case"


def test_thresholds_can_be_given() -> None:
    assert action(result(0.6), case_threshold=0.55) == "case"
    assert action(result(0.3), review_threshold=0.25) == "review"
    assert action(result(0.45), review_threshold=0.5) == "ignore"


def test_a_result_not_made_by_the_parser_falls_back_to_its_confidence() -> None:
    made = ParseResult(is_report=True, category="labor", level=3, confidence=0.95)
    assert action(made) == "case"
    assert action(ParseResult(is_report=False, confidence=0.95)) == "ignore"


def test_parses_carry_the_probability_the_decision_reads() -> None:
    parser = get_parser()
    danger = parser.parse("楼道里全是烟 快打119")
    assert danger.urgent and danger.report_probability == 1.0 and action(danger) == "case"
    chatter = parser.parse("早上好 今天吃啥")
    assert chatter.report_probability is not None and chatter.report_probability < 0.4
    assert action(chatter) == "ignore"
    assert action(parser.parse("")) == "ignore"
