"""The `gridbot` command: its entry point, `run`, `demo` seeding, `export` and `check-config`."""

from bot.cli.main import main

__all__ = ["main"]
