"""The emoji that Telegram accepts as reactions (ReactionTypeEmoji.emoji)."""

from __future__ import annotations

ALLOWED_REACTIONS: tuple[str, ...] = (
    "👍", "👎", "❤", "🔥", "🥰", "👏", "😁", "🤔", "🤯", "😱", "🤬", "😢", "🎉", "🤩",
    "🤮", "💩", "🙏", "👌", "🕊", "🤡", "🥱", "🥴", "😍", "🐳", "❤‍🔥", "🌚", "🌭", "💯",
    "🤣", "⚡", "🍌", "🏆", "💔", "🤨", "😐", "🍓", "🍾", "💋", "🖕", "😈", "😴", "😭",
    "🤓", "👻", "👨‍💻", "👀", "🎃", "🙈", "😇", "😨", "🤝", "✍", "🤗", "🫡", "🎅", "🎄",
    "☃", "💅", "🤪", "🗿", "🆒", "💘", "🙉", "🦄", "😘", "💊", "🙊", "😎", "👾",
    "🤷‍♂", "🤷", "🤷‍♀", "😡",
)  # fmt: skip

_CANONICAL = {emoji: emoji for emoji in ALLOWED_REACTIONS}


def canonical_reaction(emoji: str) -> str | None:
    """Telegram's spelling of a reaction emoji (without variation selectors), or None."""
    bare = emoji.replace("\ufe0f", "")
    return _CANONICAL.get(bare)
