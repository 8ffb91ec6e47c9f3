"""`cognitoflow sign-in` driven through a pseudo-terminal, and the CLI's manners."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pexpect
import pyotp
import pytest
from click.testing import CliRunner

from cognitoflow.engine import SnapshotSealer
from cognitoflow.engine.cli import cli
from cognitoflow.engine.cli.demo import PASSWORD

from helpers import admin_client, pool_with_sms_user


def _spawn(*args: str, env: dict[str, str] | None = None) -> pexpect.spawn:
    env = {**os.environ, "COLUMNS": "200", "PYTHONUNBUFFERED": "1", **(env or {})}
    return pexpect.spawn(
        sys.executable,
        ["-m", "cognitoflow.engine.cli", "sign-in", *args],
        encoding="utf-8",
        timeout=30,
        env=env,
        dimensions=(60, 200),
    )


def _finish(child: pexpect.spawn, username: str) -> str:
    child.expect(f"Signed in as {username}")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    return str(child.before)


def test_totp_setup_then_a_later_sms_sign_in() -> None:
    """carol sets up TOTP from the shown secret; then bob signs in with the SMS code."""
    child = _spawn()
    child.expect("Username")
    child.sendline("carol")
    child.expect("Password")
    child.sendline(PASSWORD)
    child.expect("CONTINUE_SIGN_IN_WITH_TOTP_SETUP")
    child.expect(r"enter this secret by hand: ([A-Z2-7]+)")
    secret = child.match.group(1)
    child.expect("Code from your authenticator app")
    totp = pyotp.TOTP(secret)
    wrong = next(c for c in ("000000", "111111", "222222") if not totp.verify(c, valid_window=1))
    child.sendline(wrong)
    child.expect("Name this device")
    child.sendline("")
    child.expect("Not accepted")
    child.expect("Code from your authenticator app")
    child.sendline(totp.now())
    child.expect("Name this device")
    child.sendline("carol's phone")
    _finish(child, "carol")

    child = _spawn()
    child.expect("Username")
    child.sendline("bob")
    child.expect("Password")
    child.sendline(PASSWORD)
    child.expect(r"\[fake pool\] SMS to \+15555550100 \(mfa\): (\d{6})")
    code = child.match.group(1)
    child.expect("CONFIRM_SIGN_IN_WITH_SMS_CODE")
    child.expect(r"Code sent by SMS to \+\*+0100")
    child.sendline(code)
    _finish(child, "bob")


def test_new_password_is_asked_twice_without_echo() -> None:
    """alice's new password is typed twice, a mismatch is re-asked, nothing is echoed."""
    child = _spawn("--username", "alice")
    child.expect("Password")
    child.sendline("Temp-pass-1")
    child.expect("New password")
    child.sendline("Alices-new-pass-1")
    child.expect("Repeat for confirmation")
    child.sendline("Something-else-2")
    child.expect("do not match")
    child.expect("New password")
    child.sendline("Alices-new-pass-1")
    child.expect("Repeat for confirmation")
    child.sendline("Alices-new-pass-1")
    # MFA is required and alice has a phone number: Cognito texts her a code.
    child.expect(r"\[fake pool\] SMS to \+15555550101 \(mfa\): (\d{6})")
    code = child.match.group(1)
    child.expect("Code sent by SMS")
    child.sendline(code)
    transcript = _finish(child, "alice")
    assert "Alices-new-pass-1" not in transcript
    assert "Temp-pass-1" not in transcript


def test_wrong_password_is_one_line_and_exit_code_1() -> None:
    """A refused sign-in prints one line (no traceback) and exits with 1."""
    child = _spawn("--username", "bob")
    child.expect("Password")
    child.sendline("Wrong-pass-1")
    child.expect(pexpect.EOF)
    child.close()
    output = str(child.before)
    assert child.exitstatus == 1
    assert "Incorrect username or password." in output
    assert "Traceback" not in output


