"""The public API of ``assistant``: what the CLI, the app and scripts may import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import assistant

ROOT = Path(__file__).resolve().parent.parent


def test_all_lists_each_name_once() -> None:
    assert len(assistant.__all__) == len(set(assistant.__all__))


@pytest.mark.parametrize("name", assistant.__all__)
def test_every_public_name_resolves(name: str) -> None:
    value = getattr(assistant, name)
    assert value is not None
    assert name in dir(assistant)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = assistant.no_such_name  # type: ignore[attr-defined]


def test_importing_the_package_loads_no_heavy_library() -> None:
    code = (
        "import sys, assistant, assistant.cli; "
        "heavy = [m for m in ('chromadb', 'gradio', 'torch', 'sentence_transformers', "
        "'langchain_core', 'bm25s') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"


def test_no_public_name_is_also_a_subpackage() -> None:
    """Importing ``assistant.propose`` would replace a function of the same name on the package."""
    packages = {p.name for p in (ROOT / "assistant").iterdir() if (p / "__init__.py").is_file()}
    modules = {p.stem for p in (ROOT / "assistant").glob("*.py")}
    assert not (set(assistant.__all__) & (packages | modules))
