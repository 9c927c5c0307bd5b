"""Long messages in parts: every part fits, nothing is lost, no tag or entity is cut."""

from __future__ import annotations

from handlers.message_parts import MESSAGE_LIMIT, split_text


def test_a_long_text_is_cut_at_line_ends_into_parts_that_fit() -> None:
    lines = [
        f"• <b>2026-{n:06d}</b> 设施报修 · 处理中 城河小区3号楼门口路灯坏了" for n in range(300)
    ]
    text = "\n".join(lines)
    parts = split_text(text)
    assert len(parts) > 1 and all(len(p) <= MESSAGE_LIMIT for p in parts)
    assert "\n".join(parts) == text  # nothing lost, every line whole
    assert split_text("短消息") == ["短消息"]


def test_one_huge_line_is_cut_but_never_inside_a_tag_or_an_entity() -> None:
    line = "坑" * (MESSAGE_LIMIT - 2) + "&amp;<b>粗</b>" + "坑" * MESSAGE_LIMIT
    parts = split_text(line)
    assert "".join(parts) == line
    assert all(len(p) <= MESSAGE_LIMIT for p in parts)
    assert parts[1].startswith("&amp;<b>")
