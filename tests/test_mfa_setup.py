"""MFA set-up during sign-in: selection, TOTP and email, as explicit sub-steps."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

import pyotp
import pytest

from cognitoflow.engine import (
    CodeMismatchException,
    ContinueSignInWithTotpSetup,
    FlowState,
    InvalidAnswerError,
    SignInFlow,
    SignInStep,
    TotpSetupDetails,
)

from helpers import PASSWORD, Pool

MakePool = Callable[..., Pool]


def _setup_pool(make_pool: MakePool, *, totp: bool = True, email: bool = True) -> Pool:
    """A pool that requires MFA and offers the given set-up types."""
    pool = make_pool(MfaConfiguration="ON")
    config: dict[str, object] = {"SoftwareTokenMfaConfiguration": {"Enabled": totp}}
    if email:
        config["EmailMfaConfiguration"] = {"Message": "Code {####}", "Subject": "Code"}
    pool.cognito.set_user_pool_mfa_config(UserPoolId=pool.pool_id, **config)  # type: ignore[arg-type]
    return pool


def _wrong(secret: str) -> str:
    totp = pyotp.TOTP(secret)
    return next(c for c in ("000000", "111111", "222222") if not totp.verify(c, valid_window=1))


def _secret(flow: SignInFlow) -> str:
    step = flow.next_step
    assert isinstance(step, ContinueSignInWithTotpSetup)
    assert step.totp_setup_details is not None
    return step.totp_setup_details.shared_secret


def test_selection_then_totp_then_totp_at_next_sign_in(make_pool: MakePool) -> None:
    """Set-up selection → TOTP → wrong code → right code → DONE; next sign-in asks for TOTP."""
    pool = _setup_pool(make_pool)
    pool.user("ada")
    flow = pool.flow()
    out = flow.sign_in("ada", PASSWORD)
    assert out.next_step.sign_in_step is SignInStep.CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION
    assert out.next_step.allowed_mfa_types == ("TOTP", "EMAIL")  # type: ignore[union-attr]
    out = flow.confirm_sign_in("totp")
    assert out.next_step.sign_in_step is SignInStep.CONTINUE_SIGN_IN_WITH_TOTP_SETUP
    secret = _secret(flow)
    with pytest.raises(CodeMismatchException):
        flow.confirm_sign_in(_wrong(secret))
    assert flow.state is FlowState.CONTINUE_SIGN_IN_WITH_TOTP_SETUP
    assert _secret(flow) == secret
    out = flow.confirm_sign_in(pyotp.TOTP(secret).now(), friendly_device_name="Ada's phone")
    assert out.is_signed_in
    flow.sign_out()
    out = flow.sign_in("ada", PASSWORD)
    assert out.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_TOTP_CODE
    assert out.next_step.friendly_device_name == "Ada's phone"  # type: ignore[union-attr]
    assert flow.confirm_sign_in(pyotp.TOTP(secret).now()).is_signed_in


def test_selection_then_email_then_email_at_next_sign_in(make_pool: MakePool) -> None:
    """Set-up selection → EMAIL → address → code → DONE; next sign-in asks for an email code."""
    pool = _setup_pool(make_pool)
    pool.user("bo")
    flow = pool.flow()
    flow.sign_in("bo", PASSWORD)
    out = flow.confirm_sign_in("Email")
    assert out.next_step.sign_in_step is SignInStep.CONTINUE_SIGN_IN_WITH_EMAIL_SETUP
    with pytest.raises(InvalidAnswerError, match="email address"):
        flow.confirm_sign_in("not-an-address")
    assert flow.state is FlowState.CONTINUE_SIGN_IN_WITH_EMAIL_SETUP
    out = flow.confirm_sign_in("bo@example.com")
    assert out.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_EMAIL_CODE
    message = pool.cognito.outbox.last("bo", purpose="MFA")
    assert message.destination == "bo@example.com"
    assert flow.confirm_sign_in(message.code).is_signed_in
    flow.sign_out()
    out = flow.sign_in("bo", PASSWORD)
    assert out.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_EMAIL_CODE
    assert flow.confirm_sign_in(pool.cognito.outbox.last_code("bo", purpose="MFA")).is_signed_in


def test_totp_only_pool_goes_straight_to_totp_setup(make_pool: MakePool) -> None:
    """With TOTP the only type to set up, the TOTP step comes at once, secret included."""
    pool = _setup_pool(make_pool, email=False)
    pool.user("cy")
    flow = pool.flow()
    out = flow.sign_in("cy", PASSWORD)
    assert out.next_step.sign_in_step is SignInStep.CONTINUE_SIGN_IN_WITH_TOTP_SETUP
    assert flow.confirm_sign_in(pyotp.TOTP(_secret(flow)).now()).is_signed_in


def test_email_only_pool_goes_straight_to_email_setup(make_pool: MakePool) -> None:
    """With email the only type to set up, the email step comes at once."""
    pool = _setup_pool(make_pool, totp=False)
    pool.user("di")
    flow = pool.flow()
    out = flow.sign_in("di", PASSWORD)
    assert out.next_step.sign_in_step is SignInStep.CONTINUE_SIGN_IN_WITH_EMAIL_SETUP
    flow.confirm_sign_in("di@example.com")
    assert flow.confirm_sign_in(pool.cognito.outbox.last_code("di", purpose="MFA")).is_signed_in


@pytest.mark.parametrize("answer", ["SMS", "sms", "PASSWORD", "123456", "di@example.com"])
def test_a_type_not_allowed_is_refused_with_the_step_unchanged(
    make_pool: MakePool, answer: str
) -> None:
    """Answers that are not an offered set-up type are refused; the selection stays."""
    pool = _setup_pool(make_pool)
    pool.user("ed")
    flow = pool.flow()
    flow.sign_in("ed", PASSWORD)
    before = flow.context
    with pytest.raises(InvalidAnswerError, match="TOTP, EMAIL"):
        flow.confirm_sign_in(answer)
    assert flow.state is FlowState.CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION
    assert flow.context == before


@pytest.mark.parametrize("answer", ["EMAIL", "TOTP", "12345", "1234567", "fi@example.com"])
def test_answers_for_another_sub_step_are_refused_in_totp_setup(
    make_pool: MakePool, answer: str
) -> None:
    """In the TOTP sub-step only a six-digit code fits; the step and secret stay."""
    pool = _setup_pool(make_pool, email=False)
    pool.user("fi")
    flow = pool.flow()
    flow.sign_in("fi", PASSWORD)
    secret = _secret(flow)
    with pytest.raises(InvalidAnswerError):
        flow.confirm_sign_in(answer)
    assert flow.state is FlowState.CONTINUE_SIGN_IN_WITH_TOTP_SETUP
    assert _secret(flow) == secret


def test_new_password_then_totp_setup(make_pool: MakePool) -> None:
    """amplify-js#13359: new password required → TOTP set-up → DONE."""
    pool = _setup_pool(make_pool, email=False)
    pool.cognito.admin_create_user(
        UserPoolId=pool.pool_id, Username="gil", TemporaryPassword="Temp-pass-1"
    )
    flow = pool.flow()
    out = flow.sign_in("gil", "Temp-pass-1")
    assert out.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED
    out = flow.confirm_sign_in("A-better-pass-2")
    assert out.next_step.sign_in_step is SignInStep.CONTINUE_SIGN_IN_WITH_TOTP_SETUP
    secret = _secret(flow)
    with pytest.raises(CodeMismatchException):
        flow.confirm_sign_in(_wrong(secret))
    assert flow.confirm_sign_in(pyotp.TOTP(secret).now()).is_signed_in


