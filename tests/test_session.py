"""After DONE: the current user, the session refreshed when due, and sign-out at Cognito."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cognitoflow.engine import (
    AuthSession,
    ConnectionFailedError,
    FlowState,
    InvalidStateError,
    NotAuthorizedException,
    SignInFlow,
    TokenVerifier,
)
from cognitoflow.transports import CognitoError
from cognitoflow.transports.fake import FakeCognito, FakeTransport, ManualClock

from helpers import PASSWORD, Pool, RecordingTransport

MakePool = Callable[..., Pool]


@pytest.fixture
def pool(make_pool: MakePool) -> Pool:
    pool = make_pool(client={"GenerateSecret": True})
    pool.user("lia", email="lia@example.com")
    return pool


def _signed_in(
    pool: Pool, clock: ManualClock, transport: RecordingTransport | None = None, login: str = "lia"
) -> tuple[SignInFlow, RecordingTransport]:
    transport = transport or RecordingTransport(pool.cognito)
    flow = SignInFlow(
        transport,
        user_pool_id=pool.pool_id,
        client_id=pool.client_id,
        client_secret=pool.client_secret,
        clock=clock,
    )
    assert flow.sign_in(login, PASSWORD).is_signed_in
    transport.calls.clear()
    return flow, transport


def test_the_current_user_comes_from_the_id_token(pool: Pool, clock: ManualClock) -> None:
    flow, transport = _signed_in(pool, clock)
    user = flow.get_current_user()
    sub = pool.cognito.admin_get_user(UserPoolId=pool.pool_id, Username="lia")["UserAttributes"]
    assert user.username == "lia"
    assert user.user_id == next(a["Value"] for a in sub if a["Name"] == "sub")
    assert (user.sign_in_details.login_id, user.sign_in_details.auth_flow_type) == (
        "lia",
        "USER_SRP_AUTH",
    )
    assert transport.calls == []
    flow.sign_out()
    with pytest.raises(InvalidStateError):
        flow.get_current_user()


def test_a_fresh_session_is_not_refreshed(pool: Pool, clock: ManualClock) -> None:
    flow, transport = _signed_in(pool, clock)
    session = flow.fetch_auth_session()
    assert session.tokens == flow.tokens
    assert session.user_sub == flow.get_current_user().user_id
    assert session.expires_at is not None
    assert session.expires_at > clock()
    assert transport.calls == []


def test_a_session_past_expiry_is_refreshed_exactly_once(pool: Pool, clock: ManualClock) -> None:
    flow, transport = _signed_in(pool, clock)
    before = flow.tokens
    assert before is not None
    clock.advance(3600 - 60)  # within the five-minute margin of the hour's expiry
    session = flow.fetch_auth_session()
    again = flow.fetch_auth_session()
    assert transport.calls == ["GetTokensFromRefreshToken"]
    assert session.tokens is not None
    assert session.tokens.access_token != before.access_token
    assert session.tokens.refresh_token == before.refresh_token  # no rotation on this client
    assert again.tokens == session.tokens == flow.tokens
    verifier = TokenVerifier(
        user_pool_id=pool.pool_id,
        client_id=pool.client_id,
        jwks=pool.cognito.jwks(pool.pool_id),
        clock=clock,
    )
    assert verifier.verify(session.tokens.access_token)["username"] == "lia"
    restored = SignInFlow.restore(
        flow.snapshot(), FakeTransport(pool.cognito), client_secret=pool.client_secret, clock=clock
    )
    assert restored.tokens == session.tokens  # the snapshot carries the new tokens


def test_force_refresh_calls_cognito(pool: Pool, clock: ManualClock) -> None:
    flow, transport = _signed_in(pool, clock)
    flow.fetch_auth_session(force_refresh=True)
    assert transport.calls == ["GetTokensFromRefreshToken"]


def test_a_refused_refresh_signs_the_flow_out(pool: Pool, clock: ManualClock) -> None:
    flow, _transport = _signed_in(pool, clock)
    pool.cognito.admin_user_global_sign_out(UserPoolId=pool.pool_id, Username="lia")
    with pytest.raises(NotAuthorizedException, match="sign_in again"):
        flow.fetch_auth_session(force_refresh=True)
    assert flow.state is FlowState.SIGNED_OUT
    assert flow.fetch_auth_session() == AuthSession(tokens=None, user_sub=None, expires_at=None)


def test_sign_out_revokes_the_refresh_token(pool: Pool, clock: ManualClock) -> None:
    flow, transport = _signed_in(pool, clock)
    tokens = flow.tokens
    assert tokens is not None
    flow.sign_out()
    assert transport.calls == ["RevokeToken"]
    assert flow.state is FlowState.SIGNED_OUT
    with pytest.raises(pool.cognito.exceptions.NotAuthorizedException, match="revoked"):
        pool.cognito.get_user(AccessToken=tokens.access_token)


def test_global_sign_out_ends_every_sign_in(pool: Pool, clock: ManualClock) -> None:
    flow, transport = _signed_in(pool, clock)
    other, _ = _signed_in(pool, clock)
    flow.sign_out(global_sign_out=True)
    assert transport.calls == ["GlobalSignOut"]
    with pytest.raises(NotAuthorizedException):
        other.fetch_auth_session(force_refresh=True)


def test_sign_out_signs_out_locally_even_when_cognito_is_unreachable(
    pool: Pool, clock: ManualClock
) -> None:
    flow, transport = _signed_in(pool, clock)
    transport.unreachable = True
    with pytest.raises(ConnectionFailedError, match="Signed out here"):
        flow.sign_out()
    assert flow.state is FlowState.SIGNED_OUT
    assert flow.tokens is None


class NoGetTokens(RecordingTransport):
    """An endpoint that does not serve GetTokensFromRefreshToken (an emulator lacking it)."""

    def __init__(self, cognito: FakeCognito, code: str) -> None:
        super().__init__(cognito)
        self.code = code

    def _call(self, operation: str, method: str, request: Any) -> Any:
        if operation == "GetTokensFromRefreshToken":
            self.calls.append(operation)
            raise CognitoError(self.code, "not served here", operation, 500)
        return super()._call(operation, method, request)


@pytest.mark.parametrize("code", ["UnknownOperationException", "500"])
def test_refresh_falls_back_to_refresh_token_auth(
    make_pool: MakePool, clock: ManualClock, code: str
) -> None:
    """With a client secret in an email-as-username pool: SECRET_HASH is made with the
    internal username (a UUID), not the email the user signed in with."""
    pool = make_pool(UsernameAttributes=["email"], client={"GenerateSecret": True})
    pool.cognito.add_user(pool.pool_id, "mo@example.com", PASSWORD)
    flow, transport = _signed_in(pool, clock, NoGetTokens(pool.cognito, code), "mo@example.com")
    before = flow.tokens
    assert before is not None
    session = flow.fetch_auth_session(force_refresh=True)
    assert transport.calls == ["GetTokensFromRefreshToken", "InitiateAuth"]
    assert session.tokens is not None
    assert session.tokens.access_token != before.access_token
    assert session.tokens.refresh_token == before.refresh_token  # REFRESH_TOKEN_AUTH keeps it
    assert flow.state is FlowState.DONE


def test_a_revoked_token_is_refused_by_the_fallback_too(pool: Pool, clock: ManualClock) -> None:
    flow, _ = _signed_in(pool, clock, NoGetTokens(pool.cognito, "UnknownOperationException"))
    pool.cognito.admin_user_global_sign_out(UserPoolId=pool.pool_id, Username="lia")
    with pytest.raises(NotAuthorizedException, match="sign_in again"):
        flow.fetch_auth_session(force_refresh=True)
    assert flow.state is FlowState.SIGNED_OUT


def test_a_refusal_of_the_refresh_itself_does_not_fall_back(pool: Pool, clock: ManualClock) -> None:
    flow, transport = _signed_in(pool, clock)
    pool.cognito.admin_user_global_sign_out(UserPoolId=pool.pool_id, Username="lia")
    with pytest.raises(NotAuthorizedException):
        flow.fetch_auth_session(force_refresh=True)
    assert transport.calls == ["GetTokensFromRefreshToken"]
