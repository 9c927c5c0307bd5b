"""The composition root: builds the services and the Telegram application and runs them.

Only this module and bot/cli.py may import every layer (handlers, simulator).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

from telegram import Update

from bot.config import ConfigError, load_config
from bot.services import Services
from bot.settings import load_env_settings

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
    try:
        asyncio.run(
            _run(
                config,
                Path(db_path),
                token=settings.token.get_secret_value(),
                base_url=settings.api_base_url,
                base_file_url=settings.file_base_url,
            )
        )
    except KeyboardInterrupt:
        pass
    return 0


async def _run(config, db_path: Path, *, token: str, base_url: str, base_file_url: str) -> None:  # noqa: ANN001
    from handlers.app import build_application

    services = await Services.open(config, db_path)
    application = build_application(services, token=token, base_url=base_url, base_file_url=base_file_url)
    try:
        async with application:
            await application.start()
            await application.updater.start_polling(allowed_updates=Update.ALL_TYPES)
            log.info("gridbot is running; Ctrl-C stops it")
            try:
                await asyncio.Event().wait()
            finally:
                await application.updater.stop()
                await application.stop()
    finally:
        await services.close()
