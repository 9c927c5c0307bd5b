"""Telegram's MarkdownV2 and legacy Markdown parse modes, with tdlib's error texts."""

from __future__ import annotations

from simulator.html_entities import Entity, EntityParseError, trim_text, utf16_len

_RESERVED = "_*[]()~`>#+-=|{}.!"
_ERROR_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "pre_code": "PreCode",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


class _Open:
    __slots__ = ("argument", "byte_offset", "kind", "offset", "text_start")

    def __init__(self, kind: str, argument: str, offset: int, byte_offset: int, text_start: int):
        self.kind = kind
        self.argument = argument
        self.offset = offset
        self.byte_offset = byte_offset
        self.text_start = text_start


def parse_markdown_v2(source: str) -> tuple[str, list[Entity]]:
    """Parse MarkdownV2 into plain text and entities, or raise EntityParseError."""
    out: list[str] = []
    length16 = 0
    stack: list[_Open] = []
    entities: list[Entity] = []
    quote_start: int | None = None
    n = len(source)
    i = 0

    def at(k: int) -> str:
        return source[k] if k < n else "\0"

    def emit(piece: str) -> None:
        nonlocal length16
        out.append(piece)
        length16 += utf16_len(piece)

    def byte_offset(k: int) -> int:
        return len(source[:k].encode("utf-8"))

    while i < n:
        ch = source[i]
        if ch == "\\" and 0 < ord(at(i + 1)) <= 126:
            emit(at(i + 1))
            i += 2
            continue
        if ch == "\n" and quote_start is not None and at(i + 1) != ">" and not stack:
            if length16 > quote_start:
                entities.append(
                    {"type": "blockquote", "offset": quote_start, "length": length16 - quote_start}
                )
            quote_start = None
        in_code = bool(stack) and stack[-1].kind in ("code", "pre", "pre_code")
        reserved = "`" if in_code else _RESERVED
        if ch not in reserved:
            emit(ch)
            i += 1
            continue
        if ch == ">" and not stack and (i == 0 or source[i - 1] == "\n"):
            if quote_start is None:
                quote_start = length16
            i += 1
            continue
        top = stack[-1].kind if stack else None
        ends = {
            "bold": ch == "*",
            "italic": ch == "_" and at(i + 1) != "_",
            "code": ch == "`",
            "pre": ch == "`" and at(i + 1) == "`" and at(i + 2) == "`",
            "pre_code": ch == "`" and at(i + 1) == "`" and at(i + 2) == "`",
            "text_link": ch == "]",
            "custom_emoji": ch == "]",
            "underline": ch == "_" and at(i + 1) == "_",
            "strikethrough": ch == "~",
            "spoiler": ch == "|" and at(i + 1) == "|",
        }
        if top is None or not ends.get(top, False):
            begin = i
            argument = ""
            if ch == "_":
                if at(i + 1) == "_":
                    kind = "underline"
                    i += 1
                else:
                    kind = "italic"
            elif ch == "*":
                kind = "bold"
            elif ch == "~":
                kind = "strikethrough"
            elif ch == "|" and at(i + 1) == "|":
                kind = "spoiler"
                i += 1
            elif ch == "[":
                kind = "text_link"
            elif ch == "!" and at(i + 1) == "[":
                kind = "custom_emoji"
                i += 1
            elif ch == "`":
                if at(i + 1) == "`" and at(i + 2) == "`":
                    i += 3
                    kind = "pre"
                    end = i
                    while end < n and not at(end).isspace() and at(end) != "`":
                        end += 1
                    if end != i and end < n and at(end) != "`":
                        kind = "pre_code"
                        argument = source[i:end]
                        i = end
                    if at(i) == "\n":
                        i += 1
                    i -= 1
                else:
                    kind = "code"
            else:
                raise EntityParseError(
                    f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
                )
            stack.append(_Open(kind, argument, length16, byte_offset(begin), len(out)))
            i += 1
            continue
        opened = stack.pop()
        if opened.kind in ("underline", "spoiler"):
            i += 1
        elif opened.kind in ("pre", "pre_code"):
            i += 2
        entity: Entity = {
            "type": opened.kind,
            "offset": opened.offset,
            "length": length16 - opened.offset,
        }
        if opened.kind in ("text_link", "custom_emoji"):
            url = ""
            if at(i + 1) == "(":
                i += 2
                url_begin = i
                chars: list[str] = []
                while i < n and at(i) != ")":
                    if at(i) == "\\" and 0 < ord(at(i + 1)) <= 126:
                        chars.append(at(i + 1))
                        i += 2
                        continue
                    chars.append(at(i))
                    i += 1
                if at(i) != ")":
                    raise EntityParseError(
                        f"Can't find end of a URL at byte offset {byte_offset(url_begin)}"
                    )
                url = "".join(chars)
            elif opened.kind == "text_link":
                url = "".join(out[opened.text_start :])
            if opened.kind == "custom_emoji":
                entity["custom_emoji_id"] = url.rpartition("id=")[2]
            else:
                entity["url"] = url if "://" in url else "http://" + url
        elif opened.kind == "pre_code":
            entity["type"] = "pre"
            entity["language"] = opened.argument
        i += 1
        if entity["length"] > 0:
            entities.append(entity)
    if stack:
        opened = stack[-1]
        raise EntityParseError(
            f"Can't find end of {_ERROR_NAMES[opened.kind]} entity at byte offset "
            f"{opened.byte_offset}"
        )
    if quote_start is not None and length16 > quote_start:
        entities.append(
            {"type": "blockquote", "offset": quote_start, "length": length16 - quote_start}
        )
    return _finish("".join(out), entities)


