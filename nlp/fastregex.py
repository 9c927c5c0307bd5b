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


def _structure(pattern: str) -> Iterator[tuple[int, str, int]]:
    """(index, character, group depth after it) for each character that is neither escaped nor
    inside a class: the characters that shape the pattern."""
    depth, in_class, escaped, opened = 0, False, False, -1
    for i, ch in enumerate(pattern):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            # a ] right after [ or [^ is one of the class's characters ([]a], [^]a])
            first = i == opened + 1 or (i == opened + 2 and pattern[opened + 1] == "^")
            in_class = ch != "]" or first
        elif ch == "[":
            in_class, opened = True, i
        else:
            depth += (ch == "(") - (ch == ")")
            yield i, ch, depth


def _top_level_branches(pattern: str) -> list[str]:
    cuts = [i for i, ch, depth in _structure(pattern) if ch == "|" and depth == 0]
    return [pattern[a + 1 : b] for a, b in zip([-1, *cuts], [*cuts, len(pattern)], strict=True)]


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
        for branch in _top_level_branches(_led_kept(pattern)):  # led: more branches are fast
            (fast if _led_by_a_character(branch) else slow).append(branch)
        # the characters a match can start with: a text with none of them is skipped at once
        self.lead = _lead_characters(pattern)
        self._fast = re.compile("|".join(fast)) if fast else None
        self._slow = [(_required_literal(b), compile_led(b)) for b in slow]
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


# ---- one regex, rewritten so that re can skip ahead: the same matches, found faster ----------

_QUANTIFIERS = set("?*+{")
_MAX_SPREAD = 16  # a branch spread into more led branches than this is left as it was


def _closing(branch: str) -> int | None:
    """Index of the ')' closing the group that opens `branch`, or None."""
    return next((i for i, ch, depth in _structure(branch) if ch == ")" and depth == 0), None)


def _plain_class(branch: str) -> tuple[str, int] | None:
    """The characters of a leading class of plain characters ([搵揾]), and where it ends."""
    end = branch.find("]")
    chars = branch[1:end] if end > 1 else ""
    if not chars or any(c in _SPECIAL or c in "-#" or c.isspace() for c in chars):
        return None  # [^…], ranges, escapes and characters that mean more outside a class
    return chars, end


def _led(branch: str, budget: int) -> list[str] | None:
    """Branches that match exactly what `branch` matches, in the same order, each starting
    with a plain character; None when that cannot be done within `budget` branches."""
    if _led_by_a_character(branch) or (len(branch) == 1 and branch not in _SPECIAL):
        return [branch]
    if branch.startswith("(?:"):  # (?:a|b)X → aX|bX: tried in the same order
        end = _closing(branch)
        if end is None:
            return None
        rest, alternatives = branch[end + 1 :], _top_level_branches(branch[3:end])
        if rest[:1] == "?" and rest[1:2] not in ("?", "+"):  # (?:a)?X → aX|X, greedy: a first
            rest, alternatives = rest[1:], [*alternatives, ""]
        elif rest[:1] in _QUANTIFIERS:
            return None
        if any(a.count("{") != a.count("}") for a in alternatives):
            return None  # (?:x{1,)2}: joined to what follows, a brace could become a count
        spread: list[str] = []
        for alternative in alternatives:
            led = _led(alternative + rest, budget - len(spread))
            if led is None or len(spread) + len(led) > budget:
                return None
            spread += led
        return spread
    if branch.startswith(("(?<!", "(?<=")):  # (?<!X)cY → c(?<!Xc)Y: X is fixed-width
        end = _closing(branch)
        if end is None:
            return None
        behind, look = branch[4:end], branch[:4]
        led = _led(branch[end + 1 :], budget)
        if led is None:
            return None
        return [f"{b[0]}{look}(?:{behind}){b[0]}){b[1:]}" for b in led]
    if branch.startswith("["):  # [搵揾]返 → 搵返|揾返
        found = _plain_class(branch)
        if found is None or len(found[0]) > budget:
            return None
        chars, end = found
        rest = _one_taken(branch[: end + 1], branch[end + 1 :])
        return None if rest is None else [c + rest for c in chars]
    return None


_COUNTED = re.compile(r"\{(\d+)(?:(,)(\d*))?\}")


def _one_taken(item: str, rest: str) -> str | None:
    """What follows the first repetition of `item` when `rest` starts with its quantifier:
    [一二]{1,2}X → (one of them) then [一二]{0,1}X; None when the item may be absent."""
    if rest[:1] not in _QUANTIFIERS:
        return rest
    if rest[:1] == "+":
        return item + "*" + rest[1:]
    counted = _COUNTED.match(rest)
    if counted is None or int(counted[1]) < 1:
        return None  # ?, * and {0,n}: the branch may start without the item
    low, comma, high = counted.groups()
    high = "" if not comma else "," + (str(int(high) - 1) if high else "")
    return f"{item}{{{int(low) - 1}{high}}}{rest[counted.end() :]}"


# an opening parenthesis that is not escaped, not in a class and not (?:, (?=, (?<!… but (?P<
_CAPTURING = re.compile(r"(?<!\\)(?:\\\\)*\((?!\?(?!P<))")


# What led() does not read: comments (?#…) and inline verbose flags (?x), where spaces and # mean
# something else.
_UNREAD = re.compile(r"\(\?#|\(\?[aiLmsu]*x")


def led(pattern: str) -> str:
    """`pattern` with its top-level branches rewritten to start with a plain character where
    that can be done exactly: re then jumps between the positions holding a first character
    instead of trying every branch at every position (3-10 times faster on a chat message).

    Non-capturing groups at the start are spread out ((?:a|b)X → aX|bX, (?:a)?X → aX|X), a
    leading look-behind moves behind the first character ((?<!不)是 → 是(?<!(?:不)是)) and a
    leading class of plain characters is spelled out. A pattern with capturing groups, or a
    branch that cannot be led, is kept as it was; the result always finds the same matches in
    the same order. Not for re.VERBOSE patterns (their spaces and comments are not read here)."""
    if _CAPTURING.search(pattern) or _UNREAD.search(pattern):
        return pattern  # spreading a group would renumber or repeat it; see _UNREAD
    branches: list[str] = []
    for branch in _top_level_branches(pattern):
        branches += _led(branch, _MAX_SPREAD) or [branch]
    return "|".join(branches)


# (pattern, flags) → the led pattern, for every one rewritten: the tests check each against it.
REWRITTEN: dict[tuple[str, int], str] = {}


def _led_kept(pattern: str, flags: int = 0) -> str:
    rewritten = pattern if flags & re.VERBOSE else led(pattern)
    if rewritten != pattern:
        REWRITTEN[pattern, flags] = rewritten
    return rewritten


def compile_led(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """re.compile of `pattern` led (see led()): the same regex, quicker to search for."""
    return re.compile(_led_kept(pattern, flags), flags)
