"""`gridbot feedback-export`, `gridbot eval --feedback` and `gridbot train --feedback`: the labels
that staff decisions left in a bot's database (bot/cases/corrections.py), as corpus lines for nlp.

The running bot never retrains itself: these commands are run by a person, and `train` writes
the model file only when asked to.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import TextIO

from bot.cases.corrections import export_feedback
from storage.db import is_url


def _missing(db_path: str, command: str, err: TextIO) -> bool:
    if is_url(db_path) or Path(db_path).is_file():  # a PostgreSQL URL, or a SQLite file
        return False
    err.write(f"{command}: no such database: {db_path}\n")
    return True


def feedback_export_command(db_path: str, *, output: str | None, out: TextIO, err: TextIO) -> int:
    """Write every message's latest label as one corpus JSON line; 0, or 2 without a database."""
    if _missing(db_path, "feedback-export", err):
        return 2
    if output is None:
        count = asyncio.run(export_feedback(db_path, out))
    else:
        with Path(output).open("w", encoding="utf-8") as handle:
            count = asyncio.run(export_feedback(db_path, handle))
    err.write(f"feedback-export: {count} labelled messages\n")
    return 0


def _exported(db_path: str, folder: str) -> tuple[Path, int]:
    path = Path(folder) / "feedback.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        count = asyncio.run(export_feedback(db_path, handle))
    return path, count


def eval_feedback_command(db_path: str, *, out: TextIO, err: TextIO) -> int:
    """Score the shipped model on the labels staff gave: what it gets wrong in the field."""
    from nlp.commands import eval_command

    if _missing(db_path, "eval", err):
        return 2
    with tempfile.TemporaryDirectory() as folder:
        path, count = _exported(db_path, folder)
        if count == 0:
            err.write(f"eval: no labelled messages in {db_path}\n")
            return 2
        out.write(f"feedback from {db_path}: {count} labelled messages\n")
        return eval_command(str(path), out=out)


def train_feedback_command(
    db_path: str,
    *,
    model: str | None,
    out: TextIO,
    err: TextIO,
    real: str | None = None,
    no_real: bool = False,
) -> int:
    """Retrain on the corpus plus the labels; the fixed split rule holds one label in five out.

    Writes `model` (the shipped model only when that path is given); the split files under
    nlp/data are left as they are."""
    from nlp.corpus import corpus_files
    from nlp.real import REAL_DIR, available
    from nlp.train import train

    if _missing(db_path, "train", err):
        return 2
    # The real data's train bucket as `gridbot train` takes it (the shipped model includes it).
    real_dir = None if no_real else Path(real or REAL_DIR)
    if real_dir is not None and not available(real_dir):
        err.write(f"train: no real data at {real_dir}; give --real DIR, or --no-real\n")
        return 2
    if model is None:
        err.write(
            "train --feedback: give --model FILE (nlp/data/model.npz to replace the shipped one)\n"
        )
        return 2
    with tempfile.TemporaryDirectory() as folder:
        path, count = _exported(db_path, folder)
        if count == 0:
            err.write(f"train: no labelled messages in {db_path}\n")
            return 2
        report = train(
            files=[*corpus_files(), path], model_path=Path(model), train_path=None,
            test_path=None, real_dir=real_dir,
        )  # fmt: skip
    for bad in report.bad:
        err.write(f"skipped {bad.source}:{bad.line}: {bad.reason}\n")
    out.write(f"feedback from {db_path}: {count} labelled messages\n")
    out.write(f"messages: train {report.n_train}, held out {report.n_test}, real {report.n_real}\n")
    out.write(f"model: {report.model_path}\n")
    return 0
