"""The session methods against real Cognito's answers and error codes (botocore Stubber)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.stub import ANY, Stubber
from joserfc import jwt
from joserfc.jwk import OctKey

from cognitoflow.engine import (
    FlowState,
    NotAuthorizedException,
    ServiceError,
    SignInFlow,
    TooManyRequestsException,
)
from cognitoflow.transports import Boto3Transport

POOL = "eu-west-1_Stub"
CLIENT = "stubclient"
KEY = OctKey.generate_key(256)


def _jwt(use: str, **claims: Any) -> str:
    now = int(time.time())
    base = {"sub": "sub-123", "token_use": use, "iat": now, "exp": now + 3600}
    base.update({"username": "amy"} if use == "access" else {"cognito:username": "amy"})
    base.update(claims)
    return jwt.encode({"alg": "HS256"}, base, KEY)


def _result(refresh: str | None = "refresh-1") -> dict[str, Any]:
    result = {
        "AccessToken": _jwt("access"),
        "IdToken": _jwt("id"),
        "ExpiresIn": 3600,
        "TokenType": "Bearer",
    }
    if refresh:
        result["RefreshToken"] = refresh
    return result


@pytest.fixture
def signed_in() -> Iterator[tuple[SignInFlow, Stubber]]:
    client = boto3.client(
        "cognito-idp", region_name="eu-west-1", config=Config(signature_version=UNSIGNED)
    )
    with Stubber(client) as stubber:
        flow = SignInFlow(
            Boto3Transport(client=client, max_attempts=1), user_pool_id=POOL, client_id=CLIENT
        )
        stubber.add_response(
            "initiate_auth", {"AuthenticationResult": _result(), "ChallengeParameters": {}}
        )
        assert flow.sign_in("amy", "Pass-word-1", auth_flow_type="USER_PASSWORD_AUTH").is_signed_in
        yield flow, stubber
        stubber.assert_no_pending_responses()


def test_a_refresh_sends_the_refresh_token_and_keeps_the_new_tokens(
    signed_in: tuple[SignInFlow, Stubber],
) -> None:
    flow, stubber = signed_in
    fresh = _result(refresh="refresh-2")  # Cognito rotated it
    stubber.add_response(
        "get_tokens_from_refresh_token",
        {"AuthenticationResult": fresh},
        {"RefreshToken": "refresh-1", "ClientId": CLIENT},
    )
    session = flow.fetch_auth_session(force_refresh=True)
    assert session.tokens is not None
    assert session.tokens.access_token == fresh["AccessToken"]
    assert session.tokens.refresh_token == "refresh-2"
    assert flow.get_current_user().username == "amy"


def test_a_refresh_cognito_does_not_enable_falls_back_to_refresh_token_auth(
    signed_in: tuple[SignInFlow, Stubber],
) -> None:
    flow, stubber = signed_in
    stubber.add_client_error(
        "get_tokens_from_refresh_token",
        "OperationNotEnabledException",
        "The operation is not enabled.",
    )
    fresh = _result(refresh=None)  # REFRESH_TOKEN_AUTH sends no new refresh token
    stubber.add_response(
        "initiate_auth",
        {"AuthenticationResult": fresh, "ChallengeParameters": {}},
        {
            "AuthFlow": "REFRESH_TOKEN_AUTH",
            "ClientId": CLIENT,
            "AuthParameters": {"REFRESH_TOKEN": "refresh-1"},
        },
    )
    session = flow.fetch_auth_session(force_refresh=True)
    assert session.tokens is not None
    assert session.tokens.access_token == fresh["AccessToken"]
    assert session.tokens.refresh_token == "refresh-1"


def test_a_revoked_refresh_token_ends_the_sign_in(signed_in: tuple[SignInFlow, Stubber]) -> None:
    flow, stubber = signed_in
    stubber.add_client_error(
        "get_tokens_from_refresh_token",
        "NotAuthorizedException",
        "Refresh Token has been revoked",
    )
    with pytest.raises(NotAuthorizedException, match="revoked"):
        flow.fetch_auth_session(force_refresh=True)
    assert flow.state is FlowState.SIGNED_OUT


def test_throttling_on_refresh_keeps_the_sign_in(signed_in: tuple[SignInFlow, Stubber]) -> None:
    flow, stubber = signed_in
    stubber.add_client_error(
        "get_tokens_from_refresh_token", "TooManyRequestsException", "Rate exceeded"
    )
    with pytest.raises(TooManyRequestsException) as caught:
        flow.fetch_auth_session(force_refresh=True)
    assert caught.value.retryable
    assert flow.state is FlowState.DONE


def test_sign_out_revokes_and_reports_a_refusal_after_signing_out(
    signed_in: tuple[SignInFlow, Stubber],
) -> None:
    flow, stubber = signed_in
    stubber.add_client_error(
        "revoke_token",
        "UnsupportedOperationException",
        "Token revocation is not enabled",
        expected_params={"Token": "refresh-1", "ClientId": CLIENT},
    )
    with pytest.raises(ServiceError) as caught:
        flow.sign_out()
    assert caught.value.code == "UnsupportedOperationException"
    assert flow.state is FlowState.SIGNED_OUT


def test_global_sign_out_sends_the_access_token(signed_in: tuple[SignInFlow, Stubber]) -> None:
    flow, stubber = signed_in
    stubber.add_response("global_sign_out", {}, {"AccessToken": ANY})
    flow.sign_out(global_sign_out=True)
    assert flow.state is FlowState.SIGNED_OUT
