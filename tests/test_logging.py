"""Logs: one event per transition, and never a secret in a log line, error or repr."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pyotp
import pytest

from cognitoflow.engine import CodeMismatchException, CognitoFlowError, NotAuthorizedException

from helpers import PASSWORD, Pool, capture_events


def _run_flows(pool: Pool) -> tuple[list[str], list[str]]:
    """Run several flows; return (secrets seen, text the library produced)."""
    secrets: list[str] = [PASSWORD, "Temp-pass-1", "A-better-pass-2", "Wrong-pass-1"]
    texts: list[str] = []
    cognito = pool.cognito
    totp_secret = pool.user("ann", mfa=("SOFTWARE_TOKEN_MFA",))
    assert totp_secret
    secrets.append(totp_secret)
    pool.user("ben", mfa=("SMS_MFA",), phone_number="+15555550177")
    cognito.admin_create_user(
        UserPoolId=pool.pool_id, Username="cat", TemporaryPassword="Temp-pass-1"
    )

    flow = pool.flow()
    try:
        flow.sign_in("ann", "Wrong-pass-1")
    except NotAuthorizedException as error:
        texts += [str(error), repr(error)]
    flow.sign_in("ann", PASSWORD)
    secrets.append(str(flow.context.session))
    code = pyotp.TOTP(totp_secret).now()
    out = flow.confirm_sign_in(code)
    secrets.append(code)
    assert out.tokens is not None
    secrets += [out.tokens.access_token, str(out.tokens.id_token), str(out.tokens.refresh_token)]
    texts += [repr(out), repr(flow), repr(flow.context), repr(out.tokens)]

    flow = pool.flow()
    flow.sign_in("ben", PASSWORD)
    secrets.append(str(flow.context.session))
    sms = cognito.outbox.last_code("ben")
    secrets.append(sms)
    try:
        flow.confirm_sign_in("000000" if sms != "000000" else "111111")
    except CodeMismatchException as error:
        texts += [str(error), repr(error)]
    flow.confirm_sign_in(sms)
    texts += [repr(flow), repr(flow.context), repr(cognito.outbox[-1])]

    flow = pool.flow()
    flow.sign_in("cat", "Temp-pass-1")
    try:
        flow.confirm_sign_in("weak")
    except CognitoFlowError as error:
        texts += [str(error), repr(error)]
    flow.confirm_sign_in("A-better-pass-2")
    return [s for s in secrets if s and len(s) >= 6], texts


def test_no_secret_in_logs_errors_or_reprs(make_pool: Callable[..., Pool]) -> None:
    """Passwords, codes, sessions, tokens and TOTP secrets never reach a log, error or repr."""
    pool = make_pool(MfaConfiguration="OPTIONAL")
    with capture_events() as logs:
        secrets, texts = _run_flows(pool)
    assert logs, "flows produced no log events"
    rendered = [repr(entry) for entry in logs] + texts
    for secret in secrets:
        for text in rendered:
            assert secret not in text


def test_each_transition_is_logged(make_pool: Callable[..., Pool]) -> None:
    """Each transition logs source, event, target and username, at DEBUG."""
    pool = make_pool()
    pool.user("dan")
    with capture_events() as logs:
        pool.flow().sign_in("dan", PASSWORD)
    entries: list[dict[str, Any]] = [e for e in logs if e["event"] == "cognitoflow.transition"]
    assert entries == [
        {
            "event": "cognitoflow.transition",
            "log_level": "debug",
            "source": "SIGNED_OUT",
            "on_event": "authenticated",
            "target": "DONE",
            "username": "dan",
        }
    ]


@pytest.mark.parametrize("name", ["AuthTokens", "TotpSetupDetails", "FlowContext"])
def test_secret_fields_are_out_of_reprs(name: str) -> None:
    """The classes that hold secrets leave them out of their reprs."""
    import cognitoflow.engine as engine

    cls = getattr(engine, name)
    fields = {f.name: f for f in cls.__attrs_attrs__}
    for secret in (
        "access_token",
        "id_token",
        "refresh_token",
        "shared_secret",
        "session",
        "totp_secret",
        "tokens",
    ):
        if secret in fields:
            assert fields[secret].repr is False


SIGN_IN = """
from cognitoflow.engine import SignInFlow
from cognitoflow.transports.fake import FakeCognito, FakeTransport
cognito = FakeCognito()
pool = cognito.create_user_pool(PoolName="p")["UserPool"]["Id"]
client = cognito.create_user_pool_client(UserPoolId=pool, ClientName="c")["UserPoolClient"]
cognito.add_user(pool, "quiet", "Quiet-pass-1")
flow = SignInFlow(FakeTransport(cognito), user_pool_id=pool, client_id=client["ClientId"])
assert flow.sign_in("quiet", "Quiet-pass-1").is_signed_in
flow.sign_out()
"""
SETUPS = {
    "no logging set up": "",
    "basicConfig(WARNING)": "import logging; logging.basicConfig(level=logging.WARNING)\n",
}


@pytest.mark.parametrize("setup", SETUPS)
def test_a_sign_in_prints_nothing_unless_logging_is_configured(setup: str) -> None:
    """The library follows the convention for libraries: no output of its own, ever."""
    done = subprocess.run(
        [sys.executable, "-c", SETUPS[setup] + SIGN_IN], capture_output=True, text=True, check=True
    )
    assert (done.stdout, done.stderr) == ("", "")


def test_an_app_turns_the_logs_on_with_the_standard_logging_module(
    make_pool: Callable[..., Pool],
) -> None:
    """Configured the usual way, the transitions show as readable text with their fields."""
    pool = make_pool()
    pool.user("quiet", "Quiet-pass-1")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("cognitoflow")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        pool.flow().sign_in("quiet", "Quiet-pass-1")
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue().splitlines() == [
        "cognitoflow.transition source=SIGNED_OUT on_event=authenticated target=DONE username=quiet"
    ]
