"""Faults on purpose: shares of calls answered 429 or 5xx, latency, dropped connections, and
Telegram's own sending limits (30 messages a second per bot, 20 a minute per group)."""

from __future__ import annotations

import math
import random
import time
from collections import deque
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

from simulator.errors import ApiError, too_many_requests

FaultKind = Literal["none", "429", "5xx", "drop"]

# Calls that put a new message in a chat and so count against the limits.
SENDING_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendlocation",
        "sendmediagroup",
        "copymessage",
        "forwardmessage",
    }
)


@dataclass
class FaultConfig:
    """What goes wrong, and how often. Shares are probabilities between 0 and 1."""

    share_429: float = 0.0
    retry_after: int = 1
    share_5xx: float = 0.0
    error_statuses: list[int] = field(default_factory=lambda: [500, 502])
    share_drop: float = 0.0
    # A drop after the call took effect loses only the answer: the message is sent anyway.
    drop_after_apply: bool = False
    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    # Lower-case Bot API method names the faults apply to; None means all but getUpdates.
    methods: list[str] | None = None
    # Stop injecting after this many faults (None: never), for tests that want exactly N.
    max_faults: int | None = None
    enforce_limits: bool = False
    per_bot_per_second: int = 30
    per_group_per_minute: int = 20
    seed: int | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultConfig:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        config = cls(**data)
        for name in ("share_429", "share_5xx", "share_drop"):
            value = getattr(config, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if config.methods is not None:
            config.methods = [m.lower() for m in config.methods]
        return config

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Decision:
    kind: FaultKind = "none"
    status: int = 0
    delay: float = 0.0


class FaultInjector:
    """Decides, call by call, what goes wrong; keeps the sliding windows of the limits."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self.configure(config or FaultConfig())

    def configure(self, config: FaultConfig) -> None:
        self.config = config
        self._random = random.Random(config.seed)
        self._bot_sends: dict[int, deque[float]] = {}
        self._group_sends: dict[int, deque[float]] = {}
        self.counts: dict[str, int] = {"429": 0, "5xx": 0, "drop": 0, "limit": 0}

    def decide(self, method: str) -> Decision:
        config = self.config
        decision = Decision()
        applies = method in config.methods if config.methods is not None else method != "getupdates"
        if not applies:
            return decision
        if config.latency_ms or config.latency_jitter_ms:
            jitter = self._random.uniform(0, config.latency_jitter_ms)
            decision.delay = max(config.latency_ms + jitter, 0.0) / 1000
        injected = self.counts["429"] + self.counts["5xx"] + self.counts["drop"]
        if config.max_faults is not None and injected >= config.max_faults:
            return decision
        roll = self._random.random()
        if roll < config.share_429:
            decision.kind = "429"
        elif roll < config.share_429 + config.share_5xx:
            decision.kind = "5xx"
            decision.status = self._random.choice(config.error_statuses or [500])
        elif roll < config.share_429 + config.share_5xx + config.share_drop:
            decision.kind = "drop"
        if decision.kind != "none":
            self.counts[decision.kind] += 1
        return decision

    def injected_error(self, decision: Decision) -> ApiError:
        if decision.kind == "429":
            return too_many_requests(self.config.retry_after)
        phrase = {
            500: "Internal Server Error",
            502: "Bad Gateway",
            503: "Service Unavailable",
            504: "Gateway Timeout",
        }.get(decision.status, "Internal Server Error")
        return ApiError(decision.status, phrase)

    def check_limits(self, bot_id: int, chat_id: int, is_group: bool) -> None:
        """Raise 429 when this message would break Telegram's limits (if they are enforced)."""
        if not self.config.enforce_limits:
            return
        moment = time.monotonic()
        per_bot = self._window(self._bot_sends, bot_id, moment, 1.0)
        if len(per_bot) >= self.config.per_bot_per_second:
            self.counts["limit"] += 1
            raise too_many_requests(max(1, math.ceil(per_bot[0] + 1.0 - moment)))
        if is_group:
            per_group = self._window(self._group_sends, chat_id, moment, 60.0)
            if len(per_group) >= self.config.per_group_per_minute:
                self.counts["limit"] += 1
                raise too_many_requests(max(1, math.ceil(per_group[0] + 60.0 - moment)))

    def record_send(self, bot_id: int, chat_id: int, is_group: bool) -> None:
        if not self.config.enforce_limits:
            return
        moment = time.monotonic()
        self._bot_sends.setdefault(bot_id, deque()).append(moment)
        if is_group:
            self._group_sends.setdefault(chat_id, deque()).append(moment)

    @staticmethod
    def _window(
        windows: dict[int, deque[float]], key: int, moment: float, span: float
    ) -> deque[float]:
        window = windows.setdefault(key, deque())
        while window and window[0] <= moment - span:
            window.popleft()
        return window
