"""What the bot does with a parse: open a case, queue it quietly for the grid leader, or ignore it.

- `case`: a case opens and its card shows in the group. Danger (urgent) is always a case.
- `review`: nothing is said in the group; the grid leader sees it in a review queue (立案 / 不是).
- `ignore`: chatter; the bot stays silent.

The decision reads the report probability (`ParseResult.report_probability`, P(report) with the
photo and pin counted; `confidence` for results the parser did not make): a report whose
category is unsure is still a report, and the grid leader can change the category on the card. The defaults were chosen
on the dev bucket of the real data and the corpus train split (never on the figures we report):
see `gridbot eval --real` and the README's "Parsing messages".
"""

from __future__ import annotations

from typing import Literal

from nlp.parse import ParseResult

Action = Literal["case", "review", "ignore"]
ACTIONS: tuple[Action, ...] = ("case", "review", "ignore")

# Chosen on the dev bucket of the real data (nlp/real.py) and the strangers' dev set, never on
# the test bucket or the corpus test split. Case at 0.8: chat opens a case for ≤ 0.6% of
# messages per source (0.7: up to 1.8%), board reports still open at once ≥ 95%. Review at 0.4:
# chat reviews ≤ 2.9% per source (0.3: up to 5.3%), board titles alone noticed ≥ 96%.
# Sixth session, with parts Q and R (people at risk; short complaints) the report head leans further
# towards short emotional text, and chat in the dev bucket opened cases for up to 0.85% per source
# at 0.8 (0.57–0.71% before); at 0.85 it is back to ≤ 0.71%, board reports still open at once for
# 93.7% / 95.6%, titles alone noticed 95.7% / 100%. (Provenance: the test bucket's lccc figure,
# 1.03% at 0.8, is what made me look; the choice is read off the dev bucket.)
# Tenth session: those dev buckets belong to sources the model was trained on, and a group's chat
# is one it never was. Each chat source scored by a model trained without it (`gridbot eval
# --real DIR --unseen`, dev bucket) put 4.3–9.6% of its messages in the review queue at 0.4 and
# opened cases for up to 1.2%. At case 0.9, review 0.55: unseen chat reviews ≤ 4.4% per source
# (0.5: up to 5.1%, 0.6: 3.7%) and opens cases ≤ 1.2% (the rest is danger, whatever the
# threshold); board reports (dev) still open at once for 93.1% / 91.3%, titles alone are noticed
# 99.4% / 90.0% (0.6: 87.8%), board questions open cases less often (86% / 87% → 77% / 80%).
# The corpus's own chatter in the group voice: reviews 12.6% → about 7.5%, cases 8.6% → 7.9%;
# its reports open at once 86.9% → 82.5% of the time, noticed 97.9% → about 96%.
CASE_THRESHOLD = 0.9
REVIEW_THRESHOLD = 0.55


def action(
    result: ParseResult,
    case_threshold: float | None = None,
    review_threshold: float | None = None,
) -> Action:
    """`case`, `review` or `ignore` for one parse (None: the module's defaults)."""
    case_at = CASE_THRESHOLD if case_threshold is None else case_threshold
    review_at = REVIEW_THRESHOLD if review_threshold is None else review_threshold
    if result.urgent:
        return "case"
    p = result.report_probability
    if p is None:
        p = result.confidence if result.is_report else 0.0
    if p >= case_at and result.is_report:
        return "case"
    if p >= review_at:
        return "review"
    return "ignore"
