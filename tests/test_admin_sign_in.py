"""Server-side sign-in (``admin=True``): AdminInitiateAuth and AdminRespondToAuthChallenge
through the same machine, on the fake in process, on the wire with signed requests, and
against real Cognito's replies (botocore Stubber)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pyotp
import pytest
from botocore.stub import Stubber

from cognitoflow.engine import (
    CredentialsMissingError,
    FlowState,
    InvalidInputError,
    InvalidParameterException,
    NotAuthorizedException,
    SignInFlow,
    SignInStep,
)
from cognitoflow.transports import Boto3Transport
from cognitoflow.transports.fake import FakeCognitoServer, FakeTransport

from helpers import PASSWORD, QUESTION_TRIGGERS, Pool, RecordingTransport

MakePool = Callable[..., Pool]

ADMIN_CLIENT = {
    "ExplicitAuthFlows": [
        "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    ]
}


def _admin(pool: Pool, transport: Any, **kwargs: Any) -> SignInFlow:
    return SignInFlow(
        transport,
        user_pool_id=pool.pool_id,
        client_id=pool.client_id,
        client_secret=pool.client_secret,
        admin=True,
        **kwargs,
    )


def test_admin_user_password_auth_signs_in_server_side(make_pool: MakePool) -> None:
    pool = make_pool(client={**ADMIN_CLIENT, "GenerateSecret": True})
    pool.user("alice")
    transport = RecordingTransport(pool.cognito)
    flow = _admin(pool, transport)
    out = flow.sign_in("alice", PASSWORD, auth_flow_type="ADMIN_USER_PASSWORD_AUTH")
    assert out.is_signed_in
    assert transport.calls == ["AdminInitiateAuth"]
    user = flow.get_current_user()
    assert user.username == "alice"
    assert user.sign_in_details.auth_flow_type == "ADMIN_USER_PASSWORD_AUTH"


def test_every_step_goes_through_the_admin_operations(make_pool: MakePool) -> None:
    """SRP, then a TOTP code: the same machine, with AdminRespondToAuthChallenge."""
    pool = make_pool(MfaConfiguration="OPTIONAL", client=ADMIN_CLIENT)
    pool.cognito.set_user_pool_mfa_config(
        UserPoolId=pool.pool_id,
        SoftwareTokenMfaConfiguration={"Enabled": True},
        MfaConfiguration="OPTIONAL",
    )
    secret = pool.user("bo", mfa=("SOFTWARE_TOKEN_MFA",), preferred="SOFTWARE_TOKEN_MFA")
    assert secret is not None
    transport = RecordingTransport(pool.cognito)
    flow = _admin(pool, transport)
    out = flow.sign_in("bo", PASSWORD)
    assert out.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_TOTP_CODE
    flow = SignInFlow.restore(flow.snapshot(), transport, clock=pool.cognito.clock)
    assert flow.confirm_sign_in(pyotp.TOTP(secret).now()).is_signed_in
    assert transport.calls == [
        "AdminInitiateAuth",
        "AdminRespondToAuthChallenge",
        "AdminRespondToAuthChallenge",
    ]


def test_custom_and_choice_based_flows_server_side(make_pool: MakePool) -> None:
    """CUSTOM_AUTH (the quiz) and USER_AUTH (an email code) through the Admin operations."""
    pool = make_pool(
        LambdaConfig=QUESTION_TRIGGERS,
        Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}},
        client={"ExplicitAuthFlows": ["ALLOW_CUSTOM_AUTH", "ALLOW_USER_AUTH"]},
    )
    pool.user("ida", email="ida@example.com", email_verified="true")
    transport = RecordingTransport(pool.cognito)
    flow = _admin(pool, transport)
    out = flow.sign_in("ida", auth_flow_type="CUSTOM_WITHOUT_SRP")
    assert out.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE
    assert flow.confirm_sign_in("42").is_signed_in
    flow.sign_out()
    out = flow.sign_in("ida", auth_flow_type="USER_AUTH", preferred_challenge="EMAIL_OTP")
    assert out.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_EMAIL_CODE
    assert flow.confirm_sign_in(pool.cognito.outbox.last_code("ida")).is_signed_in
    signing = [c for c in transport.calls if c not in ("RevokeToken",)]
    assert set(signing) == {"AdminInitiateAuth", "AdminRespondToAuthChallenge"}


def test_a_client_without_the_admin_flow_refuses_it(make_pool: MakePool) -> None:
    pool = make_pool()
    pool.user("cy")
    flow = _admin(pool, FakeTransport(pool.cognito))
    with pytest.raises(InvalidParameterException, match="not enabled"):
        flow.sign_in("cy", PASSWORD, auth_flow_type="ADMIN_USER_PASSWORD_AUTH")
    assert flow.state is FlowState.SIGNED_OUT
    assert flow.sign_in("cy", PASSWORD).is_signed_in  # SRP is allowed: a retry works


def test_each_api_keeps_its_own_password_flow(make_pool: MakePool) -> None:
    pool = make_pool(client=ADMIN_CLIENT)
    transport = RecordingTransport(pool.cognito)
    public = SignInFlow(transport, user_pool_id=pool.pool_id, client_id=pool.client_id)
    with pytest.raises(InvalidInputError, match="admin=True"):
        public.sign_in("dee", PASSWORD, auth_flow_type="ADMIN_USER_PASSWORD_AUTH")
    with pytest.raises(InvalidInputError, match="ADMIN_USER_PASSWORD_AUTH"):
        _admin(pool, transport).sign_in("dee", PASSWORD, auth_flow_type="USER_PASSWORD_AUTH")
    assert transport.calls == []


def test_the_fake_refuses_the_flows_of_the_other_api(make_pool: MakePool) -> None:
    pool = make_pool(client={"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]})
    params = {"USERNAME": "x", "PASSWORD": PASSWORD}
    with pytest.raises(Exception, match="Initiate Auth method not supported"):
        pool.cognito.admin_initiate_auth(
            UserPoolId=pool.pool_id,
            ClientId=pool.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters=params,
        )
    other = pool.cognito.create_user_pool(PoolName="other")["UserPool"]["Id"]
    with pytest.raises(Exception, match="ResourceNotFoundException"):
        pool.cognito.admin_initiate_auth(
            UserPoolId=other,
            ClientId=pool.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters=params,
        )


def test_a_server_side_session_refreshes_and_restores(make_pool: MakePool) -> None:
    pool = make_pool(client=ADMIN_CLIENT)
    pool.user("eve")
    flow = _admin(pool, FakeTransport(pool.cognito), clock=pool.cognito.clock)
    before = flow.sign_in("eve", PASSWORD, auth_flow_type="ADMIN_USER_PASSWORD_AUTH").tokens
    assert before is not None
    restored = SignInFlow.restore(flow.snapshot(), FakeTransport(pool.cognito))
    assert restored.snapshot()["admin"] is True
    session = restored.fetch_auth_session(force_refresh=True)
    assert session.tokens is not None
    assert session.tokens.access_token != before.access_token


def test_wrong_password_server_side(make_pool: MakePool) -> None:
    pool = make_pool(client=ADMIN_CLIENT)
    pool.user("fay")
    flow = _admin(pool, FakeTransport(pool.cognito))
    with pytest.raises(NotAuthorizedException):
        flow.sign_in("fay", "Wrong-pass-1", auth_flow_type="ADMIN_USER_PASSWORD_AUTH")
    assert flow.state is FlowState.SIGNED_OUT


# -- on the wire: the Admin calls are signed ----------------------------------------------


@pytest.fixture
def server() -> Iterator[FakeCognitoServer]:
    with FakeCognitoServer() as served:
        yield served


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """No AWS credentials anywhere boto3 looks (and never the instance metadata service)."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)


