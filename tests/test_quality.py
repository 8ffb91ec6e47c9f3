"""Lint, format and strict typing hold for the packages (so CI keeps them)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["engine", "transports", "diagrams", "testing"]
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
    """mypy --strict passes on the four packages."""
    done = _run(
        "mypy",
        "-p",
        "cognitoflow.engine",
        "-p",
        "cognitoflow.transports",
        "-p",
        "cognitoflow.diagrams",
        "-p",
        "cognitoflow.testing",
    )
    assert done.returncode == 0, done.stdout + done.stderr
