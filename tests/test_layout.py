"""The code's layout: the library apart from the program, and units one reader can hold."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("engine", "transports", "diagrams", "testing")
MAX_CLASS_LINES = 400
MAX_FILE_LINES = 600


def test_the_engine_imports_no_part_of_the_program() -> None:
    """``import cognitoflow.engine`` leaves out the command line's and the fake's modules."""
    program = (
        "click",
        "segno",
        "werkzeug",
        "cognitoflow.transports.fake",
        "cognitoflow.engine.cli",
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, cognitoflow.engine; "
            f"print(sorted(m for m in {program!r} if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "[]"


def _sources() -> list[Path]:
    return sorted(p for folder in PACKAGES for p in (ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_units_stay_small(path: Path) -> None:
    """No module over 600 lines, no class over 400: split along the domain instead."""
    source = path.read_text()
    assert source.count("\n") <= MAX_FILE_LINES
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef):
            assert node.end_lineno is not None
            lines = node.end_lineno - node.lineno + 1
            assert lines <= MAX_CLASS_LINES, f"class {node.name} has {lines} lines"


def test_every_challenge_state_has_one_answer_handler() -> None:
    from cognitoflow.engine.answers import ANSWERS
    from cognitoflow.engine.machine import CHALLENGE_STATES

    assert set(ANSWERS) == CHALLENGE_STATES
