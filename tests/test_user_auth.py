"""USER_AUTH: first-factor selection, one-time codes and passkeys, on the fake user pool."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from typing import Any

import pyotp
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from cognitoflow.engine import (
    CodeMismatchException,
    ContinueSignInWithFirstFactorSelection,
    FlowState,
    InvalidAnswerError,
    InvalidInputError,
    NotAuthorizedException,
    PasskeyCeremonyError,
    SignInFlow,
    SignInStep,
)
from cognitoflow.transports.fake import FakeTransport, SoftwareAuthenticator

from helpers import PASSWORD, Pool

MakePool = Callable[..., Pool]
RP_ID = "auth.example.com"
ALL = ["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"]


def _passwordless_pool(make_pool: MakePool, factors: list[str] = ALL, **extra: Any) -> Pool:
    pool = make_pool(
        Policies={"SignInPolicy": {"AllowedFirstAuthFactors": factors}},
        client={"ExplicitAuthFlows": ["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]},
        **extra,
    )
    pool.cognito.set_user_pool_mfa_config(
        UserPoolId=pool.pool_id,
        WebAuthnConfiguration={"RelyingPartyId": RP_ID, "UserVerification": "preferred"},
    )
    return pool


def _user(pool: Pool, name: str = "pam", **extra: Any) -> None:
    pool.user(
        name,
        email=f"{name}@example.com",
        email_verified="true",
        phone_number="+15555550142",
        phone_number_verified="true",
        **extra,
    )


def _flow(pool: Pool, authenticator: Any = None) -> SignInFlow:
    return SignInFlow(
        FakeTransport(pool.cognito),
        user_pool_id=pool.pool_id,
        client_id=pool.client_id,
        passkey_authenticator=authenticator,
    )


def _with_passkey(pool: Pool, name: str = "pam") -> SoftwareAuthenticator:
    """Sign the user in with the password and register a software passkey."""
    authenticator = SoftwareAuthenticator()
    flow = _flow(pool)
    flow.sign_in(name, PASSWORD, auth_flow_type="USER_AUTH", preferred_challenge="PASSWORD")
    flow.register_passkey(authenticator.create)
    return authenticator


def _otp(pool: Pool, name: str = "pam") -> str:
    return pool.cognito.outbox.last_code(name, purpose="SIGN_IN")


def _finish(pool: Pool, flow: SignInFlow, factor: str) -> None:
    """Answer whatever step the chosen factor leads to, and check DONE."""
    state = flow.state
    if state is FlowState.CONFIRM_SIGN_IN_WITH_PASSWORD:
        out = flow.confirm_sign_in(PASSWORD)
    elif state in (
        FlowState.CONFIRM_SIGN_IN_WITH_EMAIL_CODE,
        FlowState.CONFIRM_SIGN_IN_WITH_SMS_CODE,
    ):
        code = _otp(pool)
        assert len(code) == 8
        out = flow.confirm_sign_in(code)
    else:
        assert state is FlowState.DONE, (factor, state)
        return
    assert out.is_signed_in, (factor, out)


@pytest.mark.parametrize(
    "factor", ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"]
)
def test_each_preferred_first_factor_reaches_done(make_pool: MakePool, factor: str) -> None:
    """With a preferred factor the user can use, sign-in goes straight to it and on to DONE."""
    pool = _passwordless_pool(make_pool)
    _user(pool)
    authenticator = _with_passkey(pool)
    flow = _flow(pool, authenticator)
    password = PASSWORD if factor.startswith("PASSWORD") else None
    out = flow.sign_in("pam", password, auth_flow_type="USER_AUTH", preferred_challenge=factor)
    expected = {
        "PASSWORD": SignInStep.DONE,
        "PASSWORD_SRP": SignInStep.DONE,
        "EMAIL_OTP": SignInStep.CONFIRM_SIGN_IN_WITH_EMAIL_CODE,
        "SMS_OTP": SignInStep.CONFIRM_SIGN_IN_WITH_SMS_CODE,
        "WEB_AUTHN": SignInStep.DONE,
    }[factor]
    assert out.next_step.sign_in_step is expected
    _finish(pool, flow, factor)
    assert flow.state is FlowState.DONE


@pytest.mark.parametrize(
    "factor", ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "sms_otp", "Web_Authn"]
)
def test_each_first_factor_through_selection(make_pool: MakePool, factor: str) -> None:
    """Without a preference: the selection lists the user's factors; each one leads to DONE."""
    pool = _passwordless_pool(make_pool)
    _user(pool)
    authenticator = _with_passkey(pool)
    flow = _flow(pool, authenticator)
    out = flow.sign_in("pam", auth_flow_type="USER_AUTH")
    assert isinstance(out.next_step, ContinueSignInWithFirstFactorSelection)
    assert out.next_step.available_challenges == (
        "PASSWORD",
        "PASSWORD_SRP",
        "EMAIL_OTP",
        "SMS_OTP",
        "WEB_AUTHN",
    )
    out = flow.confirm_sign_in(factor)
    if factor.upper().startswith("PASSWORD"):
        assert out.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_PASSWORD
    _finish(pool, flow, factor)
    assert flow.state is FlowState.DONE