def parse_markdown(source: str) -> tuple[str, list[Entity]]:
    """Parse legacy Markdown (*bold*, _italic_, `code`, ```pre```, [text](url))."""
    out: list[str] = []
    length16 = 0
    entities: list[Entity] = []
    n = len(source)
    i = 0
    while i < n:
        ch = source[i]
        if ch == "\\" and i + 1 < n and source[i + 1] in "_*`[":
            out.append(source[i + 1])
            length16 += 1
            i += 2
            continue
        if ch not in "_*`[":
            out.append(ch)
            length16 += utf16_len(ch)
            i += 1
            continue
        begin = i
        begin_bytes = len(source[:begin].encode("utf-8"))
        language = ""
        if source.startswith("```", i):
            kind, closer = "pre", "```"
            i += 3
            newline = source.find("\n", i)
            closing = source.find(closer, i)
            if newline != -1 and (closing == -1 or newline < closing):
                first_line = source[i:newline]
                if first_line and " " not in first_line:
                    language = first_line
                    i = newline + 1
        else:
            kind = {"_": "italic", "*": "bold", "`": "code", "[": "text_link"}[ch]
            closer = "]" if ch == "[" else ch
            i += 1
        end = source.find(closer, i)
        if end == -1:
            raise EntityParseError(
                f"Can't find end of the entity starting at byte offset {begin_bytes}"
            )
        inner = source[i:end]
        entity: Entity = {"type": kind, "offset": length16, "length": utf16_len(inner)}
        i = end + len(closer)
        if kind == "text_link":
            if i < n and source[i] == "(":
                close = source.find(")", i)
                if close == -1:
                    raise EntityParseError(
                        f"Can't find end of the entity starting at byte offset {begin_bytes}"
                    )
                url = source[i + 1 : close]
                i = close + 1
            else:
                url = inner
            entity["url"] = url if "://" in url else "http://" + url
        if language:
            entity["language"] = language
        out.append(inner)
        length16 += entity["length"]
        if entity["length"]:
            entities.append(entity)
    return _finish("".join(out), entities)


def _finish(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    return trim_text(text, entities)
