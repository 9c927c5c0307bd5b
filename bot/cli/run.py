"""The composition root: builds the services and the Telegram application and runs them.

Only this module and bot/cli.py may import every layer (handlers, simulator).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from pathlib import Path

from bot.config import ConfigError, load_config
from bot.config.env import load_env_settings
from bot.services import Services

log = logging.getLogger("gridbot")


def _logging() -> None:
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO
    )
    # httpx logs every poll at INFO; keep the console for what matters.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def run_command(config_path: str, *, db_path: str) -> int:
    """`gridbot run`: the bot against TELEGRAM_API_BASE_URL with TELEGRAM_BOT_TOKEN."""
    _logging()
    settings = load_env_settings()
    if settings.token is None:
        print(
            "gridbot run: set TELEGRAM_BOT_TOKEN in the environment or a .env file", file=sys.stderr
        )
        return 2
    try:
        config = load_config(config_path)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            _run(
                config,
                Path(db_path),
                token=settings.token.get_secret_value(),
                base_url=settings.api_base_url,
                base_file_url=settings.file_base_url,
            )
        )
    return 0


async def _run(config, db_path: Path, *, token: str, base_url: str, base_file_url: str) -> None:
    from handlers.app import build_application, start_application, stop_application

    services = await Services.open(config, db_path)
    application = build_application(
        services, token=token, base_url=base_url, base_file_url=base_file_url
    )
    try:
        await start_application(application)
        log.info("gridbot is running; Ctrl-C stops it")
        await asyncio.Event().wait()
    finally:
        await stop_application(application)
        await services.close()


def demo_command(config_path: str, *, host: str, port: int, data: str, reset: bool | None) -> int:
    """`gridbot demo`: the local Telegram with its web chat, seeded, and the bot on it."""
    _logging()
    try:
        config = load_config(config_path)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    folder = Path(data)
    db_path = folder / "gridbot.sqlite3"
    if db_path.exists() and reset is None:
        reset = _ask_reset(db_path)
    if reset:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    try:
        asyncio.run(_demo(config, db_path, host=host, port=port))
    except KeyboardInterrupt:
        print("\n再见！demo 已停止。")
    except OSError as error:
        print(
            f"gridbot demo: cannot listen on {host}:{port}: {error.strerror or error}",
            file=sys.stderr,
        )
        return 1
    return 0


def _ask_reset(db_path: Path) -> bool:
    """A second run: keep the cases of the last one, unless the person says otherwise."""
    if not sys.stdin.isatty():
        print(f"reusing the data in {db_path} (run with --reset to start empty)")
        return False
    answer = input(f"{db_path} 里有上次 demo 的数据。清空重来吗？[y/N] ").strip().lower()
    return answer in ("y", "yes", "是")


async def _demo(config, db_path: Path, *, host: str, port: int) -> None:
    from bot.cli.demo_people import DEMO_BOT, simulator_spec
    from handlers.app import build_application, start_application, stop_application
    from simulator.seed import seed
    from simulator.server import SimulatorServer

    server = SimulatorServer(host, port)
    await server.start()
    await seed(server, simulator_spec(config))
    services = await Services.open(config, db_path)
    application = build_application(
        services,
        token=DEMO_BOT["token"],
        base_url=server.api_base_url,
        base_file_url=server.file_base_url,
    )
    try:
        await start_application(application)
        print()
        print("  网格通 demo 已启动，在浏览器中打开：")
        print(f"  {server.base_url}")
        print("  左上角切换身份（居民、网格长、街道干部……），在网格群里说出问题试试。Ctrl-C 停止。")
        print()
        await asyncio.Event().wait()
    finally:
        await stop_application(application)
        await services.close()
        await server.stop()
