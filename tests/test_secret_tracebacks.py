"""Tracebacks with locals shown hold no secret: passwords, codes, sessions, tokens, TOTP
secrets, the client secret. Errors from many points of many flows are rendered the two
ways applications render them (structlog's dict tracebacks, rich's tracebacks), every
local printed in full, and every line is scanned for every secret in play."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

import pytest
from rich.console import Console
from rich.traceback import Traceback
from structlog.tracebacks import ExceptionDictTransformer

from cognitoflow.engine import CognitoFlowError, SignInFlow
from cognitoflow.transports import TransportConnectionError, TransportOutcomeUnknownError
from cognitoflow.transports.fake import FakeCognito, FakeTransport, ManualClock

from helpers import PASSWORD, Pool

WRONG = "Wrong-pass-9!"
NEW = "Brand-new-pass-7!"


class Faulty(FakeTransport):
    """The next call fails with ``fault`` (after Cognito carried it out, for a lost reply)."""

    fault: str | None = None

    def _call(self, operation: str, method: str, request: Any) -> Any:
        fault, self.fault = self.fault, None
        if fault == "unreachable":
            raise TransportConnectionError("refused", operation)
        reply = super()._call(operation, method, request)
        if fault == "lost":
            raise TransportOutcomeUnknownError("read timeout", operation)
        return reply


@pytest.fixture
def pool(cognito: FakeCognito) -> Pool:
    pool = Pool(
        cognito,
        MfaConfiguration="OPTIONAL",
        AutoVerifiedAttributes=["email"],
        client={
            "GenerateSecret": True,
            "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH"],
        },
    )
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool.pool_id,
        MfaConfiguration="OPTIONAL",
        SmsMfaConfiguration={"SmsAuthenticationMessage": "{####}"},
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    pool.user("sam", mfa=("SMS_MFA",), phone_number="+15555550100", email="s@example.com")
    pool.user("tia", mfa=("SOFTWARE_TOKEN_MFA",))
    pool.user("ray", email="r@example.com", email_verified="true")
    return pool


def _flow(pool: Pool) -> SignInFlow:
    return SignInFlow(
        Faulty(pool.cognito),
        user_pool_id=pool.pool_id,
        client_id=pool.client_id,
        client_secret=pool.client_secret,
        clock=pool.cognito.clock,
    )


def _failures(pool: Pool, signed_in: list[SignInFlow]) -> Iterator[Callable[[], Any]]:
    """Calls that fail, at many points of many flows (each runs on a fresh flow state)."""
    cognito = pool.cognito
    yield lambda: _flow(pool).sign_in("sam", WRONG)
    yield lambda: _flow(pool).sign_in("sam", WRONG, auth_flow_type="USER_PASSWORD_AUTH")

    sms = _flow(pool)
    sms.sign_in("sam", PASSWORD)
    yield lambda: sms.confirm_sign_in(
        "999999" if cognito.outbox.last_code("sam") != "999999" else "111111"
    )
    yield lambda: sms.confirm_sign_in("not a code")

    def unreachable() -> Any:
        sms.transport.fault = "unreachable"  # type: ignore[attr-defined]
        return sms.confirm_sign_in(cognito.outbox.last_code("sam"))

    yield unreachable

    def lost() -> Any:
        sms.transport.fault = "lost"  # type: ignore[attr-defined]
        return sms.confirm_sign_in(cognito.outbox.last_code("sam"))

    yield lost
    yield lambda: sms.confirm_sign_in(cognito.outbox.last_code("sam"))  # session now used

    expired = _flow(pool)
    expired.sign_in("sam", PASSWORD)

    def too_late() -> Any:
        cognito.clock.advance(600)  # type: ignore[attr-defined]
        return expired.confirm_sign_in(cognito.outbox.last_code("sam"))

    yield too_late

    totp = _flow(pool)
    totp.sign_in("tia", PASSWORD)
    yield lambda: totp.confirm_sign_in("000000")

    reset = _flow(pool)
    reset.reset_password("ray")
    yield lambda: reset.confirm_reset_password(new_password=NEW, confirmation_code="00000000")

    cognito.admin_set_user_password(
        UserPoolId=pool.pool_id, Username="ray", Password="Temp-pass-1!", Permanent=False
    )
    fresh = _flow(pool)
    fresh.sign_in("ray", "Temp-pass-1!")
    yield lambda: fresh.confirm_sign_in("weak")

    done = _flow(pool)
    done.sign_in("ray", "Temp-pass-1!")
    done.confirm_sign_in(NEW)
    signed_in.append(done)  # its access and ID tokens are among the secrets
    yield lambda: done.sign_in("ray", NEW)
    yield lambda: done.confirm_sign_in("123456")

    def ceremony(options: dict[str, Any]) -> Any:
        raise RuntimeError("the user cancelled")

    yield lambda: done.register_passkey(ceremony)


def _secrets(pool: Pool, signed_in: list[SignInFlow]) -> set[str]:
    cognito = pool.cognito
    found = {PASSWORD, WRONG, NEW, "Temp-pass-1!", pool.client_secret or ""}
    found.update(m.code for m in cognito.outbox)
    found.update(cognito._sessions)
    found.update(cognito._refresh)
    for user in cognito._pools[pool.pool_id].users.values():
        found.update(s for s in (user.totp_secret, user.totp_pending_secret) if s)
    for flow in signed_in:
        tokens = flow.tokens
        assert tokens is not None
        found.update(t for t in (tokens.access_token, tokens.id_token) if t)
    return {s for s in found if len(s) >= 6}


def _library_frames(error: BaseException) -> TracebackType | None:
    """The traceback from the first cognitoflow frame on (the test's own frames, with
    their literal passwords, are the application's business, not the library's)."""
    tb = error.__traceback__
    while tb is not None and not tb.tb_frame.f_globals.get("__name__", "").startswith(
        "cognitoflow"
    ):
        tb = tb.tb_next
    assert tb is not None, "the error came from no cognitoflow frame"
    return tb


def _render(error: BaseException) -> list[str]:
    frames = _library_frames(error)
    structured = ExceptionDictTransformer(
        show_locals=True, locals_max_string=1_000_000, locals_max_length=1_000
    )((type(error), error, frames))
    lines = json.dumps(structured, default=repr, indent=1).splitlines()
    console = Console(file=io.StringIO(), width=400, color_system=None)
    console.print(
        Traceback.from_exception(
            type(error),
            error,
            frames,
            show_locals=True,
            locals_max_string=1_000_000,
            locals_max_length=1_000,
            width=400,
        )
    )
    return lines + console.file.getvalue().splitlines()  # type: ignore[attr-defined]


def test_tracebacks_with_locals_hold_no_secret(pool: Pool, clock: ManualClock) -> None:
    rendered: list[str] = []
    errors = 0
    signed_in: list[SignInFlow] = []
    for fail in _failures(pool, signed_in):
        with pytest.raises(CognitoFlowError) as caught:
            fail()
        errors += 1
        rendered += _render(caught.value)
    secrets = _secrets(pool, signed_in)
    leaks = sorted(
        {
            (secret[:6] + "…", line[:120])
            for secret in secrets
            for line in rendered
            if secret in line
        }
    )
    print(
        f"\nsecret scan: {errors} errors, {len(rendered)} lines with locals, "
        + f"{len(secrets)} secrets, {len(leaks)} found"
    )
    assert errors >= 14
    assert not leaks, leaks
