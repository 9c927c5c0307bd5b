"""Telegram's HTML parse mode, the entities Telegram finds in typed text, and the way back.

Offsets and lengths are in UTF-16 code units, as in the Bot API. The HTML parser follows
tdlib's (the library behind the Bot API server): the same supported tags, the same
tolerance for unknown ``&entities;`` and the same error texts, byte offsets included.
"""

from __future__ import annotations

import html
import re
from typing import Any

Entity = dict[str, Any]

_TAG_TYPES: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
}
_SPACES = " \t\r\n\f\v\0"
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; the message is tdlib's."""


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _decode_entity(text: str, start: int) -> tuple[str, int] | None:
    """Decode the ``&...;`` at ``start``; None when tdlib would keep the ``&`` literally."""
    end = text.find(";", start + 1, start + 12)
    if end < 0:
        return None
    body = text[start + 1 : end]
    if body.startswith("#"):
        digits = body[1:]
        try:
            code = int(digits[1:], 16) if digits[:1] in ("x", "X") else int(digits, 10)
        except ValueError:
            return None
        if code <= 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        return chr(code), end + 1
    if body in _NAMED:
        return _NAMED[body], end + 1
    return None


class _Open:
    __slots__ = ("argument", "begin", "name", "offset")

    def __init__(self, name: str, argument: str, offset: int, begin: int) -> None:
        self.name = name
        self.argument = argument
        self.offset = offset
        self.begin = begin


def parse_html(source: str) -> tuple[str, list[Entity]]:
    """Parse Telegram HTML into plain text and entities, or raise EntityParseError."""
    source = source.replace("\r", "")
    out: list[str] = []
    length16 = 0
    stack: list[_Open] = []
    entities: list[Entity] = []
    n = len(source)
    i = 0

    def emit(piece: str) -> None:
        nonlocal length16
        out.append(piece)
        length16 += utf16_len(piece)

    def at(k: int) -> str:
        return source[k] if k < n else "\0"

    while i < n:
        ch = source[i]
        if ch == "&":
            decoded = _decode_entity(source, i)
            if decoded is None:
                emit("&")
                i += 1
            else:
                emit(decoded[0])
                i = decoded[1]
            continue
        if ch != "<":
            emit(ch)
            i += 1
            continue
        begin = i
        begin_bytes = _byte_offset(source, begin)
        if at(i + 1) != "/":
            i += 1
            while at(i) not in _SPACES and at(i) != ">":
                i += 1
            if i >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {begin_bytes}")
            name = source[begin + 1 : i].lower()
            if name not in _TAG_TYPES:
                raise EntityParseError(
                    f'Unsupported start tag "{name}" at byte offset {begin_bytes}'
                )
            argument = ""
            expandable = False
            while at(i) != ">":
                while i < n and at(i) in _SPACES:
                    i += 1
                if at(i) == ">":
                    break
                attr_begin = i
                while i < n and at(i) not in _SPACES and at(i) not in "=>":
                    i += 1
                attr_name = source[attr_begin:i].lower()
                if not attr_name:
                    raise EntityParseError(
                        f'Empty attribute name in the tag "{name}" at byte offset {begin_bytes}'
                    )
                while i < n and at(i) in _SPACES:
                    i += 1
                if at(i) != "=":
                    if name == "blockquote" and attr_name == "expandable":
                        expandable = True
                        continue
                    raise EntityParseError(
                        "Expected equal sign in declaration of an attribute of the tag "
                        f'"{name}" at byte offset {begin_bytes}'
                    )
                i += 1
                while i < n and at(i) in _SPACES:
                    i += 1
                if i >= n:
                    raise EntityParseError(f"Unclosed start tag at byte offset {begin_bytes}")
                value: list[str] = []
                if at(i) not in "'\"":
                    while i < n and (at(i).isalnum() or at(i) in ".-"):
                        value.append(at(i))
                        i += 1
                    if not value:
                        raise EntityParseError(
                            f'Expected quote in declaration of an attribute of the tag "{name}" '
                            f"at byte offset {begin_bytes}"
                        )
                else:
                    quote = at(i)
                    i += 1
                    while i < n and at(i) != quote:
                        if at(i) == "&":
                            decoded = _decode_entity(source, i)
                            if decoded is not None:
                                value.append(decoded[0])
                                i = decoded[1]
                                continue
                        value.append(at(i))
                        i += 1
                    if at(i) != quote:
                        raise EntityParseError(f"Unclosed start tag at byte offset {begin_bytes}")
                    i += 1
                text_value = "".join(value)
                if name == "a" and attr_name == "href":
                    argument = text_value
                elif name == "code" and attr_name == "class" and text_value.startswith("language-"):
                    argument = text_value[len("language-") :]
                elif (
                    name == "span"
                    and attr_name == "class"
                    and text_value == "tg-spoiler"
                    or name == "tg-emoji"
                    and attr_name == "emoji-id"
                ):
                    argument = text_value
            if name == "span" and argument != "tg-spoiler":
                raise EntityParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {begin_bytes}'
                )
            if expandable:
                argument = "expandable"
            stack.append(_Open(name, argument, length16, len(entities)))
            i += 1
            continue
        # An end tag.
        if not stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {begin_bytes}")
        i += 2
        while i < n and at(i) not in _SPACES and at(i) != ">":
            i += 1
        end_name = source[begin + 2 : i].lower()
        while i < n and at(i) in _SPACES:
            i += 1
        if at(i) != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {begin_bytes}")
        opened = stack.pop()
        if end_name and end_name != opened.name:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {begin_bytes}, expected "</{opened.name}>", '
                f'found "</{end_name}>"'
            )
        i += 1
        inner_length = length16 - opened.offset
        if inner_length <= 0:
            continue
        entity = _close_entity(opened, inner_length, out, entities)
        if entity is not None:
            entities.append(entity)
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    return trim_text("".join(out), entities)


