"""Password-family sign-in through SignInFlow on the fake user pool, step by step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyotp
import pytest

from cognitoflow.engine import (
    CodeMismatchException,
    ConfirmSignInWithSmsCode,
    FlowState,
    InvalidAnswerError,
    InvalidInputError,
    InvalidParameterException,
    InvalidPasswordException,
    InvalidStateError,
    MFAMethodNotFoundException,
    NotAuthorizedException,
    SessionExpiredError,
    SignInFlow,
    SignInStep,
    UnexpectedChallengeError,
    UserAlreadyAuthenticatedError,
    UserNotFoundException,
)
from cognitoflow.transports.fake import FakeCognito, FakeTransport, ManualClock

from helpers import PASSWORD, Pool

MakePool = Callable[..., Pool]


def _code(cognito: FakeCognito, username: str, purpose: str = "MFA") -> str:
    return cognito.outbox.last_code(username, purpose=purpose)


def test_temporary_password_then_new_password_signs_in(cognito: FakeCognito) -> None:
    """The issue's example: an admin-created user sets a new password and is signed in."""
    pool_id = cognito.create_user_pool(PoolName="demo", MfaConfiguration="OPTIONAL")["UserPool"][
        "Id"
    ]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="web")[
        "UserPoolClient"
    ]["ClientId"]
    cognito.admin_create_user(UserPoolId=pool_id, Username="alice", TemporaryPassword="Temp-pass-1")
    flow = SignInFlow(FakeTransport(cognito), user_pool_id=pool_id, client_id=client_id)
    out = flow.sign_in("alice", "Temp-pass-1")
    assert out.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED
    out = flow.confirm_sign_in("A-better-pass-2")
    assert out.is_signed_in
    assert out.next_step.sign_in_step is SignInStep.DONE
    assert out.tokens is not None
    assert out.tokens.access_token
    flow.sign_out()
    assert flow.sign_in("alice", "A-better-pass-2").is_signed_in


def test_weak_new_password_keeps_the_step_and_a_good_one_signs_in(make_pool: MakePool) -> None:
    """InvalidPasswordException keeps NEW_PASSWORD_REQUIRED; the next good password works."""
    pool = make_pool()
    pool.cognito.admin_create_user(
        UserPoolId=pool.pool_id, Username="bob", TemporaryPassword="Temp-pass-1"
    )
    flow = pool.flow()
    flow.sign_in("bob", "Temp-pass-1")
    with pytest.raises(InvalidPasswordException, match="Password not long enough"):
        flow.confirm_sign_in("Ab1!")
    assert flow.state is FlowState.CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED
    with pytest.raises(InvalidPasswordException, match="symbol"):
        flow.confirm_sign_in("Abcdefgh1")
    assert flow.confirm_sign_in("Abcdefgh1!").is_signed_in


def test_new_password_asks_for_missing_required_attributes(make_pool: MakePool) -> None:
    """Missing required attributes are listed, checked locally, and sent with the password."""
    pool = make_pool(Schema=[{"Name": "name", "Required": True}])
    pool.cognito.admin_create_user(
        UserPoolId=pool.pool_id, Username="carol", TemporaryPassword="Temp-pass-1"
    )
    flow = pool.flow()
    out = flow.sign_in("carol", "Temp-pass-1")
    assert out.next_step.missing_attributes == ("name",)  # type: ignore[union-attr]
    with pytest.raises(InvalidAnswerError, match="name"):
        flow.confirm_sign_in("A-better-pass-2")
    assert flow.state is FlowState.CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED
    out = flow.confirm_sign_in("A-better-pass-2", user_attributes={"name": "Carol"})
    assert out.is_signed_in
    user = pool.cognito.admin_get_user(UserPoolId=pool.pool_id, Username="carol")
    assert {"Name": "name", "Value": "Carol"} in user["UserAttributes"]
    assert user["UserStatus"] == "CONFIRMED"


