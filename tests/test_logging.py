"""Logs: one event per transition, and never a secret in a log line, error or repr."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyotp
import pytest
import structlog

from cognitoflow.engine import CodeMismatchException, CognitoFlowError, NotAuthorizedException

from helpers import PASSWORD, Pool


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
    with structlog.testing.capture_logs() as logs:
        secrets, texts = _run_flows(pool)
    assert logs, "flows produced no log events"
    rendered = [repr(entry) for entry in logs] + texts
    for secret in secrets:
        for text in rendered:
            assert secret not in text


def test_each_transition_is_logged(make_pool: Callable[..., Pool]) -> None:
    """Each transition logs source, event, target and username."""
    pool = make_pool()
    pool.user("dan")
    with structlog.testing.capture_logs() as logs:
        pool.flow().sign_in("dan", PASSWORD)
    entries: list[dict[str, Any]] = [e for e in logs if e["event"] == "cognitoflow.transition"]
    assert entries == [
        {
            "event": "cognitoflow.transition",
            "log_level": "info",
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
