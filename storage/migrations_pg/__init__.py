"""Numbered schema migrations for PostgreSQL, the same numbers as storage/migrations."""