def _signatures(transport: Boto3Transport) -> list[tuple[str, bool]]:
    """(operation, signed) of every request the transport's clients send."""
    seen: list[tuple[str, bool]] = []

    def record(request: Any, event_name: str, **_: Any) -> None:
        seen.append((event_name.rsplit(".", 1)[-1], "Authorization" in request.headers))

    for client in (transport.client, transport._client_for("AdminInitiateAuth")):
        client.meta.events.register("before-send.cognito-idp", record)
    return seen


def test_admin_calls_are_signed_and_public_ones_are_not(
    server: FakeCognitoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    pool = Pool(server.cognito, client=ADMIN_CLIENT)
    pool.user("gus")
    transport = Boto3Transport(endpoint_url=server.url)
    seen = _signatures(transport)
    flow = _admin(pool, transport)
    assert flow.sign_in("gus", PASSWORD, auth_flow_type="ADMIN_USER_PASSWORD_AUTH").is_signed_in
    flow.sign_out()
    assert seen == [("AdminInitiateAuth", True), ("RevokeToken", False)]


def test_missing_credentials_are_a_typed_error_and_nothing_is_sent(
    server: FakeCognitoServer, no_credentials: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    pool = Pool(server.cognito, client=ADMIN_CLIENT)
    pool.user("hal")
    transport = Boto3Transport(endpoint_url=server.url)
    seen = _signatures(transport)
    flow = _admin(pool, transport)
    with pytest.raises(CredentialsMissingError) as missing:
        flow.sign_in("hal", PASSWORD, auth_flow_type="ADMIN_USER_PASSWORD_AUTH")
    assert "AWS_ACCESS_KEY_ID" in missing.value.recovery_suggestion
    assert seen == []
    assert flow.state is FlowState.SIGNED_OUT
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")  # configured now: the retry works
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    assert flow.sign_in("hal", PASSWORD, auth_flow_type="ADMIN_USER_PASSWORD_AUTH").is_signed_in


# -- real Cognito's replies -------------------------------------------------------------


def test_the_admin_requests_carry_the_pool_id() -> None:
    from test_session_stubbed import _result

    client = boto3.client(
        "cognito-idp",
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    flow = SignInFlow(
        Boto3Transport(client=client, max_attempts=1),
        user_pool_id="eu-west-1_Stub",
        client_id="c",
        admin=True,
    )
    with Stubber(client) as stubber:
        stubber.add_client_error(
            "admin_initiate_auth", "NotAuthorizedException", "Incorrect username or password."
        )
        with pytest.raises(NotAuthorizedException):
            flow.sign_in("amy", "Wrong-1", auth_flow_type="ADMIN_USER_PASSWORD_AUTH")
        stubber.add_response(
            "admin_initiate_auth",
            {"AuthenticationResult": _result(), "ChallengeParameters": {}},
            {
                "UserPoolId": "eu-west-1_Stub",
                "ClientId": "c",
                "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "amy", "PASSWORD": "Pass-word-1"},
            },
        )
        out = flow.sign_in("amy", "Pass-word-1", auth_flow_type="ADMIN_USER_PASSWORD_AUTH")
        assert out.is_signed_in
        stubber.assert_no_pending_responses()
