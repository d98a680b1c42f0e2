"""The app imports project code only through the public API (``assistant``) or its own package.

Parses ``app.py`` and every module of ``assistant/ui/`` (imports inside functions and under
``TYPE_CHECKING`` included): each ``assistant...`` import is ``assistant`` itself, the public
``__init__`` of the store or the API (``assistant.store``, ``assistant.api``), or
``assistant.ui...``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted([ROOT / "app.py", *(ROOT / "assistant" / "ui").rglob("*.py")])


def _project_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import of project code in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: relative import"
            found.append((node.lineno, node.module or ""))
    return [(line, name) for line, name in found if name.split(".")[0] == "assistant"]


PUBLIC_PACKAGES = frozenset({"assistant", "assistant.store", "assistant.api"})
"""Packages whose ``__init__`` is a public API: the root, the dossier store, the HTTP API."""


def _allowed(module: str) -> bool:
    in_ui = module == "assistant.ui" or module.startswith("assistant.ui.")
    return module in PUBLIC_PACKAGES or in_ui


def test_the_files_are_found() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in FILES}
    assert {"app.py", "assistant/ui/app.py", "assistant/ui/tabs/questions.py"} <= names


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_project_code_comes_from_the_public_api_or_the_ui(path: Path) -> None:
    where = path.relative_to(ROOT).as_posix()
    wrong = [
        f"{where}:{line}: {module}"
        for line, module in _project_imports(path)
        if not _allowed(module)
    ]
    assert wrong == []


def test_the_checker_sees_a_private_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "import assistant\nfrom assistant.ui.chat import Turn\n"
        "def f():\n    from assistant.rules.values import as_number\n",
        encoding="utf-8",
    )
    found = _project_imports(module)
    assert [m for _, m in found if not _allowed(m)] == ["assistant.rules.values"]
