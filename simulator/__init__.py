"""A local Telegram Bot API server and a WeChat-style web chat."""