def test_wrong_password_is_not_authorized_and_stays_signed_out(make_pool: MakePool) -> None:
    """SRP with a wrong password: Cognito's NotAuthorizedException, and no state change."""
    pool = make_pool()
    pool.user("dave")
    flow = pool.flow()
    with pytest.raises(NotAuthorizedException, match=r"Incorrect username or password\."):
        flow.sign_in("dave", "Wrong-password-1")
    assert flow.state is FlowState.SIGNED_OUT
    assert flow.sign_in("dave", PASSWORD).is_signed_in


def test_unknown_user_legacy_and_hidden(make_pool: MakePool) -> None:
    """LEGACY clients say UserNotFound; ENABLED ones answer like a wrong password."""
    legacy = make_pool()
    with pytest.raises(UserNotFoundException):
        legacy.flow().sign_in("nobody", PASSWORD)
    hidden = make_pool(client={"PreventUserExistenceErrors": "ENABLED"})
    with pytest.raises(NotAuthorizedException, match=r"Incorrect username or password\."):
        hidden.flow().sign_in("nobody", PASSWORD)


def test_sms_mfa_wrong_code_then_right_code(make_pool: MakePool) -> None:
    """SMS MFA: masked delivery details; a wrong code keeps the step; the right one signs in."""
    pool = make_pool(MfaConfiguration="OPTIONAL")
    pool.user("erin", mfa=("SMS_MFA",), phone_number="+15555550123")
    flow = pool.flow()
    out = flow.sign_in("erin", PASSWORD)
    assert isinstance(out.next_step, ConfirmSignInWithSmsCode)
    details = out.next_step.code_delivery_details
    assert details.delivery_medium == "SMS"
    assert details.destination == "+*******0123"
    code = _code(pool.cognito, "erin")
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(CodeMismatchException):
        flow.confirm_sign_in(wrong)
    assert flow.state is FlowState.CONFIRM_SIGN_IN_WITH_SMS_CODE
    assert flow.confirm_sign_in(code).is_signed_in


def test_totp_wrong_code_then_right_code(make_pool: MakePool) -> None:
    """TOTP MFA: a wrong code keeps the step; the current code signs in."""
    pool = make_pool(MfaConfiguration="ON")
    secret = pool.user("frank", mfa=("SOFTWARE_TOKEN_MFA",))
    assert secret
    flow = pool.flow()
    out = flow.sign_in("frank", PASSWORD)
    assert out.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_TOTP_CODE
    totp = pyotp.TOTP(secret)
    wrong = next(
        c for c in ("000000", "111111", "222222", "333333") if not totp.verify(c, valid_window=1)
    )
    with pytest.raises(CodeMismatchException):
        flow.confirm_sign_in(wrong)
    assert flow.state is FlowState.CONFIRM_SIGN_IN_WITH_TOTP_CODE
    assert flow.confirm_sign_in(totp.now()).is_signed_in


