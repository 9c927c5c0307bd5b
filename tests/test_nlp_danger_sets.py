"""Danger sets written blind (nlp/data/danger/): danger said in words nobody here wrote is caught.

Floors a little under the first measurement of each set (see the README there), so that a change
that loses danger in other people's words fails; they are not targets (the aim is recall 0.97).
"""

from __future__ import annotations

import pytest

from nlp.corpus import DATA_DIR, LabelledMessage, read_jsonl
from nlp.metrics import EvalReport, evaluate
from nlp.parse import get_parser

FLOORS = {  # set: (urgent recall, urgent precision, report F1)
    "set1": (0.87, 0.80, 0.90),
    "set2": (0.90, 0.85, 0.90),
    "set3": (0.88, 0.90, 0.91),  # first measured 0.897 / 0.929, report F1 0.932
    "set4": (0.95, 0.88, 0.93),  # first measured 0.968 / 0.925, report F1 0.958
    "set5": (0.92, 0.89, 0.93),  # first measured 0.932 / 0.908, report F1 0.947
    "set6": (0.94, 0.90, 0.95),  # first measured 0.953 / 0.923, report F1 0.964
    "set7": (0.92, 0.84, 0.93),  # first measured 0.937 / 0.868, report F1 0.947
    "set8": (0.95, 0.86, 0.93),  # first measured 0.968 / 0.885, report F1 0.950
    "set9": (0.95, 0.86, 0.93),  # first measured 0.968 / 0.885, report F1 0.949
    "set10": (0.96, 0.86, 0.95),  # first measured 0.979 / 0.890, report F1 0.977
}


@pytest.fixture(scope="module", params=sorted(FLOORS))
def scored(request: pytest.FixtureRequest) -> tuple[str, EvalReport]:
    path = DATA_DIR / "danger" / f"{request.param}.jsonl"
    gold = [m for m in read_jsonl(path) if isinstance(m, LabelledMessage)]
    assert len(gold) >= 240
    parser = get_parser()
    return request.param, evaluate(gold, [parser.parse(m.text) for m in gold])


def test_danger_in_strangers_words_is_caught(scored: tuple[str, EvalReport]) -> None:
    name, report = scored
    recall, precision, _ = FLOORS[name]
    assert report.urgent.recall >= recall
    assert report.urgent.precision >= precision


def test_reports_in_strangers_words_are_noticed(scored: tuple[str, EvalReport]) -> None:
    name, report = scored
    assert report.report.f1 >= FLOORS[name][2]
