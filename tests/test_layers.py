"""The layers hold: every import of every module points the way the design allows.

    handlers/  the Telegram adapter: wording and HTML; calls the core, never storage/
       │
    bot/       the core, returns data; knows no Telegram (its entry points excepted)
       ├── nlp/      pure parsing: imports nothing of the others
       └── storage/  the only package with a database driver or SQL; imports nothing above it

Rules, checked on each module's imports as `ast` reads them (TYPE_CHECKING and function-level
imports included, since they are arrows too):

1. `nlp/` imports none of `bot`, `handlers`, `storage`, `simulator`.
2. `storage/` imports none of `bot`, `handlers`, `nlp`, `simulator`.
3. `bot/` imports no `handlers` and no `simulator`, except the composition root `bot/cli/`.
4. `handlers/` imports no `storage` and no `simulator`.
5. `bot/` (its entry points `bot/__main__.py` and `bot/cli/` excepted), `nlp/` and `storage/`
   never import `telegram`. (`simulator/`, the local Telegram, may: it tests against it.)
6. Only `storage/` imports a database driver (`aiosqlite`, `sqlite3`, `asyncpg`) or holds SQL text.
7. `simulator/` (the local Telegram) imports none of `bot`, `handlers`, `nlp`, `storage`.

Every `.py` file under these packages is read: a new module is covered without being listed.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "nlp", "storage", "simulator")
DRIVERS = ("aiosqlite", "sqlite3", "asyncpg")
ENTRY_POINTS = ("bot/__main__.py", "bot/cli/")  # the composition root may import every layer

# A string holding SQL: a statement keyword, then what only SQL puts after it.
_SQL = re.compile(
    r"^\s*(SELECT\s.+\sFROM\s|INSERT\s+(OR\s+\w+\s+)?INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s"
    r"|CREATE\s+(TABLE|INDEX)\s|WITH\s+\w+\s+AS\s*\()",
    re.IGNORECASE | re.DOTALL,
)


def _modules() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def _imports(tree: ast.AST) -> list[str]:
    """Every module name an import statement in the tree names (relative ones resolved)."""
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative imports hide the layer an import points into"
            found.append(node.module or "")
            found.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _top(name: str) -> str:
    return name.split(".", 1)[0]


def _forbidden(rel: str) -> set[str]:
    """The top-level packages a module at `rel` (posix path from the root) may not import."""
    package = rel.split("/", 1)[0]
    entry = rel.startswith(ENTRY_POINTS)
    banned = {
        "nlp": {"bot", "handlers", "storage", "simulator"},
        "storage": {"bot", "handlers", "nlp", "simulator"},
        "bot": set() if entry else {"handlers", "simulator"},
        "handlers": {"storage", "simulator"},
        "simulator": {"bot", "handlers", "nlp", "storage"},
    }[package]
    if package in ("bot", "nlp", "storage") and not entry:
        banned.add("telegram")
    if package != "storage":
        banned.update(DRIVERS)
    return banned


def _arrows() -> list[str]:
    wrong = []
    for path in _modules():
        rel = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
        banned = _forbidden(rel)
        for name in sorted({_top(n) for n in _imports(tree)} & banned):
            wrong.append(f"{rel} imports {name}")
        if not rel.startswith("storage/"):
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and _SQL.match(node.value)
                ):
                    wrong.append(f"{rel}:{node.lineno} holds SQL: {node.value[:40]!r}")
    return wrong


def test_every_package_is_read() -> None:
    read = {p.relative_to(ROOT).parts[0] for p in _modules()}
    assert read == set(PACKAGES)
    assert len(_modules()) > 60


def test_every_import_points_the_way_the_layers_allow() -> None:
    assert _arrows() == []


@pytest.mark.parametrize(
    ("module", "source", "arrow"),
    [
        ("handlers/x.py", "from storage import cases", "handlers/x.py imports storage"),
        ("bot/cases/x.py", "import telegram", "bot/cases/x.py imports telegram"),
        ("bot/reports/x.py", "if 1:\n    import aiosqlite", "bot/reports/x.py imports aiosqlite"),
        ("nlp/x.py", "from bot.config import Config", "nlp/x.py imports bot"),
        ("storage/x.py", "from bot import services", "storage/x.py imports bot"),
        ("bot/x.py", "def f():\n    from handlers import app", "bot/x.py imports handlers"),
    ],
)
def test_a_wrong_arrow_is_caught(module: str, source: str, arrow: str) -> None:
    tree = ast.parse(source)
    banned = _forbidden(module)
    assert {_top(n) for n in _imports(tree)} & banned, arrow


def test_the_composition_root_may_import_every_layer() -> None:
    assert "handlers" not in _forbidden("bot/cli/run.py")
    assert "telegram" not in _forbidden("bot/cli/run.py")
    assert "telegram" in _forbidden("bot/services.py")
    assert "telegram" in _forbidden("storage/db.py")
    assert "telegram" in _forbidden("nlp/parse.py")


def test_sql_text_is_recognised() -> None:
    assert _SQL.match("SELECT id FROM cases WHERE x = ?")
    assert _SQL.match("\n  INSERT OR IGNORE INTO users (id) VALUES (?)")
    assert not _SQL.match("选择 select 一个类别")
