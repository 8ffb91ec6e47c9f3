"""Lint, format and strict typing hold for the packages (so CI keeps them)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["src", "engine", "transports", "diagrams", "testing"]
OTHERS = ["tests", "examples", "benchmarks"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_check() -> None:
    """ruff finds nothing in the packages or the tests."""
    done = _run("ruff", "check", *PACKAGES, *OTHERS)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict_examples_and_benchmarks() -> None:
    """The example page and the benchmarks are typed as strictly as the library."""
    scripts = [
        str(p) for folder in ("examples", "benchmarks") for p in (ROOT / folder).rglob("*.py")
    ]
    done = _run("mypy", "--strict", *scripts)
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format() -> None:
    """The code is formatted as ruff formats it."""
    done = _run("ruff", "format", "--check", *PACKAGES, *OTHERS)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict() -> None:
    """mypy --strict passes on the package and every subpackage (engine, transports,
    diagrams, testing)."""
    done = _run("mypy", "-p", "cognitoflow")
    checked = re.search(r"in (\d+) source files", done.stdout)
    assert checked is not None, done.stdout
    assert int(checked.group(1)) > 90, done.stdout  # the subpackages were checked too
    assert done.returncode == 0, done.stdout + done.stderr
