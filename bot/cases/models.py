"""The vocabulary of a case's life: its states, the actions that move it, who acts."""

from __future__ import annotations

from enum import StrEnum


class CaseStatus(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    RESOLVED = "resolved"
    CLOSED = "closed"
    ESCALATED = "escalated"
    REOPENED = "reopened"
    REJECTED = "rejected"


OPEN_STATUSES: frozenset[CaseStatus] = frozenset(
    {
        CaseStatus.NEW,
        CaseStatus.ASSIGNED,
        CaseStatus.ACCEPTED,
        CaseStatus.ESCALATED,
        CaseStatus.REOPENED,
    }
)
FINAL_STATUSES: frozenset[CaseStatus] = frozenset({CaseStatus.CLOSED, CaseStatus.REJECTED})


class Action(StrEnum):
    OPEN = "open"  # the case is created (NEW); always followed by ASSIGN in the same transaction
    ASSIGN = "assign"
    ACCEPT = "accept"
    RESOLVE = "resolve"
    ESCALATE = "escalate"
    REASSIGN = "reassign"
    REJECT = "reject"
    CLOSE = "close"
    REOPEN = "reopen"
    EDIT = "edit"  # the reporter edited the message; the state stays
    ARRIVE = "arrive"  # 到场: the person who accepted an urgent case is there; the state stays


class RejectReason(StrEnum):
    """Why a case was 退回, when the handler chose a reason rather than typing one: only
    NOT_A_REPORT says the message itself was no report (a label for retraining)."""

    NOT_A_REPORT = "not_report"  # chatter, a joke, posted by mistake
    ELSEWHERE = "elsewhere"  # a real problem for another body (property company, court, 12345)


class Role(StrEnum):
    """How an actor stands to one case."""

    REPORTER = "reporter"
    ASSIGNEE = "assignee"
    SUPERVISOR = "supervisor"  # above the case's level, in the chain of its grid
    ADMIN = "admin"
    RESPONDER = "responder"  # near an urgent case (grid leader, community): may accept it first
    SYSTEM = "system"  # timers and intake, never a person


class Score(StrEnum):
    SATISFIED = "satisfied"  # 👍 满意
    BASIC = "basic"  # 👌 基本满意
    UNSATISFIED = "unsatisfied"  # 👎 不满意


class NoticeKind(StrEnum):
    """What a notice says; each adapter renders the words."""

    CASE_CARD = "case_card"  # the card in the group, sent once per case
    CARD_UPDATE = "card_update"  # edit that card to the case's current state
    ASSIGNED = "assigned"  # to the assignee, privately, with the action buttons
    INFORM = "inform"  # to people who should know (urgent, level above)
    REPORTER_UPDATE = "reporter_update"  # accepted / resolved / escalated / rejected
    RATING_REQUEST = "rating_request"  # 👍 满意 / 👌 基本满意 / 👎 不满意
    RESOLUTION = "resolution"  # the resolution message in the group, where likes are counted
    SUPERVISOR_ALERT = "supervisor_alert"  # unsatisfied rating, escalation
    REMINDER = "reminder"  # 催办 before a deadline (and 到场 overdue for urgent cases)
    DIGEST = "digest"  # morning digest, weekly summary
    TEXT = "text"  # a plain message rendered from the payload
    CHART = "chart"  # a chart drawn when it is sent: {"chart", "scope", "period", "asked_at"}
    FILE = "file"  # an export built when it is sent: {"export", "scope", "period", "asked_at"}
    REVIEW_BATCH = "review_batch"  # to a grid leader: messages that may be reports, {"items"}
    HELD_CARDS = "held_cards"  # edit every message showing the case in this handler's chat
    HIDE_PII = "hide_pii"  # remove a resident's message with their phone or ID, if allowed
    EDIT = "edit"  # edit one message: {"message_id", "text", "buttons"?}


# Notices that put a case into a handler's private chat; each sent one is kept (held_cards) so
# that it is edited as the case moves. "card" is re-rendered whole, "buttons" keeps its words.
HELD_FORMS: dict[str, str] = {NoticeKind.ASSIGNED: "card", NoticeKind.REMINDER: "buttons"}
