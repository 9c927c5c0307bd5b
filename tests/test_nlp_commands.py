"""The command functions behind `gridbot classify`, `gridbot eval` and `gridbot train`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from nlp.commands import classify_command, eval_command


def classify_lines(*lines: str) -> tuple[int, list[dict]]:
    out = io.StringIO()
    code = classify_command(
        None, jsonl=True, places=[], inp=io.StringIO("\n".join(lines) + "\n"), out=out
    )
    return code, [json.loads(line) for line in out.getvalue().splitlines()]


def test_classify_prints_the_parse_for_a_person() -> None:
    out = io.StringIO()
    code = classify_command(
        "3栋电梯坏了 电话13812345678", jsonl=False, places=[], inp=io.StringIO(), out=out
    )
    assert code == 0
    assert "设施报修" in out.getvalue() and "138****5678" in out.getvalue()
    assert "13812345678" not in out.getvalue()  # personal data is shown masked


def test_classify_without_text_or_jsonl_is_a_usage_error() -> None:
    out = io.StringIO()
    assert classify_command(None, jsonl=False, places=[], inp=io.StringIO(), out=out) == 2


def test_classify_jsonl_writes_one_line_per_input_with_the_required_fields() -> None:
    code, rows = classify_lines(
        json.dumps({"id": 1, "text": "楼道里全是烟"}, ensure_ascii=False),
        json.dumps({"id": "b", "text": "早上好"}, ensure_ascii=False),
    )
    assert code == 0
    assert [r["id"] for r in rows] == [1, "b"]
    for row in rows:
        assert {
            "id",
            "is_report",
            "category",
            "level",
            "urgent",
            "location",
            "pii",
            "confidence",
        } <= row.keys()
    assert rows[0]["urgent"] is True and rows[1]["is_report"] is False


def test_a_bad_jsonl_line_gets_an_error_line_and_the_rest_go_on() -> None:
    code, rows = classify_lines(
        "not json",
        json.dumps({"id": 7}),
        json.dumps({"id": 8, "text": 5}),
        "[1, 2]",
        json.dumps({"id": 9, "text": "3栋电梯坏了"}, ensure_ascii=False),
    )
    assert code == 1
    assert [r["id"] for r in rows] == [None, 7, 8, None, 9]
    assert all("error" in r for r in rows[:4])
    assert "text" in rows[1]["error"] and "string" in rows[2]["error"]
    assert rows[4]["is_report"] is True


def test_classify_jsonl_knows_configured_places() -> None:
    out = io.StringIO()
    line = json.dumps({"id": 1, "text": "东方丽都的垃圾三天没人收了"}, ensure_ascii=False)
    classify_command(None, jsonl=True, places=["东方丽都"], inp=io.StringIO(line), out=out)
    assert json.loads(out.getvalue())["location"] == "东方丽都"


def test_eval_prints_every_figure_and_skips_bad_lines(tmp_path: Path) -> None:
    file = tmp_path / "labelled.jsonl"
    file.write_text(
        "\n".join(
            [
                json.dumps(
                    {
                        "text": "3栋电梯坏了",
                        "is_report": True,
                        "category": "facility_repair",
                        "level": 2,
                        "location": "3栋",
                    },
                    ensure_ascii=False,
                ),
                json.dumps({"text": "早上好", "is_report": False}, ensure_ascii=False),
                json.dumps({"text": "x", "is_report": True, "category": "nonsense", "level": 2}),
            ]
        ),
        encoding="utf-8",
    )
    out = io.StringIO()
    assert eval_command(str(file), out=out) == 0
    text = out.getvalue()
    assert "skipped labelled.jsonl:3" in text
    for figure in (
        "precision",
        "macro-F1",
        "within one",
        "urgent",
        "overlap",
        "false masks",
        "confusion",
    ):
        assert figure in text
    # What the bot would do with each: the report opens a case, the greeting is left alone.
    lines = [line.split() for line in text.splitlines()]
    rows = {words[0]: words[1:] for words in lines if words[:1] in (["reports"], ["chatter"])}
    assert rows["reports"] == ["1", "100.0%", "0.0%", "0.0%"]
    assert rows["chatter"] == ["1", "0.0%", "0.0%", "100.0%"]


def test_eval_of_a_missing_file_fails_cleanly() -> None:
    out = io.StringIO()
    assert eval_command("/no/such/file.jsonl", out=out) == 2


def test_classify_shows_what_the_bot_would_do() -> None:
    out = io.StringIO()
    classify_command("楼道里全是烟 快来人", jsonl=False, places=[], inp=io.StringIO(), out=out)
    assert "处置 action      立案 (case)" in out.getvalue()
    code, rows = classify_lines(
        json.dumps({"id": 1, "text": "哈哈哈 好开心"}, ensure_ascii=False),
        json.dumps({"id": 2, "text": "3栋电梯坏了 困了个老人在里面"}, ensure_ascii=False),
    )
    assert code == 0 and [r["action"] for r in rows] == ["ignore", "case"]


def test_classify_uses_the_thresholds_it_is_given() -> None:
    line = json.dumps({"id": 1, "text": "小区门口垃圾三天没人收了"}, ensure_ascii=False)
    out = io.StringIO()
    classify_command(
        None, jsonl=True, places=[], inp=io.StringIO(line + "\n"), out=out,
        case_threshold=1.0, review_threshold=0.0,
    )  # fmt: skip
    assert json.loads(out.getvalue())["action"] == "review"


def test_eval_real_prints_per_source_figures_and_needs_the_folder(tmp_path: Path) -> None:
    out = io.StringIO()
    assert eval_command(None, real=str(tmp_path), out=out) == 2
    assert "no real data" in out.getvalue()
    assert eval_command(None, out=io.StringIO()) == 2


def test_gridbot_classify_takes_the_thresholds_a_configuration_sets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    example = Path(__file__).resolve().parent.parent / "examples" / "zhenhai.toml"
    text = example.read_text(encoding="utf-8")
    # The example leaves the thresholds to the parser, showing them commented out.
    assert "# report_confidence = 0.9" in text and "# unsure_confidence = 0.55" in text
    config = tmp_path / "strict.toml"
    config.write_text(
        text.replace("# report_confidence = 0.9", "report_confidence = 1.0").replace(
            "# unsure_confidence = 0.55", "unsure_confidence = 0.0"
        ),
        encoding="utf-8",
    )
    line = json.dumps({"id": 1, "text": "小区门口垃圾三天没人收了"}, ensure_ascii=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(line + "\n"))
    assert main(["classify", "--jsonl", "--config", str(config)]) == 0
    assert json.loads(capsys.readouterr().out)["action"] == "review"
    monkeypatch.setattr("sys.stdin", io.StringIO(line + "\n"))
    assert main(["classify", "--jsonl"]) == 0  # no configuration: nlp.decide's defaults
    assert json.loads(capsys.readouterr().out)["action"] == "case"


def test_eval_unseen_needs_the_real_data() -> None:
    out = io.StringIO()
    assert eval_command(None, unseen=True, out=out) == 2
    assert "--real" in out.getvalue()


def test_a_chat_source_left_out_is_not_trained_on_and_the_others_are(tmp_path: Path) -> None:
    """`gridbot eval --real DIR --unseen` scores each chat source with a model that never saw it."""
    from nlp.real import chat_rows
    from nlp.train import training_rows

    chat = [
        {"id": f"{source}-{n}", "text": f"{source} 说的第{n}句闲话", "source": source}
        for source in ("weibo", "forum")
        for n in range(200)
    ]
    (tmp_path / "chatter.jsonl").write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in chat), encoding="utf-8"
    )
    (tmp_path / "complaints.jsonl").write_text("", encoding="utf-8")
    taught = {r.text for r in training_rows([], [], tmp_path, without_chat="weibo")}
    trained = {r.text for r in chat_rows(tmp_path) if r.bucket == "train"}
    assert taught and taught <= trained
    assert {t.split()[0] for t in taught} == {"forum"}
