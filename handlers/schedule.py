"""The deadline keeper on python-telegram-bot's JobQueue: a tick at start, then every 30 seconds.

Everything the keeper needs lives in the database, so the jobs here hold no state of their own:
a restart simply ticks again and picks up where the last process stopped. When the keeper says
something falls due before the next regular tick, a one-off job runs then, so reminders and
escalations are not up to 30 seconds late.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram.ext import Application

from bot.timing.deadlines import DeadlineKeeper
from handlers.context import GridContext

log = logging.getLogger(__name__)

TICK_SECONDS = 30.0
START_DELAY = 1.0  # seconds after the scheduler starts: the tick that rebuilds the schedule
JOB_NAME = "deadlines"
START_JOB = "deadlines-start"
_EXACT_JOB = "deadlines-exact"


def register(
    application: Application,  # type: ignore[type-arg]  # PTB's Application is generic in six context types
    keeper: DeadlineKeeper,
    *,
    poke: Callable[[], None] | None = None,
) -> None:
    """Run keeper.tick() at start and every TICK_SECONDS; `poke` wakes the outbox drainer."""
    jobs = application.job_queue
    if jobs is None:
        raise RuntimeError(
            'the JobQueue is missing: install python-telegram-bot with the "job-queue" extra'
        )

    async def tick(context: GridContext) -> None:
        """One keeper tick; errors are logged and the next tick tries again."""
        try:
            report = await keeper.tick()
        except Exception:
            log.exception("deadline tick failed")
            return
        if report.queued_anything:
            log.info("deadlines: %s", report)
            if poke is not None:
                poke()
        await _schedule_exact(context, keeper, tick)

    # APScheduler drops a first run set to "now" (PTB documents it), and jobs added before the
    # scheduler starts are late by start-up time: so a separate start-up tick that may run late.
    late_is_fine = {"misfire_grace_time": None, "coalesce": True}
    jobs.run_once(tick, when=START_DELAY, name=START_JOB, job_kwargs=late_is_fine)
    jobs.run_repeating(
        tick, interval=TICK_SECONDS, first=TICK_SECONDS, name=JOB_NAME, job_kwargs=late_is_fine
    )


async def _schedule_exact(
    context: GridContext,
    keeper: DeadlineKeeper,
    tick: Callable[[GridContext], object],
) -> None:
    """A one-off tick when the next thing falls due before the next regular tick."""
    jobs = context.job_queue
    if jobs is None:
        return
    try:
        due = await keeper.next_due()
    except Exception:
        log.exception("deadline next_due failed")
        return
    if due is None:
        return
    wait = due - keeper.clock.now()
    if 0 < wait < TICK_SECONDS and not jobs.get_jobs_by_name(_EXACT_JOB):
        jobs.run_once(tick, when=wait + 0.5, name=_EXACT_JOB)  # type: ignore[arg-type]  # PTB types job callbacks with its default context
