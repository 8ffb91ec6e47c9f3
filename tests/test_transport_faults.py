"""Faults between the flow and Cognito: never sent, or sent with the answer lost.

The transport boundary tells the two apart; Boto3Transport re-sends only what is safe to
send twice; the flow reports a lost answer with what is safe to do next, and is left as
it was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyotp
import pytest

from cognitoflow.engine import (
    CodeMismatchException,
    ConnectionFailedError,
    FlowState,
    MalformedReplyError,
    OutcomeUnknownError,
    SignInFlow,
)
from cognitoflow.transports import (
    Boto3Transport,
    CognitoError,
    TransportConnectionError,
    TransportOutcomeUnknownError,
)
from cognitoflow.transports.fake import FakeCognito, FakeTransport

from faults import LOST_ANSWER, NEVER_SENT, ScriptedClient, refusal
from helpers import PASSWORD, Pool


def _transport(client: ScriptedClient, attempts: int = 4) -> Boto3Transport:
    return Boto3Transport(client=client, max_attempts=attempts, sleep=lambda seconds: None)


@pytest.mark.parametrize("fault", NEVER_SENT, ids=lambda f: type(f).__name__)
def test_never_sent_is_retried_for_every_operation(fault: Exception) -> None:
    client = ScriptedClient(fault, fault)
    assert _transport(client).respond_to_auth_challenge({}) == {"ok": True}  # type: ignore[typeddict-item]
    assert client.calls == 3


@pytest.mark.parametrize("fault", LOST_ANSWER, ids=lambda f: type(f).__name__)
def test_a_lost_answer_is_not_resent_for_a_challenge_answer(fault: Exception) -> None:
    client = ScriptedClient(fault)
    with pytest.raises(TransportOutcomeUnknownError):
        _transport(client).respond_to_auth_challenge({})  # type: ignore[typeddict-item]
    assert client.calls == 1


@pytest.mark.parametrize("fault", LOST_ANSWER, ids=lambda f: type(f).__name__)
def test_a_lost_answer_is_resent_for_what_is_safe_twice(fault: Exception) -> None:
    client = ScriptedClient(fault)
    assert _transport(client).initiate_auth({}) == {"ok": True}  # type: ignore[typeddict-item]
    assert client.calls == 2


def test_throttling_is_retried_and_a_5xx_only_where_repeatable() -> None:
    throttled = ScriptedClient(refusal("TooManyRequestsException", 400))
    _transport(throttled).confirm_sign_up({})  # type: ignore[typeddict-item]
    assert throttled.calls == 2
    failed = ScriptedClient(refusal("InternalErrorException", 500))
    with pytest.raises(CognitoError) as caught:
        _transport(failed).confirm_sign_up({})  # type: ignore[typeddict-item]
    assert (caught.value.status, failed.calls) == (500, 1)
    repeatable = ScriptedClient(refusal("InternalErrorException", 500))
    _transport(repeatable).forgot_password({})  # type: ignore[typeddict-item]
    assert repeatable.calls == 2


def test_attempts_are_bounded() -> None:
    client = ScriptedClient(*NEVER_SENT * 5)
    with pytest.raises(TransportConnectionError):
        _transport(client, attempts=3).initiate_auth({})  # type: ignore[typeddict-item]
    assert client.calls == 3


class LosesAnswers(FakeTransport):
    """Carries ``operation`` out on the fake, then loses the answer, ``times`` times."""

    def __init__(self, cognito: FakeCognito, operation: str, times: int = 1) -> None:
        super().__init__(cognito)
        self.operation, self.times = operation, times

    def _call(self, operation: str, method: str, request: Any) -> Any:
        reply = super()._call(operation, method, request)
        if operation == self.operation and self.times:
            self.times -= 1
            raise TransportOutcomeUnknownError("read timeout", operation)
        return reply


def _flow(pool: Pool, transport: FakeTransport) -> SignInFlow:
    return SignInFlow(
        transport, user_pool_id=pool.pool_id, client_id=pool.client_id, client_secret=None
    )


def test_a_lost_answer_leaves_the_flow_as_it_was_and_says_what_is_safe(
    make_pool: Callable[..., Pool],
) -> None:
    pool = make_pool(MfaConfiguration="OPTIONAL")
    pool.user("ann", mfa=("SMS_MFA",), phone_number="+15555550100")
    transport = LosesAnswers(pool.cognito, "RespondToAuthChallenge", times=0)
    flow = _flow(pool, transport)
    flow.sign_in("ann", PASSWORD)
    assert flow.state is FlowState.CONFIRM_SIGN_IN_WITH_SMS_CODE
    before = flow.context
    transport.times = 1
    with pytest.raises(OutcomeUnknownError) as caught:
        flow.confirm_sign_in(pool.cognito.outbox.last_code("ann"))
    assert (flow.state, flow.context) == (FlowState.CONFIRM_SIGN_IN_WITH_SMS_CODE, before)
    assert caught.value.operation == "respond_to_auth_challenge"
    assert not caught.value.retryable
    assert "session" in caught.value.recovery_suggestion


def test_a_lost_confirmation_is_a_success_when_retried(make_pool: Callable[..., Pool]) -> None:
    """ConfirmSignUp carried out but its answer lost: the retry reports the success."""
    pool = make_pool(AutoVerifiedAttributes=["email"])
    transport = LosesAnswers(pool.cognito, "ConfirmSignUp")
    flow = _flow(pool, transport)
    flow.sign_up("eve", PASSWORD, user_attributes={"email": "eve@example.com"})
    code = pool.cognito.outbox.last_code("eve")
    with pytest.raises(OutcomeUnknownError) as caught:
        flow.confirm_sign_up(code)
    assert caught.value.retryable
    assert flow.state is FlowState.CONFIRM_SIGN_UP
    assert flow.confirm_sign_up(code).is_sign_up_complete
    assert flow.state is FlowState.SIGNED_OUT
    assert flow.sign_in("eve", PASSWORD).is_signed_in


def test_a_wrong_code_is_still_refused_after_a_lost_answer(make_pool: Callable[..., Pool]) -> None:
    """Only Cognito's 'already CONFIRMED' counts as the earlier attempt's success."""
    pool = make_pool(AutoVerifiedAttributes=["email"])
    flow = _flow(pool, FakeTransport(pool.cognito))
    flow.sign_up("eve", PASSWORD, user_attributes={"email": "eve@example.com"})
    code = pool.cognito.outbox.last_code("eve")
    with pytest.raises(CodeMismatchException):
        flow.confirm_sign_up("000000" if code != "000000" else "111111")
    assert flow.state is FlowState.CONFIRM_SIGN_UP


def test_never_sent_says_nothing_changed(make_pool: Callable[..., Pool]) -> None:
    class Unreachable(FakeTransport):
        def _call(self, operation: str, method: str, request: Any) -> Any:
            raise TransportConnectionError("refused", operation)

    pool = make_pool()
    flow = _flow(pool, Unreachable(pool.cognito))
    with pytest.raises(ConnectionFailedError, match="Nothing was sent") as caught:
        flow.sign_in("ann", PASSWORD)
    assert caught.value.retryable
    assert flow.state is FlowState.SIGNED_OUT


class EmptyReplies(FakeTransport):
    """Answers ``operation`` with an empty object without asking Cognito (a proxy's page)."""

    def __init__(self, cognito: FakeCognito, operation: str) -> None:
        super().__init__(cognito)
        self.operation = operation

    def _call(self, operation: str, method: str, request: Any) -> Any:
        if operation == self.operation:
            return {}
        return super()._call(operation, method, request)


def _sign_up(flow: SignInFlow) -> Any:
    return flow.sign_up("eve", PASSWORD, user_attributes={"email": "eve@example.com"})


EMPTY_CASES: dict[str, tuple[str, Callable[[SignInFlow, Pool], Any]]] = {
    "InitiateAuth": ("InitiateAuth", lambda flow, pool: flow.sign_in("ann", PASSWORD)),
    "SignUp": ("SignUp", lambda flow, pool: _sign_up(flow)),
    "ForgotPassword": ("ForgotPassword", lambda flow, pool: flow.reset_password("ann")),
    "ResendConfirmationCode": (
        "ResendConfirmationCode",
        lambda flow, pool: flow.resend_sign_up_code("ann"),
    ),
}


@pytest.mark.parametrize("case", EMPTY_CASES)
def test_an_empty_reply_is_never_taken_as_success(
    make_pool: Callable[..., Pool], case: str
) -> None:
    operation, act = EMPTY_CASES[case]
    pool = make_pool(AutoVerifiedAttributes=["email"])
    pool.user("ann", email="ann@example.com", email_verified="true")
    flow = _flow(pool, EmptyReplies(pool.cognito, operation))
    with pytest.raises(MalformedReplyError, match=operation) as caught:
        act(flow, pool)
    assert flow.state is FlowState.SIGNED_OUT
    assert caught.value.recovery_suggestion


def test_an_empty_secret_never_makes_a_totp_set_up_step(make_pool: Callable[..., Pool]) -> None:
    """AssociateSoftwareToken answered without SecretCode: no set-up step with no secret."""
    pool = make_pool(MfaConfiguration="ON")
    pool.cognito.set_user_pool_mfa_config(
        UserPoolId=pool.pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    pool.user("tom")
    flow = _flow(pool, EmptyReplies(pool.cognito, "AssociateSoftwareToken"))
    with pytest.raises(MalformedReplyError, match="SecretCode"):
        flow.sign_in("tom", PASSWORD)
    # Cognito's MFA_SETUP answer is kept: the set-up choice, TOTP alone, is the step.
    assert flow.state is FlowState.CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION


def test_an_empty_answer_to_a_code_keeps_the_step(make_pool: Callable[..., Pool]) -> None:
    pool = make_pool(MfaConfiguration="OPTIONAL")
    pool.user("ann", mfa=("SMS_MFA",), phone_number="+15555550100")
    transport = EmptyReplies(pool.cognito, "none yet")
    flow = _flow(pool, transport)
    flow.sign_in("ann", PASSWORD)
    transport.operation = "RespondToAuthChallenge"
    with pytest.raises(MalformedReplyError, match="ChallengeName, Session"):
        flow.confirm_sign_in(pool.cognito.outbox.last_code("ann"))
    assert flow.state is FlowState.CONFIRM_SIGN_IN_WITH_SMS_CODE
    transport.operation = "none"
    assert flow.confirm_sign_in(pool.cognito.outbox.last_code("ann")).is_signed_in


class FailsOnce(FakeTransport):
    """``operation`` fails once, never sent (the connection refused); then works."""

    def __init__(self, cognito: FakeCognito, operation: str) -> None:
        super().__init__(cognito)
        self.operation = operation

    def _call(self, operation: str, method: str, request: Any) -> Any:
        if operation == self.operation:
            self.operation = ""
            raise TransportConnectionError("refused", operation)
        return super()._call(operation, method, request)


@pytest.mark.parametrize("temporary", [False, True], ids=["sign_in", "new_password"])
def test_a_fault_on_the_second_call_of_a_step_keeps_the_first_answer(
    make_pool: Callable[..., Pool], temporary: bool
) -> None:
    """MFA set-up with TOTP alone makes two calls (the sign-in or the new password, then
    AssociateSoftwareToken). A fault on the second keeps Cognito's first answer: the flow
    waits at the set-up choice, and answering TOTP there reaches DONE."""
    pool = make_pool(MfaConfiguration="ON")
    pool.cognito.set_user_pool_mfa_config(
        UserPoolId=pool.pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    pool.user("tom")
    transport = FailsOnce(pool.cognito, "none yet")
    flow = _flow(pool, transport)
    if temporary:
        pool.cognito.admin_set_user_password(
            UserPoolId=pool.pool_id, Username="tom", Password="Temp-pass-1!", Permanent=False
        )
        flow.sign_in("tom", "Temp-pass-1!")
        transport.operation = "AssociateSoftwareToken"
        with pytest.raises(ConnectionFailedError, match="moved on") as caught:
            flow.confirm_sign_in("Brand-new-pass-2")
    else:
        transport.operation = "AssociateSoftwareToken"
        with pytest.raises(ConnectionFailedError, match="moved on") as caught:
            flow.sign_in("tom", PASSWORD)
    assert "next_step" in caught.value.recovery_suggestion
    assert flow.state is FlowState.CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION
    assert flow.next_step.allowed_mfa_types == ("TOTP",)  # type: ignore[union-attr]
    out = flow.confirm_sign_in("TOTP")
    secret = out.next_step.totp_setup_details.shared_secret  # type: ignore[union-attr]
    assert flow.confirm_sign_in(pyotp.TOTP(secret).now()).is_signed_in


class FailsAt(FakeTransport):
    """The ``index``-th call from now fails, never sent; then all work."""

    def __init__(self, cognito: FakeCognito) -> None:
        super().__init__(cognito)
        self.countdown = 0

    def _call(self, operation: str, method: str, request: Any) -> Any:
        self.countdown -= 1
        if self.countdown == 0:
            raise TransportConnectionError("refused", operation)
        return super()._call(operation, method, request)


def test_the_password_srp_step_survives_a_fault_on_its_proof(
    make_pool: Callable[..., Pool],
) -> None:
    """PASSWORD_SRP sends the choice, then the SRP proof. With the proof never sent, the
    same answer again starts that factor afresh and signs in (no SessionExpiredError)."""
    pool = make_pool(
        Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}},
        client={"ExplicitAuthFlows": ["ALLOW_USER_AUTH", "ALLOW_USER_SRP_AUTH"]},
    )
    pool.user("ann")
    transport = FailsAt(pool.cognito)
    flow = _flow(pool, transport)
    flow.sign_in("ann", auth_flow_type="USER_AUTH")
    flow.confirm_sign_in("PASSWORD_SRP")
    transport.countdown = 2  # the choice goes through; the proof does not
    with pytest.raises(ConnectionFailedError):
        flow.confirm_sign_in(PASSWORD)
    assert flow.state is FlowState.CONFIRM_SIGN_IN_WITH_PASSWORD
    assert flow.context.session is None  # the selection's session was spent, and is let go
    restored = SignInFlow.restore(flow.snapshot(), FakeTransport(pool.cognito))
    assert restored.confirm_sign_in(PASSWORD).is_signed_in
