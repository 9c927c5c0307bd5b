"""The callback-data codec: tiny, typed, versioned, always under Telegram's 64 bytes.

`v1:<action>:<fields…>`. Old or forged data decodes to None, and the handler answers politely;
every field is checked again against the database before anything changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.cases.models import RejectReason
from handlers import texts

VERSION = "v1"
MAX_BYTES = 64


class Op(StrEnum):
    ACCEPT = "a"
    RESOLVE = "r"
    ESCALATE = "e"
    REASSIGN = "t"  # show the reassignment targets
    REASSIGN_TO = "tt"  # fields: case id, target (u<user id> or d<department id>)
    REJECT = "x"
    RATE = "s"  # fields: case id, score letter
    REVIEW = "rv"  # fields: review item id, "y" (立案) or "n" (不是)
    CANCEL = "c"  # leave the current prompt
    GRID = "g"  # private report: the grid
    ANONYMOUS = "an"  # private report: 0 or 1
    SKIP = "k"  # private report: skip this step
    OPEN = "o"  # fields: case id: open the case as a handler's card (/todo)
    STATS = "st"  # fields: chart or list kind, period token, scope token (handlers/stats.py)
    ARRIVE = "v"  # 到场: on the scene of an urgent case
    REJECT_AS = "xr"  # fields: case id, reason (RejectReason value): 退回 for a chosen reason


@dataclass(frozen=True, slots=True)
class Button:
    op: Op
    fields: tuple[str, ...] = ()

    def int_field(self, index: int) -> int | None:
        try:
            return positive_id(self.fields[index])
        except IndexError:
            return None


def positive_id(field: str) -> int | None:
    """A positive id that SQLite can hold; anything else (forged: "-1", "9"*30, "１") is None."""
    if not (field.isascii() and field.isdigit()) or len(field) > 19:
        return None
    value = int(field)
    return value if 0 < value < 2**63 else None


def encode(op: Op, *fields: object) -> str:
    data = ":".join([VERSION, op.value, *(str(f) for f in fields)])
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def decode(data: str | None) -> Button | None:
    """The button behind callback data, or None when it is stale, foreign or forged."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    parts = data.split(":")
    if len(parts) < 2 or parts[0] != VERSION:
        return None
    try:
        op = Op(parts[1])
    except ValueError:
        return None
    return Button(op, tuple(parts[2:]))


SCORE_LETTERS = {"s": "satisfied", "b": "basic", "u": "unsatisfied"}


def handler_actions(case_id: int, *, accepted: bool, arrive: bool = False) -> InlineKeyboardMarkup:
    """The assignee's buttons: 接单 办结 上报 转派 退回 (接单 only while not yet accepted;
    到场 on an accepted urgent case)."""
    first_row = [InlineKeyboardButton(texts.BTN_RESOLVE, callback_data=encode(Op.RESOLVE, case_id))]
    if not accepted:
        first_row.insert(
            0, InlineKeyboardButton(texts.BTN_ACCEPT, callback_data=encode(Op.ACCEPT, case_id))
        )
    elif arrive:
        first_row.insert(
            0, InlineKeyboardButton(texts.BTN_ARRIVE, callback_data=encode(Op.ARRIVE, case_id))
        )
    return InlineKeyboardMarkup(
        [
            first_row,
            [
                InlineKeyboardButton(
                    texts.BTN_ESCALATE, callback_data=encode(Op.ESCALATE, case_id)
                ),
                InlineKeyboardButton(
                    texts.BTN_REASSIGN, callback_data=encode(Op.REASSIGN, case_id)
                ),
                InlineKeyboardButton(texts.BTN_REJECT, callback_data=encode(Op.REJECT, case_id)),
            ],
        ]
    )


def responder_actions(case_id: int) -> InlineKeyboardMarkup:
    """An urgent case alerted to someone near it: 接单 takes it (then the full set follows)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.BTN_ACCEPT, callback_data=encode(Op.ACCEPT, case_id))]]
    )


def open_cases(entries: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    """One button per case, (case id, label): a tap opens it (/todo)."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=encode(Op.OPEN, case_id))]
            for case_id, label in entries
        ]
    )


def rating(case_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.BTN_SATISFIED, callback_data=encode(Op.RATE, case_id, "s")
                ),
                InlineKeyboardButton(texts.BTN_BASIC, callback_data=encode(Op.RATE, case_id, "b")),
                InlineKeyboardButton(
                    texts.BTN_UNSATISFIED, callback_data=encode(Op.RATE, case_id, "u")
                ),
            ]
        ]
    )


def review(items: list[tuple[int, int]]) -> InlineKeyboardMarkup | None:
    """One row per (number in the list, review item id) still open: 「n 立案」「n 不是」."""
    rows = [
        [
            InlineKeyboardButton(
                texts.BTN_REVIEW_ACCEPT.format(index=index),
                callback_data=encode(Op.REVIEW, item, "y"),
            ),
            InlineKeyboardButton(
                texts.BTN_REVIEW_REJECT.format(index=index),
                callback_data=encode(Op.REVIEW, item, "n"),
            ),
        ]
        for index, item in items
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def reject_reasons(case_id: int) -> InlineKeyboardMarkup:
    """退回's question: a reason to choose (only 不是报事 teaches the parser), or 取消."""
    options = [
        (texts.BTN_REJECT_NOT_A_REPORT, RejectReason.NOT_A_REPORT.value),
        (texts.BTN_REJECT_ELSEWHERE, RejectReason.ELSEWHERE.value),
    ]
    return choices(Op.REJECT_AS, options, case_id, per_row=1)


def cancel() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.BTN_CANCEL, callback_data=encode(Op.CANCEL))]]
    )


def skip_or_cancel() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.BTN_SKIP, callback_data=encode(Op.SKIP)),
                InlineKeyboardButton(texts.BTN_CANCEL, callback_data=encode(Op.CANCEL)),
            ]
        ]
    )


def choices(
    op: Op, options: list[tuple[str, str]], *prefix: object, per_row: int = 2
) -> InlineKeyboardMarkup:
    """A keyboard of (label, value) options, each encoded as op:prefix…:value, and 取消."""
    rows: list[list[InlineKeyboardButton]] = []
    for index in range(0, len(options), per_row):
        rows.append(
            [
                InlineKeyboardButton(label, callback_data=encode(op, *prefix, value))
                for label, value in options[index : index + per_row]
            ]
        )
    rows.append([InlineKeyboardButton(texts.BTN_CANCEL, callback_data=encode(Op.CANCEL))])
    return InlineKeyboardMarkup(rows)
