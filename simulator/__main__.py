"""Run the simulator alone: ``python -m simulator --port 8081 [--seed FILE.json]``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
from pathlib import Path

from simulator.seed import seed
from simulator.server import SimulatorServer


async def _serve(args: argparse.Namespace, spec: dict | None) -> None:
    server = SimulatorServer(
        args.host, args.port, strict_tokens=args.strict_tokens, enforce_limits=args.enforce_limits
    )
    await server.start()
    if spec is not None:
        counts = await seed(server, spec)
        print(f"seeded: {counts}")
    print(f"网格通 simulator: web chat {server.base_url}/  Bot API {server.api_base_url}<token>/")
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--seed", help="a JSON file with users and groups (see simulator.seed)")
    parser.add_argument(
        "--strict-tokens",
        action="store_true",
        help="answer 401 to tokens not registered through the control API",
    )
    parser.add_argument(
        "--enforce-limits",
        action="store_true",
        help="answer 429 past 30 messages/s per bot and 20/min per group",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    with contextlib.suppress(KeyboardInterrupt):
        spec = json.loads(Path(args.seed).read_text(encoding="utf-8")) if args.seed else None
        asyncio.run(_serve(args, spec))


if __name__ == "__main__":
    main()
