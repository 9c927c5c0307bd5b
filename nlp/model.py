"""The shipped linear models and their predictor: numpy sums over learned weights, no sklearn.

File layout (data/model.npz, written by nlp.train): `vocab` (UTF-8 feature strings joined by
newlines), `weights` (features × columns, already multiplied by each feature's idf), `idf2`
(squared idf, for the L2 norm of a binary tf-idf row; 0 for the urgency head's danger groups,
which do not count in it), `bias` (columns) and `meta` (JSON: the
heads, their classes and their columns).
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

MODEL_FILE = Path(__file__).parent / "data" / "model.npz"


@dataclass(frozen=True)
class Head:
    """One classifier's columns: binary heads have one column (score > 0 means `classes[1]`)."""

    name: str
    classes: tuple[str, ...]
    start: int
    stop: int


@dataclass(frozen=True)
class Scored:
    """The raw scores of every head for one message, and which features it had."""

    scores: np.ndarray
    index: np.ndarray
    norm: float


class LinearModels:
    """All heads over one shared feature space, predicted with one gather and one sum."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.vocab: list[str] = bytes(arrays["vocab"]).decode("utf-8").split("\n")
        self._lookup: dict[str, int] = {f: i for i, f in enumerate(self.vocab)}
        self.weights = arrays["weights"].astype(np.float32)
        self.idf2 = arrays["idf2"].astype(np.float32)
        # weights with idf² as one more column: one gather and one sum give scores and norm
        self._gather = np.hstack([self.weights, self.idf2[:, None]])
        self.bias = arrays["bias"].astype(np.float32)
        self.meta: dict[str, Any] = json.loads(bytes(arrays["meta"]).decode("utf-8"))
        self.heads = {
            h["name"]: Head(h["name"], tuple(h["classes"]), h["start"], h["stop"])
            for h in self.meta["heads"]
        }

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> LinearModels:
        with np.load(path) as data:
            return cls({name: data[name] for name in data.files})

    def score(self, feats: list[str]) -> Scored:
        """Scores of all heads for a message's feature strings."""
        found = set(map(self._lookup.get, feats))
        found.discard(None)
        if not found:
            return Scored(self.bias.copy(), np.empty(0, dtype=np.int64), 0.0)
        index = np.fromiter(found, dtype=np.int64, count=len(found))
        sums = self._gather.take(index, axis=0).sum(axis=0)  # take: the rows of [index], faster
        norm = math.sqrt(float(sums[-1])) or 1.0  # idf2 is 0 for features outside the norm
        return Scored(sums[:-1] / norm + self.bias, index, norm)

    def contributions(
        self, scored: Scored, features: list[str], head: str, cls: str
    ) -> list[tuple[str, float]]:
        """How much each of the given features pushed one class up, largest first."""
        h = self.heads[head]
        column = h.start if len(h.classes) == 2 else h.start + h.classes.index(cls)
        sign = -1.0 if len(h.classes) == 2 and cls == h.classes[0] else 1.0
        rows = [(f, i) for f in dict.fromkeys(features) if (i := self._lookup.get(f)) is not None]
        if not rows or not scored.norm:
            return []
        values = self.weights[[i for _, i in rows], column].tolist()
        scale = sign / scored.norm
        pairs = sorted(
            ((v * scale, f) for v, (f, _) in zip(values, rows, strict=True)), reverse=True
        )
        return [(f, c) for c, f in pairs if c > 0]

    def probabilities(self, scored: Scored, head: str) -> dict[str, float]:
        """Class probabilities of one head (logistic for binary heads, softmax otherwise)."""
        h = self.heads[head]
        raw = scored.scores[h.start : h.stop].tolist()  # plain floats: numpy is slow on 13 numbers
        if len(h.classes) == 2:
            p = 1.0 / (1.0 + math.exp(-raw[0]))
            return {h.classes[0]: 1.0 - p, h.classes[1]: p}
        top = max(raw)
        exp = [math.exp(x - top) for x in raw]
        total = sum(exp)
        return {c: e / total for c, e in zip(h.classes, exp, strict=True)}


def save_models(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write arrays as an .npz with fixed timestamps, so retraining gives the same bytes."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(arrays):
            buffer = io.BytesIO()
            np.lib.format.write_array(
                buffer, np.ascontiguousarray(arrays[name]), allow_pickle=False
            )
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, buffer.getvalue())
