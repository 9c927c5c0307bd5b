"""Finding the line of a field path (`streets[0].grids[1].chat_id`) in TOML text, best effort."""

from __future__ import annotations

import re
from typing import Any


def join_path(path: str, key: Any) -> str:
    """`path` extended by a key (`a.b`) or a list index (`a[0]`)."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=\s*(.*)$"""
)
_INLINE_KEY = re.compile(r"""([A-Za-z0-9_-]+)\s*=""")


def _split_key(key: str) -> list[str]:
    return [
        part.strip().strip("\"'")
        for part in re.split(r"\.(?=(?:[^\"']*[\"'][^\"']*[\"'])*[^\"']*$)", key)
    ]


def _strip_comment(line: str) -> str:
    out, quote = [], ""
    for ch in line:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            break
        out.append(ch)
    return "".join(out)


class LineFinder:
    """Maps field paths to line numbers by reading the TOML text (a best effort)."""

    def __init__(self, text: str) -> None:
        self.lines: dict[str, int] = {}
        self._counts: dict[str, int] = {}
        self._lineno = 0
        self._scan(text)

    def find(self, path: str) -> int | None:
        """The line of `path`, or of its nearest enclosing field or table that was found."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = re.sub(r"(\[\d+\]|\.[^.\[]+|^[^.\[]+)$", "", path)
        return None

    def _note(self, path: str, lineno: int) -> None:
        self.lines.setdefault(path, lineno)

    def _resolve(self, parts: list[str], array: bool) -> str:
        path = ""
        for i, part in enumerate(parts):
            path = join_path(path, part)
            self._note(path, self._lineno)
            last = i == len(parts) - 1
            if last and array:
                n = self._counts.get(path, 0)
                self._counts[path] = n + 1
                self._note(path, self._lineno)
                path = f"{path}[{n}]"
            elif path in self._counts:
                path = f"{path}[{self._counts[path] - 1}]"
        return path

    def _scan(self, text: str) -> None:
        table = ""
        array_key: str | None = None
        array_items = 0
        depth = 0
        for lineno, raw in enumerate(text.splitlines(), start=1):
            self._lineno = lineno
            line = _strip_comment(raw)
            if array_key is not None:
                array_items = self._array_line(array_key, array_items, line, lineno)
                depth += line.count("[") - line.count("]")
                if depth <= 0:
                    array_key = None
                continue
            header = _HEADER.match(line)
            if header:
                table = self._resolve(_split_key(header.group(2)), header.group(1) == "[[")
                self._note(table, lineno)
                continue
            match = _KEY.match(line)
            if not match:
                continue
            parts = _split_key(match.group(1))
            path = table
            for part in parts:
                path = join_path(path, part)
                self._note(path, lineno)
            value = match.group(2)
            self._inline_keys(path, value, lineno)
            depth = value.count("[") - value.count("]")
            if value.lstrip().startswith("[") and depth > 0:
                array_key, array_items = path, self._array_line(path, 0, value[1:], lineno)
            elif value.lstrip().startswith("["):
                self._array_line(path, 0, value.strip()[1:-1], lineno)

    def _array_line(self, path: str, start: int, line: str, lineno: int) -> int:
        """Note the items of a (multi-line) array found on one line; return the next index."""
        body = line.strip().rstrip(",").strip()
        if not body or body in ("]", "["):
            return start
        if body.startswith("{"):
            items = [body]
        else:
            items = [item for item in body.rstrip("]").split(",") if item.strip()]
        for offset, item in enumerate(items):
            item_path = f"{path}[{start + offset}]"
            self._note(item_path, lineno)
            self._inline_keys(item_path, item, lineno)
        return start + len(items)

    def _inline_keys(self, path: str, value: str, lineno: int) -> None:
        if "{" in value:
            for key in _INLINE_KEY.findall(value):
                self._note(join_path(path, key), lineno)
