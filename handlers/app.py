"""Builds the python-telegram-bot Application and registers every handler in one place."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    Update,
)
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    MessageReactionHandler,
    filters,
)

from bot.cases.roles import is_staff
from bot.delivery.outbox import OutboxDrainer
from bot.services import Services
from bot.timing.deadlines import DeadlineKeeper
from handlers import common, feedback, handling, intake, prompts, review, schedule, stats, texts
from handlers.context import CONTEXT_TYPES, BotData, GridContext, note_failure
from handlers.digest_text import RENDERERS
from handlers.inbox import UpdateInbox
from handlers.keyboards import Op
from handlers.sender import TelegramDelivery

log = logging.getLogger(__name__)


class _HandledRateLimit(logging.Filter):
    """PTB's limiter logs a 429 it gives up on (max_retries=0: always) as an ERROR with a
    traceback, yet the 429 is handled: the outbox waits as told and logs one WARNING line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Rate limit hit after maximum of")


_RATE_LIMIT_LOG = logging.getLogger("telegram.ext.AIORateLimiter")

REVIEW_SWEEP_SECONDS = 30
OUTBOX_CONNECTIONS = 4
OVERALL_RATE = 30  # messages a second, Telegram's limit for one bot
OUTBOX_CLAIM = 200  # notices the drainer claims at a time
# A worker claims about two seconds' sending at its share of the rate: small claims spread the
# chats over the workers, where one large claim would hold most chats at one worker's pace.
WORKER_CLAIM_SECONDS = 2
WORKER_IDLE_SECONDS = 0.25


def _op(*ops: Op) -> str:
    return "^v1:(" + "|".join(op.value for op in ops) + ")(:|$)"


def build_application(
    services: Services,
    *,
    token: str,
    base_url: str = "https://api.telegram.org/bot",
    base_file_url: str = "https://api.telegram.org/file/bot",
    rate_limit: bool = True,
    deadlines: bool = True,
    worker: tuple[int, int] | None = None,
    lease: int | None = None,
    timeout: float | None = None,
) -> Application:
    """The Application for these services, talking to the Bot API server at base_url.

    `worker` = (i, n): this process is worker i of n in webhook mode. It fetches no updates but
    claims those the listener stored; its outbox drainer claims a share of what is due; its rate
    limiter keeps 1/n of the bot's 30 messages a second, so that the n together keep to it; only
    worker 1 sets the command menus. `lease`: how long its claims hold (tests shorten it).
    `timeout`: seconds to wait for the Bot API server (PTB's default, 5 s, when None); the tests
    lengthen it, since a send that times out waits for a retry on a clock they hold still."""
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_file_url)
        .post_init(_post_init)
        .post_stop(_post_stop)
        # Every message is HTML unless it says otherwise (the sender's `plain` notices).
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        # Handlers get a GridContext: the services by name, bot_data with named fields.
        .context_types(CONTEXT_TYPES)
        # The outbox drainer sends to several chats at once; PTB's default pool of one
        # connection would queue every card and notice behind the one before.
        .connection_pool_size(OUTBOX_CONNECTIONS)
        .pool_timeout(30.0)
        # No Updater: it confirms a batch before handling it. handlers/inbox.py stores first.
        .updater(None)
    )
    if timeout is not None:
        builder = builder.connect_timeout(timeout).read_timeout(timeout).write_timeout(timeout)
    index, workers = worker if worker is not None else (1, 1)
    if rate_limit:
        # Telegram's limits (30 messages a second, 20 a minute per group) are kept by the
        # limiter; a 429 it cannot absorb reaches the outbox, which honours retry_after.
        builder = builder.rate_limiter(
            AIORateLimiter(overall_max_rate=OVERALL_RATE / workers, max_retries=0)
        )
        if not any(isinstance(f, _HandledRateLimit) for f in _RATE_LIMIT_LOG.filters):
            _RATE_LIMIT_LOG.addFilter(_HandledRateLimit())
    application = builder.build()
    application.bot_data.services = services
    application.bot_data.deadlines_on = deadlines
    application.bot_data.workers = workers
    application.bot_data.lease = lease
    application.bot_data.menus = index == 1
    if worker is not None:  # who holds a claim, for a person reading the inbox and the outbox
        application.bot_data.claimant = f"w{index}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    register_handlers(application)
    if worker is None:
        application.bot_data.inbox = UpdateInbox(application, services.inbox)
    else:
        application.bot_data.inbox = UpdateInbox(
            application,
            services.inbox,
            fetch=False,
            name=application.bot_data.claimant,
            **({} if lease is None else {"lease": lease}),
        )
    return application