def _close_entity(
    opened: _Open, inner_length: int, out: list[str], entities: list[Entity]
) -> Entity | None:
    kind = _TAG_TYPES[opened.name]
    entity: Entity = {"type": kind, "offset": opened.offset, "length": inner_length}
    if opened.name == "a":
        url = opened.argument
        if not url:
            url = _utf16_slice("".join(out), opened.offset, inner_length)
        user_match = re.fullmatch(r"tg://user\?id=(\d+)", url)
        if user_match:
            return {
                "type": "text_mention",
                "offset": opened.offset,
                "length": inner_length,
                "user": {"id": int(user_match.group(1)), "is_bot": False, "first_name": ""},
            }
        if "://" not in url and not url.startswith("tg:"):
            url = "http://" + url
        entity["url"] = url
    elif opened.name == "pre":
        # <pre><code class="language-x">…</code></pre> becomes one pre entity with a language.
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "code"
            and last["offset"] == opened.offset
            and last["length"] == inner_length
        ):
            entities.pop()
            if last.get("_language"):
                entity["language"] = last["_language"]
    elif opened.name == "code" and opened.argument:
        entity["_language"] = opened.argument
    elif opened.name == "tg-emoji":
        entity["custom_emoji_id"] = opened.argument
    elif opened.name == "blockquote" and opened.argument == "expandable":
        entity["type"] = "expandable_blockquote"
    return entity


def _utf16_slice(text: str, offset: int, length: int) -> str:
    raw = text.encode("utf-16-le")
    return raw[offset * 2 : (offset + length) * 2].decode("utf-16-le", errors="replace")


