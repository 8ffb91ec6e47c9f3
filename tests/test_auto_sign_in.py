"""Auto sign-in after sign-up: both of Amplify's branches, on the fake in process and on
the wire, and against real Cognito's replies (botocore Stubber)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.stub import ANY, Stubber

from cognitoflow.engine import (
    FlowState,
    InvalidInputError,
    InvalidStateError,
    NotAuthorizedException,
    SignInFlow,
    SignInStep,
    SignUpStep,
)
from cognitoflow.transports import Boto3Transport
from cognitoflow.transports.fake import FakeCognitoServer, FakeTransport

from helpers import PASSWORD, Pool, RecordingTransport

MakePool = Callable[..., Pool]

USER_AUTH_POOL: dict[str, Any] = {
    "AutoVerifiedAttributes": ["email"],
    "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}},
    "client": {"ExplicitAuthFlows": ["ALLOW_USER_AUTH", "ALLOW_USER_SRP_AUTH"]},
}


def _flow(pool: Pool, transport: Any = None) -> SignInFlow:
    return SignInFlow(
        transport or FakeTransport(pool.cognito),
        user_pool_id=pool.pool_id,
        client_id=pool.client_id,
    )


def _signed_up(pool: Pool, flow: SignInFlow, auto: bool | str, username: str = "erin") -> None:
    up = flow.sign_up(
        username, PASSWORD, user_attributes={"email": f"{username}@example.com"}, auto_sign_in=auto
    )
    assert up.next_step.sign_up_step is SignUpStep.CONFIRM_SIGN_UP
    code = pool.cognito.outbox.last_code(username, purpose="SIGN_UP")
    up = flow.confirm_sign_up(username=username, confirmation_code=code)
    assert up.is_sign_up_complete
    assert up.next_step.sign_up_step == "COMPLETE_AUTO_SIGN_IN"


@pytest.mark.parametrize("auto", [True, "USER_PASSWORD_AUTH"])
def test_the_password_branch_signs_in_with_the_password(
    make_pool: MakePool, auto: bool | str
) -> None:
    pool = make_pool(
        AutoVerifiedAttributes=["email"],
        client={"ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH"]},
    )
    transport = RecordingTransport(pool.cognito)
    flow = _flow(pool, transport)
    _signed_up(pool, flow, auto)
    assert flow.state is FlowState.SIGNED_OUT
    transport.calls.clear()
    out = flow.auto_sign_in()
    assert out.is_signed_in
    assert flow.get_current_user().username == "erin"
    expected = ["InitiateAuth", "RespondToAuthChallenge"] if auto is True else ["InitiateAuth"]
    assert transport.calls == expected


def test_the_user_auth_branch_uses_the_confirmation_session(make_pool: MakePool) -> None:
    """No password is kept and no second code is sent: ConfirmSignUp's session signs in."""
    pool = make_pool(**USER_AUTH_POOL)
    transport = RecordingTransport(pool.cognito)
    flow = _flow(pool, transport)
    _signed_up(pool, flow, "USER_AUTH")
    pending = flow.snapshot()["auto_sign_in"]
    assert pending["auth_flow_type"] == "USER_AUTH"
    assert pending["password"] is None
    assert pending["session"]
    sent = len(list(pool.cognito.outbox))
    transport.calls.clear()
    assert flow.auto_sign_in().is_signed_in
    assert transport.calls == ["InitiateAuth"]
    assert len(list(pool.cognito.outbox)) == sent


def test_mfa_still_follows_an_auto_sign_in(make_pool: MakePool) -> None:
    pool = make_pool(MfaConfiguration="ON", **USER_AUTH_POOL)
    flow = _flow(pool)
    up = flow.sign_up(
        "ivy",
        PASSWORD,
        user_attributes={"email": "ivy@example.com", "phone_number": "+15555550100"},
        auto_sign_in="USER_AUTH",
    )
    assert up.next_step.sign_up_step is SignUpStep.CONFIRM_SIGN_UP
    flow.confirm_sign_up(pool.cognito.outbox.last_code("ivy", purpose="SIGN_UP"))
    out = flow.auto_sign_in()
    assert out.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_SMS_CODE
    assert flow.confirm_sign_in(pool.cognito.outbox.last_code("ivy", purpose="MFA")).is_signed_in


