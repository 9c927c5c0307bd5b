"""Webhook mode with several workers: the listener takes only updates that carry the secret,
stores each once and answers at once; N worker processes on one SQLite file handle every
update once, each chat's in order, take over a killed worker's updates after its lease, and
fire a due deadline once."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.cases.models import Action
from bot.cli.demo_people import DEMO_BOT
from bot.config import Config
from bot.delivery.inbox import Inbox
from bot.timing.clock import ManualClock, SystemClock
from handlers.webhook import MAX_BODY, SECRET_HEADER, WebhookListener
from simulator.client import ControlClient
from simulator.seed import seed
from simulator.server import SimulatorServer
from storage.db import Database
from tests.deadline_harness import Process
from tests.fault_harness import EXAMPLE, GRIDBOT, _reports, _spec
from tests.pg_server import PgServer
from tests.webhook_harness import (
    SECRET,
    WebhookBot,
    bot_messages,
    cards,
    until_carded,
)

pytestmark = pytest.mark.timeout(150)
BOT_ID = int(DEMO_BOT["token"].split(":")[0])


def _update(update_id: int, message_id: int, text: str = "3号楼路灯坏了") -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": message_id, "date": int(time.time()), "text": text,
            "chat": {"id": -1001000001101, "type": "supergroup", "title": "群"},
            "from": {"id": 7000000, "is_bot": False, "first_name": "住户"},
        },
    }  # fmt: skip


# --- the listener alone --------------------------------------------------------------------


async def test_the_listener_stores_only_what_carries_the_secret(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "inbox.sqlite3")
    inbox = Inbox(db, SystemClock())
    listener = WebhookListener(inbox, secret=SECRET, path="/hook")
    await listener.start("127.0.0.1", 0)
    url = f"http://127.0.0.1:{listener.port}/hook"
    good = {SECRET_HEADER: SECRET}
    try:
        async with aiohttp.ClientSession() as http:

            async def post(body: Any, headers: dict[str, str], **kw: Any) -> int:
                async with http.post(url, json=body, headers=headers, **kw) as response:
                    return response.status

            assert await post(_update(1, 11), {}) == 403
            assert await post(_update(2, 12), {SECRET_HEADER: SECRET + "x"}) == 403
            assert await post(_update(3, 13), {SECRET_HEADER: ""}) == 403
            async with http.get(url.replace("/hook", "/other")) as response:
                assert response.status == 403  # every request is checked, any path
            assert await inbox.counts() == {}
            async with http.post(url, data=b"{not json", headers={
                **good, "Content-Type": "application/json"}) as response:  # fmt: skip
                assert response.status == 400
            async with http.post(url, data=b"update_id=4", headers=good) as response:
                assert response.status == 400  # not JSON at all
            assert await post({"update_id": "5", "message": {}}, good) == 400
            assert await post([1, 2], good) == 400
            big = _update(6, 16, "长" * (MAX_BODY // 2))
            assert await post(big, good) == 413
            assert await inbox.counts() == {}
            assert await post(_update(7, 17), good) == 200
            assert await post(_update(7, 17), good) == 200  # Telegram sent it again
            assert await post(_update(8, 17), good) == 200  # the same message, a new update
            assert await inbox.counts() == {"waiting": 1}
    finally:
        await listener.stop()
        await db.close()


def test_a_secret_telegram_would_refuse_is_refused_at_once(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="secret token"):
        WebhookListener(None, secret="with space")  # type: ignore[arg-type]  # never reached


@pytest.mark.parametrize(
    ("words", "env", "said"),
    [
        (["--workers", "3"], {}, "add --webhook URL"),
        (["--webhook", "ftp://example.org/hook"], {}, "--webhook wants"),
        (["--webhook", "https://example.org/hook", "--listen", "8443"], {}, "HOST:PORT"),
        (["--webhook", "https://example.org/hook", "--workers", "0"], {}, "at least 1"),
        (["--webhook", "https://example.org/hook"], {"GRIDBOT_WEBHOOK_SECRET": "a b"}, "may hold"),
    ],
)
def test_a_wrong_webhook_invocation_says_what_is_wrong(
    tmp_path: Path, words: list[str], env: dict[str, str], said: str
) -> None:
    done = subprocess.run(
        [*GRIDBOT, "run", "--config", str(EXAMPLE), "--db", str(tmp_path / "x.sqlite3"), *words],
        env={**os.environ, "TELEGRAM_BOT_TOKEN": DEMO_BOT["token"], **env},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2 and said in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "x.sqlite3").exists()


# --- real processes -----------------------------------------------------------------------


async def test_an_update_posted_twice_is_handled_once(tmp_path: Path, config: Config) -> None:
    spec = _spec(config)
    chat = spec["groups"][0]["chat_id"]
    async with SimulatorServer() as server, ControlClient(server.base_url) as control:
        await seed(server, spec)
        resident = spec["groups"][0]["members"][-1]
        sent = await control.send(chat, resident, "/report 5号楼电梯又坏了 困了人")
        (update,) = await control.pending_updates(BOT_ID)  # waits for the webhook
        bot = WebhookBot(server, tmp_path, workers=2, secret=None)  # the listener draws one
        await bot.start()
        try:
            await bot.running()
            drawn = server.state.bots[BOT_ID].webhook_secret  # what setWebhook was given
            assert len(drawn) >= 32
            again = {**update, "update_id": update["update_id"] + 1000}  # a redelivery
            async with aiohttp.ClientSession() as http:
                for body, secret in ((update, SECRET), (update, drawn), (again, drawn)):
                    async with http.post(
                        bot.url, data=json.dumps(body), headers={
                            SECRET_HEADER: secret, "Content-Type": "application/json"},
                    ) as response:  # fmt: skip
                        assert response.status == (403 if secret == SECRET else 200)
            await until_carded(control, [chat], 1, within=30)
            found = cards(await bot_messages(control, [chat]))
        finally:
            assert await bot.terminate() == 0
    assert drawn not in bot.log_text()  # never printed nor logged
    assert list(found) == [(chat, sent["message_id"])]
    assert len(found[(chat, sent["message_id"])]) == 1
    assert bot.query("SELECT COUNT(*) FROM cases") == [(1,)]
    assert bot.query("SELECT status, COUNT(*) FROM inbox GROUP BY 1") == [("handled", 1)]


async def _burst(
    tmp_path: Path,
    config: Config,
    *,
    workers: int,
    reports: int,
    kill: bool = False,
    db: str | None = None,
) -> tuple[dict[tuple[int, int], list[str]], list[tuple[int, int]], WebhookBot, dict[str, Any]]:
    """Post the reports in one go to N workers (and kill -9 one mid-run); count the cards."""
    spec = _spec(config)
    chats = [g["chat_id"] for g in spec["groups"]]
    facts: dict[str, Any] = {}
    async with SimulatorServer() as server, ControlClient(server.base_url) as control:
        await seed(server, spec)
        bot = WebhookBot(server, tmp_path, workers=workers, lease=2, db=db)
        await bot.start()
        try:
            await bot.running()
            await control.send_many(_reports(spec, reports))
            if kill:
                facts.update(await _kill_a_busy_worker(bot))
            await until_carded(control, chats, reports, within=90)
            messages = await bot_messages(control, chats)
            posted = []
            for chat in chats:
                posted += [
                    (chat, m["message_id"])
                    for m in await control.transcript(chat)
                    if not m.get("from_bot") and (m.get("text") or "").startswith("/report")
                ]
        finally:
            facts["exit"] = await bot.terminate()
    return cards(messages), posted, bot, facts


async def _kill_a_busy_worker(bot: WebhookBot) -> dict[str, Any]:
    """kill -9 worker 2 while it holds claims on updates; which ones it held."""
    pid = bot.worker_pids()[2]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        held = bot.query(
            "SELECT update_id FROM inbox WHERE status = 'waiting' AND claimed_by LIKE ?",
            f"w2-{pid}-%",
        )
        if held:
            os.kill(pid, signal.SIGKILL)
            return {"held": [u for (u,) in held], "killed": pid}
        await asyncio.sleep(0.01)
    raise AssertionError("worker 2 never held an update")


def _in_order(found: dict[tuple[int, int], list[str]]) -> bool:
    """In each chat, later reports got later case numbers: handled in the order posted."""
    by_chat: dict[int, list[tuple[int, str]]] = {}
    for (chat, message), numbers in found.items():
        by_chat.setdefault(chat, []).append((message, numbers[0]))
    return all(
        [n for _, n in sorted(pairs)] == sorted(n for _, n in pairs) for pairs in by_chat.values()
    )


async def test_three_workers_handle_every_report_once_in_order_per_chat(
    tmp_path: Path, config: Config
) -> None:
    found, posted, bot, facts = await _burst(tmp_path, config, workers=3, reports=196)
    assert len(posted) == 196 and len({chat for chat, _ in posted}) == 14
    assert sorted(found) == sorted(posted)  # every report answered, none lost
    assert all(len(numbers) == 1 for numbers in found.values())  # none answered twice
    assert _in_order(found)
    assert bot.query(
        "SELECT COUNT(*), COUNT(DISTINCT chat_id || ':' || message_id) FROM cases"
    ) == [(196, 196)]
    # The work was shared: every worker handled some of the updates.
    handlers = bot.query("SELECT DISTINCT substr(claimed_by, 1, 2) FROM inbox")
    assert sorted(h for (h,) in handlers) == ["w1", "w2", "w3"]
    assert facts["exit"] == 0


async def test_workers_on_postgresql_keep_every_case_in_postgresql(
    tmp_path: Path, config: Config, pg_server: PgServer
) -> None:
    name, db_target = pg_server.new_database()
    try:
        found, posted, _, facts = await _burst(
            tmp_path, config, workers=2, reports=28, db=db_target
        )
        db = await Database.open(db_target)
        try:
            rows = await db.reader.execute_fetchall("SELECT COUNT(*) FROM cases")
        finally:
            await db.close()
    finally:
        pg_server.drop_database(name)
    assert sorted(found) == sorted(posted) and all(len(n) == 1 for n in found.values())
    assert _in_order(found)
    assert int(list(rows)[0][0]) == 28  # in the server's database, not a file named after it
    assert not list(tmp_path.glob("postgres*"))  # noqa: ASYNC240  # the workers have stopped
    assert facts["exit"] == 0


async def test_a_killed_workers_updates_are_taken_over_after_its_lease(
    tmp_path: Path, config: Config
) -> None:
    found, posted, bot, facts = await _burst(tmp_path, config, workers=3, reports=98, kill=True)
    assert facts["held"] and facts["exit"] == 0
    assert "ended with status -9" in bot.log_text()
    assert sorted(found) == sorted(posted)  # nothing lost
    assert bot.query(
        "SELECT COUNT(*), COUNT(DISTINCT chat_id || ':' || message_id) FROM cases"
    ) == [(98, 98)]  # no report became two cases
    marks = ",".join("?" * len(facts["held"]))
    assert bot.query(
        f"SELECT status, COUNT(*) FROM inbox WHERE update_id IN ({marks}) GROUP BY 1",
        *facts["held"],
    ) == [("handled", len(facts["held"]))]
    # A card sent and not yet marked sent when the worker died goes again after the lease
    # (Telegram has no idempotent send): at most the sends that worker had in flight.
    doubled = sum(len(numbers) > 1 for numbers in found.values())
    assert doubled <= 8
    assert _in_order(found)


async def test_a_deadline_due_while_three_workers_run_fires_once(
    tmp_path: Path, config: Config
) -> None:
    spec = _spec(config)
    async with SimulatorServer() as server, ControlClient(server.base_url) as control:
        await seed(server, spec)
        bot = WebhookBot(server, tmp_path, workers=3)
        # A case whose accept deadline falls while the workers run.
        process = await Process(bot.db, config, ManualClock(int(time.time()))).start()
        case = await process.open_case()
        await process.close()
        await bot.start()
        try:
            await bot.running()
            # Set once they all run (a start takes 7-13 s on a loaded machine): each keeper
            # picks the changed case up at its next tick, within 30 s, and finds it due.
            due = int(time.time()) + 5
            _set_due(bot, case.id, due)
            while not bot.query(
                "SELECT 1 FROM case_events WHERE case_id = ? AND action = ?", case.id,
                Action.ESCALATE.value,
            ):  # fmt: skip
                assert time.time() < due + 60, bot.log_text()
                await asyncio.sleep(0.2)
            await asyncio.sleep(3)  # time for a second firing, if there were one
            messages = await bot_messages(control, [g["chat_id"] for g in spec["groups"]])
            for chat in await control.chats():
                if chat["id"] > 0:  # private chats: the people the escalation told
                    messages += await bot_messages(control, [chat["id"]])
        finally:
            assert await bot.terminate() == 0
    events = bot.query(
        "SELECT action FROM case_events WHERE case_id = ? AND action = ?", case.id,
        Action.ESCALATE.value,
    )  # fmt: skip
    assert len(events) == 1
    timers = bot.query(
        "SELECT outcome FROM deadline_timers WHERE case_id = ? AND kind = 'accept_due'"
        " AND due_at = ?", case.id, due,
    )  # fmt: skip
    assert timers == [("escalated",)]
    about = [(m["chat"]["id"], m["text"]) for m in messages if case.number in (m.get("text") or "")]
    assert len(about) == len(set(about))  # no message about the case went out twice
    # The notices the firing queued (private ones may wait for the end of the quiet hours):
    # one assignment to the level above, one reminder, each once.
    # Two edits of the copies a chat holds (one after the reminder is kept, one after the
    # escalation) are different notices: the payload tells them apart.
    queued = bot.query("SELECT kind, chat_id, payload FROM outbox WHERE case_id = ?", case.id)
    assert len(queued) == len(set(queued))
    assigned = [chat for kind, chat, _ in queued if kind == "assigned"]
    assert len(assigned) == 2 and case.assignee_id in assigned  # the first, and the escalation's
    assert [kind for kind, _, _ in queued].count("reminder") == 1


def _set_due(bot: WebhookBot, case_id: int, due: int) -> None:
    import sqlite3

    with sqlite3.connect(bot.db, timeout=30) as conn:  # the workers write too
        # updated_at: how a running keeper learns of a changed case
        conn.execute(
            "UPDATE cases SET accept_due = ?, updated_at = ? WHERE id = ?",
            (due, int(time.time()), case_id),
        )
        conn.execute("DELETE FROM deadline_timers WHERE case_id = ?", (case_id,))
