"""Dump everything the parser computes for a fixed set of messages, to prove a speed change
changed HOW, not WHAT: the ParseResult (all fields), the prepared text, the words, the features
passed to the model, every raw score and the urgency cues.

Messages: nlp/data/{train,test,holdout}.jsonl, nlp/data/danger/*.jsonl, the corpus parts, the
strangers' sets, and (when ../shared/data/real is there) the real chat and complaint texts.
Each is parsed plain and with a photo and a pin.

Run: python bench/parse_dump.py dump OUT.jsonl    (before and after a change)
     python bench/parse_dump.py compare BEFORE.jsonl AFTER.jsonl
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATA = ROOT / "nlp" / "data"
SCORE_TOLERANCE = 1e-6


def _texts() -> list[str]:
    paths = [DATA / "train.jsonl", DATA / "test.jsonl", DATA / "holdout.jsonl"]
    paths += sorted((DATA / "danger").glob("set*[0-9].jsonl"))
    paths += sorted((DATA / "corpus").glob("*.jsonl"))
    paths += sorted((DATA / "strangers").glob("*.jsonl"))
    texts: list[str] = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    from nlp import real

    if real.available():
        texts += [row.text for row in real.chat_rows()]
        for row in real.complaint_rows():
            texts += [row.text, row.title]
    return list(dict.fromkeys(texts))


def dump(out: Path) -> None:
    from nlp import segment
    from nlp.features import features, latin_words, prepare
    from nlp.normalize import normalize
    from nlp.parse import get_parser
    from nlp.urgency import detect_urgency

    parser = get_parser()
    with out.open("w", encoding="utf-8") as fh:
        for text in _texts():
            norm = normalize(text)
            prepared = prepare(norm)
            words = segment.cut(prepared)
            feats = features(prepared, words, latin_words(norm))
            scored = parser.models.score(feats)
            row = {
                "text": text,
                "prepared": prepared,
                "words": words,
                "features": feats,
                "scores": [float(x) for x in scored.scores],
                "norm": scored.norm,
                "urgency": list(detect_urgency(norm).cues),
                "parse": parser.parse(text).model_dump(),
                "parse_photo_pin": parser.parse(
                    text, has_photo=True, has_location=True
                ).model_dump(),
            }
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def _close(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= SCORE_TOLERANCE * max(1.0, abs(a))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def compare(before: Path, after: Path) -> int:
    rows_a = before.read_text(encoding="utf-8").splitlines()
    rows_b = after.read_text(encoding="utf-8").splitlines()
    if len(rows_a) != len(rows_b):
        print(f"different message counts: {len(rows_a)} vs {len(rows_b)}")
        return 1
    bad = 0
    for line_a, line_b in zip(rows_a, rows_b, strict=True):
        a, b = json.loads(line_a), json.loads(line_b)
        for key in a:
            exact = key not in ("scores", "norm")
            if (a[key] != b.get(key)) if exact else not _close(a[key], b.get(key)):
                bad += 1
                if bad <= 10:
                    print(f"{key} differs for {a['text'][:40]!r}:\n  {a[key]}\n  {b.get(key)}")
                break
    print(f"{len(rows_a)} messages, {bad} differ")
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "dump":
        dump(Path(sys.argv[2]))
    elif len(sys.argv) == 4 and sys.argv[1] == "compare":
        sys.exit(compare(Path(sys.argv[2]), Path(sys.argv[3])))
    else:
        sys.exit(__doc__)
