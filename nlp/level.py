"""The suggested level 1–4: the learned level head, nudged by taxonomy rules it cannot learn well."""

from __future__ import annotations

import re

# Danger to many people or to life: a district matter (taxonomy: casualties, dozens of households).
_WIDE = re.compile(
    r"整栋|整幢|整个小区|全小区|全楼|整条街|全村|几十户|几十个|几十人|上百|好几百|一百多|几百|"
    r"好多户|很多户|大面积|一大片|死人|死了人|伤亡|好几个人受伤|多人受伤|送医院|被埋"
)


def suggest_level(
    text: str, category: str, probabilities: dict[str, float], *, urgent: bool
) -> int:
    """Level from the head's probabilities, raised for urgent danger that is wide or grave."""
    level = int(max(probabilities, key=probabilities.__getitem__))
    if urgent and _WIDE.search(text):
        return 4
    return level
