"""End to end: a message that may be a report is never answered in the group; it reaches the grid
leader privately, batched, and the leader's 立案 / 不是 decides it (and is kept as a label)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.cli.demo_people import simulator_spec
from bot.config import Config
from bot.timing.clock import ManualClock
from nlp.decide import CASE_THRESHOLD, REVIEW_THRESHOLD
from simulator.seed import seed
from simulator.server import SimulatorServer
from storage import review as review_sql
from tests.conftest import local_ts
from tests.e2e import GROUP, LEADER, LI, WANG, Live, button_data, buttons, running_bot

UNSURE = "那边好像有点不对劲"
WITH_PHONE = "楼下好像一直有股怪味 我电话13812345678"
OTHER_LEADER = 100003  # 城河二网格's leader: staff, but not over this grid


class _Unsure:
    """The real parser, but always unsure: so the test does not depend on the model's margin."""

    def __init__(self, parser: object) -> None:
        self.parser = parser

    def parse(self, text: str, **kw: object):
        result = self.parser.parse(text, **kw)  # type: ignore[attr-defined]
        return result.model_copy(
            update={
                "is_report": True,
                "urgent": False,
                "confidence": 0.4,
                "report_probability": (CASE_THRESHOLD + REVIEW_THRESHOLD) / 2,  # review
                "category": result.category or "other",
                "level": result.level or 1,
            }
        )


async def _unsure_messages(live: Live, *texts: str) -> list[dict[str, Any]]:
    live.services.intake.parser = _Unsure(live.services.intake.parser)
    sent = [await live.say(GROUP, (WANG, LI)[i % 2], text) for i, text in enumerate(texts)]
    await live.settle()
    return sent


async def _batch(live: Live) -> dict[str, Any]:
    """Past the batch window, the leader's waiting items go out: the message they get."""
    live.clock.advance(live.services.config.intake.review_batch_minutes * 60)
    await live.services.review.send_due()
    await live.settle()
    return await live.last_bot_message(LEADER)


async def test_an_unsure_message_is_silent_in_the_group_and_batched_to_the_leader(
    live: Live,
) -> None:
    await _unsure_messages(live, UNSURE, WITH_PHONE)
    assert await live.bot_messages(GROUP) == []
    assert await live.bot_messages(LEADER) == []  # not one message each, as they come
    batch = await _batch(live)
    assert len(await live.bot_messages(LEADER)) == 1
    text = batch["text"]
    assert text.count("可能是报事：") == 2 and UNSURE in text and "王阿姨" in text
    assert "138****5678" in text and "13812345678" not in text
    assert [b["text"] for b in buttons(batch)] == ["1 立案", "1 不是", "2 立案", "2 不是"]
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons(batch))
    assert await live.bot_messages(GROUP) == []
    assert await live.case_count() == 0


async def test_accepting_opens_the_case_with_its_card_replying_to_the_original(
    live: Live,
) -> None:
    [original] = await _unsure_messages(live, UNSURE)
    batch = await _batch(live)
    answer = await live.press(LEADER, batch, LEADER, "1 立案")
    await live.settle()
    case = await live.case()
    assert case.number in answer["answer"]["text"]
    assert (case.reporter_id, case.message_id) == (WANG, original["message_id"])
    [card] = await live.bot_messages(GROUP)
    assert case.number in card["text"]
    assert card["reply_to_message_id"] == original["message_id"]
    redrawn = next(
        m for m in await live.bot_messages(LEADER) if m["message_id"] == batch["message_id"]
    )
    assert f"已立案 {case.number}" in redrawn["text"] and buttons(redrawn) == []


async def test_accepting_a_message_with_a_phone_number_removes_it_from_the_group(
    live: Live,
) -> None:
    [original] = await _unsure_messages(live, WITH_PHONE)
    batch = await _batch(live)
    await live.press(LEADER, batch, LEADER, "1 立案")
    await live.settle()
    case = await live.case()
    assert "13812345678" in case.text  # the handler needs to call
    said = next(
        m for m in await live.control.transcript(GROUP) if m["message_id"] == original["message_id"]
    )
    assert said.get("deleted")  # as for a report the bot was sure of
    [card] = await live.bot_messages(GROUP)
    assert "13812345678" not in card["text"] and "隐藏" in card["text"]


