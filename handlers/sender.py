"""Delivery of outbox notices through python-telegram-bot, and its errors told to the core."""

from __future__ import annotations

import html
import logging
from dataclasses import replace

from telegram import (
    Bot,
    ChatMember,
    ChatMemberAdministrator,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    ReplyParameters,
)
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.cases.cards import CardState
from bot.cases.emergency import may_take_over
from bot.cases.models import OPEN_STATUSES, CaseStatus, NoticeKind
from bot.cases.records import CaseRecord, OutboxRecord
from bot.config import Config
from bot.delivery.outbox import FORBIDDEN, Delivered
from bot.reports.charts import FontMissing
from bot.services import Services
from handlers import keyboards, render, review, stats_text, texts
from handlers.stats_delivery import StatsDrawer, Undeliverable
from nlp.normalize import strip_invisible
from nlp.taxonomy import category_name

log = logging.getLogger(__name__)


class TelegramDelivery:
    """Renders each notice kind into a message and sends or edits it."""

    def __init__(self, bot: Bot, services: Services, render_extra: object | None = None) -> None:
        self.bot = bot
        self.services = services
        self.lookup = services.lookup
        self.config: Config = services.config
        self.drawer = StatsDrawer(services.db, services.config)
        # Renderers the core offers for digests and reminders: kind -> callable(payload) -> str.
        self.render_extra = render_extra

    async def deliver(self, notice: OutboxRecord, case: CaseRecord | None) -> Delivered:
        try:
            message = await self._send(notice, case)
        except RetryAfter as error:
            wait = _seconds(error.retry_after)
            # Handled: the notice waits as told. One line, no traceback (PTB's own is silenced).
            log.warning(
                "429 for notice %s in chat %s: retrying in %gs", notice.id, notice.chat_id, wait
            )
            return Delivered(ok=False, retry_after=wait, throttled=True, error=str(error))
        except Forbidden as error:
            return Delivered(ok=False, forbidden=True, error=str(error))
        except BadRequest as error:
            if "not modified" in str(error).lower():
                return Delivered(ok=True)
            return Delivered(ok=False, error=f"400 {error}")
        except TimedOut as error:  # no answer: the message may have arrived all the same
            return Delivered(ok=False, retry_after=1, uncertain=True, error=f"timeout {error}")
        except NetworkError as error:  # no connection, or a 5xx answer: the drainer backs off
            return Delivered(ok=False, retry_after=1, error=f"network {error}")
        except TelegramError as error:
            return Delivered(ok=False, error=str(error))
        if isinstance(message, Delivered):
            return message
        return Delivered(
            ok=True, message_id=message.message_id if isinstance(message, Message) else None
        )

    async def _send(
        self, notice: OutboxRecord, case: CaseRecord | None
    ) -> Message | Delivered | bool:
        kind, chat_id, payload = notice.kind, notice.chat_id, notice.payload
        if (
            kind == NoticeKind.TEXT
            and payload.get("template") == "risk_alert"
            and "text" not in payload
        ):
            # The core queues the figures; the words are this adapter's (HTML, so escaped).
            alert = html.escape(stats_text.render_risk_alert(self.config, payload), quote=False)
            return await self._text(chat_id, alert)
        if kind == NoticeKind.DIGEST or (kind == NoticeKind.TEXT and "text" in payload):
            reply_to = payload.get("reply_to")
            return await self._text(
                chat_id,
                str(payload.get("text") or self._extra(kind, payload)),
                reply_to=reply_to if isinstance(reply_to, int) else None,
                markup=_markup(payload.get("buttons")),
                plain=bool(payload.get("plain")),
            )
        if kind in (NoticeKind.CHART, NoticeKind.FILE):
            return await self._drawn(kind, chat_id, payload)
        if kind == NoticeKind.TEXT and payload.get("template") == "pii_hint":
            grid = self.config.grid(str(payload.get("grid")))
            return await self._text(
                chat_id, texts.PII_HINT.format(grid=render.esc(grid.name if grid else ""))
            )
        if kind == NoticeKind.EDIT:
            return await self._edit(chat_id, payload)
        if kind == NoticeKind.REVIEW_BATCH:
            items = payload.get("items")
            text, markup = review.batch_message(
                self.config, items if isinstance(items, list) else []
            )
            return await self._text(chat_id, text, markup=markup)
        if case is None:
            return Delivered(ok=False, error="notice without a case")
        mention = payload.get("mention")
        if isinstance(mention, int) and kind != NoticeKind.RATING_REQUEST:
            # A private notice that could not be delivered: nudge them in the group instead.
            name = render.person(
                self.config, mention, case.reporter_name if mention == case.reporter_id else ""
            )
            text = texts.START_BOT_PLEASE.format(
                mention=render.mention(mention, name), number=case.number
            )
            return await self._text(chat_id, text, reply_to=await self._card_id(case))
        if kind == NoticeKind.CASE_CARD:
            followers = await self.lookup.followers(case.id)
            reply_to = case.message_id if case.chat_id == chat_id else None
            return await self._text(
                chat_id, render.case_card(self.config, case, followers), reply_to=reply_to
            )
        if kind == NoticeKind.CARD_UPDATE:
            return await self._update_card(case)
        if kind == NoticeKind.HELD_CARDS:
            older_than = payload.get("older_than")
            return await self._held_cards(
                chat_id, case, older_than if isinstance(older_than, int) else None
            )
        if kind == NoticeKind.HIDE_PII:
            return await self._hide_pii(chat_id, case, payload)
        if kind == NoticeKind.ASSIGNED:
            return await self._assigned(notice, case)
        if kind == NoticeKind.INFORM:
            return await self._text(chat_id, render.inform(self.config, case, payload))
        if kind == NoticeKind.REPORTER_UPDATE:
            return await self._text(chat_id, render.reporter_update(self.config, case, payload))
        if kind == NoticeKind.RATING_REQUEST:
            return await self._rating_request(notice, case)
        if kind == NoticeKind.RESOLUTION:
            return await self._resolution(chat_id, case, payload)
        if kind == NoticeKind.SUPERVISOR_ALERT and payload.get("why") == "not_on_scene":
            text = render.on_scene_overdue(self.config, case, to_holder=False)
            return await self._text(chat_id, text)
        if kind == NoticeKind.REMINDER and payload.get("deadline") == "on_scene":
            text = render.on_scene_overdue(self.config, case, to_holder=True)
            return await self._text(chat_id, text, markup=await self._markup_for(case, chat_id))
        if kind == NoticeKind.SUPERVISOR_ALERT:
            template = texts.SUPERVISOR_ALERT.get(
                str(payload.get("why")), texts.SUPERVISOR_ALERT["escalated"]
            )
            text = template.format(
                number=case.number,
                assignee=render.esc(render.person(self.config, case.assignee_id, "—")),
                from_level=texts.LEVEL.get(max(1, case.level - 1), ""),
                level=texts.LEVEL.get(case.level, ""),
            )
            return await self._text(chat_id, text)
        if kind == NoticeKind.TEXT and payload.get("template") == "unsatisfied_reason":
            text = texts.UNSATISFIED_REASON.format(
                number=case.number, reason=render.esc(payload.get("reason", ""))
            )
            return await self._text(chat_id, text)
        if kind == NoticeKind.REMINDER:
            extra = self._extra(kind, payload)
            text = extra or texts.REMINDER.format(
                number=case.number,
                category=render.esc(category_name(case.category)),
                due=render.local_time(
                    self.config,
                    payload.get("due") if isinstance(payload.get("due"), int) else case.resolve_due,
                ),
            )
            return await self._text(chat_id, text, markup=await self._markup_for(case, chat_id))
        log.warning("no renderer for notice kind %s", kind)
        return Delivered(ok=False, error=f"unknown notice kind {kind}")

    def _extra(self, kind: str, payload: dict[str, object]) -> str:
        renderer = getattr(self.render_extra, "get", lambda _k: None)(kind)
        return str(renderer(payload)) if renderer else str(payload.get("text", ""))

    async def _text(
        self,
        chat_id: int,
        text: str,
        *,
        reply_to: int | None = None,
        markup: InlineKeyboardMarkup | None = None,
        plain: bool = False,
    ) -> Message:
        reply = (
            ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
            if reply_to
            else None
        )
        # HTML is the application's default (Defaults); a plain notice turns it off explicitly.
        plain_text: dict[str, None] = {"parse_mode": None} if plain else {}
        return await self.bot.send_message(
            chat_id, strip_invisible(text), reply_parameters=reply, reply_markup=markup,
            **plain_text,
        )  # fmt: skip

    async def _drawn(
        self, kind: str, chat_id: int, payload: dict[str, object]
    ) -> Message | Delivered:
        """A chart or an export, drawn now from what the payload names."""
        try:
            if kind == NoticeKind.CHART:
                drawn = await self.drawer.chart(payload)
                return await self.bot.send_photo(
                    chat_id,
                    InputFile(drawn.data, filename=drawn.filename),
                    caption=drawn.caption,
                    parse_mode=None,  # a caption is plain text, not HTML
                )
            drawn = await self.drawer.file(payload)
            return await self.bot.send_document(
                chat_id,
                InputFile(drawn.data, filename=drawn.filename),
                caption=drawn.caption,
                parse_mode=None,  # a caption is plain text, not HTML
            )
        except FontMissing as error:
            log.error("chart without a CJK font: %s", error)
            return await self._text(chat_id, stats_text.FONT_MISSING, plain=True)
        except Undeliverable as error:
            return Delivered(ok=False, error=f"cannot draw: {error}")

    async def _card_id(self, case: CaseRecord) -> int | None:
        found = await self.lookup.sent_message(case.id, NoticeKind.CASE_CARD)
        return found[1] if found else None

    def _actions(self, case: CaseRecord, state: CardState) -> InlineKeyboardMarkup | None:
        """The working buttons for the person working the case (到场 until they said so)."""
        if CaseStatus(case.status) not in OPEN_STATUSES:
            return None
        accepted = case.status == CaseStatus.ACCEPTED
        return keyboards.handler_actions(
            case.id, accepted=accepted, arrive=accepted and case.urgent and not state.arrived
        )

    async def _state(self, case: CaseRecord, holder: int) -> CardState:
        """Where the case stands for a holder; someone alerted to an urgent case nobody has
        taken yet is asked to take it, not told it went elsewhere."""
        state = await self.lookup.card_state(case, holder)
        if self._may_take(case, holder, state):
            state = replace(state, stage="new")
        return state

    def _may_take(self, case: CaseRecord, holder: int, state: CardState) -> bool:
        return (
            not state.works_it
            and case.accepted_at is None
            and CaseStatus(case.status) in OPEN_STATUSES
            and may_take_over(self.config, holder, case)
        )

    def _markup(
        self, case: CaseRecord, holder: int, state: CardState
    ) -> InlineKeyboardMarkup | None:
        if state.works_it:
            return self._actions(case, state)
        if self._may_take(case, holder, state):
            return keyboards.responder_actions(case.id)
        return None

    async def _markup_for(self, case: CaseRecord, holder: int) -> InlineKeyboardMarkup | None:
        return self._markup(case, holder, await self._state(case, holder))

    async def _assigned(self, notice: OutboxRecord, case: CaseRecord) -> Message:
        seq = notice.payload.get("seq")
        state = await self._state(case, notice.chat_id)
        text = render.handler_card(
            self.config,
            case,
            state,
            why=str(notice.payload.get("why", "new")),
            seq=seq if isinstance(seq, int) else 0,
        )
        # Only the current assignee gets working buttons; an old notice shows the text alone.
        # Near an urgent case nobody has taken yet, anyone alerted may take it (接单).
        markup = self._markup(case, notice.chat_id, state)
        return await self._text(notice.chat_id, text, markup=markup)

    async def _held_cards(
        self, chat_id: int, case: CaseRecord, older_than: int | None = None
    ) -> bool:
        """Every message showing the case in this chat follows it: the cards say where it
        stands, and only the newest copy of the person working it keeps buttons. With
        `older_than` (a new copy just arrived) only the copies before it change."""
        held = await self.lookup.held(case.id, chat_id)
        if not held:
            return True
        state = await self._state(case, chat_id)
        text = render.handler_card(self.config, case, state)
        newest = max(message_id for _, message_id, _ in held)
        for _, message_id, form in held:
            if older_than is not None and message_id >= older_than:
                continue
            markup = self._markup(case, chat_id, state) if message_id == newest else None
            try:
                if form == "card":
                    await self.bot.edit_message_text(
                        text, chat_id=chat_id, message_id=message_id, reply_markup=markup
                    )
                else:
                    await self.bot.edit_message_reply_markup(
                        chat_id=chat_id, message_id=message_id, reply_markup=markup
                    )
            except BadRequest as error:
                # already as it should be, or deleted by the person: the others still follow
                if not _gone_or_unchanged(error):
                    raise
        return True

    async def _resolution(
        self, chat_id: int, case: CaseRecord, payload: dict[str, object]
    ) -> Message | Delivered:
        """The resolution in the group. When the reporter cannot be written to privately, it
        names them and carries the rating buttons itself: one message, not three."""
        note = render.note_text(payload, masked=True)  # the group reads it
        reply_to = await self._card_id(case)
        # The drainer sends this after the private question (payload "after"): its fate says
        # whether this message must ask instead.
        asked = await self.lookup.sent_by_key(f"rate:{case.id}:{payload.get('round', 0)}")
        unreachable = (
            asked is not None
            and asked.status == "failed"
            and (asked.last_error or "").startswith(FORBIDDEN)
        )
        if unreachable and not case.anonymous and CaseStatus(case.status) == CaseStatus.RESOLVED:
            text = texts.RESOLUTION_RATE.format(
                number=case.number, note=note,
                mention=render.mention(case.reporter_id, case.reporter_name),
            )  # fmt: skip
            return await self._text(
                chat_id, text, reply_to=reply_to, markup=keyboards.rating(case.id)
            )
        text = texts.RESOLUTION.format(number=case.number, note=note)
        return await self._text(chat_id, text, reply_to=reply_to)

    async def _edit(self, chat_id: int, payload: dict[str, object]) -> bool:
        message_id = payload.get("message_id")
        if not isinstance(message_id, int):
            return True
        try:
            await self.bot.edit_message_text(
                str(payload.get("text", "")),
                chat_id=chat_id,
                message_id=message_id,
                reply_markup=_markup(payload.get("buttons")),
            )
        except BadRequest as error:
            if not _gone_or_unchanged(error):
                raise
        return True

    async def _hide_pii(
        self, chat_id: int, case: CaseRecord, payload: dict[str, object]
    ) -> bool | Delivered:
        """Remove the resident's message with their phone or ID where the bot may delete."""
        message_id = payload.get("message_id")
        if not isinstance(message_id, int):
            return True
        member = await self.bot.get_chat_member(chat_id, self.bot.id)
        if not _may_delete(member):
            await self.services.privacy.cannot_hide(case.grid_id)
            return True
        try:
            await self.bot.delete_message(chat_id, message_id)
        except BadRequest as error:
            if "not found" not in str(error).lower():
                return Delivered(ok=True)  # too old, or not ours to delete: leave it be
        await self.services.privacy.hidden(case.id, chat_id, message_id, str(payload.get("what")))
        return True

    async def _update_card(self, case: CaseRecord) -> bool | Delivered:
        found = await self.lookup.sent_message(case.id, NoticeKind.CASE_CARD)
        if found is None:
            pending = [
                n for n in await self.lookup.notices_for(case.id)
                if n.kind == NoticeKind.CASE_CARD and n.status == "pending"
            ]  # fmt: skip
            # The card is still on its way: edit after it arrives. No card at all: nothing to do.
            return (
                Delivered(ok=False, retry_after=2, throttled=True, error="card not sent yet")
                if pending
                else Delivered(ok=True)
            )
        followers = await self.lookup.followers(case.id)
        hidden = await self.lookup.hidden_of(case.id)
        chat_id, message_id = found
        await self.bot.edit_message_text(
            render.case_card(self.config, case, followers, hidden=hidden),
            chat_id=chat_id,
            message_id=message_id,
        )
        return True

    async def _rating_request(self, notice: OutboxRecord, case: CaseRecord) -> Message | Delivered:
        if CaseStatus(case.status) != CaseStatus.RESOLVED:
            return Delivered(ok=True)  # rated or reopened meanwhile: nothing to ask
        if isinstance(notice.payload.get("mention"), int):
            return Delivered(ok=True)  # queued by an older version: the resolution asks now
        text = texts.RATING_REQUEST.format(
            number=case.number, note=render.note_text(notice.payload, masked=False)
        )
        return await self._text(notice.chat_id, text, markup=keyboards.rating(case.id))


def _gone_or_unchanged(error: BadRequest) -> bool:
    words = str(error).lower()
    return "not modified" in words or "not found" in words


def _may_delete(member: ChatMember) -> bool:
    """Whether the bot may delete others' messages in the group (Telegram's rule)."""
    if isinstance(member, ChatMemberOwner):
        return True
    return isinstance(member, ChatMemberAdministrator) and bool(member.can_delete_messages)


def _markup(buttons: object) -> InlineKeyboardMarkup | None:
    """Buttons stored in a notice's payload as rows of [label, callback data]."""
    if not isinstance(buttons, list) or not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(str(label), callback_data=str(data)) for label, data in row]
            for row in buttons
        ]
    )


def _seconds(value: object) -> float:
    try:
        return float(value.total_seconds())  # type: ignore[attr-defined]  # retry_after is a timedelta or seconds, by PTB version
    except AttributeError:
        return float(value)  # type: ignore[arg-type]  # retry_after is a timedelta or seconds, by PTB version
