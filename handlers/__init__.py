"""Telegram adapter: updates in, messages out."""