def test_email_mfa(make_pool: MakePool) -> None:
    """Email MFA: the code goes to the user's email; CONFIRM_SIGN_IN_WITH_EMAIL_CODE → DONE."""
    pool = make_pool(MfaConfiguration="OPTIONAL")
    pool.cognito.set_user_pool_mfa_config(
        UserPoolId=pool.pool_id,
        EmailMfaConfiguration={"Message": "Code {####}", "Subject": "Code"},
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    pool.user("gina", mfa=("EMAIL_OTP",), email="gina@example.com", email_verified="true")
    flow = pool.flow()
    out = flow.sign_in("gina", PASSWORD)
    assert out.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_EMAIL_CODE
    assert out.next_step.code_delivery_details.destination == "g***@e***.com"  # type: ignore[union-attr]
    message = pool.cognito.outbox.last("gina", purpose="MFA")
    assert message.medium == "EMAIL"
    assert message.destination == "gina@example.com"
    assert flow.confirm_sign_in(message.code).is_signed_in


def test_mfa_selection_then_totp(make_pool: MakePool) -> None:
    """Several MFA types and no preference: the choice is checked, case-insensitively."""
    pool = make_pool(MfaConfiguration="OPTIONAL")
    secret = pool.user("hank", mfa=("SMS_MFA", "SOFTWARE_TOKEN_MFA"), phone_number="+15555550199")
    assert secret
    flow = pool.flow()
    out = flow.sign_in("hank", PASSWORD)
    assert out.next_step.sign_in_step is SignInStep.CONTINUE_SIGN_IN_WITH_MFA_SELECTION
    assert out.next_step.allowed_mfa_types == ("SMS", "TOTP")  # type: ignore[union-attr]
    with pytest.raises(InvalidAnswerError, match="SMS, TOTP"):
        flow.confirm_sign_in("EMAIL")
    assert flow.state is FlowState.CONTINUE_SIGN_IN_WITH_MFA_SELECTION
    out = flow.confirm_sign_in("totp")
    assert out.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_TOTP_CODE
    assert flow.confirm_sign_in(pyotp.TOTP(secret).now()).is_signed_in


def test_expired_session_returns_to_signed_out(make_pool: MakePool, clock: ManualClock) -> None:
    """Past AuthSessionValidity the answer fails and the flow says to sign in again."""
    pool = make_pool(MfaConfiguration="OPTIONAL")
    pool.user("ivan", mfa=("SMS_MFA",), phone_number="+15555550111")
    flow = pool.flow()
    flow.sign_in("ivan", PASSWORD)
    code = _code(pool.cognito, "ivan")
    clock.advance(3 * 60 + 1)
    with pytest.raises(SessionExpiredError, match="sign_in again") as caught:
        flow.confirm_sign_in(code)
    assert "session is expired" in caught.value.message
    assert flow.state is FlowState.SIGNED_OUT
    assert flow.context.session is None


def test_used_session_returns_to_signed_out(make_pool: MakePool) -> None:
    """A session that was already used elsewhere is refused, and the flow is SIGNED_OUT."""
    pool = make_pool(MfaConfiguration="OPTIONAL")
    pool.user("judy", mfa=("SMS_MFA",), phone_number="+15555550112")
    flow = pool.flow()
    flow.sign_in("judy", PASSWORD)
    code = _code(pool.cognito, "judy")
    pool.cognito.respond_to_auth_challenge(
        ClientId=pool.client_id,
        ChallengeName="SMS_MFA",
        Session=flow.context.session,
        ChallengeResponses={"USERNAME": "judy", "SMS_MFA_CODE": code},
    )
    with pytest.raises(SessionExpiredError, match="can only be used once"):
        flow.confirm_sign_in(code)
    assert flow.state is FlowState.SIGNED_OUT


def test_unconfirmed_user_confirms_then_signs_in(make_pool: MakePool) -> None:
    """Sign-up, then sign-in gives CONFIRM_SIGN_UP; confirm_sign_up, then sign_in → DONE."""
    pool = make_pool(AutoVerifiedAttributes=["email"])
    flow = pool.flow()
    up = flow.sign_up("kate", PASSWORD, user_attributes={"email": "kate@example.com"})
    assert not up.is_sign_up_complete
    assert up.next_step.code_delivery_details is not None  # type: ignore[union-attr]
    assert up.next_step.code_delivery_details.destination == "k***@e***.com"  # type: ignore[union-attr]
    flow.sign_out()
    out = flow.sign_in("kate", PASSWORD)
    assert out.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_UP
    with pytest.raises(CodeMismatchException):
        flow.confirm_sign_up(
            "000000" if _code(pool.cognito, "kate", "SIGN_UP") != "000000" else "1"
        )
    assert flow.state is FlowState.CONFIRM_SIGN_UP
    details = flow.resend_sign_up_code()
    assert details.delivery_medium == "EMAIL"
    done = flow.confirm_sign_up(_code(pool.cognito, "kate", "SIGN_UP"))
    assert done.is_sign_up_complete
    assert flow.state is FlowState.SIGNED_OUT
    assert flow.sign_in("kate", PASSWORD).is_signed_in
    user = pool.cognito.admin_get_user(UserPoolId=pool.pool_id, Username="kate")
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]


