"""Every Cognito error code the engine branches on, through Boto3Transport and botocore's Stubber.

The codes come from the engine's own tables (the typed error classes and the error
events), so a code added there is tested here without another line.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.stub import Stubber

from cognitoflow.engine import (
    CodeMismatchException,
    ConnectionFailedError,
    FlowState,
    InvalidPasswordException,
    NotAuthorizedException,
    ServiceError,
    SessionExpiredError,
    SignInFlow,
    SignInStep,
)
from cognitoflow.engine.errors import SERVICE_ERRORS, TRANSIENT_CODES
from cognitoflow.engine.mapping import ERROR_EVENTS
from cognitoflow.transports import Boto3Transport

POOL = "us-east-1_Stub"
CLIENT = "stubclient"
SESSION = "s" * 40
SMS_CHALLENGE = {
    "ChallengeName": "SMS_MFA",
    "Session": SESSION,
    "ChallengeParameters": {
        "CODE_DELIVERY_DELIVERY_MEDIUM": "SMS",
        "CODE_DELIVERY_DESTINATION": "+*******0123",
        "USER_ID_FOR_SRP": "ann",
    },
}
# Codes Cognito can send that no local server produces, plus one the engine does not know.
EXTRA = ["TooManyRequestsException", "InternalErrorException", "SomethingNewException"]
ALL_CODES = sorted(set(SERVICE_ERRORS) | set(ERROR_EVENTS) | set(EXTRA))


@pytest.fixture
def stubbed() -> Iterator[tuple[SignInFlow, Stubber]]:
    client = boto3.client(
        "cognito-idp", region_name="us-east-1", config=Config(signature_version=UNSIGNED)
    )
    with Stubber(client) as stubber:
        transport = Boto3Transport(client=client, max_attempts=1)  # mapping, not retries
        flow = SignInFlow(transport, user_pool_id=POOL, client_id=CLIENT)
        yield flow, stubber
        stubber.assert_no_pending_responses()


def _error(stubber: Stubber, method: str, code: str, message: str = "refused") -> None:
    status = 500 if code == "InternalErrorException" else 400
    stubber.add_client_error(method, code, message, http_status_code=status)


@pytest.mark.parametrize("code", ALL_CODES)
def test_each_code_at_sign_in(stubbed: tuple[SignInFlow, Stubber], code: str) -> None:
    """At sign-in every code is a typed error carrying Cognito's code, or the step it means."""
    flow, stubber = stubbed
    _error(stubber, "initiate_auth", code, f"message for {code}")
    if code == "UserNotConfirmedException":
        out = flow.sign_in("ann", "Pass-word-1", auth_flow_type="USER_PASSWORD_AUTH")
        assert out.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_UP
        return
    if code == "PasswordResetRequiredException":
        out = flow.sign_in("ann", "Pass-word-1", auth_flow_type="USER_PASSWORD_AUTH")
        assert out.next_step.sign_in_step is SignInStep.RESET_PASSWORD
        return
    with pytest.raises(ServiceError) as caught:
        flow.sign_in("ann", "Pass-word-1", auth_flow_type="USER_PASSWORD_AUTH")
    assert caught.value.code == code
    assert caught.value.message == f"message for {code}"
    assert caught.value.operation == "InitiateAuth"
    expected = SERVICE_ERRORS.get(code, ServiceError)
    assert type(caught.value) is expected
    assert flow.state is FlowState.SIGNED_OUT
    assert caught.value.recovery_suggestion, "every service error says what to do next"
    assert caught.value.retryable is (code in TRANSIENT_CODES)


def _at_sms_step(flow: SignInFlow, stubber: Stubber) -> None:
    stubber.add_response("initiate_auth", SMS_CHALLENGE)
    flow.sign_in("ann", "Pass-word-1", auth_flow_type="USER_PASSWORD_AUTH")
    assert flow.state is FlowState.CONFIRM_SIGN_IN_WITH_SMS_CODE


@pytest.mark.parametrize("code", ALL_CODES)
def test_each_code_while_answering(stubbed: tuple[SignInFlow, Stubber], code: str) -> None:
    """While answering, a wrong code keeps the step, NotAuthorized ends it, others keep it."""
    flow, stubber = stubbed
    _at_sms_step(flow, stubber)
    _error(stubber, "respond_to_auth_challenge", code)
    with pytest.raises(ServiceError) as caught:
        flow.confirm_sign_in("123456")
    assert caught.value.code == code
    if code == "NotAuthorizedException":
        assert flow.state is FlowState.SIGNED_OUT
        assert "sign_in again" in str(caught.value)
    else:
        assert flow.state is FlowState.CONFIRM_SIGN_IN_WITH_SMS_CODE
        assert flow.context.session == SESSION


