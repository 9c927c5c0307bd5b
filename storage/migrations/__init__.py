"""Numbered schema migrations, applied in order at start (PRAGMA user_version)."""
