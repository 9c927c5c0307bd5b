"""Claims for several workers on one database: an update is claimed by one worker at a time, of
each chat only the oldest waiting one; a claim runs out after its lease unless the worker renews
it; a slow drain keeps its notices by renewing; every claim query is one marked statement."""

from __future__ import annotations

import asyncio
import inspect
import re

from bot.cases.lifecycle import Lifecycle
from bot.config import Config
from bot.delivery.inbox import Inbox, received_from
from bot.delivery.outbox import Delivered, OutboxDrainer
from bot.timing.clock import ManualClock
from storage import deadlines, inbox, outbox
from storage.db import Database
from storage.records import CaseRecord, Notice, OutboxRecord
from tests.factories import new_case

GROUP, OTHER, PERSON = -1001000001101, -1001000001102, 7000001


def _message(update_id: int, chat: int, message_id: int) -> dict[str, object]:
    return {"update_id": update_id, "message": {"message_id": message_id, "chat": {"id": chat}}}


def _button(update_id: int, chat: int) -> dict[str, object]:
    return {
        "update_id": update_id,
        "callback_query": {"id": "q", "from": {"id": PERSON}, "data": "v1:k",
                           "message": {"message_id": 5, "chat": {"id": chat}}},
    }  # fmt: skip


async def test_of_each_chat_only_the_oldest_waiting_update_is_claimed(
    db: Database, clock: ManualClock
) -> None:
    box = Inbox(db, clock)
    await box.store(
        [received_from(u) for u in (
            _message(1, GROUP, 10), _message(2, GROUP, 11), _message(3, OTHER, 10),
            _button(4, GROUP), _button(5, PERSON),
        )]
    )  # fmt: skip
    first = await box.claim("a", lease=60, limit=10)
    assert [s.update_id for s in first] == [1, 3, 5]  # the button in the group waits its turn
    assert await box.claim("b", lease=60, limit=10) == []  # nothing of those chats is free
    await box.handled(1)
    assert [s.update_id for s in await box.claim("b", lease=60, limit=10)] == [2]
    await box.handled(2)
    assert [s.update_id for s in await box.claim("b", lease=60, limit=10)] == [4]


async def test_a_claim_runs_out_after_its_lease_unless_renewed(
    db: Database, clock: ManualClock
) -> None:
    box = Inbox(db, clock)
    await box.store([received_from(_message(1, GROUP, 10)), received_from(_message(2, OTHER, 1))])
    assert len(await box.claim("a", lease=10, limit=10)) == 2
    clock.advance(8)
    assert await box.renew("a", lease=10) == 2  # a worker at work keeps its claims
    clock.advance(8)
    assert await box.claim("b", lease=10, limit=10) == []
    clock.advance(3)  # "a" died: its lease ran out
    taken = await box.claim("b", lease=10, limit=10)
    assert [s.update_id for s in taken] == [1, 2]
    assert await box.renew("a", lease=10) == 0  # a late renewal takes nothing back


async def test_a_worker_that_stops_gives_its_claims_back_at_once(
    db: Database, clock: ManualClock
) -> None:
    box = Inbox(db, clock)
    await box.store([received_from(_message(1, GROUP, 10)), received_from(_message(2, OTHER, 1))])
    assert len(await box.claim("a", lease=120, limit=10)) == 2
    await box.release("a")
    assert [s.update_id for s in await box.claim("b", lease=120, limit=10)] == [1, 2]


async def test_a_failed_update_holds_its_chat_for_a_while(db: Database, clock: ManualClock) -> None:
    box = Inbox(db, clock)
    await box.store([received_from(_message(1, GROUP, 10)), received_from(_message(2, GROUP, 11))])
    (stored,) = await box.claim("a", lease=60, limit=10)
    assert not await box.failed(1, "NetworkError", stored.attempts, retry=True, hold=5)
    assert await box.claim("a", lease=60, limit=10) == []  # nor does update 2 overtake it
    clock.advance(5)
    assert [s.update_id for s in await box.claim("b", lease=60, limit=10)] == [1]