def trim_text(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Strip surrounding whitespace as Telegram does, keeping entities on the remaining text."""
    stripped_left = text.lstrip()
    shift = utf16_len(text) - utf16_len(stripped_left)
    result = stripped_left.rstrip()
    limit = utf16_len(result)
    kept: list[Entity] = []
    for entity in entities:
        entity.pop("_language", None)
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, limit)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    kept.sort(key=lambda e: (e["offset"], -e["length"]))
    return result, kept


# What Telegram marks in text that users type.
_WORD = r"0-9A-Za-z_"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("url", re.compile(r"(?<![\w@/.])(?:https?://)[^\s<>\"]+[^\s<>\"'.,;:!?，。！？)）]")),
    (
        "email",
        re.compile(r"(?<![\w.@])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
    ),
    (
        "bot_command",
        re.compile(rf"(?<![{_WORD}/@])/[{_WORD}]{{1,64}}(?:@[{_WORD}]{{3,32}})?(?![{_WORD}/@])"),
    ),
    ("mention", re.compile(rf"(?<![{_WORD}@])@[{_WORD}]{{4,32}}(?![{_WORD}])")),
    ("hashtag", re.compile(r"(?<![\w#])#(?=\w*[^\W\d])\w{1,256}")),
]


def detect_entities(text: str) -> list[Entity]:
    """The entities Telegram adds to a user's plain text: commands, mentions, hashtags, links."""
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, int, str]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            taken.append((start, end))
            found.append((start, end, kind))
    found.sort()
    return [
        {"type": kind, "offset": utf16_len(text[:start]), "length": utf16_len(text[start:end])}
        for start, end, kind in found
    ]


_OPEN_TAGS = {
    "bold": "<b>",
    "italic": "<i>",
    "underline": "<u>",
    "strikethrough": "<s>",
    "spoiler": "<tg-spoiler>",
    "code": "<code>",
    "blockquote": "<blockquote>",
    "expandable_blockquote": "<blockquote expandable>",
}
_CLOSE_TAGS = {
    "bold": "</b>",
    "italic": "</i>",
    "underline": "</u>",
    "strikethrough": "</s>",
    "spoiler": "</tg-spoiler>",
    "code": "</code>",
    "blockquote": "</blockquote>",
    "expandable_blockquote": "</blockquote>",
}


def entities_to_html(text: str, entities: list[Entity]) -> str:
    """Telegram HTML for text and entities (what ``Message.text_html`` gives in PTB)."""
    raw = text.encode("utf-16-le")
    total = len(raw) // 2
    opens: dict[int, list[str]] = {}
    closes: dict[int, list[str]] = {}
    for entity in sorted(entities, key=lambda e: (e["offset"], -e["length"])):
        kind = entity["type"]
        if kind == "text_link":
            start_tag, end_tag = f'<a href="{html.escape(entity["url"])}">', "</a>"
        elif kind == "text_mention":
            start_tag, end_tag = f'<a href="tg://user?id={entity["user"]["id"]}">', "</a>"
        elif kind == "pre":
            language = entity.get("language")
            if language:
                start_tag = f'<pre><code class="language-{html.escape(language)}">'
                end_tag = "</code></pre>"
            else:
                start_tag, end_tag = "<pre>", "</pre>"
        elif kind == "custom_emoji":
            start_tag = f'<tg-emoji emoji-id="{entity.get("custom_emoji_id", "")}">'
            end_tag = "</tg-emoji>"
        elif kind in _OPEN_TAGS:
            start_tag, end_tag = _OPEN_TAGS[kind], _CLOSE_TAGS[kind]
        else:
            continue
        opens.setdefault(entity["offset"], []).append(start_tag)
        closes.setdefault(entity["offset"] + entity["length"], []).insert(0, end_tag)
    pieces: list[str] = []
    position = 0
    while position <= total:
        pieces.extend(closes.get(position, []))
        pieces.extend(opens.get(position, []))
        if position == total:
            break
        unit = raw[position * 2 : position * 2 + 2]
        step = 1
        if 0xD800 <= int.from_bytes(unit, "little") <= 0xDBFF:
            unit = raw[position * 2 : position * 2 + 4]
            step = 2
        pieces.append(html.escape(unit.decode("utf-16-le"), quote=False))
        position += step
    return "".join(pieces)
