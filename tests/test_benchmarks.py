"""The benchmarks run, and what they report holds (sizes, never times)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from cognitoflow.engine import FlowState

ROOT = Path(__file__).resolve().parent.parent
COOKIE_LIMIT = 4096
"""Browsers keep cookies of up to 4,096 bytes (name and value)."""


def test_snapshot_benchmark_reports_every_step_and_sealed_snapshots_fit_a_cookie() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks/snapshot_size.py"), "--runs", "3"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line.split() for line in done.stdout.splitlines()[1:]}
    assert set(rows) == {state.value for state in FlowState}, done.stdout
    for state, row in rows.items():
        assert "reached)" not in row, f"{state} was not reached"
        json_bytes, sealed, long_sealed = (int(x) for x in row[1:4])
        assert json_bytes > 0
        assert 0 < sealed < COOKIE_LIMIT - 100, row
        if state != "DONE":  # at DONE the app keeps the tokens, not the snapshot
            assert long_sealed < COOKIE_LIMIT - 100, row


def test_speed_benchmark_runs_and_writes_its_table(tmp_path: Path) -> None:
    """Short mode: every part runs and is reported, every goal judged (no time asserted)."""
    table = tmp_path / "results.md"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks/speed.py"),
            *("--rounds", "2", "--short", "--table", str(table)),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("load average before:")
    written = table.read_text()
    assert written in out
    rows = (
        "pycognito, built-in pow",
        "Boto3Transport()",
        "import cognitoflow.engine",
        "SRP+TOTP flow, engine only, x100",
        "restore from a sealed snapshot, x100",
        "served fake, s per sign-in",
        "moto server, s per sign-in",
        "fake CPU per request, 300 users, --state",
    )
    for row in rows:
        assert f"| {row} |" in written, written
    goals = [line for line in written.splitlines() if re.match(r"\| [1-5] \|", line)]
    verdicts = [line.rsplit("|", 2)[1].strip() for line in goals]
    assert len(verdicts) == 10, written
    assert set(verdicts) <= {"met", "not met"}, verdicts  # each goal measured and judged
    assert "x pycognito (pow)" in written


def test_async_load_benchmark_runs_and_prints_its_tables() -> None:
    """Short mode: the heartbeat and throughput parts run (no time is asserted)."""
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks/async_load.py"),
            "--sign-ins",
            "3",
            "--rounds",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for row in ("| gmpy2 | worker processes |", "| python | inline, on the loop |"):
        assert row in out, out
    assert "| AsyncSignInFlow, tasks |" in out
    assert "| SignInFlow, threads |" in out
