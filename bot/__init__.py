"""Gridbot core: configuration, cases, routing, lifecycle; no Telegram."""
