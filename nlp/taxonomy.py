"""The case taxonomy shared by the parser, routing, statistics and tests (see taxonomy.md)."""

from __future__ import annotations

from enum import StrEnum


class Platform(StrEnum):
    GOVERNANCE = "governance"
    ENFORCEMENT = "enforcement"
    EMERGENCY = "emergency"
    SERVICE = "service"


PLATFORM_NAMES: dict[str, str] = {
    "governance": "综治工作",
    "enforcement": "监管执法",
    "emergency": "应急管理",
    "service": "公共服务",
}

# code -> (中文, platform or None)
CATEGORIES: dict[str, tuple[str, str | None]] = {
    "dispute": ("邻里纠纷", "governance"),
    "labor": ("劳资纠纷", "governance"),
    "public_security": ("治安防范", "governance"),
    "illegal_building": ("违章搭建", "enforcement"),
    "street_order": ("市容秩序", "enforcement"),
    "pollution": ("噪音污染", "enforcement"),
    "market_safety": ("食药市场", "enforcement"),
    "fire_hazard": ("消防隐患", "emergency"),
    "disaster": ("灾害险情", "emergency"),
    "facility_repair": ("设施报修", "service"),
    "sanitation": ("环境卫生", "service"),
    "livelihood": ("民生服务", "service"),
    "other": ("其他", None),
}

CATEGORY_CODES: tuple[str, ...] = tuple(CATEGORIES)
LEVELS: tuple[int, ...] = (1, 2, 3, 4)
LEVEL_NAMES: dict[int, str] = {1: "网格", 2: "社区", 3: "街道", 4: "区级"}


def category_name(code: str) -> str:
    """The Chinese name people see for a category code."""
    return CATEGORIES[code][0] if code in CATEGORIES else code
