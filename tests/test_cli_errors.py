"""The command line's error table: every bad argument, path or ending is one line in the
command line's words, with its exit code (0 done, 1 refused, 2 usage or bad input,
3 unreachable, 130 interrupted), and never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pexpect
import pytest

from cognitoflow.engine import InvalidStateError, SignInFlow
from cognitoflow.engine.cli.demo import PASSWORD
from cognitoflow.engine.cli.words import in_cli_words
from cognitoflow.transports.fake import FakeCognito, FakeTransport

from helpers import free_port

CLI = [sys.executable, "-m", "cognitoflow.engine.cli"]

TABLE = [
    # (case, arguments, the one line expected, exit code)
    ("version", ["--version"], "cognitoflow 0.1.0", 0),
    ("unknown command", ["nope"], "Error: No such command 'nope'.", 2),
    ("unknown diagram format", ["diagram", "--format", "nope"], "'nope' is not one of", 2),
    (
        "diagram to a folder that does not exist",
        ["diagram", "-o", "/nonexistent/dir/x.svg"],
        "Error: -o /nonexistent/dir/x.svg: No such file or directory.",
        2,
    ),
    (
        "a first factor that does not exist",
        [
            "sign-in",
            "--auth-flow",
            "USER_AUTH",
            "--preferred-challenge",
            "BOGUS",
            "--username",
            "bob",
        ],
        "Error: --preferred-challenge is not a first factor. Use one of: PASSWORD,",
        2,
    ),
    (
        "a pool without its client",
        ["sign-in", "--user-pool-id", "us-east-1_x"],
        "Error: --user-pool-id and --client-id go together.",
        2,
    ),
    (
        "a seed file that does not exist",
        ["fake-cognito", "serve", "--seed", "/nonexistent.json"],
        "Error: --seed /nonexistent.json: No such file or directory.",
        2,
    ),
    (
        "a state file in a folder that does not exist",
        ["fake-cognito", "serve", "--state", "/nonexistent/state.json"],
        "Error: --state /nonexistent/state.json: its folder does not exist.",
        2,
    ),
]


@pytest.mark.parametrize(("case", "arguments", "line", "code"), TABLE, ids=[t[0] for t in TABLE])
def test_the_error_table(case: str, arguments: list[str], line: str, code: int) -> None:
    done = subprocess.run(
        [*CLI, *arguments], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
    )
    said = done.stdout + done.stderr
    assert done.returncode == code, said
    assert line in said, said
    assert "Traceback" not in said


def _spawn(*args: str) -> pexpect.spawn:
    env = {**os.environ, "COLUMNS": "200", "PYTHONUNBUFFERED": "1"}
    return pexpect.spawn(CLI[0], [*CLI[1:], *args], encoding="utf-8", timeout=30, env=env)


def _ended(child: pexpect.spawn) -> tuple[int, str]:
    child.expect(pexpect.EOF)
    child.close()
    return int(child.exitstatus if child.exitstatus is not None else 128 + child.signalstatus), str(
        child.before
    )


def test_a_wrong_password_is_refused_with_exit_1() -> None:
    child = _spawn("sign-in", "--username", "bob")
    child.expect("Password")
    child.sendline("Wrong-pass-9")
    code, said = _ended(child)
    assert code == 1
    assert "Incorrect username or password" in said
    assert "Traceback" not in said


def test_an_unreachable_pool_exits_3_saying_nothing_was_sent() -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"
    child = _spawn(
        *("sign-in", "--user-pool-id", "us-east-1_x", "--client-id", "c"),
        *("--endpoint-url", endpoint, "--username", "bob", "--auth-flow", "USER_PASSWORD_AUTH"),
    )
    child.expect("Password")
    child.sendline(PASSWORD)
    code, said = _ended(child)
    assert code == 3, said
    assert "Nothing was sent" in said


def test_ctrl_c_at_a_prompt_exits_130() -> None:
    child = _spawn("sign-in")
    child.expect("Username")
    child.sendintr()
    code, said = _ended(child)
    assert code == 130
    assert "Interrupted." in said
    assert "Traceback" not in said


def test_hints_name_what_the_user_does_at_the_terminal_not_python_methods() -> None:
    cognito = FakeCognito()
    pool = cognito.create_user_pool(PoolName="p")["UserPool"]["Id"]
    client = cognito.create_user_pool_client(UserPoolId=pool, ClientName="c")["UserPoolClient"]
    flow = SignInFlow(FakeTransport(cognito), user_pool_id=pool, client_id=client["ClientId"])
    with pytest.raises(InvalidStateError) as refused:
        flow.confirm_sign_in("123456")
    said = in_cli_words(str(refused.value))
    assert "sign_in" not in said
    assert "Run cognitoflow sign-in first, then answer the prompt" in said
    assert in_cli_words("Sign in again with auth_flow_type='USER_AUTH'.") == (
        "Sign in again with --auth-flow USER_AUTH."
    )
    assert in_cli_words("Call confirm_sign_up with the code.") == (
        "Enter the sign-up code at the prompt with the code."
    )