def test_a_pending_auto_sign_in_survives_snapshot_and_restore(make_pool: MakePool) -> None:
    pool = make_pool(AutoVerifiedAttributes=["email"])
    flow = _flow(pool)
    flow.sign_up("erin", PASSWORD, user_attributes={"email": "e@example.com"}, auto_sign_in=True)
    assert PASSWORD not in repr(flow)
    assert PASSWORD not in repr(flow.snapshot())
    flow = SignInFlow.restore(flow.snapshot(), FakeTransport(pool.cognito))
    up = flow.confirm_sign_up(pool.cognito.outbox.last_code("erin", purpose="SIGN_UP"))
    assert up.next_step.sign_up_step is SignUpStep.COMPLETE_AUTO_SIGN_IN
    flow = SignInFlow.restore(flow.snapshot(), FakeTransport(pool.cognito))
    assert flow.auto_sign_in().is_signed_in
    assert flow.snapshot()["auto_sign_in"] is None  # used up


def test_a_snapshot_from_before_auto_sign_in_still_restores(make_pool: MakePool) -> None:
    pool = make_pool()
    record = dict(_flow(pool).snapshot())
    del record["auto_sign_in"]
    assert SignInFlow.restore(record, FakeTransport(pool.cognito)).state is FlowState.SIGNED_OUT


def test_confirming_another_username_does_not_arm_it(make_pool: MakePool) -> None:
    pool = make_pool(AutoVerifiedAttributes=["email"])
    pool.cognito.sign_up(
        ClientId=pool.client_id,
        Username="other",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "o@example.com"}],
    )
    flow = _flow(pool)
    flow.sign_up("erin", PASSWORD, user_attributes={"email": "e@example.com"}, auto_sign_in=True)
    code = pool.cognito.outbox.last_code("other", purpose="SIGN_UP")
    up = flow.confirm_sign_up(code, username="other")
    assert up.next_step.sign_up_step is SignUpStep.DONE
    with pytest.raises(InvalidStateError, match="No auto sign-in"):
        flow.auto_sign_in()


def test_auto_sign_in_needs_an_armed_confirmed_sign_up(make_pool: MakePool) -> None:
    pool = make_pool(AutoVerifiedAttributes=["email"])
    flow = _flow(pool)
    with pytest.raises(InvalidStateError, match="No auto sign-in"):
        flow.auto_sign_in()
    flow.sign_up("erin", PASSWORD, user_attributes={"email": "e@example.com"}, auto_sign_in=True)
    with pytest.raises(InvalidStateError, match="not confirmed yet"):
        flow.auto_sign_in()
    assert flow.state is FlowState.CONFIRM_SIGN_UP  # nothing lost: confirm, then sign in
    flow.confirm_sign_up(pool.cognito.outbox.last_code("erin", purpose="SIGN_UP"))
    assert flow.auto_sign_in().is_signed_in
    flow.sign_out()
    with pytest.raises(InvalidStateError, match="No auto sign-in"):
        flow.auto_sign_in()


def test_an_explicit_sign_in_replaces_the_pending_one(make_pool: MakePool) -> None:
    pool = make_pool(AutoVerifiedAttributes=["email"])
    pool.user("sam")
    flow = _flow(pool)
    _signed_up(pool, flow, True)
    assert flow.sign_in("sam", PASSWORD).is_signed_in
    flow.sign_out()
    with pytest.raises(InvalidStateError, match="No auto sign-in"):
        flow.auto_sign_in()


@pytest.mark.parametrize("bad", ["CUSTOM_WITHOUT_SRP", "SMS", 3])
def test_a_bad_auto_sign_in_value_is_refused_before_any_call(make_pool: MakePool, bad: Any) -> None:
    pool = make_pool()
    transport = RecordingTransport(pool.cognito)
    with pytest.raises(InvalidInputError) as refused:
        _flow(pool, transport).sign_up("erin", PASSWORD, auto_sign_in=bad)
    assert refused.value.field == "auto_sign_in"
    assert transport.calls == []


def test_the_confirmation_session_signs_in_once(make_pool: MakePool) -> None:
    pool = make_pool(**USER_AUTH_POOL)
    cognito = pool.cognito
    cognito.sign_up(
        ClientId=pool.client_id,
        Username="kim",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "k@example.com"}],
    )
    code = cognito.outbox.last_code("kim", purpose="SIGN_UP")
    session = cognito.confirm_sign_up(
        ClientId=pool.client_id, Username="kim", ConfirmationCode=code
    )["Session"]
    start = {"AuthFlow": "USER_AUTH", "ClientId": pool.client_id, "Session": session}
    first = cognito.initiate_auth(**start, AuthParameters={"USERNAME": "kim"})
    assert first["AuthenticationResult"]["AccessToken"]
    with pytest.raises(Exception, match="session can only be used once"):
        cognito.initiate_auth(**start, AuthParameters={"USERNAME": "kim"})