def test_reset_required_user_resets_then_signs_in(make_pool: MakePool) -> None:
    """RESET_PASSWORD → reset_password → confirm_reset_password → sign_in with the new one."""
    pool = make_pool()
    pool.user("liam", email="liam@example.com", email_verified="true")
    pool.cognito.admin_reset_user_password(UserPoolId=pool.pool_id, Username="liam")
    flow = pool.flow()
    out = flow.sign_in("liam", PASSWORD)
    assert out.next_step.sign_in_step is SignInStep.RESET_PASSWORD
    reset = flow.reset_password()
    assert not reset.is_password_reset
    assert reset.next_step.code_delivery_details.attribute_name == "email"  # type: ignore[union-attr]
    code = _code(pool.cognito, "liam", "FORGOT_PASSWORD")
    with pytest.raises(InvalidPasswordException):
        flow.confirm_reset_password(new_password="weak", confirmation_code=code)
    assert flow.state is FlowState.CONFIRM_RESET_PASSWORD_WITH_CODE
    done = flow.confirm_reset_password(new_password="New-password-9", confirmation_code=code)
    assert done.is_password_reset
    assert flow.state is FlowState.SIGNED_OUT
    with pytest.raises(NotAuthorizedException):
        flow.sign_in("liam", PASSWORD)
    assert flow.sign_in("liam", "New-password-9").is_signed_in


def test_app_client_with_secret(make_pool: MakePool) -> None:
    """With a client secret every request carries SECRET_HASH; without it Cognito refuses."""
    pool = make_pool(MfaConfiguration="OPTIONAL", client={"GenerateSecret": True})
    assert pool.client_secret
    pool.user("mia", mfa=("SMS_MFA",), phone_number="+15555550100")
    with pytest.raises(NotAuthorizedException, match="configured with secret"):
        pool.flow(secret=False).sign_in("mia", PASSWORD)
    flow = pool.flow()
    flow.sign_in("mia", PASSWORD)
    assert flow.confirm_sign_in(_code(pool.cognito, "mia")).is_signed_in