class CountingTransport(FakeTransport):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.calls = 0

    def respond_to_auth_challenge(self, request: Any) -> Any:
        self.calls += 1
        return super().respond_to_auth_challenge(request)


def test_password_choices_are_local(make_pool: MakePool) -> None:
    """Choosing PASSWORD or PASSWORD_SRP makes no call; the password goes under SELECT_CHALLENGE."""
    pool = _passwordless_pool(make_pool)
    _user(pool)
    transport = CountingTransport(pool.cognito)
    flow = SignInFlow(transport, user_pool_id=pool.pool_id, client_id=pool.client_id)
    flow.sign_in("pam", auth_flow_type="USER_AUTH")
    flow.confirm_sign_in("password_srp")
    assert transport.calls == 0
    assert flow.state is FlowState.CONFIRM_SIGN_IN_WITH_PASSWORD
    assert flow.confirm_sign_in(PASSWORD).is_signed_in
    assert transport.calls == 2  # SELECT_CHALLENGE with SRP_A, then PASSWORD_VERIFIER


def test_a_preferred_factor_the_user_lacks_gives_the_selection(make_pool: MakePool) -> None:
    """A user without a passkey who prefers WEB_AUTHN is offered the factors they have."""
    pool = _passwordless_pool(make_pool)
    _user(pool)
    out = _flow(pool).sign_in("pam", auth_flow_type="USER_AUTH", preferred_challenge="WEB_AUTHN")
    assert isinstance(out.next_step, ContinueSignInWithFirstFactorSelection)
    assert "WEB_AUTHN" not in out.next_step.available_challenges


def test_wrong_one_time_code_then_right(make_pool: MakePool) -> None:
    """A wrong passwordless code keeps the step; the right one signs in."""
    pool = _passwordless_pool(make_pool)
    _user(pool)
    flow = _flow(pool)
    flow.sign_in("pam", auth_flow_type="USER_AUTH", preferred_challenge="EMAIL_OTP")
    code = _otp(pool)
    with pytest.raises(CodeMismatchException):
        flow.confirm_sign_in("00000000" if code != "00000000" else "11111111")
    assert flow.state is FlowState.CONFIRM_SIGN_IN_WITH_EMAIL_CODE
    assert flow.confirm_sign_in(code).is_signed_in


def _failing(options: str) -> str:
    raise RuntimeError("the user cancelled")


