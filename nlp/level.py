"""The suggested level 1–4: the learned level head, leaned towards the levels its category usually
gets, and raised for urgent danger (taxonomy.md: danger to life is never a grid-only matter)."""

from __future__ import annotations

import re

# Danger to many people or to life: a district matter (taxonomy: casualties, dozens of households).
_WIDE = re.compile(
    r"整栋|整幢|整个小区|全小区|全楼|整条街|全村|几十户|几十个|几十人|上百|好几百|一百多|几百|"
    r"好多户|很多户|大面积|一大片|死人|死了人|伤亡|好几个人受伤|多人受伤|送医院|被埋"
)
# How strongly the category's usual levels pull (cross-validated on the train split: 0.5).
PRIOR_WEIGHT = 0.5
_EMERGENCIES = frozenset({"fire_hazard", "disaster"})


def level_prior(level_counts: dict[str, list[int]]) -> dict[str, dict[str, float]]:
    """For each category, how much likelier each level is than overall, to the PRIOR_WEIGHT power
    (from the level counts the training run stored in the model)."""
    totals = [sum(c[i] for c in level_counts.values()) for i in range(4)]
    n_all = sum(totals)
    prior: dict[str, dict[str, float]] = {}
    for category, counts in level_counts.items():
        n_category = sum(counts)
        prior[category] = {
            str(i + 1): (((counts[i] + 1) / (n_category + 4)) / ((totals[i] + 1) / (n_all + 4)))
            ** PRIOR_WEIGHT
            for i in range(4)
        }
    return prior


def suggest_level(
    text: str,
    category: str,
    probabilities: dict[str, float],
    *,
    urgent: bool,
    prior: dict[str, dict[str, float]] | None = None,
) -> int:
    """Level from the head's probabilities times the category's level prior, then the urgency floor."""
    lean = (prior or {}).get(category, {})
    scores = {level: p * lean.get(level, 1.0) for level, p in probabilities.items()}
    level = int(max(scores, key=scores.__getitem__))
    if urgent:
        if _WIDE.search(text):
            return 4
        return max(level, 3 if category in _EMERGENCIES else 2)
    return level