def test_code_mismatch_is_retried_on_the_same_session(
    stubbed: tuple[SignInFlow, Stubber],
) -> None:
    """After CodeMismatch the same session answers again, and can succeed."""
    flow, stubber = stubbed
    _at_sms_step(flow, stubber)
    _error(stubber, "respond_to_auth_challenge", "CodeMismatchException")
    with pytest.raises(CodeMismatchException):
        flow.confirm_sign_in("000000")
    answer: dict[str, Any] = {
        "ClientId": CLIENT,
        "ChallengeName": "SMS_MFA",
        "Session": SESSION,
        "ChallengeResponses": {"USERNAME": "ann", "SMS_MFA_CODE": "123456"},
    }
    stubber.add_response(
        "respond_to_auth_challenge",
        {"AuthenticationResult": {"AccessToken": "a" * 20, "ExpiresIn": 3600}},
        answer,
    )
    assert flow.confirm_sign_in("123456").is_signed_in


def test_expired_session_message_gives_session_expired(
    stubbed: tuple[SignInFlow, Stubber],
) -> None:
    """Cognito's session messages become SessionExpiredError."""
    flow, stubber = stubbed
    _at_sms_step(flow, stubber)
    _error(
        stubber,
        "respond_to_auth_challenge",
        "NotAuthorizedException",
        "Invalid session for the user, session is expired.",
    )
    with pytest.raises(SessionExpiredError):
        flow.confirm_sign_in("123456")
    assert flow.state is FlowState.SIGNED_OUT


def test_weak_new_password_keeps_the_step(stubbed: tuple[SignInFlow, Stubber]) -> None:
    """InvalidPasswordException on NEW_PASSWORD_REQUIRED keeps the step."""
    flow, stubber = stubbed
    stubber.add_response(
        "initiate_auth",
        {
            "ChallengeName": "NEW_PASSWORD_REQUIRED",
            "Session": SESSION,
            "ChallengeParameters": {"requiredAttributes": "[]", "userAttributes": "{}"},
        },
    )
    flow.sign_in("ann", "Temp-pass-1", auth_flow_type="USER_PASSWORD_AUTH")
    _error(stubber, "respond_to_auth_challenge", "InvalidPasswordException")
    with pytest.raises(InvalidPasswordException):
        flow.confirm_sign_in("weak")
    assert flow.state is FlowState.CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED


def test_totp_setup_wrong_code_keeps_the_step(stubbed: tuple[SignInFlow, Stubber]) -> None:
    """EnableSoftwareTokenMFAException during TOTP set-up keeps the step and the secret."""
    flow, stubber = stubbed
    stubber.add_response(
        "initiate_auth",
        {
            "ChallengeName": "MFA_SETUP",
            "Session": SESSION,
            "ChallengeParameters": {"MFAS_CAN_SETUP": '["SOFTWARE_TOKEN_MFA"]'},
        },
    )
    stubber.add_response("associate_software_token", {"SecretCode": "A" * 32, "Session": "t" * 40})
    flow.sign_in("ann", "Pass-word-1", auth_flow_type="USER_PASSWORD_AUTH")
    _error(stubber, "verify_software_token", "EnableSoftwareTokenMFAException")
    with pytest.raises(CodeMismatchException):
        flow.confirm_sign_in("123456")
    assert flow.state is FlowState.CONTINUE_SIGN_IN_WITH_TOTP_SETUP
    assert flow.context.totp_secret == "A" * 32


def test_limits_on_sign_up_confirmation(stubbed: tuple[SignInFlow, Stubber]) -> None:
    """LimitExceeded and TooManyFailedAttempts on ConfirmSignUp are typed and change nothing."""
    flow, stubber = stubbed
    for code in ("LimitExceededException", "TooManyFailedAttemptsException"):
        _error(stubber, "confirm_sign_up", code)
        with pytest.raises(ServiceError) as caught:
            flow.confirm_sign_up("123456", username="ann")
        assert type(caught.value) is SERVICE_ERRORS[code]
        assert flow.state is FlowState.SIGNED_OUT


def test_unreachable_cognito_is_a_connection_error() -> None:
    """A closed port gives ConnectionFailedError, typed, and the flow is unchanged."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    transport = Boto3Transport(
        endpoint_url=f"http://127.0.0.1:{port}",
        config=Config(connect_timeout=1),
        max_attempts=1,
    )
    flow = SignInFlow(transport, user_pool_id=POOL, client_id=CLIENT)
    with pytest.raises(ConnectionFailedError, match="InitiateAuth") as caught:
        flow.sign_in("ann", "Pass-word-1")
    assert flow.state is FlowState.SIGNED_OUT
    assert caught.value.retryable


def test_not_authorized_is_typed() -> None:
    """The typed class for NotAuthorized is the one users catch."""
    assert issubclass(SessionExpiredError, NotAuthorizedException)
    assert SERVICE_ERRORS["NotAuthorizedException"] is NotAuthorizedException


def test_only_passing_failures_are_retryable() -> None:
    """retryable marks what the same call may get past by waiting, and nothing else."""
    from cognitoflow.engine import (
        InvalidAnswerError,
        InvalidStateError,
        StepInProgressError,
        UnexpectedChallengeError,
    )

    assert StepInProgressError("busy").retryable
    assert not InvalidAnswerError("challenge_response", "bad").retryable
    assert not InvalidStateError("no").retryable
    assert not UnexpectedChallengeError("odd").retryable
    assert "InternalErrorException" in TRANSIENT_CODES
    assert "CodeMismatchException" not in TRANSIENT_CODES
