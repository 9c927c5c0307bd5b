"""Our own getUpdates loop in place of python-telegram-bot's Updater: each batch is stored in
the inbox before the next getUpdates confirms it, and updates are handled from the inbox.

PTB's Updater confirms a batch with its next getUpdates before the handlers have run, so what
was fetched but not handled when the process died was gone. Here the order is: fetch, store
(commit), ask for offset = last + 1. Handling reads the inbox in update order, runs the
Application's handlers and marks the row handled; a crash leaves it waiting for the next start.
A webhook does the same (handlers/webhook.py): store, answer 200; then worker processes, each
with an UpdateInbox that fetches nothing (`fetch=False`), claim the stored updates and handle
them: of each chat only the oldest waiting one, under a lease the worker renews while it works
(bot/delivery/inbox.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import Any

from telegram import Update
from telegram.error import BadRequest, Conflict, NetworkError, RetryAfter
from telegram.ext import Application

from bot.delivery.inbox import Inbox, Received, Stored, received_from
from handlers.context import handling_update

log = logging.getLogger(__name__)

POLL_TIMEOUT = 10  # seconds a getUpdates may wait for something to happen
RETRY_SECONDS = 1.0  # after a failed attempt to handle an update
_BACKOFF_MAX = 30.0
LEASE_SECONDS = 120  # a worker's claim on updates; renewed while it works on them
CLAIM_BATCH = 8  # updates a worker claims at once (each of another chat)
IDLE_POLL_SECONDS = 0.1  # an idle worker looks for new updates this often


def received(update: Update) -> Received:
    """What the inbox keeps of an update: its raw data, and the keys that make it unique."""
    data = update.to_dict()
    try:
        return received_from(data)
    except ValueError:  # an update of a kind this library does not know: kept, never ordered
        return Received(update.update_id, "unknown", None, None, data)


class UpdateInbox:
    """Fetches into the inbox and handles from it; `stop` ends fetching at once and lets the
    update being handled finish."""

    def __init__(
        self,
        application: Application,
        inbox: Inbox,
        *,
        poll_timeout: int = POLL_TIMEOUT,
        allowed_updates: list[str] | None = None,
        fetch: bool = True,
        lease: int = LEASE_SECONDS,
        name: str | None = None,
    ) -> None:
        self.application = application
        # fetch: the single process's getUpdates loop; else a worker that claims what a webhook
        # listener stored (under `name`, unique per process and start).
        self.fetch = fetch
        self.lease = lease
        self.name = name or uuid.uuid4().hex
        self.inbox = inbox
        self.poll_timeout = poll_timeout
        self.allowed_updates = allowed_updates if allowed_updates is not None else Update.ALL_TYPES
        self._offset: int | None = None
        self._wake = asyncio.Event()
        self._stopping = False
        self._fetcher: asyncio.Task[None] | None = None
        self._worker: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._worker is not None and not self._worker.done()

    async def start(self) -> None:
        # Handled updates are kept a week, for the record of what came in; then they go.
        await self.inbox.forget_old()
        self._stopping = False
        if not self.fetch:
            self._worker = asyncio.create_task(self._work(), name="inbox-claims")
            return
        self._fetcher = asyncio.create_task(self._fetch(), name="inbox-fetch")
        self._worker = asyncio.create_task(self._handle(), name="inbox-handle")

    async def stop(self, grace: float = 5.0) -> None:
        """Stop taking updates; the one being handled finishes (within `grace` seconds)."""
        self._stopping = True
        self._wake.set()
        for task, wait in ((self._fetcher, 0.0), (self._worker, grace)):
            if task is None:
                continue
            if wait:
                with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                    await asyncio.wait_for(asyncio.shield(task), wait)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if not self.fetch:  # a worker: what it still holds goes back now, not after the lease
            with contextlib.suppress(Exception):
                await self.inbox.release(self.name)

    async def _fetch(self) -> None:
        backoff = 1.0
        bot = self.application.bot
        webhook_cleared = False
        while not self._stopping:
            try:
                if not webhook_cleared:
                    # Polling and a webhook exclude each other on Telegram's side.
                    await bot.delete_webhook(drop_pending_updates=False)
                    webhook_cleared = True
                updates = await bot.get_updates(
                    offset=self._offset,
                    timeout=self.poll_timeout,
                    allowed_updates=self.allowed_updates,
                )
            except RetryAfter as error:
                await asyncio.sleep(_seconds(error.retry_after))
                continue
            except (NetworkError, Conflict) as error:
                # Telegram unreachable, or another poll running: wait, then ask again.
                log.warning("getUpdates failed (%s); again in %.0f s", error, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, _BACKOFF_MAX)
                continue
            backoff = 1.0
            if not updates:
                continue
            # Stored (committed) first; only the next getUpdates tells Telegram we have them.
            await self.inbox.store([received(u) for u in updates])
            self._offset = updates[-1].update_id + 1
            self._wake.set()

    async def _handle(self) -> None:
        while not self._stopping:
            self._wake.clear()
            batch = await self.inbox.waiting()
            for stored in batch:
                if self._stopping:
                    return
                await self.handle_one(stored)
            if not batch:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=1.0)

    async def _work(self) -> None:
        """A worker: claim updates (each of another chat), handle them in order, again."""
        while not self._stopping:
            batch = await self.inbox.claim(self.name, lease=self.lease, limit=CLAIM_BATCH)
            if not batch:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=IDLE_POLL_SECONDS)
                continue
            renewing = asyncio.create_task(self._renew(), name="inbox-lease")
            try:
                for index, stored in enumerate(batch):
                    if self._stopping:  # what is left goes back for another worker, at once
                        await self.inbox.release(self.name, [s.update_id for s in batch[index:]])
                        return
                    await self.handle_one(stored, wait=False)
            finally:
                renewing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await renewing

    async def _renew(self) -> None:
        """While a batch is being handled, keep its claims: a slow handler (a rate limit, a
        stalled API) must not let the lease run out and another worker handle it too."""
        while True:
            await asyncio.sleep(self.lease / 3)
            try:
                await self.inbox.renew(self.name, lease=self.lease)
            except Exception:  # a busy database: the next renewal tries again
                log.warning("renewing the inbox claims failed", exc_info=True)

    async def handle_one(self, stored: Stored, *, wait: bool = True) -> None:
        """Run the handlers for one stored update; mark it handled, or count the failure.
        `wait`: sleep before the next try here (one process); a worker holds the update in the
        database instead and goes on with other chats."""
        update = Update.de_json(stored.data, self.application.bot)
        with handling_update(stored.update_id, stored.received_at) as outcome:
            await self.application.process_update(update)
        error = outcome.error
        if error is None or isinstance(error, BadRequest):
            # A BadRequest (a button answered twice, a message gone) will not heal by trying again.
            await self.inbox.handled(stored.update_id)
            return
        retry = isinstance(error, NetworkError | RetryAfter)
        pause = _seconds(error.retry_after) if isinstance(error, RetryAfter) else RETRY_SECONDS
        gave_up = await self.inbox.failed(
            stored.update_id, f"{type(error).__name__}: {error}", stored.attempts, retry=retry,
            hold=0 if wait else pause,
        )  # fmt: skip
        if gave_up:
            log.error("update %s set aside after %s", stored.update_id, error)
        elif wait:
            await asyncio.sleep(pause)


def _seconds(value: Any) -> float:
    return float(value.total_seconds()) if hasattr(value, "total_seconds") else float(value)
