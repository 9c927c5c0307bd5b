"""The optional `[emergency]` section: whom to call, what to do now, and the minutes of an urgent case.

Every field has a default, so a configuration written before this section existed still loads.
The words of the default safety advice live with the adapter (handlers/texts.py); a district
that writes its own line for a hazard here overrides them.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

# What kind of danger a report describes (named by the parser); `general` when nothing more
# precise is known.
from nlp.hazard import HAZARDS

# Whom one can call: the three national numbers and the local utilities' emergency lines.
SERVICES = ("fire", "police", "ambulance", "gas_company", "power_company")
Service = Literal["fire", "police", "ambulance", "gas_company", "power_company"]

# Whom to call first for each hazard, when the district does not say otherwise. A service
# without a number in the configuration is left out of the card.
DEFAULT_CALLS: dict[str, tuple[str, ...]] = {
    "gas": ("gas_company", "fire", "ambulance"),  # gas and carbon monoxide poison: dizzy, asleep
    "fire": ("fire",),
    "electricity": ("power_company", "fire"),
    "water": ("fire",),
    "structure": ("fire", "ambulance"),
    "lift": ("fire", "ambulance"),  # 119 frees people from lifts
    "chemical": ("fire", "ambulance"),
    "traffic": ("ambulance", "police"),
    "person": ("ambulance", "police"),
    "missing": ("police",),
    "violence": ("police", "ambulance"),
    "general": ("fire", "police", "ambulance"),
}

_PHONE = re.compile(r"^[0-9][0-9-]{1,19}$")


def _check_phone(value: str) -> str:
    if not _PHONE.match(value.strip()):
        raise ValueError(
            f'invalid phone number {value!r}: write digits, with "-" if you like '
            '(e.g. "119" or "0574-87000000")'
        )
    return value.strip()


Phone = Annotated[str, AfterValidator(_check_phone)]


def _check_advice(value: dict[str, str]) -> dict[str, str]:
    for hazard, line in value.items():
        if hazard not in HAZARDS:
            raise ValueError(f"unknown hazard {hazard!r}; known hazards: {', '.join(HAZARDS)}")
        if not line.strip():
            raise ValueError(f"the advice for {hazard!r} is empty; remove it to use the default")
        if len(line) > 200:
            raise ValueError(f"the advice for {hazard!r} is {len(line)} characters; keep it to 200")
    return {hazard: line.strip() for hazard, line in value.items()}


def _check_calls(value: dict[str, list[str]]) -> dict[str, list[str]]:
    for hazard, services in value.items():
        if hazard not in HAZARDS:
            raise ValueError(f"unknown hazard {hazard!r}; known hazards: {', '.join(HAZARDS)}")
        unknown = [s for s in services if s not in SERVICES]
        if unknown:
            raise ValueError(
                f"unknown service {unknown[0]!r} for {hazard!r}; services: {', '.join(SERVICES)}"
            )
    return value


class EmergencySettings(BaseModel):
    """Numbers to call, safety advice per hazard, and the minute deadlines of urgent cases."""

    model_config = ConfigDict(extra="forbid")

    fire: Phone = "119"
    police: Phone = "110"
    ambulance: Phone = "120"
    gas_company: Phone | None = None  # the local gas company's emergency line (燃气抢修)
    power_company: Phone | None = None  # the power company's emergency line (电力抢修)
    accept_minutes: int = Field(10, gt=0, le=240)  # each level's time to accept, before it climbs
    on_scene_minutes: int = Field(30, gt=0, le=480)  # from acceptance to 到场
    repeat_minutes: int = Field(3, gt=0, le=60)  # the alert again while nobody has accepted
    resolve_hours: float = Field(24, gt=0, le=720)  # an urgent case's time to be resolved
    advice: Annotated[dict[str, str], AfterValidator(_check_advice)] = {}
    calls: Annotated[dict[str, list[str]], AfterValidator(_check_calls)] = {}

    def number(self, service: str) -> str | None:
        """The configured number of a service, or None when the district has none."""
        return getattr(self, service, None) if service in SERVICES else None

    def calls_for(self, hazard: str) -> list[tuple[str, str]]:
        """(service, number) to call for a hazard, in order; services without a number left out."""
        services = self.calls.get(hazard) or DEFAULT_CALLS.get(hazard, DEFAULT_CALLS["general"])
        found = [(s, self.number(s)) for s in services]
        return [(s, n) for s, n in dict(found).items() if n]