def register_handlers(application: Application) -> None:
    """Every handler, in the order that matters (one group, 0: the first match wins, so no
    handler needs to stop the others)."""
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    bot_data: BotData = application.bot_data
    if bot_data.services is None:
        raise RuntimeError("set bot_data.services before registering the handlers")

    # 0. Statistics first: /stats, /risk and /export answer even in the middle of a private
    #    report, and their buttons (v1:st:…) never reach the stale-button catch-all below.
    statistics = stats.StatsHandlers(bot_data.services, application)
    application.add_handler(CommandHandler("stats", statistics.stats))
    application.add_handler(CommandHandler("risk", statistics.risk))
    application.add_handler(CommandHandler("export", statistics.export))
    application.add_handler(CallbackQueryHandler(statistics.button, pattern=f"^{stats.PREFIX}"))
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            statistics.check_risk, stats.RISK_CHECK_SECONDS, first=120, name="risk-check"
        )
    # 1. The private step-by-step report and the bot's open questions (a note, a reason, a
    #    photo) are kept in the database; one handler asks it whose answer a private message
    #    is, so that it still lands after a restart, and says so when it came too late.
    application.add_handler(CommandHandler("report", intake.private_report_start, filters=private))
    application.add_handler(
        MessageHandler(private & ~filters.COMMAND & ~filters.UpdateType.EDITED, prompts.answer)
    )
    # 3. Commands.
    application.add_handler(CommandHandler("start", common.start, filters=private))
    application.add_handler(CommandHandler("help", common.help_command))
    application.add_handler(CommandHandler("my", common.my_cases))
    application.add_handler(CommandHandler("case", common.show_case))
    application.add_handler(CommandHandler("todo", handling.todo, filters=private))
    application.add_handler(CommandHandler("status", common.status, filters=private))
    application.add_handler(CommandHandler("cancel", prompts.cancel, filters=private))
    application.add_handler(CommandHandler("report", intake.group_report, filters=groups))
    # 4. Buttons, by their versioned prefix; anything else is stale or forged.
    application.add_handler(CallbackQueryHandler(review.on_review_button, pattern=_op(Op.REVIEW)))
    application.add_handler(CallbackQueryHandler(feedback.on_rating, pattern=_op(Op.RATE)))
    application.add_handler(
        CallbackQueryHandler(
            handling.on_handler_button,
            pattern=_op(
                Op.ACCEPT,
                Op.RESOLVE,
                Op.ESCALATE,
                Op.REASSIGN,
                Op.REASSIGN_TO,
                Op.REJECT,
                Op.REJECT_AS,
                Op.ARRIVE,
            ),
        )
    )
    application.add_handler(CallbackQueryHandler(handling.on_open, pattern=_op(Op.OPEN)))
    application.add_handler(
        CallbackQueryHandler(prompts.button, pattern=_op(Op.SKIP, Op.GRID, Op.ANONYMOUS))
    )
    application.add_handler(CallbackQueryHandler(prompts.cancel, pattern=_op(Op.CANCEL)))
    application.add_handler(CallbackQueryHandler(_stale_button))
    # 5. Group messages: reports, photos, pins; edits of them; 👍 reactions.
    application.add_handler(
        MessageHandler(
            groups
            & ~filters.COMMAND
            & (filters.TEXT | filters.PHOTO | filters.LOCATION)
            & ~filters.UpdateType.EDITED,
            intake.group_message,
        )
    )
    application.add_handler(
        MessageHandler(
            groups & filters.UpdateType.EDITED_MESSAGE & (filters.TEXT | filters.CAPTION),
            intake.edited_message,
        )
    )
    application.add_handler(MessageReactionHandler(feedback.on_reaction))
    # 6. Anything else in private (stickers, voice, free text): a short hint, never silence.
    application.add_handler(MessageHandler(private & ~filters.UpdateType.EDITED, prompts.fallback))
    application.add_error_handler(_on_error)


async def _stale_button(update: Update, context: GridContext) -> None:
    """A button from an older version of the bot, or forged data: refuse politely."""
    if update.callback_query is not None:
        await update.callback_query.answer(texts.STALE_BUTTON, show_alert=True)


async def _on_error(update: object, context: GridContext) -> None:
    if isinstance(context.error, RetryAfter):
        # Telegram asked us to wait; the update's answer is lost, the bot is not broken.
        log.warning("429 while handling an update: %s", context.error)
    else:
        log.exception("handler failed for update %r", update, exc_info=context.error)
    if context.error is not None:
        note_failure(context.error)
    # A button must never spin forever: say that it failed (if nobody answered it yet).
    query = getattr(update, "callback_query", None)
    if query is not None:
        # answered already, or too old to answer
        with contextlib.suppress(TelegramError):
            await query.answer(texts.FAILED, show_alert=True)


