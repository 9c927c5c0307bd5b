"""A configuration's problems: `ConfigIssue` (file, line, field path, message) and `ConfigError`.

Problems found by tomllib and pydantic are said here in words a person editing the TOML
understands (with a "did you mean" for a misspelt field).
"""

from __future__ import annotations

import difflib
import re
import tomllib
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ValidationError

from bot.config.models import GRID_TYPE_NAMES, Config
from bot.config.toml_lines import join_path as _join


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in a configuration file."""

    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ConfigError(Exception):
    """A configuration file with problems; `issues` holds all of them."""

    def __init__(self, issues: list[ConfigIssue]) -> None:
        super().__init__(issues)
        self.issues = issues

    def __str__(self) -> str:
        return "\n".join(str(issue) for issue in self.issues)


_TOKEN_KEYS = frozenset({"token", "bot_token", "telegram_bot_token"})


def syntax_issue(file: str, exc: tomllib.TOMLDecodeError) -> ConfigIssue:
    message = str(exc)
    match = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if match:
        message = message[: match.start()].strip() + f" (column {match.group(2)})"
        return ConfigIssue(file, "", f"TOML syntax error: {message}", int(match.group(1)))
    return ConfigIssue(file, "", f"TOML syntax error: {message}")


def token_issues(data: Any, path: str) -> Iterator[tuple[str, str]]:
    """Find (and drop) bot tokens: they belong in the environment, never in this file."""
    if isinstance(data, dict):
        for key in list(data):
            sub = _join(path, key)
            if str(key).lower() in _TOKEN_KEYS:
                del data[key]
                yield (
                    sub,
                    (
                        "the bot token must not be in the configuration file; "
                        "set TELEGRAM_BOT_TOKEN in the environment or in a .env file"
                    ),
                )
            else:
                yield from token_issues(data[key], sub)
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from token_issues(item, f"{path}[{i}]")


def _loc_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if part == "[key]":
            continue
        path = _join(path, part)
    return path


def pydantic_issues(exc: ValidationError) -> Iterator[tuple[str, str]]:
    for error in exc.errors():
        loc = tuple(error["loc"])
        yield _loc_path(loc), _translate(error, loc)


def _translate(error: Any, loc: tuple[Any, ...]) -> str:
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    got = f", got {value!r}"
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return _unknown_field_message(loc)
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "literal_error":
        if loc and loc[-1] == "type":
            expected = ", ".join(f"{k} ({v})" for k, v in GRID_TYPE_NAMES.items())
            return f"unknown grid type {value!r}; expected one of: {expected}"
        return f"must be one of {ctx.get('expected')}{got}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number{got}"
    if kind in ("float_type", "float_parsing"):
        return f"expected a number{got}"
    if kind in ("string_type",):
        return f"expected text in quotes{got}"
    if kind in ("list_type",):
        return f"expected a list [...]{got}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a table{got}"
    if kind.startswith("time"):
        return f"expected a time like 08:30{got}"
    if kind.startswith("date"):
        return f"expected a date like 2026-10-01{got}"
    if kind == "too_short":
        return (
            "must not be empty: list at least one"
            if ctx.get("min_length") == 1
            else f"needs at least {ctx.get('min_length')} items"
        )
    if kind == "string_too_short":
        return "must not be empty"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return f"{error['msg'].replace('Input should be', 'must be')}{got}"
    if kind == "bool_type" or kind == "bool_parsing":
        return f"expected true or false{got}"
    return f"{error['msg']}{got}"


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that the location `loc` points into (for 'did you mean')."""
    model: Any = Config
    for part in loc:
        if isinstance(model, type) and issubclass(model, BaseModel) and isinstance(part, str):
            field = model.model_fields.get(part)
            if field is None:
                return model if part == loc[-1] else None
            model = field.annotation
        elif not (isinstance(part, int) or str(part).isdigit() or part == "[key]"):
            return None
        while typing.get_origin(model) in (list, dict, typing.Union, types.UnionType, Annotated):
            args = [a for a in typing.get_args(model) if a is not type(None)]
            model = args[-1] if typing.get_origin(model) is not Annotated else args[0]
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _unknown_field_message(loc: tuple[Any, ...]) -> str:
    name = str(loc[-1]) if loc else ""
    model = _model_at(loc)
    if model is None:
        return f"unknown field {name!r}"
    if model is not Config and name in Config.model_fields and len(loc) == 2:
        return (
            f"unknown field {name!r} in [{loc[0]}]; top-level keys such as {name!r} must come "
            "before the first [table] header, or TOML puts them inside that table"
        )
    allowed = list(model.model_fields)
    close = difflib.get_close_matches(name, allowed, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown field {name!r}; {hint}allowed here: {', '.join(allowed)}"
