"""Statistics in chat: /stats with chart buttons, /risk, /export; and the hourly risk check.

A thin adapter: every figure, text, chart and file comes from bot/ (stats, risk, hot_topics,
assessment, charts, export, stats_text). Answers go through the outbox like every message (charts
and files as CHART/FILE notices drawn when sent, see handlers/stats_delivery.py); asked in a
group, they go to the asker privately, since figures and files are for staff. Callback data is
`v1:st:<chart>:<period token>:<scope token>` (the one codec in handlers/keyboards.py, under 64
bytes) and is checked against the configuration again on every press.

`handlers/app.py` registers these handlers with all the others, ahead of the catch-alls.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import (
    Application,
)

from bot.cases.models import NoticeKind
from bot.config import Config
from bot.delivery.notify import send
from bot.reports import risk
from bot.reports.assessment import monthly_ranking
from bot.reports.export import FORMATS
from bot.reports.hot_topics import hot_topics
from bot.reports.stats import (
    Figures,
    PeriodError,
    Refused,
    Scope,
    figures_for_user,
    may_see,
    parse_period,
    parse_period_token,
    parse_scope,
    scopes_for,
)
from bot.services import Database
from bot.timing.clock import Clock
from handlers import keyboards, stats_text
from handlers.context import GridContext, command_args
from handlers.keyboards import Op

log = logging.getLogger(__name__)

PREFIX = f"{keyboards.VERSION}:{Op.STATS.value}:"
CHART_KINDS = ("c", "s", "r")  # cases per day, satisfaction, risk tiles
RANKING = "k"
HOT_TOPICS = "h"
RISK_CHECK_SECONDS = 3600


class StatsServices(Protocol):
    db: Database
    config: Config
    clock: Clock


def encode_button(kind: str, period_token: str, scope: Scope) -> str:
    """Callback data for a chart or ranking button; ValueError when over 64 bytes."""
    return keyboards.encode(Op.STATS, kind, period_token, scope.token())


def decode_button(data: str | None) -> tuple[str, str, str] | None:
    """(kind, period token, scope token), or None for stale or foreign data."""
    button = keyboards.decode(data)
    if button is None or button.op is not Op.STATS or len(button.fields) < 3:
        return None
    kind, period_token, *scope = button.fields
    if kind not in (*CHART_KINDS, RANKING, HOT_TOPICS):
        return None
    return kind, period_token, ":".join(scope)  # a scope token holds a colon itself


def _buttons(figures: Figures) -> InlineKeyboardMarkup:
    token = figures.period.token()
    row = [
        InlineKeyboardButton(
            stats_text.CHART_BUTTONS[k], callback_data=encode_button(k, token, figures.scope)
        )
        for k in CHART_KINDS
    ]
    more = [
        InlineKeyboardButton(
            stats_text.HOT_TOPICS_BUTTON,
            callback_data=encode_button(HOT_TOPICS, token, figures.scope),
        )
    ]
    if figures.scope.kind in ("street", "district"):
        more.append(
            InlineKeyboardButton(
                stats_text.RANKING_BUTTON,
                callback_data=encode_button(RANKING, token, figures.scope),
            )
        )
    return InlineKeyboardMarkup([row, more])


class StatsHandlers:
    """The handlers, bound to the services they read."""

    def __init__(self, services: StatsServices, application: Application | None = None) -> None:
        self.services = services
        self.application = application
        self.db = services.db
        self.config = services.config
        self.clock = services.clock

    async def stats(self, update: Update, context: GridContext) -> None:
        """/stats [period] [scope]: the asker's figures, with chart buttons."""
        user, message = update.effective_user, update.effective_message
        if user is None or message is None:
            return
        period_text, scope_text = _split_args(command_args(context), self.config, self.clock.now())
        now = self.clock.now()
        result = await figures_for_user(
            self.db.reader,
            self.config,
            user.id,
            now,
            period_text=period_text,
            scope_text=scope_text,
        )
        if isinstance(result, Refused):
            await self._reply(update, context, _refusal(result))
            return
        text = stats_text.render_figures(self.config, result)
        await self._answer(update, context, text, _buttons(result))

    async def risk(self, update: Update, context: GridContext) -> None:
        """/risk: each grid's colour in the asker's scope with the two factors behind it."""
        user, message = update.effective_user, update.effective_message
        if user is None or message is None:
            return
        scopes = scopes_for(self.config, user.id)
        if not scopes:
            await self._reply(update, context, stats_text.REFUSE_RESIDENT)
            return
        scope = scopes[0]
        risks = await risk.assess(self.db.reader, self.config, self.clock.now(), scope)
        text = stats_text.render_risk(self.config, risks, window_days=self.config.risk.window_days)
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        stats_text.CHART_BUTTONS["r"], callback_data=encode_button("r", "w", scope)
                    )
                ]
            ]
        )
        await self._answer(update, context, text, markup)

    async def export(self, update: Update, context: GridContext) -> None:
        """/export [csv|xlsx|open311] [period]: the asker's cases as a file, always masked."""
        user, message = update.effective_user, update.effective_message
        if user is None or message is None:
            return
        scopes = scopes_for(self.config, user.id)
        if not scopes:
            await self._reply(update, context, stats_text.EXPORT_STAFF_ONLY)
            return
        args = list(command_args(context))
        fmt = args.pop(0).lower() if args and args[0].lower() in FORMATS else "xlsx"
        now = self.clock.now()
        try:
            period = parse_period(args[0] if args else "month", self.config, now)
        except PeriodError as error:
            await self._reply(
                update, context, stats_text.PERIOD_ERRORS[error.code].format(text=error.text)
            )
            return
        payload = {
            "export": fmt,
            "scope": scopes[0].token(),
            "period": period.token(),
            "asked_at": now,
        }
        await self._deliver(update, context, NoticeKind.FILE, payload)

    async def button(self, update: Update, context: GridContext) -> None:
        """A chart or ranking button under /stats or /risk."""
        query = update.callback_query
        if query is None:
            return
        decoded = decode_button(query.data)
        now = self.clock.now()
        try:
            if decoded is None:
                raise ValueError(query.data)
            kind, period_token, scope_token = decoded
            period = parse_period_token(period_token, self.config, now)
            scope = parse_scope(scope_token, self.config)
        except (ValueError, LookupError):
            # Always answer a press, or the client keeps spinning; stale data gets a polite no.
            await query.answer(stats_text.CHART_STALE, show_alert=True)
            return
        if query.from_user is None or not may_see(self.config, query.from_user.id, scope):
            await query.answer(
                stats_text.REFUSE_SCOPE.format(scope=scope.name(self.config)), show_alert=True
            )
            return
        await query.answer(stats_text.CHART_WORKING)  # stops the spinner while we draw
        chat = query.message.chat.id if isinstance(query.message, Message) else query.from_user.id
        if kind == RANKING:
            await self._queue(
                chat, NoticeKind.TEXT, _plain(await self._ranking_text(scope, period.first_day))
            )
            return
        if kind == HOT_TOPICS:
            hot = await hot_topics(self.db.reader, self.config, scope, period)
            await self._queue(
                chat, NoticeKind.TEXT, _plain(stats_text.render_hot_topics(self.config, hot))
            )
            return
        payload = {"chart": kind, "scope": scope.token(), "period": period.token(), "asked_at": now}
        await self._queue(chat, NoticeKind.CHART, payload)

    async def _ranking_text(self, scope: Scope, day: Any) -> str:
        streets = [scope.id] if scope.kind == "street" else [s.id for s in self.config.streets]
        parts = []
        for street_id in streets:
            ranking = await monthly_ranking(
                self.db.reader, self.config, street_id, day, self.clock.now()
            )
            parts.append(stats_text.render_ranking(self.config, ranking))
        return "\n\n".join(parts)

    async def check_risk(self, context: GridContext) -> None:
        """The repeating job: queue an alert for each grid that turned red or orange."""
        alerts = await risk.alert_turns(self.db, self.config, self.clock.now())
        if alerts:
            log.info("risk alerts queued for %s", ", ".join(a.risk.grid_id for a in alerts))
            drainer = context.bot_data.drainer
            if drainer is not None:
                drainer.poke()

    async def _answer(
        self,
        update: Update,
        context: GridContext,
        text: str,
        markup: InlineKeyboardMarkup | None = None,
    ) -> None:
        payload = _plain(text)
        if markup is not None:
            payload["buttons"] = [
                [(b.text, str(b.callback_data)) for b in row] for row in markup.inline_keyboard
            ]
        await self._deliver(update, context, NoticeKind.TEXT, payload)

    async def _reply(self, update: Update, context: GridContext, text: str) -> None:
        """A short answer where the command was written."""
        chat, message = update.effective_chat, update.effective_message
        if chat is None:
            return
        payload = _plain(text)
        if message is not None:
            payload["reply_to"] = message.message_id
        await self._queue(chat.id, NoticeKind.TEXT, payload)

    async def _deliver(
        self,
        update: Update,
        context: GridContext,
        kind: NoticeKind,
        payload: dict[str, Any],
    ) -> None:
        """Answer in private chats as asked; from a group, to the asker privately (with a hint in
        the group should they never have started the bot)."""
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None:
            return
        if chat.type != ChatType.PRIVATE:
            payload["if_forbidden"] = {"chat_id": chat.id, "text": stats_text.START_BOT_FOR_STATS}
        await self._queue(chat.id if chat.type == ChatType.PRIVATE else user.id, kind, payload)

    async def _queue(self, chat_id: int, kind: NoticeKind, payload: dict[str, Any]) -> None:
        await send(self.services, kind, chat_id, payload)  # type: ignore[arg-type]  # StatsServices is the part of Services that send() reads
        drainer = self.application.bot_data.drainer if self.application else None
        if drainer is not None:
            drainer.poke()  # an answer goes out now, not at the drainer's next look


def _plain(text: str) -> dict[str, Any]:
    """Statistics texts are plain words (no HTML), sent as they are."""
    return {"text": text, "plain": True}


def _split_args(args: list[str], config: Config, now: int) -> tuple[str | None, str | None]:
    """(period, scope) from /stats arguments in either order; a date-like word is a period."""
    period = scope = None
    for arg in args[:2]:
        try:
            parse_period(arg, config, now)
        except PeriodError:
            if arg[:4].isdigit():  # a mistyped date: say so, rather than "no such scope"
                period = period or arg
            else:
                scope = scope or arg
        else:
            period = period or arg
    return period, scope


def _refusal(refused: Refused) -> str:
    if refused.reason == "resident":
        return stats_text.REFUSE_RESIDENT
    if refused.reason == "period":
        return stats_text.PERIOD_ERRORS.get(refused.detail, stats_text.STATS_USAGE).format(
            text=refused.text
        )
    return stats_text.REFUSE_SCOPE.format(scope=refused.detail)
