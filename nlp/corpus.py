"""The labelled corpus: reading and checking its lines, and the fixed train/test split."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from pydantic import BaseModel, ValidationError, model_validator

from nlp.taxonomy import CATEGORY_CODES

DATA_DIR = Path(__file__).parent / "data"
CORPUS_DIR = DATA_DIR / "corpus"
TRAIN_FILE = DATA_DIR / "train.jsonl"
TEST_FILE = DATA_DIR / "test.jsonl"
HOLDOUT_FILE = DATA_DIR / "holdout.jsonl"

TEST_SHARE = 5  # one message in five goes to the test split


class LabelledMessage(BaseModel):
    """One labelled line (see data/corpus/README.md)."""

    text: str
    is_report: bool
    category: str | None = None
    level: int | None = None
    urgent: bool = False
    location: str | None = None
    pii: list[str] = []

    @model_validator(mode="after")
    def _consistent(self) -> LabelledMessage:
        if self.is_report:
            if self.category not in CATEGORY_CODES:
                raise ValueError(f"category {self.category!r} is not a taxonomy code")
            if self.level not in (1, 2, 3, 4):
                raise ValueError(f"level {self.level!r} is not 1–4")
        elif self.category is not None or self.level is not None:
            raise ValueError("a non-report has no category or level")
        if self.location is not None and self.location not in self.text:
            raise ValueError(f"location {self.location!r} is not a substring of the text")
        for item in self.pii:
            if item not in self.text:
                raise ValueError(f"pii {item!r} is not a substring of the text")
        return self


class BadLine(BaseModel):
    """A corpus line that could not be read, and why."""

    source: str
    line: int
    reason: str


def read_jsonl(path: Path) -> Iterator[LabelledMessage | BadLine]:
    """Every line of a labelled file, as a message or as the reason it is bad."""
    with path.open(encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                yield LabelledMessage.model_validate(json.loads(raw))
            except (json.JSONDecodeError, ValidationError) as exc:
                reason = (
                    str(exc).splitlines()[0]
                    if isinstance(exc, json.JSONDecodeError)
                    else _first_error(exc)
                )
                yield BadLine(source=path.name, line=number, reason=reason)


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}" if where else err["msg"]


def corpus_files(directory: Path = CORPUS_DIR) -> list[Path]:
    """The corpus parts, in name order so training sees them in a fixed order."""
    return sorted(directory.glob("*.jsonl"))


def load_corpus(files: Iterable[Path]) -> tuple[list[LabelledMessage], list[BadLine]]:
    """All good messages (exact duplicates dropped, first kept) and all bad lines."""
    good: list[LabelledMessage] = []
    bad: list[BadLine] = []
    seen: set[str] = set()
    for path in files:
        for item in read_jsonl(path):
            if isinstance(item, BadLine):
                bad.append(item)
            elif item.text not in seen:
                seen.add(item.text)
                good.append(item)
    return good, bad


_NOT_CONTENT = re.compile(r"[^\w]|_")


def split_key(text: str) -> str:
    """What decides the split: the text without spacing, punctuation or emoji, so near copies
    that differ only in those land on the same side."""
    return _NOT_CONTENT.sub("", text).lower()


def is_test(text: str) -> bool:
    """The fixed split rule: a stable hash of the message puts one in five in the test split."""
    digest = hashlib.sha256(split_key(text).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % TEST_SHARE == 0


def split(messages: list[LabelledMessage]) -> tuple[list[LabelledMessage], list[LabelledMessage]]:
    """(train, test) by is_test(), each in corpus order."""
    train = [m for m in messages if not is_test(m.text)]
    test = [m for m in messages if is_test(m.text)]
    return train, test


def write_jsonl(path: Path, messages: Iterable[LabelledMessage]) -> None:
    """Write labelled messages one per line, UTF-8, keys in schema order."""
    with path.open("w", encoding="utf-8") as handle:
        for message in messages:
            handle.write(json.dumps(message.model_dump(), ensure_ascii=False) + "\n")
