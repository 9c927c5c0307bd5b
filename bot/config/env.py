"""Settings from the environment: the bot token and the Bot API addresses.

These never live in the TOML configuration. A `.env` file in the working directory is
read too, but a variable set in the real environment always wins over it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, SecretStr

TOKEN_VAR = "TELEGRAM_BOT_TOKEN"
API_BASE_VAR = "TELEGRAM_API_BASE_URL"
FILE_BASE_VAR = "TELEGRAM_FILE_BASE_URL"

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_FILE_BASE_URL = "https://api.telegram.org/file/bot"


class EnvSettings(BaseModel):
    """The token (kept secret in reprs and logs) and the Bot API base addresses."""

    model_config = ConfigDict(frozen=True)

    token: SecretStr | None = None
    api_base_url: str = DEFAULT_API_BASE_URL
    file_base_url: str = DEFAULT_FILE_BASE_URL


def file_base_from_api_base(api_base_url: str) -> str:
    """Derive the file download base: `…/bot` becomes `…/file/bot`."""
    base = api_base_url.rstrip("/")
    if base.endswith("/bot"):
        return base[: -len("/bot")] + "/file/bot"
    return base + "/file/bot"


def load_env_settings(
    env_file: Path | None = Path(".env"), environ: Mapping[str, str] | None = None
) -> EnvSettings:
    """Read settings from `environ` (default os.environ), falling back to `env_file`."""
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)

    token = values.get(TOKEN_VAR, "").strip()
    api_base = values.get(API_BASE_VAR, "").strip() or DEFAULT_API_BASE_URL
    file_base = values.get(FILE_BASE_VAR, "").strip() or file_base_from_api_base(api_base)
    return EnvSettings(
        token=SecretStr(token) if token else None,
        api_base_url=api_base,
        file_base_url=file_base,
    )