def test_passwordless_and_custom_users() -> None:
    """erin signs in with an email code (USER_AUTH); hugo answers the custom question."""
    child = _spawn("--username", "erin", "--auth-flow", "USER_AUTH")
    child.expect(r"Sign in with \((PASSWORD, PASSWORD_SRP, EMAIL_OTP)\)")
    child.sendline("email_otp")
    child.expect(r"\[fake pool\] EMAIL to erin@example.com \(sign in\): (\d{8})")
    code = child.match.group(1)
    child.expect("Code sent by EMAIL")
    child.sendline(code)
    _finish(child, "erin")

    child = _spawn("--username", "hugo", "--auth-flow", "CUSTOM_WITHOUT_SRP")
    child.expect("question: What is six times seven?")
    child.expect("Answer")
    child.sendline("42")
    _finish(child, "hugo")


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["demo"],
        ["diagram"],
        ["sign-in"],
        ["fake-cognito"],
        ["fake-cognito", "serve"],
    ],
)
def test_every_command_has_help(args: list[str]) -> None:
    """--help works on every command and describes it."""
    result = CliRunner().invoke(cli, [*args, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_usage_errors_exit_2() -> None:
    """Options that do not go together are a usage error, one line, exit code 2."""
    result = CliRunner().invoke(cli, ["sign-in", "--endpoint-url", "http://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "--endpoint-url needs --user-pool-id" in result.output


def test_unreachable_cognito_exits_3() -> None:
    """A Cognito endpoint that does not answer gives one line and exit code 3."""
    env = {**os.environ, "AWS_MAX_ATTEMPTS": "1"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cognitoflow.engine.cli",
            "sign-in",
            "--user-pool-id",
            "us-east-1_Abc",
            "--client-id",
            "client",
            "--endpoint-url",
            "http://127.0.0.1:9",
            "--username",
            "x",
        ],
        input="Some-pass-1\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 3, done.stderr
    assert "Could not reach Cognito" in done.stderr
    assert "Traceback" not in done.stderr
    assert "Some-pass-1" not in done.stdout + done.stderr


def test_debug_shows_transitions_but_no_secret() -> None:
    """--debug logs each transition to stderr; the password never appears."""
    result = CliRunner().invoke(
        cli,
        ["--debug", "sign-in", "--username", "hugo", "--auth-flow", "CUSTOM_WITHOUT_SRP"],
        input="42\n",
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"cognitoflow\.transition.*custom_challenge", result.output)


def _bob_past_mfa(*args: str) -> pexpect.spawn:
    """bob (SMS MFA on the embedded pool) signed in with the code the pool printed."""
    child = _spawn("--username", "bob", *args)
    child.expect("Password")
    child.sendline(PASSWORD)
    child.expect(r"\[fake pool\] SMS to \+15555550100 \(mfa\): (\d{6})")
    code = child.match.group(1)
    child.expect(r"Code sent by SMS")
    child.sendline(code)
    return child


def test_show_tokens_prints_them_and_sign_out_revokes_the_refresh_token() -> None:
    child = _bob_past_mfa("--show-tokens", "--sign-out", "local")
    child.expect("Signed in as bob")
    child.expect(r"(\{\"AccessToken\".*\})")
    shown = json.loads(child.match.group(1))
    assert shown["AccessToken"].count(".") == 2
    assert shown["RefreshToken"]
    assert shown["TokenType"] == "Bearer"
    child.expect("Signed out; the refresh token is revoked.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_tokens_are_not_shown_unless_asked_for() -> None:
    output = _finish(_bob_past_mfa(), "bob")
    assert "AccessToken" not in output
    assert "eyJ" not in output


def test_device_file_remembers_the_device_and_skips_mfa_next_time(
    served: str, tmp_path: Path
) -> None:
    """First run: SMS code, then the device is remembered and sealed in the file. Second
    run, with the file: no code asked."""
    pool_id, client_id = pool_with_sms_user(
        admin_client(served),
        "dev",
        PASSWORD,
        MfaConfiguration="ON",
        DeviceConfiguration={
            "ChallengeRequiredOnNewDevice": True,
            "DeviceOnlyRememberedOnUserPrompt": True,
        },
    )
    device_file = tmp_path / "device"
    args = ["--user-pool-id", pool_id, "--client-id", client_id, "--endpoint-url", served]
    args += ["--username", "dev", "--device-file", str(device_file)]
    key = SnapshotSealer.generate_key()

    child = _spawn(*args, env={"COGNITOFLOW_DEVICE_KEY": key})
    child.expect("Password")
    child.sendline(PASSWORD)
    child.expect("Code sent by SMS")
    query = urllib.parse.urlencode({"username": "dev", "purpose": "MFA"})
    with urllib.request.urlopen(f"{served}/_fake/outbox?{query}") as reply:
        code = json.load(reply)["Messages"][-1]["Code"]
    child.sendline(code)
    child.expect("Signed in as dev")
    child.expect("This device is remembered")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    sealed = device_file.read_text()
    assert "device" not in sealed.lower()  # sealed, not readable
    assert device_file.stat().st_mode & 0o077 == 0

    child = _spawn(*args, env={"COGNITOFLOW_DEVICE_KEY": key})
    child.expect("Password")
    child.sendline(PASSWORD)
    child.expect("Signed in as dev")  # no code asked
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_device_file_needs_its_key() -> None:
    result = CliRunner().invoke(
        cli, ["sign-in", "--device-file", "x"], env={"COGNITOFLOW_DEVICE_KEY": ""}
    )
    assert result.exit_code == 2
    assert "COGNITOFLOW_DEVICE_KEY" in result.output