@pytest.mark.parametrize("authenticator", [_failing, None], ids=["raises", "missing"])
def test_failed_passkey_ceremony_then_email_code(make_pool: MakePool, authenticator: Any) -> None:
    """A failed ceremony keeps the session: choose EMAIL_OTP on it, then DONE."""
    pool = _passwordless_pool(make_pool)
    _user(pool)
    _with_passkey(pool)
    flow = _flow(pool, authenticator)
    with pytest.raises(PasskeyCeremonyError, match="another factor"):
        flow.sign_in("pam", auth_flow_type="USER_AUTH", preferred_challenge="WEB_AUTHN")
    assert flow.state is FlowState.CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION
    out = flow.confirm_sign_in("EMAIL_OTP")
    assert out.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_EMAIL_CODE
    assert flow.confirm_sign_in(_otp(pool)).is_signed_in


def test_failed_ceremony_after_selection_keeps_the_selection(make_pool: MakePool) -> None:
    """Choosing WEB_AUTHN from the list with a failing authenticator: back to the list."""
    pool = _passwordless_pool(make_pool)
    _user(pool)
    _with_passkey(pool)
    flow = _flow(pool, _failing)
    flow.sign_in("pam", auth_flow_type="USER_AUTH")
    with pytest.raises(PasskeyCeremonyError):
        flow.confirm_sign_in("WEB_AUTHN")
    assert flow.state is FlowState.CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION
    flow.confirm_sign_in("SMS_OTP")
    assert flow.confirm_sign_in(_otp(pool)).is_signed_in


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _web_authn_challenge(pool: Pool) -> dict[str, Any]:
    return pool.cognito.initiate_auth(
        AuthFlow="USER_AUTH",
        ClientId=pool.client_id,
        AuthParameters={"USERNAME": "pam", "PREFERRED_CHALLENGE": "WEB_AUTHN"},
    )


def _answer(pool: Pool, reply: dict[str, Any], credential: dict[str, Any]) -> dict[str, Any]:
    return pool.cognito.respond_to_auth_challenge(
        ClientId=pool.client_id,
        ChallengeName="WEB_AUTHN",
        Session=reply["Session"],
        ChallengeResponses={"USERNAME": "pam", "CREDENTIAL": json.dumps(credential)},
    )


