"""Loading a configuration: read the TOML, validate it, and report every problem at once.

`load_config` raises a `ConfigError` holding `ConfigIssue`s, each with the file, the field path
(`streets[0].communities[1].grids[2].chat_id`) and, when it can be found in the source text, the
line. Cross-references (duplicate ids, unknown users, category coverage) are checked on the raw
TOML data, so they are reported even when some other field fails type validation.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.config.checks import cross_issues
from bot.config.errors import (
    ConfigError,
    ConfigIssue,
    pydantic_issues,
    syntax_issue,
    token_issues,
)
from bot.config.models import Config
from bot.config.toml_lines import LineFinder


def load_config(path: str | Path) -> Config:
    """Read, parse and validate a TOML configuration; raise ConfigError with every problem."""
    path = Path(path)
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([ConfigIssue(file, "", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([ConfigIssue(file, "", f"cannot read the file: {exc}")]) from None
    config = parse_config_text(text, file=file)
    config.source = path
    return config


def parse_config_text(text: str, *, file: str = "<config>") -> Config:
    """Parse and validate TOML text; `file` names it in the issues."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([syntax_issue(file, exc)]) from None
    # The data is fresh from the parser and nobody else holds it: no copy (a 10,000-grid city
    # spent a third of its validation time copying).
    return _validate(data, file=file, text=text)


def validate_config_data(data: dict[str, Any], *, file: str = "<config>", text: str = "") -> Config:
    """Validate already-parsed configuration data; `text`, when given, supplies line numbers.
    The caller's data is left as it was."""
    return _validate(copy.deepcopy(data), file=file, text=text)


def _validate(data: dict[str, Any], *, file: str, text: str) -> Config:
    issues = list(token_issues(data, ""))
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        config = None
        issues.extend(pydantic_issues(exc))
    issues.extend(cross_issues(data))
    if issues:
        lines = LineFinder(text)
        located = [ConfigIssue(file, path, message, lines.find(path)) for path, message in issues]
        located.sort(key=lambda i: (i.line is None, i.line or 0))
        raise ConfigError(located)
    assert config is not None
    return config