def test_the_confirmation_session_is_bound_to_its_user(make_pool: MakePool) -> None:
    pool = make_pool(**USER_AUTH_POOL)
    pool.user("lee", email="lee@example.com")
    flow = _flow(pool)
    _signed_up(pool, flow, "USER_AUTH")
    session = flow.snapshot()["auto_sign_in"]["session"]
    with pytest.raises(Exception, match="Invalid session"):
        pool.cognito.initiate_auth(
            AuthFlow="USER_AUTH",
            ClientId=pool.client_id,
            Session=session,
            AuthParameters={"USERNAME": "lee"},
        )


def test_auto_sign_in_on_the_wire() -> None:
    with FakeCognitoServer() as server:
        pool = Pool(server.cognito, **USER_AUTH_POOL)
        flow = SignInFlow(
            Boto3Transport(endpoint_url=server.url),
            user_pool_id=pool.pool_id,
            client_id=pool.client_id,
        )
        _signed_up(pool, flow, "USER_AUTH")
        assert flow.auto_sign_in().is_signed_in


def test_an_expired_confirmation_session_is_cognitos_refusal(make_pool: MakePool) -> None:
    pool = make_pool(**USER_AUTH_POOL)
    flow = _flow(pool)
    _signed_up(pool, flow, "USER_AUTH")
    pool.cognito.clock.advance(3 * 60 + 1)  # type: ignore[attr-defined]
    with pytest.raises(NotAuthorizedException, match="expired"):
        flow.auto_sign_in()
    assert flow.state is FlowState.SIGNED_OUT


# -- real Cognito's replies -------------------------------------------------------------


def _stubbed() -> tuple[SignInFlow, Stubber]:
    client = boto3.client(
        "cognito-idp", region_name="eu-west-1", config=Config(signature_version=UNSIGNED)
    )
    flow = SignInFlow(
        Boto3Transport(client=client, max_attempts=1), user_pool_id="eu-west-1_Stub", client_id="c"
    )
    return flow, Stubber(client)


def test_a_user_confirmed_at_sign_up_signs_in_with_sign_ups_session() -> None:
    """A pre-sign-up trigger confirmed the user: COMPLETE_AUTO_SIGN_IN at once."""
    flow, stubber = _stubbed()
    from test_session_stubbed import _result

    with stubber:
        stubber.add_response(
            "sign_up", {"UserConfirmed": True, "UserSub": "sub-1", "Session": "s" * 40}
        )
        up = flow.sign_up("amy", "Pass-word-1", auto_sign_in="USER_AUTH")
        assert up.next_step.sign_up_step is SignUpStep.COMPLETE_AUTO_SIGN_IN
        stubber.add_response(
            "initiate_auth",
            {"AuthenticationResult": _result(), "ChallengeParameters": {}},
            {
                "AuthFlow": "USER_AUTH",
                "ClientId": "c",
                "AuthParameters": {"USERNAME": "amy"},
                "Session": "s" * 40,
            },
        )
        assert flow.auto_sign_in().is_signed_in
        stubber.assert_no_pending_responses()


def test_confirm_sign_ups_session_is_sent_to_initiate_auth() -> None:
    flow, stubber = _stubbed()
    from test_session_stubbed import _result

    with stubber:
        stubber.add_response(
            "sign_up",
            {"UserConfirmed": False, "UserSub": "sub-1", "CodeDeliveryDetails": {}},
        )
        flow.sign_up("amy", "Pass-word-1", auto_sign_in="USER_AUTH")
        stubber.add_response(
            "confirm_sign_up",
            {"Session": "t" * 40},
            {"ClientId": "c", "Username": "amy", "ConfirmationCode": "123456"},
        )
        flow.confirm_sign_up("123456")
        stubber.add_response(
            "initiate_auth",
            {"AuthenticationResult": _result(), "ChallengeParameters": {}},
            {"AuthFlow": "USER_AUTH", "ClientId": "c", "AuthParameters": ANY, "Session": "t" * 40},
        )
        assert flow.auto_sign_in().is_signed_in
        stubber.assert_no_pending_responses()
