"""The outbox by age, not by count: backoff with jitter up to a cap, giving up only after the
configured age or on a permanent error, claims that keep two drainers off one row."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

from bot.cases.lifecycle import Lifecycle
from bot.cases.models import NoticeKind
from bot.config import Config
from bot.delivery.outbox import LEASE_SECONDS, Backoff, Delivered, OutboxDrainer
from bot.timing.clock import ManualClock
from storage import outbox as outbox_sql
from storage.db import Database
from storage.records import CaseRecord, OutboxRecord
from tests.factories import new_case

GROUP = -1001000001101
LEADER = 100001
DOWN = Delivered(ok=False, retry_after=1, error="network Bad Gateway")


class Outage:
    """Every send fails while `down`; otherwise each is written down as it arrives."""

    def __init__(self, *, pause: float = 0.0, arrivals: list[int] | None = None) -> None:
        self.down = True
        self.pause = pause
        self.sent: list[int] = []  # outbox ids, in the order they arrived
        self.arrivals = arrivals if arrivals is not None else []  # shared between drainers
        self.tries = 0

    async def deliver(self, notice: OutboxRecord, case: CaseRecord | None) -> Delivered:
        self.tries += 1
        if self.pause:
            await asyncio.sleep(self.pause)  # a send takes time: another drainer may look now
        if self.down:
            return DOWN
        self.sent.append(notice.id)
        self.arrivals.append(notice.id)
        return Delivered(ok=True, message_id=1000 + notice.id)


async def _statuses(db: Database) -> list[str]:
    return [r[0] for r in await db.reader.execute_fetchall("SELECT status FROM outbox")]


def test_waits_double_with_jitter_up_to_the_cap() -> None:
    backoff = Backoff(first=5, cap=300)
    rng = random.Random(7)
    waits = [backoff.wait(failures, rng) for failures in range(1, 12)]
    ceilings = [min(300, 5 * 2 ** (n - 1)) for n in range(1, 12)]
    assert all(c / 2 <= w <= c for w, c in zip(waits, ceilings, strict=True))
    assert max(waits) <= 300 and waits[-1] >= 150
    # the same random source gives the same waits: tests can predict them
    again = random.Random(7)
    assert [backoff.wait(n, again) for n in range(1, 12)] == waits


async def test_a_failing_notice_is_kept_for_a_day_then_given_up(
    db: Database, config: Config, clock: ManualClock
) -> None:
    await Lifecycle(db, config, clock).open_case(new_case(config), group_chat_id=GROUP)
    outage = Outage()
    drainer = OutboxDrainer(db, config, clock, outage, rng=random.Random(1))
    started = clock.now()
    while clock.now() - started < 23 * 3600:
        await drainer.drain_once()
        clock.advance(301)
    assert set(await _statuses(db)) == {"pending"}  # far more than eight attempts, none lost
    attempts = [r[0] for r in await db.reader.execute_fetchall("SELECT attempts FROM outbox")]
    assert min(attempts) > 100
    clock.advance(3600)
    await drainer.drain_once()
    assert set(await _statuses(db)) == {"failed"}


async def test_the_age_to_give_up_comes_from_the_configuration(
    db: Database, config: Config, clock: ManualClock
) -> None:
    short = config.model_copy(
        update={"delivery": config.delivery.model_copy(update={"give_up_after_hours": 0.5})}
    )
    await Lifecycle(db, short, clock).open_case(new_case(short), group_chat_id=GROUP)
    drainer = OutboxDrainer(db, short, clock, Outage(), rng=random.Random(1))
    for _ in range(6):
        await drainer.drain_once()
        clock.advance(301)
    assert set(await _statuses(db)) == {"pending"}
    for _ in range(3):
        await drainer.drain_once()
        clock.advance(301)
    assert set(await _statuses(db)) == {"failed"}


async def test_a_permanent_error_is_given_up_at_once(
    db: Database, config: Config, clock: ManualClock
) -> None:
    await Lifecycle(db, config, clock).open_case(new_case(config), group_chat_id=GROUP)

    class Refused:
        async def deliver(self, notice: OutboxRecord, case: CaseRecord | None) -> Delivered:
            return Delivered(ok=False, error="400 Bad Request: chat not found")

    await OutboxDrainer(db, config, clock, Refused()).drain_once()
    assert set(await _statuses(db)) == {"failed"}


async def test_what_waits_behind_a_failed_notice_does_not_overtake_it(
    db: Database, config: Config, clock: ManualClock
) -> None:
    lifecycle = Lifecycle(db, config, clock)
    first = await lifecycle.open_case(new_case(config), group_chat_id=GROUP)
    outage = Outage()
    drainer = OutboxDrainer(db, config, clock, outage, rng=random.Random(1))
    await drainer.drain_once()  # the card fails and waits
    outage.down = False
    clock.advance(1)
    second = await lifecycle.open_case(new_case(config), group_chat_id=GROUP)
    await drainer.drain_once()
    cards = {
        n.id: n.case_id
        for n in await outbox_sql.due(db.reader, now=10**12, limit=1000)
        if n.kind == NoticeKind.CASE_CARD
    }
    assert not [i for i in outage.sent if i in cards]  # the second card waits its turn
    clock.advance(400)
    await drainer.drain_once()
    rows = await db.reader.execute_fetchall(
        "SELECT id, case_id FROM outbox WHERE kind = ? ORDER BY id", (NoticeKind.CASE_CARD,)
    )
    card_ids = [r[0] for r in rows]
    assert [i for i in outage.sent if i in card_ids] == card_ids
    assert [r[1] for r in rows] == [first.case.id, second.case.id]


async def test_two_drainers_on_one_database_never_send_the_same_row(
    tmp_path: Path, config: Config, clock: ManualClock
) -> None:
    path = tmp_path / "shared.sqlite3"
    first_db, second_db = await Database.open(path), await Database.open(path)
    try:
        lifecycle = Lifecycle(first_db, config, clock)
        for _ in range(6):
            await lifecycle.open_case(new_case(config), group_chat_id=GROUP)
        arrivals: list[int] = []
        one, two = Outage(pause=0.01, arrivals=arrivals), Outage(pause=0.01, arrivals=arrivals)
        one.down = two.down = False
        drainers = [
            OutboxDrainer(first_db, config, clock, one, name="one"),
            OutboxDrainer(second_db, config, clock, two, name="two"),
        ]
        for _ in range(10):
            await asyncio.gather(*(d.drain_once() for d in drainers))
        queued = [r[0] for r in await first_db.reader.execute_fetchall("SELECT id FROM outbox")]
        sent = one.sent + two.sent
        assert sorted(sent) == sorted(queued)  # every row once, none twice
        group_rows = [
            r[0]
            for r in await first_db.reader.execute_fetchall(
                "SELECT id FROM outbox WHERE chat_id = ? ORDER BY id", (GROUP,)
            )
        ]
        # one chat is served by one drainer at a time, so its cards arrive in order
        assert [i for i in arrivals if i in group_rows] == group_rows
        assert set(await _statuses(first_db)) == {"sent"}
    finally:
        await first_db.close()
        await second_db.close()


async def test_a_claim_held_by_a_drainer_that_died_runs_out_and_is_taken_again(
    db: Database, config: Config, clock: ManualClock
) -> None:
    await Lifecycle(db, config, clock).open_case(new_case(config), group_chat_id=GROUP)
    async with db.write() as conn:  # a drainer claims everything, then dies before sending
        taken = await outbox_sql.claim(conn, now=clock.now(), owner="dead", lease=LEASE_SECONDS)
    assert taken
    survivor = Outage()
    survivor.down = False
    drainer = OutboxDrainer(db, config, clock, survivor)
    assert await drainer.drain_once() == 0  # still claimed: not sent twice meanwhile
    clock.advance(LEASE_SECONDS + 1)
    assert await drainer.drain_once() == len(taken)
    assert sorted(survivor.sent) == sorted(n.id for n in taken)


async def test_a_timed_out_send_is_tried_again_and_marked_uncertain(
    db: Database, config: Config, clock: ManualClock
) -> None:
    await Lifecycle(db, config, clock).open_case(new_case(config), group_chat_id=GROUP)

    class TimesOutOnce:
        def __init__(self) -> None:
            self.calls = 0

        async def deliver(self, notice: OutboxRecord, case: CaseRecord | None) -> Delivered:
            self.calls += 1
            if notice.kind == NoticeKind.CASE_CARD and notice.attempts == 0:
                return Delivered(ok=False, retry_after=1, uncertain=True, error="timeout")
            return Delivered(ok=True, message_id=5)

    drainer = OutboxDrainer(db, config, clock, TimesOutOnce(), rng=random.Random(3))
    await drainer.drain_once()
    card = next(
        n for n in await outbox_sql.due(db.reader, now=10**12) if n.kind == NoticeKind.CASE_CARD
    )
    assert card.last_error is not None and card.last_error.startswith("uncertain")
    clock.advance(10)
    await drainer.drain_once()
    assert set(await _statuses(db)) == {"sent"}
