"""The shared objects that the aiohttp application carries, by typed key."""

from __future__ import annotations

from collections import deque
from typing import Any

from aiohttp import web

from simulator.faults import FaultInjector
from simulator.state import SimState

STATE_KEY = web.AppKey("state", SimState)
FAULTS_KEY = web.AppKey("faults", FaultInjector)
# The recent Bot API calls, for tests and benchmarks that count them.
CALLS_KEY = web.AppKey("calls", deque[dict[str, Any]])