async def test_not_a_report_closes_it_and_a_second_press_says_it_was_decided(
    live: Live,
) -> None:
    await _unsure_messages(live, UNSURE, WITH_PHONE)
    batch = await _batch(live)
    no, yes = button_data(batch, "1 不是"), button_data(batch, "1 立案")
    await live.press(LEADER, batch, LEADER, "1 不是")
    await live.settle()
    assert await live.case_count() == 0 and await live.bot_messages(GROUP) == []
    again = await live.press_as(LEADER, batch, LEADER, yes)  # an old copy of the list
    assert "已经处理过" in again["text"] and "不是报事" in again["text"]
    assert "已经处理过" in (await live.press_as(LEADER, batch, LEADER, no))["text"]
    assert await live.case_count() == 0
    redrawn = await live.last_bot_message(LEADER)
    assert [b["text"] for b in buttons(redrawn)] == ["2 立案", "2 不是"]  # the other still open


async def test_a_forged_press_by_someone_not_over_the_grid_is_refused(live: Live) -> None:
    await _unsure_messages(live, UNSURE)
    batch = await _batch(live)
    data = button_data(batch, "1 立案")
    for stranger in (LI, OTHER_LEADER):
        refused = await live.press_as(LEADER, batch, stranger, data)
        assert "网格长" in refused["text"]
    await live.settle()
    assert await live.case_count() == 0
    [item] = await _items(live)
    assert item.status == "open"


async def test_an_expired_item_says_so_when_pressed(live: Live) -> None:
    await _unsure_messages(live, UNSURE)
    batch = await _batch(live)
    live.clock.advance(25 * 3600)
    answer = await live.press(LEADER, batch, LEADER, "1 立案")
    assert "失效" in answer["answer"]["text"]
    await live.settle()
    assert await live.case_count() == 0


async def test_the_decision_is_kept_as_a_label_with_personal_data_masked(live: Live) -> None:
    await _unsure_messages(live, WITH_PHONE)
    batch = await _batch(live)
    await live.press(LEADER, batch, LEADER, "1 不是")
    await live.settle()
    [label] = await review_sql.latest_labels(live.services.db.reader)
    assert label.source == "review" and label.is_report is False and label.decided_by == LEADER
    assert label.text == "楼下好像一直有股怪味 我电话138****5678"
    assert "13812345678" not in str(label.parse)
    assert label.parse["confidence"] == 0.4  # the parse as it was
    [item] = await _items(live)
    assert "13812345678" not in item.text


async def _items(live: Live) -> list[review_sql.ReviewRecord]:
    rows = await live.services.db.reader.execute_fetchall("SELECT id FROM review_items ORDER BY id")
    return [await review_sql.get_review(live.services.db.reader, int(r[0])) for r in rows]


async def test_in_the_quiet_hours_the_batch_waits_for_the_morning(
    tmp_path: Path, config: Config
) -> None:
    clock = ManualClock(local_ts("2026-11-25 23:00"))
    async with running_bot(tmp_path / "quiet.sqlite3", config, clock) as live:
        await _unsure_messages(live, UNSURE)
        live.clock.advance(3 * 3600)
        await live.services.review.send_due()
        await live.settle()
        assert await live.bot_messages(LEADER) == []
        live.clock.set(local_ts("2026-11-26 07:31"))
        await live.services.review.send_due()
        await live.settle()
        assert UNSURE in (await live.last_bot_message(LEADER))["text"]


async def test_a_restart_keeps_the_waiting_items(tmp_path: Path, config: Config) -> None:
    clock = ManualClock(local_ts("2026-11-25 10:00"))
    path = tmp_path / "restart.sqlite3"
    # Deadlines off: a restart's catch-up digests are another test's subject.
    async with SimulatorServer() as server:  # one Telegram across the restart
        await seed(server, simulator_spec(config))
        async with running_bot(path, config, clock, deadlines=False, server=server) as live:
            await _unsure_messages(live, UNSURE)
        async with running_bot(path, config, clock, deadlines=False, server=server) as live:
            await live.say(GROUP, LI, "大家早上好")  # the group goes on after the restart
            batch = await _batch(live)
            assert UNSURE in batch["text"]
            await live.press(LEADER, batch, LEADER, "1 立案")
            await live.settle()
            case = await live.case()
            assert case.reporter_id == WANG and case.text == UNSURE


async def test_accepting_a_problem_reported_meanwhile_answers_me_too_in_the_group(
    live: Live,
) -> None:
    [original] = await _unsure_messages(live, "3号楼门口的路灯好像又不亮了")
    await live.say(GROUP, LI, "/report 3号楼门口的路灯坏了")
    await live.settle()
    case = await live.case()
    batch = await _batch(live)
    answer = await live.press(LEADER, batch, LEADER, "1 立案")
    await live.settle()
    assert "同问" in answer["answer"]["text"] and case.number in answer["answer"]["text"]
    me_too = await live.last_bot_message(GROUP)
    assert "同问" in me_too["text"] and me_too["reply_to_message_id"] == original["message_id"]
    assert await live.case_count() == 1
