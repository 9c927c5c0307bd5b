"""The parser's command-line functions; bot/cli.py (`gridbot classify|eval|train`) calls these."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

from nlp.corpus import BadLine, LabelledMessage, read_jsonl
from nlp.decide import action
from nlp.metrics import evaluate, format_report
from nlp.parse import Parser, ParseResult, get_parser
from nlp.pii import mask_span
from nlp.taxonomy import LEVEL_NAMES, category_name

_ID_TYPES = (str, int, float, type(None))


_ACTION_NAMES = {"case": "立案", "review": "待网格长确认", "ignore": "不处理"}


def _for_person(result: ParseResult, act: str) -> str:
    yes_no = {True: "是", False: "否"}
    lines = [
        f"报事 is_report   {yes_no[result.is_report]}   置信度 confidence {result.confidence:.2f}",
        f"处置 action      {_ACTION_NAMES[act]} ({act})",
    ]
    if result.is_report and result.category:
        lines.append(f"类别 category    {category_name(result.category)} ({result.category})")
        lines.append(f"等级 level       {result.level} ({LEVEL_NAMES.get(result.level or 0, '')})")
        lines.append(f"紧急 urgent      {yes_no[result.urgent]}")
    lines.append(f"地点 location    {result.location or '—'}")
    pii = "，".join(f"{mask_span(s)} ({s.kind})" for s in result.pii) or "—"
    lines.append(f"个人信息 pii     {pii}")
    lines.append(f"依据 evidence    {'、'.join(result.evidence) or '—'}")
    return "\n".join(lines)


def _json_line(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False)


def _classify_line(
    parser: Parser, raw: str, thresholds: tuple[float | None, float | None]
) -> dict[str, Any]:
    """One input line to one output object (a result, or an error with the id and the reason)."""
    try:
        item = json.loads(raw)
    except json.JSONDecodeError as exc:
        return {"id": None, "error": f"not JSON: {exc.msg} at column {exc.colno}"}
    if not isinstance(item, dict):
        return {"id": None, "error": "not a JSON object"}
    ident = item.get("id")
    if not isinstance(ident, _ID_TYPES):
        return {"id": None, "error": "id must be a string, a number or null"}
    text = item.get("text")
    if not isinstance(text, str):
        reason = "missing field: text" if "text" not in item else "text must be a string"
        return {"id": ident, "error": reason}
    flags = {k: item.get(k, False) for k in ("has_photo", "has_location")}
    if not all(isinstance(v, bool) for v in flags.values()):
        return {"id": ident, "error": "has_photo and has_location must be true or false"}
    result = parser.parse(text, **flags)
    return {"id": ident, **result.model_dump(), "action": action(result, *thresholds)}


def classify_command(
    text: str | None,
    *,
    jsonl: bool,
    places: list[str],
    inp: TextIO,
    out: TextIO,
    case_threshold: float | None = None,
    review_threshold: float | None = None,
) -> int:
    """Print the parse of TEXT for a person, or with jsonl=True one JSON line per input line;
    each with its action (nlp.decide: case / review / ignore) at the given thresholds (None:
    nlp.decide's defaults).

    Exit status: 0 when every line parsed, 1 when some input lines were bad (they each got an
    error line and the rest went on), 2 when there was nothing to classify."""
    parser = get_parser(places)
    thresholds = (case_threshold, review_threshold)
    if not jsonl:
        if text is None:
            out.write("classify: give a TEXT, or --jsonl to read lines from standard input\n")
            return 2
        result = parser.parse(text)
        out.write(_for_person(result, action(result, *thresholds)) + "\n")
        return 0
    bad = 0
    for raw in inp:
        if not raw.strip():
            continue
        payload = _classify_line(parser, raw, thresholds)
        bad += "error" in payload
        out.write(_json_line(payload) + "\n")
        out.flush()
    return 1 if bad else 0


def eval_command(
    path: str | None,
    *,
    out: TextIO,
    real: str | None = None,
    bucket: str = "test",
    unseen: bool = False,
) -> int:
    """Score the parser on a labelled JSON Lines file and print every figure of the issue;
    with `real`, the per-source figures on the real data's held-out bucket instead (`unseen`:
    and each chat source scored by a model trained without it)."""
    if real is not None:
        return eval_real_command(real, bucket=bucket, out=out, unseen=unseen)
    if unseen:
        out.write("eval: --unseen goes with --real DIR\n")
        return 2
    if path is None:
        out.write("eval: give a FILE, or --real DIR\n")
        return 2
    file = Path(path)
    if not file.is_file():
        out.write(f"eval: no such file: {path}\n")
        return 2
    gold: list[LabelledMessage] = []
    for item in read_jsonl(file):
        if isinstance(item, BadLine):
            out.write(f"skipped {item.source}:{item.line}: {item.reason}\n")
        else:
            gold.append(item)
    if not gold:
        out.write("eval: no labelled messages in the file\n")
        return 2
    parser = get_parser()
    report = evaluate(gold, [parser.parse(m.text) for m in gold])
    out.write(format_report(report) + "\n")
    return 0


def eval_real_command(
    real_dir: str, *, bucket: str = "test", out: TextIO, unseen: bool = False
) -> int:
    """Per-source figures on a held-out bucket of the real data (nlp/real_eval.py)."""
    from nlp.real import available
    from nlp.real_eval import figures, format_figures, format_unseen, parse_rows, unseen_chat

    folder = Path(real_dir)
    if not available(folder):
        out.write(f"eval: no real data at {real_dir} (chatter.jsonl, complaints.jsonl)\n")
        return 2
    buckets = ("dev", "test") if bucket == "both" else (bucket,)
    parsed = parse_rows(get_parser(), folder, buckets)
    out.write(format_figures(figures(parsed, buckets)) + "\n")
    if unseen:
        out.flush()  # one training per chat source follows: about half a minute each
        out.write(format_unseen(unseen_chat(folder, buckets), buckets) + "\n")
    return 0


def train_command(*, out: TextIO, real: str | None = None, no_real: bool = False) -> int:
    """Retrain from data/corpus and the real data's train bucket (`real`, default
    ../shared/data/real; none with no_real) deterministically, write the split and the model,
    score the test split."""
    from nlp.corpus import TEST_FILE
    from nlp.real import REAL_DIR, available
    from nlp.train import file_digest, train

    real_dir = None if no_real else real or str(REAL_DIR)
    if real_dir is not None and not available(Path(real_dir)):
        out.write(f"train: no real data at {real_dir}; give --real DIR, or --no-real\n")
        return 2
    report = train(real_dir=Path(real_dir) if real_dir is not None else None)
    for bad in report.bad:
        out.write(f"skipped {bad.source}:{bad.line}: {bad.reason}\n")
    if report.n_train == 0:
        out.write("train: the corpus is empty\n")
        return 1
    out.write(f"corpus files: {', '.join(report.files)}\n")
    out.write(
        f"messages: train {report.n_train}, test {report.n_test}, real (train bucket) "
        f"{report.n_real}; features {report.n_features}\n"
    )
    out.write("per category: " + ", ".join(f"{c} {n}" for c, n in report.categories.items()) + "\n")
    out.write(f"model: {report.model_path} sha256 {file_digest(Path(report.model_path))[:16]}\n\n")
    parser = Parser(model_path=Path(report.model_path))
    gold = [m for m in read_jsonl(TEST_FILE) if isinstance(m, LabelledMessage)]
    out.write(
        "test split\n" + format_report(evaluate(gold, [parser.parse(m.text) for m in gold])) + "\n"
    )
    return 0
