"""The two ways people start the bot: `gridbot demo`, and `gridbot run` against any Bot API server
named only by the environment."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from bot.cli.demo_people import DEMO_BOT, simulator_spec
from bot.cli.main import _parser as gridbot_parser
from bot.config import Config
from simulator.client import ControlClient
from simulator.seed import seed
from simulator.server import SimulatorServer
from storage import cases as case_sql
from storage.db import Database
from tests.conftest import EXAMPLE, ROOT
from tests.e2e import GROUP, WANG

GRIDBOT = [sys.executable, "-m", "bot.cli"]
pytestmark = pytest.mark.timeout(90)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _wait_card(control: ControlClient, text: str) -> str:
    await control.send(GROUP, WANG, text)
    message = await control.wait_bot_message(GROUP, timeout=20)
    return message["text"]


async def test_run_talks_to_the_server_the_environment_names(
    tmp_path: Path, config: Config, db_target: str
) -> None:
    """On SQLite (a file) and on PostgreSQL (`--db postgresql://…`)."""
    async with SimulatorServer() as server:
        await seed(server, simulator_spec(config))
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": DEMO_BOT["token"],
            "TELEGRAM_API_BASE_URL": server.api_base_url,
        }
        process = await asyncio.create_subprocess_exec(
            *GRIDBOT, "run", "--config", str(EXAMPLE), "--db", db_target,
            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            async with ControlClient(server.base_url) as control:
                card = await _wait_card(control, "/report 3号楼门口的垃圾桶盖子掉了")
            assert "案件" in card
        finally:
            process.send_signal(signal.SIGINT)
            await asyncio.wait_for(process.wait(), 20)
        assert process.returncode == 0
    db = await Database.open(db_target)  # the case is in the database named by --db
    try:
        assert await case_sql.count_cases(db.reader) == 1
    finally:
        await db.close()


def test_run_says_clearly_when_the_postgresql_server_cannot_be_reached(tmp_path: Path) -> None:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": DEMO_BOT["token"]}
    url = f"postgresql://gridbot:secret@/gridbot?host={tmp_path}"
    done = subprocess.run(
        [*GRIDBOT, "run", "--config", str(EXAMPLE), "--db", url],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert "cannot reach PostgreSQL" in done.stderr and "Traceback" not in done.stderr
    assert "secret" not in done.stderr


async def _run_bot(server: SimulatorServer, folder: Path) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": DEMO_BOT["token"],
        "TELEGRAM_API_BASE_URL": server.api_base_url,
    }
    return await asyncio.create_subprocess_exec(
        *GRIDBOT, "run", "--config", str(EXAMPLE), "--db", str(folder / "run.sqlite3"),
        cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


async def test_sigterm_stops_the_running_bot_cleanly_within_ten_seconds(
    tmp_path: Path, config: Config
) -> None:
    async with SimulatorServer() as server:
        await seed(server, simulator_spec(config))
        process = await _run_bot(server, tmp_path)
        async with ControlClient(server.base_url) as control:
            assert "案件" in await _wait_card(control, "/report 3号楼门口的垃圾桶盖子掉了")
        begun = time.monotonic()
        process.send_signal(signal.SIGTERM)  # systemctl stop, docker stop
        _, errors = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0, errors.decode(errors="replace")
    assert time.monotonic() - begun < 10
    assert b"Traceback" not in errors


async def _reached(process: asyncio.subprocess.Process, moment: str, folder: Path) -> None:
    """Wait for a moment of the start: the database file made (its migrations under way), or
    simply a while after the process began (imports, configuration)."""
    if moment == "database":
        for _ in range(2000):
            if (folder / "run.sqlite3").exists() or process.returncode is not None:
                return
            await asyncio.sleep(0.005)
    else:
        await asyncio.sleep(float(moment))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_a_stop_signal_during_start_up_is_no_error(
    tmp_path: Path, config: Config, signum: signal.Signals
) -> None:
    """At any moment of the start (imports, migrations, getMe, the first poll): exit 0, quietly.
    (Not while the interpreter itself starts, before any of our code runs: nothing to do there.)"""
    async with SimulatorServer() as server:
        await seed(server, simulator_spec(config))
        for n, moment in enumerate(("database", "1.0", "2.0", "3.0")):
            folder = tmp_path / str(n)
            folder.mkdir()
            process = await _run_bot(server, folder)
            await _reached(process, moment, folder)
            process.send_signal(signum)
            try:
                _, errors = await asyncio.wait_for(process.communicate(), 20)
            except TimeoutError:
                process.kill()
                _, errors = await process.communicate()
                text = errors.decode(errors="replace")
                pytest.fail(f"still running 20 s after the signal at {moment}; stderr:\n{text}")
            text = errors.decode(errors="replace")
            assert process.returncode == 0, f"{moment}: {text}"
            assert "Traceback" not in text and "failed" not in text, f"{moment}: {text}"


def test_a_stop_signal_that_lands_inside_an_import_still_exits_quietly() -> None:
    """Python turns an exception raised inside a class's creation (as a signal handler's
    SystemExit would be, in the middle of an import) into a RuntimeError with a traceback."""
    script = (
        "import os, signal\n"
        "import importlib\n"
        "cli = importlib.import_module('bot.cli.main')\n"
        "class Descriptor:\n"
        "    def __set_name__(self, owner, name):\n"
        "        os.kill(os.getpid(), signal.SIGTERM)\n"
        "        sum(range(1_000_000))  # the handler runs here, while type() builds Owner\n"
        "def arguments():  # where main() reads its arguments, after taking the signals\n"
        "    class Owner:\n"
        "        field = Descriptor()\n"
        "    print('not stopped')\n"
        "cli._parser = arguments\n"
        "cli.main(['run'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_run_without_a_token_says_what_to_set(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    done = subprocess.run(
        [*GRIDBOT, "run", "--config", str(EXAMPLE)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "TELEGRAM_BOT_TOKEN" in done.stderr


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
async def test_demo_serves_the_web_chat_and_answers_reports(
    tmp_path: Path, signum: signal.Signals
) -> None:
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        *GRIDBOT, "demo", "--port", str(port), "--data", str(tmp_path / "data"), "--reset",
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        output = b""
        while f"http://127.0.0.1:{port}".encode() not in output:
            line = await asyncio.wait_for(process.stdout.readline(), 30)
            assert line, output.decode(errors="replace")
            output += line
        async with ControlClient(f"http://127.0.0.1:{port}") as control:
            card = await _wait_card(control, "/report 3号楼门口的垃圾桶盖子掉了")
            assert "案件" in card
        async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/") as page:
            assert page.status == 200 and "网格通" in await page.text()
    finally:
        process.send_signal(signum)
        rest = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0, rest[0].decode(errors="replace")
    assert "demo 已停止" in rest[0].decode(errors="replace")
    assert (tmp_path / "data" / "gridbot.sqlite3").exists()
    with socket.socket() as probe:  # the web server is gone with the demo
        probe.bind(("127.0.0.1", port))


def test_export_is_a_gridbot_command(tmp_path: Path, config: Config) -> None:
    from bot.cases.lifecycle import Lifecycle
    from bot.cli import main
    from bot.timing.clock import ManualClock
    from storage.db import Database
    from tests.conftest import local_ts
    from tests.factories import new_case

    async def one_case() -> None:
        db = await Database.open(tmp_path / "cases.sqlite3")
        report = new_case(config, text="3号楼路灯坏了 电话13812345678")
        await Lifecycle(db, config, ManualClock(local_ts("2026-11-25 10:00"))).open_case(
            report, group_chat_id=None
        )
        await db.close()

    asyncio.run(one_case())
    output = tmp_path / "cases.csv"
    code = main(["export", "--format", "csv", "--db", str(tmp_path / "cases.sqlite3"), "--config", str(EXAMPLE),
                 "--from", "2026-11-01", "--to", "2026-11-30", "--output", str(output)])  # fmt: skip
    text = output.read_text(encoding="utf-8-sig")
    assert code == 0 and "2026-000001" in text
    assert "138****5678" in text and "13812345678" not in text


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = gridbot_parser()
    (commands,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(commands.choices)


@pytest.mark.parametrize("command", ["demo", "run", "export", "check-config"])
def test_help_describes_every_option(command: str) -> None:
    done = subprocess.run(
        [*GRIDBOT, command, "--help"], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.startswith(f"usage: gridbot {command}")
    for action in _subcommands()[command]._actions:
        assert action.help and action.help != argparse.SUPPRESS, action.dest
        shown = action.option_strings[-1] if action.option_strings else action.dest
        assert shown in done.stdout


def test_demo_help_names_the_quiet_hours_choice() -> None:
    done = subprocess.run(
        [*GRIDBOT, "demo", "--help"], capture_output=True, text=True, timeout=60, check=True
    )
    assert "--quiet-hours" in done.stdout and "--reset" in done.stdout


async def test_run_against_a_closed_port_says_so_in_one_line_per_try(tmp_path: Path) -> None:
    """No traceback wall: one line per attempt naming the address, and Ctrl-C ends it cleanly."""
    url = f"http://127.0.0.1:{_free_port()}/bot"
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": DEMO_BOT["token"], "TELEGRAM_API_BASE_URL": url}
    process = await asyncio.create_subprocess_exec(
        *GRIDBOT, "run", "--config", str(EXAMPLE), "--db", str(tmp_path / "run.sqlite3"),
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    lines: list[str] = []
    try:
        while sum("retrying" in line for line in lines) < 2:
            raw = await asyncio.wait_for(process.stderr.readline(), 60)
            assert raw, f"gridbot run ended: {lines}"
            lines.append(raw.decode())
    finally:
        process.send_signal(signal.SIGINT)
        _, rest = await asyncio.wait_for(process.communicate(), 20)
    lines += rest.decode().splitlines()
    tries = [line for line in lines if "retrying" in line]
    assert all(url in line and "cannot reach" in line for line in tries)
    assert not any("Traceback" in line or line.startswith("  File ") for line in lines), lines
    assert DEMO_BOT["token"] not in "".join(lines)
    assert process.returncode == 0