def test_assertion_signed_by_another_key_is_refused(make_pool: MakePool) -> None:
    """A genuine assertion re-signed with a key the pool does not know is refused."""
    pool = _passwordless_pool(make_pool)
    _user(pool)
    authenticator = _with_passkey(pool)
    reply = _web_authn_challenge(pool)
    credential = authenticator.get(reply["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
    response = credential["response"]
    signed = (
        _unb64(response["authenticatorData"])
        + hashlib.sha256(_unb64(response["clientDataJSON"])).digest()
    )
    other = ec.generate_private_key(ec.SECP256R1())
    response["signature"] = _b64(other.sign(signed, ec.ECDSA(hashes.SHA256())))
    with pytest.raises(pool.cognito.exceptions.NotAuthorizedException):
        _answer(pool, reply, credential)


def test_assertion_for_another_challenge_is_refused(make_pool: MakePool) -> None:
    """An assertion made for an earlier challenge does not answer a new one."""
    pool = _passwordless_pool(make_pool)
    _user(pool)
    authenticator = _with_passkey(pool)
    first = _web_authn_challenge(pool)
    stale = authenticator.get(first["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
    second = _web_authn_challenge(pool)
    with pytest.raises(pool.cognito.exceptions.NotAuthorizedException):
        _answer(pool, second, stale)
    fresh = authenticator.get(second["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
    with pytest.raises(pool.cognito.exceptions.NotAuthorizedException, match="only be used once"):
        _answer(pool, second, fresh)  # the refused answer used the session up
    third = _web_authn_challenge(pool)
    fresh = authenticator.get(third["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
    assert "AuthenticationResult" in _answer(pool, third, fresh)


def test_a_refused_assertion_signs_the_flow_out(make_pool: MakePool) -> None:
    """Through the flow, an assertion Cognito refuses ends the sign-in with a typed error."""
    pool = _passwordless_pool(make_pool)
    _user(pool)
    authenticator = _with_passkey(pool)
    stale = json.dumps(
        authenticator.get(
            _web_authn_challenge(pool)["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]
        )
    )
    flow = _flow(pool, lambda options: stale)
    with pytest.raises(NotAuthorizedException):
        flow.sign_in("pam", auth_flow_type="USER_AUTH", preferred_challenge="WEB_AUTHN")
    assert flow.state is FlowState.SIGNED_OUT


@pytest.mark.parametrize("answer", ["SMS_OTP", "WEB_AUTHN", "TOTP", "magic"])
def test_a_factor_not_available_is_refused_with_the_step_unchanged(
    make_pool: MakePool, answer: str
) -> None:
    """Only the listed factors are accepted; the selection stays as it was."""
    pool = _passwordless_pool(make_pool, ["PASSWORD", "EMAIL_OTP"])
    _user(pool)
    flow = _flow(pool)
    flow.sign_in("pam", auth_flow_type="USER_AUTH")
    before = flow.context
    with pytest.raises(InvalidAnswerError, match="PASSWORD, PASSWORD_SRP, EMAIL_OTP"):
        flow.confirm_sign_in(answer)
    assert flow.state is FlowState.CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION
    assert flow.context == before


def test_password_then_totp_mfa(make_pool: MakePool) -> None:
    """USER_AUTH with PASSWORD, then the user's TOTP MFA, then DONE; no passwordless offer."""
    pool = _passwordless_pool(make_pool, MfaConfiguration="OPTIONAL")
    _user(pool, "tom")
    secret = pool.setup_totp("tom", PASSWORD)
    pool.cognito.admin_set_user_mfa_preference(
        UserPoolId=pool.pool_id,
        Username="tom",
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    flow = _flow(pool)
    out = flow.sign_in("tom", auth_flow_type="USER_AUTH")
    assert out.next_step.available_challenges == ("PASSWORD", "PASSWORD_SRP")  # type: ignore[union-attr]
    flow.confirm_sign_in("PASSWORD")
    out = flow.confirm_sign_in(PASSWORD)
    assert out.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_TOTP_CODE
    assert flow.confirm_sign_in(pyotp.TOTP(secret).now()).is_signed_in


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        (
            {"auth_flow_type": "USER_SRP_AUTH", "preferred_challenge": "EMAIL_OTP"},
            "preferred_challenge",
        ),
        ({"auth_flow_type": "USER_AUTH", "preferred_challenge": "TOTP"}, "preferred_challenge"),
        ({"auth_flow_type": "USER_AUTH", "preferred_challenge": "PASSWORD"}, "password"),
    ],
)
def test_user_auth_arguments_are_checked(
    make_pool: MakePool, kwargs: dict[str, str], field: str
) -> None:
    """Misused arguments are refused before any call."""
    pool = _passwordless_pool(make_pool)
    flow = _flow(pool)
    password = PASSWORD if kwargs["auth_flow_type"] == "USER_SRP_AUTH" else None
    with pytest.raises(InvalidInputError) as caught:
        flow.sign_in("pam", password, **kwargs)
    assert caught.value.field == field


def test_a_password_without_a_password_preference_is_refused(make_pool: MakePool) -> None:
    """USER_AUTH would ignore the password; the flow says so instead of dropping it."""
    flow = _flow(_passwordless_pool(make_pool))
    with pytest.raises(InvalidInputError, match="preferred_challenge"):
        flow.sign_in("pam", PASSWORD, auth_flow_type="USER_AUTH")


def test_user_auth_needs_the_client_flow(make_pool: MakePool) -> None:
    """A client without ALLOW_USER_AUTH refuses the flow with Cognito's message."""
    pool = make_pool()
    with pytest.raises(pool.cognito.exceptions.InvalidParameterException, match="USER_AUTH"):
        pool.cognito.initiate_auth(
            AuthFlow="USER_AUTH", ClientId=pool.client_id, AuthParameters={"USERNAME": "x"}
        )


def test_passkey_registration_list_and_delete(make_pool: MakePool) -> None:
    """Registered passkeys are listed, excluded from new registrations, and can be deleted."""
    pool = _passwordless_pool(make_pool)
    _user(pool)
    flow = _flow(pool)
    flow.sign_in("pam", PASSWORD, auth_flow_type="USER_AUTH", preferred_challenge="PASSWORD")
    authenticator = SoftwareAuthenticator()
    flow.register_passkey(authenticator.create)
    assert flow.tokens is not None
    access = flow.tokens.access_token
    listed = pool.cognito.list_web_authn_credentials(AccessToken=access)["Credentials"]
    assert [c["CredentialId"] for c in listed] == authenticator.credential_ids
    assert listed[0]["RelyingPartyId"] == RP_ID
    options = pool.cognito.start_web_authn_registration(AccessToken=access)
    excluded = options["CredentialCreationOptions"]["excludeCredentials"]
    assert [c["id"] for c in excluded] == authenticator.credential_ids
    pool.cognito.delete_web_authn_credential(
        AccessToken=access, CredentialId=listed[0]["CredentialId"]
    )
    assert pool.cognito.list_web_authn_credentials(AccessToken=access)["Credentials"] == []


def test_registration_from_another_origin_is_refused(make_pool: MakePool) -> None:
    """A credential created on another site is WebAuthnOriginNotAllowedException."""
    pool = _passwordless_pool(make_pool)
    _user(pool)
    flow = _flow(pool)
    flow.sign_in("pam", PASSWORD, auth_flow_type="USER_AUTH", preferred_challenge="PASSWORD")
    evil = SoftwareAuthenticator(origin="https://evil.example.net")
    with pytest.raises(Exception, match="WebAuthnOriginNotAllowedException"):
        flow.register_passkey(evil.create)


def test_passwordless_sign_up(make_pool: MakePool) -> None:
    """A pool with passwordless factors accepts a sign-up without a password."""
    pool = _passwordless_pool(make_pool, AutoVerifiedAttributes=["email"])
    flow = _flow(pool)
    pool.cognito.sign_up(
        ClientId=pool.client_id,
        Username="neo",
        UserAttributes=[{"Name": "email", "Value": "neo@example.com"}],
    )
    flow.confirm_sign_up(pool.cognito.outbox.last_code("neo", purpose="SIGN_UP"), username="neo")
    out = flow.sign_in("neo", auth_flow_type="USER_AUTH")
    assert out.next_step.available_challenges == ("EMAIL_OTP",)  # type: ignore[union-attr]
    flow.confirm_sign_in("EMAIL_OTP")
    assert flow.confirm_sign_in(_otp(pool, "neo")).is_signed_in


def test_a_reset_between_two_steps_is_seen_at_the_password(make_pool: MakePool) -> None:
    """An admin reset after the factor was chosen: the password step gives RESET_PASSWORD."""
    pool = _passwordless_pool(make_pool)
    _user(pool)
    flow = _flow(pool)
    flow.sign_in("pam", auth_flow_type="USER_AUTH")
    flow.confirm_sign_in("PASSWORD")
    pool.cognito.admin_reset_user_password(UserPoolId=pool.pool_id, Username="pam")
    out = flow.confirm_sign_in(PASSWORD)
    assert out.next_step.sign_in_step is SignInStep.RESET_PASSWORD


def test_no_passwordless_factors_where_mfa_is_required(make_pool: MakePool) -> None:
    """In a pool that requires MFA only the password factors are offered."""
    pool = _passwordless_pool(make_pool, MfaConfiguration="ON")
    _user(pool)
    out = _flow(pool).sign_in("pam", auth_flow_type="USER_AUTH")
    assert out.next_step.available_challenges == ("PASSWORD", "PASSWORD_SRP")  # type: ignore[union-attr]
