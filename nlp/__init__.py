"""Pure parsing of resident messages."""
