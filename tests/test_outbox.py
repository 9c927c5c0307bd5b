"""The outbox drainer: delivery, retries that keep a chat's order, and the 403 fallback."""

from __future__ import annotations

import json

from bot.cases.lifecycle import Lifecycle
from bot.cases.models import Action, NoticeKind
from bot.config import Config
from bot.delivery.outbox import Delivered, OutboxDrainer
from bot.timing.clock import ManualClock
from storage import outbox as outbox_sql
from storage import users as user_sql
from storage.db import Database
from storage.records import CaseRecord, OutboxRecord
from tests.factories import RESIDENT, new_case

LEADER = 100001


class RecordingDelivery:
    """Delivers by writing down; answers as the test scripts it per chat."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, int]] = []
        self.script: dict[int, list[Delivered]] = {}
        self.next_id = 100

    async def deliver(self, notice: OutboxRecord, case: CaseRecord | None) -> Delivered:
        answers = self.script.get(notice.chat_id)
        if answers:
            answer = answers.pop(0)
            if not answer.ok:
                return answer
        self.sent.append((notice.kind, notice.chat_id))
        self.next_id += 1
        return Delivered(ok=True, message_id=self.next_id)


async def test_every_queued_notice_is_delivered_once(
    db: Database, config: Config, clock: ManualClock
) -> None:
    change = await Lifecycle(db, config, clock).open_case(
        new_case(config), group_chat_id=-1001000001101
    )
    delivery = RecordingDelivery()
    drainer = OutboxDrainer(db, config, clock, delivery)
    assert await drainer.drain_once() == 2
    assert await drainer.drain_once() == 0
    assert sorted(delivery.sent) == sorted(
        [(NoticeKind.CASE_CARD, -1001000001101), (NoticeKind.ASSIGNED, LEADER)]
    )
    assert all(
        n.status == "sent" for n in await outbox_sql.list_for_case(db.reader, change.case.id)
    )


async def test_a_rate_limit_delays_the_chat_and_keeps_its_order(
    db: Database, config: Config, clock: ManualClock
) -> None:
    lifecycle = Lifecycle(db, config, clock)
    case_id = (await lifecycle.open_case(new_case(config), group_chat_id=-1001000001101)).case.id
    await lifecycle.apply(case_id, Action.ACCEPT, LEADER)  # queues a card update after the card
    delivery = RecordingDelivery()
    delivery.script[-1001000001101] = [Delivered(ok=False, retry_after=5, error="429")]
    drainer = OutboxDrainer(db, config, clock, delivery)
    await drainer.drain_once()
    assert [k for k, chat in delivery.sent if chat == -1001000001101] == []
    clock.advance(6)
    await drainer.drain_once()
    group = [k for k, chat in delivery.sent if chat == -1001000001101]
    assert group == [NoticeKind.CASE_CARD, NoticeKind.CARD_UPDATE]


async def test_a_long_rate_limit_loses_nothing_however_often_it_repeats(
    db: Database, config: Config, clock: ManualClock
) -> None:
    lifecycle = Lifecycle(db, config, clock)
    case_id = (await lifecycle.open_case(new_case(config), group_chat_id=-1001000001101)).case.id
    await lifecycle.apply(case_id, Action.ACCEPT, LEADER)
    delivery = RecordingDelivery()
    # Telegram says "wait" twenty times in a row: more than any notice's retry budget.
    delivery.script[-1001000001101] = [
        Delivered(ok=False, retry_after=3, throttled=True, error="429") for _ in range(20)
    ]
    drainer = OutboxDrainer(db, config, clock, delivery)
    for _ in range(25):
        await drainer.drain_once()
        clock.advance(4)
    group = [k for k, chat in delivery.sent if chat == -1001000001101]
    assert group == [NoticeKind.CASE_CARD, NoticeKind.CARD_UPDATE]
    notices = await outbox_sql.list_for_case(db.reader, case_id)
    assert all(n.status == "sent" and n.attempts == 1 for n in notices)


async def test_a_reporter_who_never_started_the_bot_is_asked_in_the_group(
    db: Database, config: Config, clock: ManualClock
) -> None:
    lifecycle = Lifecycle(db, config, clock)
    case_id = (await lifecycle.open_case(new_case(config), group_chat_id=None)).case.id
    async with db.write() as conn:
        await user_sql.upsert_user(
            conn, user_id=RESIDENT, name="李阿姨", username=None, now=clock.now()
        )
    await lifecycle.apply(case_id, Action.RESOLVE, LEADER, note="已修好")
    delivery = RecordingDelivery()
    delivery.script[RESIDENT] = [Delivered(ok=False, forbidden=True, error="403")]
    drainer = OutboxDrainer(db, config, clock, delivery)
    await drainer.drain_once()
    await drainer.drain_once()
    group = config.grid("chenghe-1").chat_id
    # One message in the group: the resolution, sent after the private question failed (its
    # adapter then names the reporter and adds the buttons); no second rating request there.
    assert (NoticeKind.RATING_REQUEST, group) not in delivery.sent
    assert (NoticeKind.RESOLUTION, group) in delivery.sent
    notices = await outbox_sql.list_for_case(db.reader, case_id)
    assert not [n for n in notices if (n.dedupe_key or "").startswith("fallback:")]
    assert (await user_sql.get_user(db.reader, RESIDENT)).blocked


async def test_an_anonymous_reporter_is_never_named_in_the_group(
    db: Database, config: Config, clock: ManualClock
) -> None:
    lifecycle = Lifecycle(db, config, clock)
    report = new_case(config)
    report.anonymous = True
    case_id = (await lifecycle.open_case(report, group_chat_id=None)).case.id
    await lifecycle.apply(case_id, Action.RESOLVE, LEADER, note="已修好")
    delivery = RecordingDelivery()
    delivery.script[RESIDENT] = [Delivered(ok=False, forbidden=True, error="403")]
    drainer = OutboxDrainer(db, config, clock, delivery)
    await drainer.drain_once()
    await drainer.drain_once()
    assert all(
        n.payload.get("mention") != RESIDENT
        for n in await outbox_sql.list_for_case(db.reader, case_id)
    )


async def test_a_permanent_error_gives_up_without_stopping_the_rest(
    db: Database, config: Config, clock: ManualClock
) -> None:
    await Lifecycle(db, config, clock).open_case(new_case(config), group_chat_id=-1001000001101)
    delivery = RecordingDelivery()
    delivery.script[-1001000001101] = [Delivered(ok=False, error="400 chat not found")]
    await OutboxDrainer(db, config, clock, delivery).drain_once()
    assert delivery.sent == [(NoticeKind.ASSIGNED, LEADER)]


async def test_a_long_answer_is_queued_in_parts_and_a_retry_resends_no_part(
    db: Database, config: Config, clock: ManualClock
) -> None:
    from handlers.context import say
    from handlers.message_parts import MESSAGE_LIMIT

    services = _FakeServices(db, config, clock)
    lines = [f"{n:04d} 城河小区3号楼门口路灯坏了" for n in range(400)]
    await say(services, LEADER, "\n".join(lines), buttons=[[("好", "v1:c")]], dedupe_key="todo")
    delivery = RecordingDelivery()
    # the second part meets a rate limit: it waits, the first is not sent again
    delivery.script[LEADER] = [
        Delivered(ok=True),
        Delivered(ok=False, retry_after=2, throttled=True),
    ]
    drainer = OutboxDrainer(db, config, clock, delivery)
    for _ in range(4):
        await drainer.drain_once()
        clock.advance(3)
    rows = await db.reader.execute_fetchall("SELECT payload, status FROM outbox ORDER BY id")
    payloads = [json.loads(p) for p, _ in rows]
    assert len(rows) >= 2 and all(status == "sent" for _, status in rows)
    assert "\n".join(p["text"] for p in payloads) == "\n".join(lines)
    assert all(len(p["text"]) <= MESSAGE_LIMIT for p in payloads)
    assert [bool(p.get("buttons")) for p in payloads] == [False] * (len(rows) - 1) + [True]
    assert len(delivery.sent) == len(rows)  # each part went out exactly once


class _FakeServices:
    def __init__(self, db: Database, config: Config, clock: ManualClock) -> None:
        self.db, self.config, self.clock = db, config, clock


async def test_stopping_leaves_what_was_not_sent_queued(
    db: Database, config: Config, clock: ManualClock
) -> None:
    lifecycle = Lifecycle(db, config, clock)
    case_id = (await lifecycle.open_case(new_case(config), group_chat_id=-1001000001101)).case.id
    await lifecycle.apply(case_id, Action.ACCEPT, LEADER)  # the group: card, then card update
    delivery = RecordingDelivery()
    drainer = OutboxDrainer(db, config, clock, delivery, parallel=1)
    original = delivery.deliver

    async def deliver_then_stop(notice: OutboxRecord, case: CaseRecord | None) -> Delivered:
        result = await original(notice, case)
        drainer.stop()  # shutdown arrives while the first notice is on its way
        return result

    delivery.deliver = deliver_then_stop  # type: ignore[method-assign]  # a test double replaces one method
    await drainer.drain_once()
    statuses = [n.status for n in await outbox_sql.list_for_case(db.reader, case_id)]
    assert statuses.count("sent") == 1 and "pending" in statuses


async def test_a_group_gets_at_most_20_a_minute_and_an_urgent_card_still_goes_at_once(
    db: Database, config: Config, clock: ManualClock
) -> None:
    group = -1001000001101
    lifecycle = Lifecycle(db, config, clock)
    for n in range(25):  # ordinary cards: more than a minute's share
        await lifecycle.open_case(
            new_case(config, message_id=500 + n, text=f"{n + 1}号楼的路灯坏了"),
            group_chat_id=group,
        )
    delivery = RecordingDelivery()
    drainer = OutboxDrainer(db, config, clock, delivery)
    while await drainer.drain_once():
        pass

    def in_group() -> int:
        return sum(1 for _, chat in delivery.sent if chat == group)

    # 20 a minute is Telegram's limit; the last two of them are kept for urgent cases
    assert in_group() == 18
    await lifecycle.open_case(
        new_case(config, urgent=True, message_id=900, text="5号楼燃气泄漏 好大的煤气味"),
        group_chat_id=group,
    )
    while await drainer.drain_once():
        pass
    assert in_group() == 19  # the urgent card went at once, the ordinary ones still wait
    clock.advance(30)
    while await drainer.drain_once():
        pass
    assert in_group() == 19  # still within the minute
    clock.advance(35)
    while await drainer.drain_once():
        pass
    assert in_group() == 26  # a minute on, the rest
