"""Charts and export files drawn when their outbox notice is sent, from the notice's payload.

A chart or a file is a notice like any other (retried, rate-limited, never lost); its payload
names what to draw ({"chart": c|s|r, "scope": token, "period": token, "asked_at": seconds}) or
what to export ({"export": csv|xlsx|open311, …}), so nothing large is stored in the outbox.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from bot.config import Config
from bot.reports import charts, risk
from bot.reports.export import FORMATS, build_export
from bot.reports.stats import daily_series, parse_period_token, parse_scope
from bot.services import Database
from handlers import stats_text


class Undeliverable(ValueError):
    """The payload names something that cannot be drawn (a scope gone from the configuration)."""


@dataclass(frozen=True, slots=True)
class Drawn:
    data: bytes
    filename: str
    caption: str | None = None


class StatsDrawer:
    def __init__(self, db: Database, config: Config) -> None:
        self.db = db
        self.config = config
        # matplotlib's state is process-wide: one chart at a time, off the event loop.
        self._drawing = asyncio.Lock()

    def _where(self, payload: dict[str, Any]) -> tuple[Any, Any, int]:
        asked_at = payload.get("asked_at")
        if not isinstance(asked_at, int):
            raise Undeliverable("no time")
        try:
            scope = parse_scope(str(payload.get("scope", "")), self.config)
            period = parse_period_token(str(payload.get("period", "w")), self.config, asked_at)
        except (LookupError, ValueError) as error:
            raise Undeliverable(str(error)) from None
        return scope, period, asked_at

    async def chart(self, payload: dict[str, Any]) -> Drawn:
        """The PNG of a cases (c), satisfaction (s) or risk (r) chart; FontMissing if no CJK font."""
        scope, period, asked_at = self._where(payload)
        kind = payload.get("chart")
        if kind == "r":
            risks = await risk.assess(self.db.reader, self.config, asked_at, scope)

            def draw() -> bytes:
                return charts.risk_chart(
                    self.config, scope, risks, window_days=self.config.risk.window_days
                )
        elif kind in ("c", "s"):
            series = await daily_series(self.db.reader, self.config, scope, period)
            chart = charts.cases_chart if kind == "c" else charts.satisfaction_chart

            def draw() -> bytes:
                return chart(self.config, scope, period, series)
        else:
            raise Undeliverable(f"no chart {kind!r}")
        async with self._drawing:
            png = await asyncio.to_thread(draw)
        return Drawn(png, "chart.png", str(payload.get("caption") or "") or None)

    async def file(self, payload: dict[str, Any]) -> Drawn:
        """An export of the scope and period, always masked (it goes to a chat)."""
        scope, period, asked_at = self._where(payload)
        fmt = payload.get("export")
        if fmt not in FORMATS:
            raise Undeliverable(f"no export format {fmt!r}")
        result = await build_export(self.db.reader, self.config, fmt, scope, period, asked_at)  # type: ignore[arg-type]  # fmt is one of FORMATS, checked just above
        caption = stats_text.EXPORT_CAPTION.format(
            scope=scope.name(self.config), period=stats_text.period_label(period)
        )
        return Drawn(result.data, result.filename, caption)