class SlowDelivery:
    """Sends when told to: meanwhile the drain outlasts its lease."""

    def __init__(self) -> None:
        self.go = asyncio.Event()
        self.started = asyncio.Event()
        self.sent: list[int] = []

    async def deliver(self, notice: OutboxRecord, case: CaseRecord | None) -> Delivered:
        self.started.set()
        await self.go.wait()
        self.sent.append(notice.id)
        return Delivered(ok=True, message_id=1000 + notice.id)


async def test_a_slow_drain_renews_its_claims_so_no_other_drainer_sends_them_too(
    db: Database, config: Config, clock: ManualClock
) -> None:
    await Lifecycle(db, config, clock).open_case(new_case(config), group_chat_id=GROUP)
    slow, other = SlowDelivery(), SlowDelivery()
    other.go.set()
    first = OutboxDrainer(db, config, clock, slow, lease=1, name="first")
    second = OutboxDrainer(db, config, clock, other, lease=1, name="second")
    draining = asyncio.create_task(first.drain_once())
    await slow.started.wait()
    for _ in range(4):  # ten leases pass while the first send hangs; renewals keep up
        clock.advance(5)
        await _renewed(db, clock)
        assert await second.drain_once() == 0
    slow.go.set()
    assert await draining == 2
    assert other.sent == [] and len(slow.sent) == 2


async def test_the_outbox_is_idle_only_when_nothing_is_due_or_being_sent(
    db: Database, config: Config, clock: ManualClock
) -> None:
    """What the end-to-end tests wait on: a send in flight that queues a notice behind it in
    its chat (a removal queues the card's update) never leaves a moment that looks idle."""
    await Lifecycle(db, config, clock).open_case(new_case(config), group_chat_id=GROUP)
    now = clock.now()
    assert not await outbox.idle(db.reader, now=now)  # the card and the assignment are due
    async with db.write() as conn:
        taken = await outbox.claim(conn, now=now, owner="a", lease=60, limit=10)
    assert taken and not await outbox.idle(db.reader, now=now)  # claimed: being sent
    in_group = next(n for n in taken if n.chat_id == GROUP)
    async with db.write() as conn:  # queued during that send, behind it in the group's line
        await outbox.enqueue(conn, Notice("card_update", GROUP, case_id=in_group.case_id), now=now)
    for notice in taken:
        async with db.write() as conn:
            await outbox.mark_sent(conn, notice.id, now=now, message_id=1, owner="a")
        assert not await outbox.idle(db.reader, now=now)  # the update is due once its chat is free
    async with db.write() as conn:
        (update,) = await outbox.claim(conn, now=now, owner="a", lease=60, limit=10)
        await outbox.mark_sent(conn, update.id, now=now, message_id=2, owner="a")
    assert await outbox.idle(db.reader, now=now)


async def _renewed(db: Database, clock: ManualClock) -> None:
    """Until the held notices' leases reach past the clock's new time (renewals run every third
    of a lease in real time: a loaded machine may be late for one)."""
    for _ in range(600):
        rows = await db.reader.execute_fetchall(
            "SELECT MIN(lease_until) FROM outbox WHERE status = 'pending'"
            " AND lease_until IS NOT NULL"
        )
        if rows and rows[0][0] is not None and rows[0][0] > clock.now():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the claims were not renewed")


def test_every_claim_is_one_statement_marked_and_ending_in_skip_locked() -> None:
    """The PostgreSQL backend turns skip_locked into FOR UPDATE SKIP LOCKED: a claim that
    forgot it would let two workers take one row there."""
    claims = [inbox.claim, outbox.claim, deadlines.claim_timer]
    for function in claims:
        source = inspect.getsource(function)
        assert source.count("-- claim") == 1, function.__name__
        assert "skip_locked(conn)" in source, function.__name__
        assert len(re.findall(r"execute(?:_fetchall)?\(", source)) == 1, function.__name__
