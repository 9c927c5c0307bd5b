"""An alternation of many cue patterns, compiled so that Python's re can skip ahead.

Python's re scans quickly only when every branch of an alternation starts with a plain
character: it then jumps to positions holding one of those first characters. One branch that
starts with a group, a class or a look-behind makes it try every branch at every position. So
the branches are split: those led by a character share one regex; each of the others runs only
when a plain string it needs (its longest run of literal characters) occurs in the text.
"""

from __future__ import annotations

import re
import re._constants as _sre
import re._parser as _sre_parse
from collections.abc import Iterator, Set
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


def _first_chars(items) -> tuple[set[str] | None, bool]:  # noqa: ANN001 (sre's parse tree)
    """The characters a match of a parsed sequence can start with (None: any), and whether the
    sequence can match the empty string. Zero-width checks (\\b, look-arounds) only narrow a
    match down, so they are passed over: the set is a superset, which is all a filter needs."""
    chars: set[str] = set()
    for op, av in items:
        if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
            continue
        if op is _sre.LITERAL:
            chars.add(chr(av))
            return chars, False
        if op is _sre.IN:
            for kind, value in av:
                if kind is _sre.LITERAL:
                    chars.add(chr(value))
                elif kind is _sre.RANGE and value[1] - value[0] < 256:
                    chars.update(map(chr, range(value[0], value[1] + 1)))
                else:
                    return None, False
            return chars, False
        if op is _sre.SUBPATTERN or op is _sre.BRANCH:
            alternatives = [av[3]] if op is _sre.SUBPATTERN else av[1]
            empty = False
            for alternative in alternatives:
                first, nullable = _first_chars(alternative)
                if first is None:
                    return None, False
                chars |= first
                empty = empty or nullable
            if not empty:
                return chars, False
            continue
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
            low, _, item = av
            first, nullable = _first_chars(item)
            if first is None:
                return None, False
            chars |= first
            if low > 0 and not nullable:
                return chars, False
            continue
        return None, False  # ANY, categories, back-references: could start anywhere
    return chars, True


def _lead_characters(pattern: str) -> frozenset[str] | None:
    """Characters every match of `pattern` starts with one of, or None when that is unknown."""
    chars, nullable = _first_chars(_sre_parse.parse(pattern).data)
    return None if chars is None or nullable else frozenset(chars)


class FastAlternation:
    """Like a compiled alternation, for finditer(); matches come led-branches first."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        fast, slow = [], []
        for branch in _top_level_branches(pattern):
            (fast if _led_by_a_character(branch) else slow).append(branch)
        # the characters a match can start with: a text with none of them is skipped at once
        self.lead = _lead_characters(pattern)
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

    def finditer(self, text: str, chars: Set[str] | None = None) -> Iterator[re.Match[str]]:
        """Matches in `text`; `chars`, if given, holds every character of the text (or more)."""
        if chars is not None and self.lead is not None and self.lead.isdisjoint(chars):
            return iter(())
        fast = self._fast
        if not self._slow or not (self._ungated or self._any_gate.search(text)):
            return fast.finditer(text) if fast is not None else iter(())
        slow = [r.finditer(text) for gate, r in self._slow if gate is None or gate in text]
        return chain(fast.finditer(text), *slow) if fast is not None else chain(*slow)

    def search(self, text: str, chars: Set[str] | None = None) -> re.Match[str] | None:
        return next(self.finditer(text, chars), None)
