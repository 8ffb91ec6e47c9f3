"""The command line: the demo runs to the end and shows no secret."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from cognitoflow.engine.cli import cli
from cognitoflow.engine.cli.demo import PASSWORD


def test_demo_walks_every_supported_step() -> None:
    """`cognitoflow demo` reaches each step this version supports, and ends cleanly."""
    result = CliRunner().invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    for step in (
        "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED",
        "CONFIRM_SIGN_IN_WITH_SMS_CODE",
        "CONFIRM_SIGN_IN_WITH_TOTP_CODE",
        "CONTINUE_SIGN_IN_WITH_TOTP_SETUP",
        "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION",
        "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP",
        "CONFIRM_SIGN_IN_WITH_EMAIL_CODE",
        "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE",
        "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION",
        "CONTINUE_SIGN_IN_WITH_MFA_SELECTION",
        "CONFIRM_SIGN_UP",
        "RESET_PASSWORD",
        "CONFIRM_RESET_PASSWORD_WITH_CODE",
        "DONE",
    ):
        assert f"next step: {step}" in result.output
    assert PASSWORD not in result.output
    assert "secret=…" in result.output
    assert "▀" in result.output or "█" in result.output  # the QR code of the TOTP set-up


def test_help_works_as_a_module() -> None:
    """`python -m cognitoflow.engine.cli --help` lists the demo command."""
    done = subprocess.run(
        [sys.executable, "-m", "cognitoflow.engine.cli", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "demo" in done.stdout