def test_user_password_auth(make_pool: MakePool) -> None:
    """USER_PASSWORD_AUTH works where the client allows it, and is refused where not."""
    allowed = make_pool(client={"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]})
    allowed.user("nina")
    assert (
        allowed.flow().sign_in("nina", PASSWORD, auth_flow_type="USER_PASSWORD_AUTH").is_signed_in
    )
    refused = make_pool()
    refused.user("nina")
    with pytest.raises(InvalidParameterException, match="USER_PASSWORD_AUTH flow not enabled"):
        refused.flow().sign_in("nina", PASSWORD, auth_flow_type="USER_PASSWORD_AUTH")


def test_mfa_required_with_nothing_to_set_up(make_pool: MakePool) -> None:
    """MFA ON with SMS only and no phone: Cognito's MFAMethodNotFoundException, typed."""
    pool = make_pool(MfaConfiguration="ON")
    pool.cognito.set_user_pool_mfa_config(
        UserPoolId=pool.pool_id, SmsMfaConfiguration={"SmsAuthenticationMessage": "{####}"}
    )
    pool.user("oscar")
    with pytest.raises(MFAMethodNotFoundException):
        pool.flow().sign_in("oscar", PASSWORD)


@pytest.mark.parametrize(
    ("username", "password", "field"),
    [("", PASSWORD, "username"), ("  ", PASSWORD, "username"), ("pat", "", "password")],
)
def test_empty_credentials_are_refused_before_any_call(
    make_pool: MakePool, username: str, password: str, field: str
) -> None:
    """Empty username or password: a typed error naming the field; nothing sent."""
    flow = make_pool().flow()
    with pytest.raises(InvalidInputError) as caught:
        flow.sign_in(username, password)
    assert caught.value.field == field
    assert flow.state is FlowState.SIGNED_OUT


def test_bad_answers_keep_the_step(make_pool: MakePool) -> None:
    """A code with letters or an empty answer is refused locally; the right code still works."""
    pool = make_pool(MfaConfiguration="OPTIONAL")
    pool.user("quinn", mfa=("SMS_MFA",), phone_number="+15555550155")
    flow = pool.flow()
    flow.sign_in("quinn", PASSWORD)
    before = flow.context
    for bad in ("12ab56", "", "   "):
        with pytest.raises(InvalidAnswerError):
            flow.confirm_sign_in(bad)
        assert flow.state is FlowState.CONFIRM_SIGN_IN_WITH_SMS_CODE
        assert flow.context == before
    assert flow.confirm_sign_in(_code(pool.cognito, "quinn")).is_signed_in


def test_confirm_without_sign_in_and_sign_in_twice(make_pool: MakePool) -> None:
    """confirm_sign_in with nothing to confirm, and sign_in when signed in, are state errors."""
    pool = make_pool()
    pool.user("rita")
    flow = pool.flow()
    with pytest.raises(InvalidStateError, match="Call sign_in first"):
        flow.confirm_sign_in("123456")
    flow.sign_in("rita", PASSWORD)
    with pytest.raises(UserAlreadyAuthenticatedError, match="sign_out"):
        flow.sign_in("rita", PASSWORD)
    assert flow.state is FlowState.DONE


def test_a_new_sign_in_replaces_a_pending_one_only_when_it_succeeds(make_pool: MakePool) -> None:
    """A failed sign_in leaves the pending step intact; a good one replaces it."""
    pool = make_pool(MfaConfiguration="OPTIONAL")
    pool.user("sam", mfa=("SMS_MFA",), phone_number="+15555550166")
    pool.user("tess")
    flow = pool.flow()
    flow.sign_in("sam", PASSWORD)
    with pytest.raises(NotAuthorizedException):
        flow.sign_in("tess", "Wrong-password-1")
    assert flow.state is FlowState.CONFIRM_SIGN_IN_WITH_SMS_CODE
    assert flow.context.login_id == "sam"
    assert flow.sign_in("tess", PASSWORD).is_signed_in


class _Scripted(FakeTransport):
    """A transport that answers InitiateAuth with a fixed reply."""

    def __init__(self, cognito: FakeCognito, reply: dict[str, Any]) -> None:
        super().__init__(cognito)
        self.reply = reply

    def initiate_auth(self, request: Any) -> Any:
        return self.reply


def test_unknown_challenge_is_a_typed_error(cognito: FakeCognito) -> None:
    """An unknown ChallengeName is never a silent fall-through: typed error, state kept."""
    flow = SignInFlow(
        _Scripted(cognito, {"ChallengeName": "SOMETHING_NEW", "Session": "s" * 30}),
        user_pool_id="us-east-1_x",
        client_id="client",
    )
    with pytest.raises(UnexpectedChallengeError, match="SOMETHING_NEW"):
        flow.sign_in("uma", PASSWORD)
    assert flow.state is FlowState.SIGNED_OUT


def test_totp_setup_when_mfa_is_required(make_pool: MakePool) -> None:
    """MFA ON with TOTP only and no method: the TOTP set-up step, then TOTP at next sign-in."""
    pool = make_pool(MfaConfiguration="ON")
    pool.cognito.set_user_pool_mfa_config(
        UserPoolId=pool.pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    pool.user("vera")
    flow = pool.flow()
    out = flow.sign_in("vera", PASSWORD)
    assert out.next_step.sign_in_step is SignInStep.CONTINUE_SIGN_IN_WITH_TOTP_SETUP
    details = out.next_step.totp_setup_details  # type: ignore[union-attr]
    assert details is not None
    with pytest.raises(CodeMismatchException):
        flow.confirm_sign_in(
            next(
                c
                for c in ("000000", "111111", "222222")
                if not pyotp.TOTP(details.shared_secret).verify(c, valid_window=1)
            )
        )
    assert flow.state is FlowState.CONTINUE_SIGN_IN_WITH_TOTP_SETUP
    assert flow.confirm_sign_in(pyotp.TOTP(details.shared_secret).now()).is_signed_in
    flow.sign_out()
    out = flow.sign_in("vera", PASSWORD)
    assert out.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_TOTP_CODE


def test_a_refused_answer_is_not_echoed(make_pool: MakePool) -> None:
    """A code typed into the MFA choice never appears in the error message."""
    pool = make_pool(MfaConfiguration="OPTIONAL")
    pool.user("yara", mfa=("SMS_MFA", "SOFTWARE_TOKEN_MFA"), phone_number="+15555550188")
    flow = pool.flow()
    flow.sign_in("yara", PASSWORD)
    with pytest.raises(InvalidAnswerError) as caught:
        flow.confirm_sign_in("493817")
    assert "493817" not in str(caught.value)
    assert "SMS, TOTP" in str(caught.value)