def test_setup_selection_in_a_user_password_flow(make_pool: MakePool) -> None:
    """The set-up sub-steps work the same after USER_PASSWORD_AUTH."""
    pool = _setup_pool(make_pool)
    pool.user("hu")
    client_id = pool.password_client()
    sign_in = SignInFlow(pool.flow().transport, user_pool_id=pool.pool_id, client_id=client_id)
    out = sign_in.sign_in("hu", PASSWORD, auth_flow_type="USER_PASSWORD_AUTH")
    assert out.next_step.sign_in_step is SignInStep.CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION
    sign_in.confirm_sign_in("TOTP")
    assert sign_in.confirm_sign_in(pyotp.TOTP(_secret(sign_in)).now()).is_signed_in


APP_NAMES = ["My App", "Tom & Jerry", "Shop #1", "Café Übersee", "a:b?c=d", "東京"]


@pytest.mark.parametrize("app_name", APP_NAMES)
def test_an_authenticator_built_from_the_uri_alone_is_accepted(
    make_pool: MakePool, app_name: str
) -> None:
    """pyotp parses the setup URI (issuer and account intact) and its codes are accepted."""
    pool = _setup_pool(make_pool, email=False)
    pool.user("ivy+test@example.com")
    flow = pool.flow()
    out = flow.sign_in("ivy+test@example.com", PASSWORD)
    details = out.next_step.totp_setup_details  # type: ignore[union-attr]
    assert details is not None
    uri = details.get_setup_uri(app_name)
    authenticator = pyotp.parse_uri(uri)
    assert isinstance(authenticator, pyotp.TOTP)
    assert authenticator.issuer == app_name
    assert authenticator.name == "ivy+test@example.com"
    assert flow.confirm_sign_in(authenticator.now()).is_signed_in


def test_setup_uri_format() -> None:
    """The key URI is otpauth://totp/ISSUER:ACCOUNT?secret=…&issuer=…, every part encoded."""
    details = TotpSetupDetails("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "jane doe@example.com")
    uri = details.get_setup_uri("Tom & Jerry #1")
    assert uri == (
        "otpauth://totp/Tom%20%26%20Jerry%20%231:jane%20doe@example.com"
        "?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Tom%20%26%20Jerry%20%231"
    )
    assert details.get_setup_uri("X", "other").startswith("otpauth://totp/X:other?")


def test_account_name_defaults_to_the_login_id_not_the_internal_username(
    make_pool: MakePool,
) -> None:
    """With email as username the label shows the typed email, not the UUID username."""
    pool = make_pool(MfaConfiguration="ON", UsernameAttributes=["email"])
    pool.cognito.set_user_pool_mfa_config(
        UserPoolId=pool.pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    pool.cognito.admin_create_user(
        UserPoolId=pool.pool_id, Username="jo@example.com", MessageAction="SUPPRESS"
    )
    pool.cognito.admin_set_user_password(
        UserPoolId=pool.pool_id, Username="jo@example.com", Password=PASSWORD, Permanent=True
    )
    flow = pool.flow()
    out = flow.sign_in("jo@example.com", PASSWORD)
    details = out.next_step.totp_setup_details  # type: ignore[union-attr]
    assert details is not None
    assert flow.context.username != "jo@example.com"
    assert pyotp.parse_uri(details.get_setup_uri("App")).name == "jo@example.com"


def test_qr_codes_for_terminal_and_svg() -> None:
    """The QR helpers give a square block of text and a well-formed SVG document."""
    details = TotpSetupDetails("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "kai")
    text = details.qr_terminal("App")
    rows = text.strip("\n").splitlines()
    assert len(rows) > 10
    assert len({len(row) for row in rows}) == 1
    svg = ET.fromstring(details.qr_svg("App"))
    assert svg.tag.endswith("svg")
    assert "JBSWY3DP" not in repr(details)
