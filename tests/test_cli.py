from __future__ import annotations

import json
import subprocess
import sys

import pytest

from assistant.cli import main


def test_indicators_lists_the_30_and_14(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["indicators", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["indicateurs"]) == 30
    assert len(data["indicateurs_hpr"]) == 14


@pytest.mark.parametrize("form", ["CPOM_OS_13", "OS_13", "os13", "OS_13_1_1"])
def test_indicators_accepts_usual_code_forms(form: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["indicators", form, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["code"] == "CPOM_OS_13"


def test_unknown_indicator_is_a_french_error_with_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["indicators", "OS_99"]) == 2
    err = capsys.readouterr().err
    assert "Code d'indicateur inconnu" in err
    assert "Traceback" not in err


def test_python_dash_m_entry_point_prints_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "ingest" in result.stdout
    assert "search" in result.stdout
