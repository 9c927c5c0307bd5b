"""Scores of parser output against labelled messages (`gridbot eval`).

Denominators, so the figures can be read exactly:
- report detection: all messages, positive = is_report;
- category and level: the gold reports (a report the parser missed counts as wrong);
- urgent: all messages, positive = urgent;
- location: messages where the gold label or the parser names a place; exact = same string,
  overlap = both name a place and the two spans share at least one character;
- PII: recall over gold strings; a false mask is a span the parser found that overlaps no gold one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from nlp.corpus import LabelledMessage
from nlp.decide import ACTIONS, action
from nlp.parse import ParseResult
from nlp.taxonomy import CATEGORY_CODES

NONE = "none"  # predicted category of a gold report the parser called chatter


@dataclass
class ClassScore:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class EvalReport:
    """Every figure `gridbot eval` prints."""

    n: int
    report: ClassScore
    category_accuracy: float
    category_macro_f1: float
    per_category: dict[str, ClassScore]
    confusion: dict[str, Counter[str]]
    level_exact: float
    level_within_one: float
    urgent: ClassScore
    location_exact: float
    location_overlap: float
    location_n: int
    pii_recall: float
    pii_gold: int
    pii_false_masks: int
    false_mask_texts: list[str] = field(default_factory=list)
    # What the bot would do (nlp.decide, default thresholds): gold chatter / gold reports by action.
    chatter_actions: Counter[str] = field(default_factory=Counter)
    report_actions: Counter[str] = field(default_factory=Counter)


def _ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def _score(tp: int, fp: int, fn: int) -> ClassScore:
    p, r = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return ClassScore(p, r, f1, tp + fn)


def _spans(text: str, sub: str) -> list[tuple[int, int]]:
    out, start = [], text.find(sub)
    while start >= 0 and sub:
        out.append((start, start + len(sub)))
        start = text.find(sub, start + 1)
    return out


def _overlaps(text: str, a: str, b: str) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in _spans(text, a) for s2, e2 in _spans(text, b))


def evaluate(gold: Sequence[LabelledMessage], predicted: Sequence[ParseResult]) -> EvalReport:
    """Compare parser results with gold labels, message by message."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    tp = fp = fn = 0
    utp = ufp = ufn = 0
    confusion: dict[str, Counter[str]] = {}
    level_exact = level_near = n_reports = 0
    loc_n = loc_exact = loc_overlap = 0
    pii_gold = pii_found = false_masks = 0
    false_mask_texts: list[str] = []
    chatter_actions: Counter[str] = Counter()
    report_actions: Counter[str] = Counter()
    for g, p in zip(gold, predicted, strict=True):
        (report_actions if g.is_report else chatter_actions)[action(p)] += 1
        tp += g.is_report and p.is_report
        fp += (not g.is_report) and p.is_report
        fn += g.is_report and not p.is_report
        utp += g.urgent and p.urgent
        ufp += (not g.urgent) and p.urgent
        ufn += g.urgent and not p.urgent
        if g.is_report and g.category:
            n_reports += 1
            predicted_category = p.category if p.is_report and p.category else NONE
            confusion.setdefault(g.category, Counter())[predicted_category] += 1
            if p.is_report and p.level is not None and g.level is not None:
                level_exact += p.level == g.level
                level_near += abs(p.level - g.level) <= 1
        if g.location or p.location:
            loc_n += 1
            loc_exact += g.location == p.location
            loc_overlap += bool(
                g.location and p.location and _overlaps(g.text, g.location, p.location)
            )
        spans = [s.text for s in p.pii]
        pii_gold += len(g.pii)
        pii_found += sum(any(_overlaps(g.text, item, s) for s in spans) for item in g.pii)
        wrong = [s for s in spans if not any(_overlaps(g.text, s, item) for item in g.pii)]
        false_masks += len(wrong)
        if wrong:
            false_mask_texts.append(g.text)

    labels = [
        c for c in CATEGORY_CODES if c in confusion or any(c in row for row in confusion.values())
    ]
    per_category: dict[str, ClassScore] = {}
    for c in labels:
        ctp = confusion.get(c, Counter())[c]
        cfp = sum(row[c] for g, row in confusion.items() if g != c)
        cfn = sum(confusion.get(c, Counter()).values()) - ctp
        per_category[c] = _score(ctp, cfp, cfn)
    correct = sum(row[c] for c, row in confusion.items())
    macro = sum(s.f1 for s in per_category.values()) / len(per_category) if per_category else 1.0
    return EvalReport(
        n=len(gold),
        report=_score(tp, fp, fn),
        category_accuracy=_ratio(correct, n_reports),
        category_macro_f1=macro,
        per_category=per_category,
        confusion=confusion,
        level_exact=_ratio(level_exact, n_reports),
        level_within_one=_ratio(level_near, n_reports),
        urgent=_score(utp, ufp, ufn),
        location_exact=_ratio(loc_exact, loc_n),
        location_overlap=_ratio(loc_overlap, loc_n),
        location_n=loc_n,
        pii_recall=_ratio(pii_found, pii_gold),
        pii_gold=pii_gold,
        pii_false_masks=false_masks,
        false_mask_texts=false_mask_texts,
        chatter_actions=chatter_actions,
        report_actions=report_actions,
    )


def format_report(report: EvalReport) -> str:
    """The human-readable tables of an evaluation."""
    r, u = report.report, report.urgent
    lines = [
        f"messages: {report.n}",
        "",
        f"report detection   precision {r.precision:.3f}  recall {r.recall:.3f}  F1 {r.f1:.3f}",
        f"category           accuracy  {report.category_accuracy:.3f}  macro-F1 {report.category_macro_f1:.3f}",
        f"level              exact     {report.level_exact:.3f}  within one {report.level_within_one:.3f}",
        f"urgent             recall    {u.recall:.3f}  precision {u.precision:.3f}  (gold urgent: {u.support})",
        f"location           exact     {report.location_exact:.3f}  overlap {report.location_overlap:.3f}  (messages with a place: {report.location_n})",
        f"personal data      recall    {report.pii_recall:.3f}  false masks {report.pii_false_masks}  (gold items: {report.pii_gold})",
        "",
        "what the bot would do (nlp.decide, default thresholds)",
        f"{'':<14}{'n':>5}{'case':>9}{'review':>9}{'ignore':>9}",
    ]
    for name, counts in (("chatter", report.chatter_actions), ("reports", report.report_actions)):
        n = sum(counts.values())
        shares = "".join(f"{100 * counts[a] / n if n else 0.0:8.1f}%" for a in ACTIONS)
        lines.append(f"  {name:<12}{n:5d}{shares}")
    lines += [
        "",
        f"{'category':<18}{'precision':>10}{'recall':>8}{'F1':>7}{'support':>9}",
    ]
    for code, s in report.per_category.items():
        lines.append(f"{code:<18}{s.precision:>10.3f}{s.recall:>8.3f}{s.f1:>7.3f}{s.support:>9}")
    columns = [c for c in CATEGORY_CODES if c in report.per_category] + [NONE]
    short = {c: c[:5] for c in columns}
    lines += [
        "",
        "confusion (rows gold, columns predicted)",
        " " * 18 + "".join(f"{short[c]:>6}" for c in columns),
    ]
    for code in columns[:-1]:
        row = report.confusion.get(code, Counter())
        lines.append(f"{code:<18}" + "".join(f"{row[c]:>6}" for c in columns))
    return "\n".join(lines)
