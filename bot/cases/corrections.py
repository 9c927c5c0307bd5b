"""Learning from corrections: every human decision about what a message is becomes a label.

立案 / 不是 on a review item, a case's category changed by staff, a case 退回 as not a report:
each is stored with the message's words (personal data masked by nlp's detector) and what the
parser said at the time. The labels leave the database only as corpus lines, for `gridbot
train --feedback` and `gridbot eval --feedback`; nothing here changes the shipped model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from bot.cases.models import Action, RejectReason
from nlp.parse import ParseResult
from nlp.pii import mask_pii, mask_span
from storage import events as event_sql
from storage import review as review_sql
from storage.db import Connection

if TYPE_CHECKING:
    from storage.db import Database
    from storage.records import CaseRecord

# Where a label came from (training_labels.source).
REVIEW, CATEGORY, REJECT = "review", "category", "reject"
CORPUS_KEYS = ("text", "is_report", "category", "level", "urgent", "location", "pii")


def masked_parse(parse: ParseResult) -> dict[str, Any]:
    """The parse as stored beside a label: every piece of personal data in it masked."""
    data = parse.model_dump()
    data["pii"] = [
        {"kind": span.kind, "text": mask_span(span), "start": span.start, "end": span.end}
        for span in parse.pii
    ]
    data["evidence"] = [mask_pii(word) for word in parse.evidence]
    return data


def _place_in(location: str | None, text: str) -> str | None:
    """A place is kept only as words of the (masked) text, as the corpus requires."""
    return location if location and location in text else None


async def record_review(
    conn: Connection,
    *,
    review_id: int,
    chat_id: int,
    message_id: int,
    masked_text: str,
    parse: dict[str, Any],
    is_report: bool,
    decided_by: int,
    now: int,
    case_id: int | None = None,
) -> int:
    """The leader's 立案 (a report of the parsed category) or 不是 (not a report)."""
    return await review_sql.add_label(
        conn, source=REVIEW, chat_id=chat_id, message_id=message_id, text=masked_text,
        is_report=is_report,
        category=(parse.get("category") or "other") if is_report else None,
        level=(parse.get("level") or 1) if is_report else None,
        urgent=bool(parse.get("urgent")) if is_report else False,
        location=_place_in(parse.get("location"), masked_text) if is_report else None,
        parse=parse, decided_by=decided_by, decided_at=now, case_id=case_id, review_id=review_id,
    )  # fmt: skip


async def record_case_decision(
    conn: Connection,
    before: CaseRecord,
    after: CaseRecord,
    action: Action,
    actor_id: int | None,
    *,
    now: int,
    reason: str | None = None,
) -> int | None:
    """A label when a person's change of a case says what its message is: 退回 with the reason
    "not a report", or a different category. A 退回 for any other reason (a real problem for
    another body, a reason typed freely) says nothing sure about the words, and timers and the
    system decide nothing about them."""
    if actor_id is None:
        return None
    if action is Action.REJECT:
        if reason != RejectReason.NOT_A_REPORT:
            return None
        is_report = False
        source = REJECT
    elif after.category != before.category:
        is_report = True
        source = CATEGORY
    else:
        return None
    text = mask_pii(before.text)
    return await review_sql.add_label(
        conn, source=source, chat_id=before.chat_id, message_id=before.message_id, text=text,
        is_report=is_report, category=after.category if is_report else None,
        level=after.level if is_report else None, urgent=after.urgent if is_report else False,
        location=_place_in(after.location, text) if is_report else None,
        parse=await _parse_at_intake(conn, before), decided_by=actor_id, decided_at=now,
        case_id=before.id,
    )  # fmt: skip


async def _parse_at_intake(conn: Connection, case: CaseRecord) -> dict[str, Any]:
    """What the parser said when the case was opened: the review item's parse if the leader
    opened it, else the opening event's reading and the case's confidence and place."""
    for label in await review_sql.labels_of_message(conn, case.chat_id, case.message_id):
        if label.source == REVIEW:
            return label.parse
    events = await event_sql.list_events(conn, case.id)
    opened = next((e for e in events if e.action == Action.OPEN), None)
    data = opened.data if opened is not None else {}
    return {
        "is_report": True,
        "category": data.get("category", case.category),
        "level": data.get("level", case.level),
        "urgent": data.get("urgent", case.urgent),
        "location": case.location,
        "confidence": case.confidence,
    }


def corpus_line(label: review_sql.LabelRecord) -> dict[str, Any]:
    """A label in the corpus schema (nlp/data/corpus/README.md). The text is masked, so it
    holds no personal data and `pii` is empty."""
    return {
        "text": label.text,
        "is_report": label.is_report,
        "category": label.category if label.is_report else None,
        "level": label.level if label.is_report else None,
        "urgent": label.urgent if label.is_report else False,
        "location": _place_in(label.location, label.text),
        "pii": [],
    }


async def feedback_corpus(db: Database) -> list[dict[str, Any]]:
    """Every message's latest human label, as corpus lines, oldest first; one line per text."""
    lines: dict[str, dict[str, Any]] = {}
    for label in await review_sql.latest_labels(db.reader):
        if label.text.strip():
            lines.pop(label.text, None)  # the same words decided again: the later decision
            lines[label.text] = corpus_line(label)
    return list(lines.values())


def write_jsonl(lines: list[dict[str, Any]], out: IO[str]) -> None:
    for line in lines:
        out.write(json.dumps({k: line[k] for k in CORPUS_KEYS}, ensure_ascii=False) + "\n")


async def export_feedback(db_path: str | Path, out: IO[str]) -> int:
    """Write a database's labels as corpus JSON lines; returns how many."""
    from storage.db import Database

    db = await Database.open(db_path)
    try:
        lines = await feedback_corpus(db)
    finally:
        await db.close()
    write_jsonl(lines, out)
    return len(lines)
