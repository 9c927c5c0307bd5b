"""Long messages in parts: Telegram takes at most 4096 characters per message."""

from __future__ import annotations

# Telegram takes at most 4096 characters (UTF-16 units, after HTML) per message; a margin keeps
# emoji and tags on the safe side.
MESSAGE_LIMIT = 3800


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cut a long message at line ends (never inside a line's HTML tags) into parts that fit;
    a single line longer than the limit is cut where it must be."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            cut = _safe_cut(line, limit)
            parts.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current or not parts:
        parts.append(current)
    return parts


def _safe_cut(line: str, limit: int) -> int:
    """Where to cut a line that is too long: not inside an HTML tag or entity (<b>, &amp;)."""
    head = line[:limit]
    cut = limit
    if head.rfind("<") > head.rfind(">"):
        cut = head.rfind("<")
    if head.rfind("&") > head.rfind(";"):
        cut = min(cut, head.rfind("&"))
    return cut if cut > 0 else limit
