"""An alternation of many cue patterns, compiled so that Python's re can skip ahead.

Python's re scans quickly only when every branch of an alternation starts with a plain
character: it then jumps to positions holding one of those first characters. One branch that
starts with a group, a class or a look-behind makes it try every branch at every position. So
the branches are split: those led by a character share one regex; each of the others runs only
when a plain string it needs (its longest run of literal characters) occurs in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import chain

_SPECIAL = set("()[]{}.*+?^$|\\")


def _top_level_branches(pattern: str) -> list[str]:
    branches: list[str] = []
    current: list[str] = []
    depth, in_class, escaped = 0, False, False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            branches.append("".join(current))
            current = []
            continue
        current.append(ch)
    branches.append("".join(current))
    return branches


def _led_by_a_character(branch: str) -> bool:
    return (
        len(branch) > 1
        and branch[0] not in _SPECIAL
        and branch[1] not in "?*{"
        and not (branch[1] == "+" or branch.startswith("\\"))
    )


def _required_literal(branch: str) -> str | None:
    """The longest run of plain characters outside any group that the branch must match."""
    best, run = "", []
    depth, in_class, in_braces, escaped = 0, False, False, False
    for i, ch in enumerate(branch):
        nxt = branch[i + 1] if i + 1 < len(branch) else ""
        plain = False
        if escaped:
            escaped = False
        elif in_braces:
            in_braces = ch != "}"
        elif ch == "{":
            in_braces = True
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and ch not in _SPECIAL and nxt not in ("?", "*", "{"):
            plain = True
        if plain:
            run.append(ch)
        else:
            if len(run) > len(best):
                best = "".join(run)
            run = []
    if len(run) > len(best):
        best = "".join(run)
    return best or None


class FastAlternation:
    """Like a compiled alternation, for finditer(); matches come led-branches first."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        fast, slow = [], []
        for branch in _top_level_branches(pattern):
            (fast if _led_by_a_character(branch) else slow).append(branch)
        self._fast = re.compile("|".join(fast)) if fast else None
        self._slow = [(_required_literal(b), re.compile(b)) for b in slow]
        # One search for "is any gate here" instead of a loop of `in` tests: most texts have
        # none, and then only the led branches run, straight from re's own iterator.
        gates = {gate for gate, _ in self._slow}
        self._ungated = None in gates
        self._any_gate = (
            re.compile("|".join(map(re.escape, sorted(gates, key=len, reverse=True))))
            if gates and not self._ungated
            else None
        )

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        fast = self._fast
        if not self._slow or not (self._ungated or self._any_gate.search(text)):
            return fast.finditer(text) if fast is not None else iter(())
        slow = [r.finditer(text) for gate, r in self._slow if gate is None or gate in text]
        return chain(fast.finditer(text), *slow) if fast is not None else chain(*slow)

    def search(self, text: str) -> re.Match[str] | None:
        return next(self.finditer(text), None)
