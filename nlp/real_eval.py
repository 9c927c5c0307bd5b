"""Per-source figures on the held-out buckets of the real data (`gridbot eval --real DIR`).

Chat: how often the bot would open a case or queue a review (both should be rare). Board
messages that are reports: how often they are noticed (case or review) and opened at once, as the
title with the first 120 characters of the body and as the title alone. Hand-labelled board
messages: the same, on the hand label, plus category accuracy.

`--unseen` asks the harder question a group's chat puts: each chat source is scored by a model
trained without it (the corpus and the other sources), as a source the parser never saw.
"""

from __future__ import annotations

import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from nlp.decide import Action, action
from nlp.parse import Parser, ParseResult
from nlp.real import REAL_DIR, RealRow, chat_rows, complaint_rows


@dataclass
class Rates:
    """How many of n messages got each action (and, for labelled reports, the right category)."""

    n: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    category_right: int = 0
    category_n: int = 0

    def share(self, *names: str) -> float:
        return sum(self.actions[a] for a in names) / self.n if self.n else 0.0

    @property
    def case(self) -> float:
        return self.share("case")

    @property
    def review(self) -> float:
        return self.share("review")

    @property
    def noticed(self) -> float:
        return self.share("case", "review")

    @property
    def category_accuracy(self) -> float:
        return self.category_right / self.category_n if self.category_n else 0.0


@dataclass
class RealFigures:
    """Per source: chat rates, board reports (full and title-only), labelled and non-reports."""

    buckets: tuple[str, ...]
    chat: dict[str, Rates] = field(default_factory=dict)
    reports: dict[str, Rates] = field(default_factory=dict)
    titles: dict[str, Rates] = field(default_factory=dict)
    labelled: dict[str, Rates] = field(default_factory=dict)
    labelled_titles: dict[str, Rates] = field(default_factory=dict)
    not_reports: dict[str, Rates] = field(default_factory=dict)


@dataclass
class Parsed:
    """The parses of the held-out real rows, kept so thresholds can be tried without reparsing."""

    chat: list[tuple[RealRow, ParseResult]]
    complaints: list[tuple[RealRow, ParseResult, ParseResult]]  # full text, title alone


def parse_rows(parser: Parser, real_dir: Path = REAL_DIR, buckets: Iterable[str] = ("test",)):  # noqa: ANN201
    wanted = set(buckets)
    chat = [(r, parser.parse(r.text)) for r in chat_rows(real_dir) if r.bucket in wanted]
    complaints = [
        (r, parser.parse(r.text), parser.parse(r.title))
        for r in complaint_rows(real_dir)
        if r.bucket in wanted
    ]
    return Parsed(chat, complaints)


def figures(
    parsed: Parsed,
    buckets: Iterable[str] = ("test",),
    case_threshold: float | None = None,
    review_threshold: float | None = None,
) -> RealFigures:
    def act(result: ParseResult) -> Action:
        return action(result, case_threshold, review_threshold)

    out = RealFigures(tuple(buckets))
    groups: dict[str, dict[str, Rates]] = {
        name: defaultdict(Rates)
        for name in ("chat", "reports", "titles", "labelled", "labelled_titles", "not_reports")
    }

    def add(group: str, source: str, result: ParseResult, category: str | None = None) -> None:
        rates = groups[group][source]
        rates.n += 1
        rates.actions[act(result)] += 1
        if category is not None:
            rates.category_n += 1
            rates.category_right += result.category == category

    for row, result in parsed.chat:
        add("chat", row.source, result)
    for row, full, title in parsed.complaints:
        if not row.is_report:
            add("not_reports", row.source, full)
            continue
        add("reports", row.source, full)
        add("titles", row.source, title)
        if row.labelled:
            add("labelled", row.source, full, row.category)
            add("labelled_titles", row.source, title, row.category)
    for name, rates in groups.items():
        setattr(out, name, dict(sorted(rates.items())))
    return out


def _pct(x: float) -> str:
    return f"{100 * x:5.1f}%"


def format_figures(fig: RealFigures) -> str:
    lines = [f"real data, bucket(s) {'+'.join(fig.buckets)} (never trained on)"]
    lines += _chat_table("chat (negatives)", fig.chat)
    header = "                                      n     case  review  noticed"
    for title, group in (
        ("board reports, title + 120 chars (label or title rule)", fig.reports),
        ("board reports, title alone", fig.titles),
    ):
        lines.append(title)
        lines.append(header)
        for source, r in group.items():
            lines.append(
                f"  {source:<34}{r.n:5d}  {_pct(r.case)} {_pct(r.review)}  {_pct(r.noticed)}"
            )
    for title, group in (
        ("hand-labelled board reports, title + 120 chars", fig.labelled),
        ("hand-labelled board reports, title alone", fig.labelled_titles),
    ):
        lines.append(title)
        lines.append(header + "  category")
        for source, r in group.items():
            lines.append(
                f"  {source:<34}{r.n:5d}  {_pct(r.case)} {_pct(r.review)}  {_pct(r.noticed)}"
                f"  {_pct(r.category_accuracy)}"
            )
    lines.append("board questions and suggestions (not reports): how often a case opens anyway")
    lines.append("                                      n     case  review")
    for source, r in fig.not_reports.items():
        lines.append(f"  {source:<34}{r.n:5d}  {_pct(r.case)} {_pct(r.review)}")
    return "\n".join(lines)


def unseen_chat(
    real_dir: Path = REAL_DIR,
    buckets: Iterable[str] = ("test",),
    case_threshold: float | None = None,
    review_threshold: float | None = None,
) -> dict[str, Rates]:
    """Per chat source, the rates of a model trained without that source (one training each)."""
    from nlp.corpus import corpus_files, load_corpus, split
    from nlp.model import save_models
    from nlp.train import build_arrays, training_rows

    wanted = set(buckets)
    files = corpus_files()
    train_set, _ = split(load_corpus(files)[0])
    chats = chat_rows(real_dir)
    out: dict[str, Rates] = {}
    for source in sorted({r.source for r in chats}):
        arrays = build_arrays(training_rows(files, train_set, real_dir, without_chat=source))
        with tempfile.TemporaryDirectory() as folder:
            model = Path(folder) / "model.npz"
            save_models(model, arrays)
            parser = Parser(model_path=model)
        rates = out[source] = Rates()
        for row in chats:
            if row.source == source and row.bucket in wanted:
                rates.n += 1
                rates.actions[action(parser.parse(row.text), case_threshold, review_threshold)] += 1
    return out


def format_unseen(chat: dict[str, Rates], buckets: Iterable[str]) -> str:
    title = f"chat from a source the model never saw (trained without it), bucket(s) {'+'.join(buckets)}"
    return "\n".join(_chat_table(title, chat))


def _chat_table(title: str, chat: dict[str, Rates]) -> list[str]:
    lines = [title, f"{'':<36}{'n':>5}{'case':>8}{'review':>7}"]
    for source, r in chat.items():
        lines.append(f"  {source:<34}{r.n:5d}  {_pct(r.case)} {_pct(r.review)}")
    return lines
