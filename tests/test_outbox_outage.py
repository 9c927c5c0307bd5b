"""A 90-second Bot API outage, over the local simulator with a controlled clock: no notice is
lost, each arrives once, in its chat's order, urgent cases' first."""

from __future__ import annotations

import random
from collections import Counter

from bot.cases.models import NoticeKind
from handlers import texts
from tests.e2e import GROUP, LI, WANG, Live

REPORTS = [
    (WANG, "/report 3号楼路灯坏了 晚上楼道里一片黑"),
    (LI, "/report 城河小区5号楼门口的垃圾桶翻倒了 麻烦网格员扶一下"),
    (WANG, "/report 5号楼楼道里全是烟 好像着火了"),
]


async def _outbox(live: Live) -> list[tuple[int, int, str, str, int | None]]:
    rows = await live.services.db.reader.execute_fetchall(
        "SELECT id, chat_id, kind, status, case_id FROM outbox ORDER BY id"
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]  # rows of five plain values


async def _pass(live: Live, seconds: int, step: int = 10) -> None:
    for _ in range(seconds // step):
        live.clock.advance(step)
        await live.settle()


async def test_a_90_second_outage_loses_nothing_and_sends_each_notice_once_in_order(
    live: Live,
) -> None:
    live.application.bot_data.drainer.rng = random.Random(14)  # jitter the test can repeat
    live.server.configure_faults(
        {"share_5xx": 1.0, "error_statuses": [502, 503], "methods": ["sendmessage"]}
    )
    for user, text in REPORTS:
        await live.say(GROUP, user, text)
        await live.settle()
        live.clock.advance(5)
    await _pass(live, 90)
    assert await live.bot_messages(GROUP) == []  # every send failed meanwhile
    attempts = await live.services.db.reader.execute_fetchall("SELECT attempts FROM outbox")
    assert max(a for (a,) in attempts) >= 3

    live.server.configure_faults({})  # Telegram is back
    await _pass(live, 400)

    rows = await _outbox(live)
    assert {status for *_, status, _ in rows} == {"sent"}  # nothing lost, nothing given up
    # each notice arrived once: as many bot messages in each chat as notices for it
    per_chat = Counter(chat for _, chat, *_ in rows)
    for chat, count in per_chat.items():
        assert len(await live.bot_messages(chat)) == count, chat
    # the group: the urgent case's card first, then the others in the order reported
    cards = [m["text"] for m in await live.bot_messages(GROUP)]
    urgent = await live.case()
    assert urgent.urgent and urgent.number in cards[0] and texts.URGENT_MARK in cards[0]
    others = [case_id for _, chat, kind, _, case_id in rows if kind == NoticeKind.CASE_CARD]
    others = [i for i in others if i != urgent.id]
    numbers = [
        (await live.services.lookup.case(case_id)).number  # type: ignore[union-attr]  # queued for an existing case
        for case_id in others
    ]
    assert [n for c in cards[1:] for n in numbers if n in c] == numbers
