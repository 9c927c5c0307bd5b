"""Real public text (../shared/data/real, see its README for sources and licences) as training
and evaluation data: chat utterances as negatives, citizens' messages to a 政务留言 board as
reports.

Nothing of that text is stored in this repository: it is read from the shared folder at training
and evaluation time. Only ids and hand labels (nlp/data/real_labels.jsonl) live here.

Every row falls in a fixed bucket by a hash of its source and id: `train` (60%), `dev` (20%,
where the action thresholds were chosen) and `test` (20%, for the figures we report). The same
rule holds for every source, so each source's held-out share is the same.

Reports versus questions and suggestions on the board: the hand label decides when there is one
(kinds complaint/request are reports; question/suggestion/other are not); otherwise a title rule
(`looks_like_question`) decides, and rows it calls questions are left out of training altogether
(a question to staff is a report in a grid chat, a policy question to a province is not: we do
not teach either).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
REAL_DIR = REPO_DIR.parent / "shared" / "data" / "real"
LABELS_FILE = Path(__file__).parent / "data" / "real_labels.jsonl"

BODY_CHARS = 120  # a chat message is short: the title and the first 120 characters of the body
TRAIN_BELOW = 60  # bucket = hash % 100: 0–59 train, 60–79 dev, 80–99 test
DEV_BELOW = 80

# The board anonymised every place to a letter code (A市, A3区, D7县, 西地省): that is its style,
# not the problem. Drop the codes so the model cannot learn "A市" means a report.
_PLACE_CODE = re.compile(r"(?<![A-Za-z])[A-Z]\d{0,2}(?:市|区|县|州|镇|乡)|西地省")
# Titles that ask or propose rather than report. Drawn up on the 300 hand-labelled rows of batch
# 2 (of the rows it keeps as reports 91% are; it keeps 85% of the reports); on all 600: 89%, 85%.
_QUESTION = re.compile(
    r"咨询|请问|建议|何时|能否|如何|是否|可否|怎么|吗|？|\?|多少|哪些|哪里|什么时候|有没有|希望|"
    r"呼吁|倡议|问询|询问"
)
REPORT_KINDS = frozenset({"complaint", "request"})


@dataclass(frozen=True)
class RealRow:
    """One real message: source, id, bucket and the texts the model sees."""

    id: str
    source: str
    bucket: str  # train / dev / test
    text: str  # chat: the utterance; complaint: title + first BODY_CHARS of the body, masked
    title: str = ""  # complaints: the masked title alone
    is_report: bool | None = None  # chat False; complaints: label, else the title rule
    labelled: bool = False  # a hand label decided is_report (and category)
    category: str | None = None
    urgent: bool | None = None


def bucket(source: str, ident: str) -> str:
    """The fixed bucket of a row: a stable hash of its source and id."""
    digest = hashlib.sha256(f"{source}\n{ident}".encode()).digest()
    n = int.from_bytes(digest[:4], "big") % 100
    return "train" if n < TRAIN_BELOW else "dev" if n < DEV_BELOW else "test"


def mask_places(text: str) -> str:
    """The board's anonymised place codes dropped."""
    return _PLACE_CODE.sub("", text)


def looks_like_question(title: str) -> bool:
    """A title that asks or proposes (咨询, 请问, 建议, 何时, 能否, …, a question mark)."""
    return bool(_QUESTION.search(title))


def load_labels(path: Path = LABELS_FILE) -> dict[str, dict]:
    """Hand labels by id ({"id","kind","is_report","category","level","urgent"})."""
    if not path.is_file():
        return {}
    labels = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            labels[row["id"]] = row
    return labels


def _jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def chat_rows(real_dir: Path = REAL_DIR) -> list[RealRow]:
    """Chat utterances (negatives), in file order."""
    return [
        RealRow(
            id=d["id"],
            source=d["source"],
            bucket=bucket(d["source"], d["id"]),
            text=d["text"],
            is_report=False,
            urgent=False,
        )
        for d in _jsonl(real_dir / "chatter.jsonl")
    ]


def complaint_text(title: str, body: str) -> str:
    """What the parser is shown of a board message: title and the start of the body, masked."""
    return mask_places(f"{title} {body[:BODY_CHARS]}").strip()


def complaint_rows(real_dir: Path = REAL_DIR, labels: dict | None = None) -> list[RealRow]:
    """Board messages, in file order, with the hand label where there is one."""
    labels = load_labels() if labels is None else labels
    rows = []
    for d in _jsonl(real_dir / "complaints.jsonl"):
        label = labels.get(d["id"])
        if label is not None:
            is_report, category = bool(label["is_report"]), label.get("category")
            urgent: bool | None = bool(label.get("urgent"))
        else:
            is_report, category, urgent = not looks_like_question(d["title"]), None, None
        rows.append(
            RealRow(
                id=d["id"],
                source=d["source"],
                bucket=bucket(d["source"], d["id"]),
                text=complaint_text(d["title"], d["body"]),
                title=mask_places(d["title"]).strip(),
                is_report=is_report,
                labelled=label is not None,
                category=category if is_report else None,
                urgent=urgent,
            )
        )
    return rows


def available(real_dir: Path = REAL_DIR) -> bool:
    return (real_dir / "chatter.jsonl").is_file() and (real_dir / "complaints.jsonl").is_file()