async def _post_init(application: Application) -> None:
    bot_data: BotData = application.bot_data
    services = bot_data.services
    assert services is not None  # build_application set them
    lease = {} if bot_data.lease is None else {"lease": bot_data.lease}
    drainer = OutboxDrainer(
        services.db,
        services.config,
        services.clock,
        TelegramDelivery(application.bot, services, RENDERERS),
        claim_limit=OUTBOX_CLAIM
        if bot_data.claimant is None
        else max(10, round(WORKER_CLAIM_SECONDS * OVERALL_RATE / bot_data.workers)),
        name=bot_data.claimant,
        **lease,
    )
    bot_data.drainer = drainer
    # A worker looks often (a read) for what another worker's handlers queued: it is not poked.
    idle = {} if bot_data.claimant is None else {"idle_seconds": WORKER_IDLE_SECONDS}
    bot_data.tasks["drainer"] = asyncio.create_task(drainer.run(**idle), name="outbox-drainer")
    if application.job_queue is not None:
        # Messages that may be reports go to the grid leaders in batches; the items live in
        # the database, so a restart sends what was waiting.
        application.job_queue.run_repeating(
            review.send_review_batches, REVIEW_SWEEP_SECONDS, first=5
        )
    if bot_data.menus:
        bot_data.tasks["commands"] = asyncio.create_task(_set_commands(application, services))
    # Deadlines: reminders, escalation, rating follow-up and digests, rebuilt from the database.
    if bot_data.deadlines_on:
        keeper = DeadlineKeeper(services.db, services.config, services.clock)
        bot_data.keeper = keeper
        schedule.register(application, keeper, poke=drainer.poke)


async def _set_commands(application: Application, services: Services) -> None:
    """Command menus per scope, and a look at our rights in each grid group."""
    bot = application.bot
    try:
        await bot.set_my_commands(
            [BotCommand(c, d) for c, d in texts.COMMANDS_GROUP],
            scope=BotCommandScopeAllGroupChats(),
        )
        await bot.set_my_commands(
            [BotCommand(c, d) for c, d in texts.COMMANDS_PRIVATE],
            scope=BotCommandScopeAllPrivateChats(),
        )
        staff = [u.id for u in services.config.users if is_staff(services.config, u.id)]
        for user_id in staff:
            # a handler who never started the bot: their menu comes when they do
            with contextlib.suppress(TelegramError):
                await bot.set_my_commands(
                    [BotCommand(c, d) for c, d in texts.COMMANDS_STAFF],
                    scope=BotCommandScopeChat(user_id),
                )
        me = await bot.get_me()
        for grid in services.config.grids():
            try:
                member = await bot.get_chat_member(grid.chat_id, me.id)
            except TelegramError as error:
                log.warning("grid %s (%s) unreachable: %s", grid.id, grid.chat_id, error)
                continue
            if member.status not in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER):
                log.warning(
                    "not an administrator in %s: likes (👍 reactions) will not be counted",
                    grid.name,
                )
    except TelegramError as error:
        log.warning("could not set command menus: %s", error)


# SIGTERM must end the process within 10 s: the update being handled and the send in flight
# get these, and what is left waits in the inbox and the outbox for the next start.
INBOX_GRACE_SECONDS = 3
DRAIN_GRACE_SECONDS = 4


async def _post_stop(application: Application) -> None:
    bot_data: BotData = application.bot_data
    if bot_data.drainer is not None:
        bot_data.drainer.stop()
    task = bot_data.tasks.get("drainer")
    if task is not None:
        # Let a send in flight finish and be marked sent, or it would go out twice on restart.
        with contextlib.suppress(TimeoutError, asyncio.CancelledError, Exception):
            await asyncio.wait_for(task, timeout=DRAIN_GRACE_SECONDS)
    for key in ("drainer", "commands"):
        task = bot_data.tasks.get(key)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


async def start_application(application: Application) -> None:
    """Initialise, run post_init (outbox drainer, timers, menus) and start the inbox: updates
    stored before they are confirmed, and what the last run left waiting handled first.

    run_polling() would use PTB's Updater (which confirms before handling) and own the event
    loop; the CLI, the demo and the tests share a loop with the local Bot API server.
    """
    await _initialize(application)
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    await application.bot_data.inbox.start()


async def _initialize(application: Application) -> None:
    """Initialise (getMe), waiting out 429s: a restart in a burst of them must not end the
    process. An unreachable server (NetworkError) is the caller's to report and retry
    (`gridbot run` says so in one line a try)."""
    while True:
        try:
            await application.initialize()
            return
        except RetryAfter as error:
            wait = error.retry_after
            await asyncio.sleep(wait.total_seconds() if hasattr(wait, "total_seconds") else wait)


async def stop_application(application: Application) -> None:
    """The reverse of start_application; safe to call after a partial start."""
    inbox = application.bot_data.inbox
    if inbox is not None:
        # Stop taking updates; the one being handled finishes, the rest wait in the inbox.
        await inbox.stop(grace=INBOX_GRACE_SECONDS)
    if application.running:
        await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
    await application.shutdown()
