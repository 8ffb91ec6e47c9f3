"""The fake after sign-in: refresh (with rotation), revocation, global sign-out.

As boto3 code sees it: in process, and over HTTP with boto3's own client.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cognitoflow.transports.fake import FakeCognito, FakeCognitoServer, ManualClock

from helpers import PASSWORD, Pool, admin_client

MakePool = Callable[..., Pool]


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def _sign_in(cognito: Any, client_id: str, username: str = "kim") -> dict[str, Any]:
    reply = cognito.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        ClientId=client_id,
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )
    return dict(reply["AuthenticationResult"])


def _client(pool: Pool, **settings: Any) -> str:
    flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    created = pool.cognito.create_user_pool_client(
        UserPoolId=pool.pool_id, ClientName="tokens", ExplicitAuthFlows=flows, **settings
    )
    return str(created["UserPoolClient"]["ClientId"])


def _refused(call: Callable[[], Any]) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    error = caught.value.response["Error"]
    return str(error["Code"]), str(error["Message"])


@pytest.fixture
def pool(make_pool: MakePool) -> Pool:
    pool = make_pool()
    pool.user("kim")
    return pool


def test_a_refresh_keeps_the_sign_in_and_gives_no_new_refresh_token(pool: Pool) -> None:
    client = _client(pool)
    first = _sign_in(pool.cognito, client)
    again = pool.cognito.get_tokens_from_refresh_token(
        RefreshToken=first["RefreshToken"], ClientId=client
    )["AuthenticationResult"]
    assert "RefreshToken" not in again
    assert again["AccessToken"] != first["AccessToken"]
    old, new = _claims(first["AccessToken"]), _claims(again["AccessToken"])
    assert new["origin_jti"] == old["origin_jti"]
    assert new["auth_time"] == old["auth_time"]


def test_rotation_replaces_the_refresh_token_after_its_grace(
    pool: Pool, clock: ManualClock
) -> None:
    client = _client(
        pool, RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 10}
    )
    old = _sign_in(pool.cognito, client)["RefreshToken"]
    rotated = pool.cognito.get_tokens_from_refresh_token(RefreshToken=old, ClientId=client)
    new = rotated["AuthenticationResult"]["RefreshToken"]
    assert new != old
    clock.advance(5)  # within the grace: the old one still works (a retry of a lost reply)
    pool.cognito.get_tokens_from_refresh_token(RefreshToken=old, ClientId=client)
    clock.advance(10)
    code, _ = _refused(
        lambda: pool.cognito.get_tokens_from_refresh_token(RefreshToken=old, ClientId=client)
    )
    assert code == "RefreshTokenReuseException"
    pool.cognito.get_tokens_from_refresh_token(RefreshToken=new, ClientId=client)


def test_revoking_ends_that_sign_in_only(pool: Pool) -> None:
    client = _client(pool)
    revoked, other = _sign_in(pool.cognito, client), _sign_in(pool.cognito, client)
    assert pool.cognito.revoke_token(Token=revoked["RefreshToken"], ClientId=client) == {}
    assert _refused(
        lambda: pool.cognito.get_tokens_from_refresh_token(
            RefreshToken=revoked["RefreshToken"], ClientId=client
        )
    ) == ("NotAuthorizedException", "Refresh Token has been revoked")
    assert _refused(lambda: pool.cognito.get_user(AccessToken=revoked["AccessToken"])) == (
        "NotAuthorizedException",
        "Access Token has been revoked",
    )
    assert pool.cognito.get_user(AccessToken=other["AccessToken"])["Username"] == "kim"
    assert (
        _refused(
            lambda: pool.cognito.initiate_auth(
                AuthFlow="REFRESH_TOKEN_AUTH",
                ClientId=client,
                AuthParameters={"REFRESH_TOKEN": revoked["RefreshToken"]},
            )
        )[1]
        == "Refresh Token has been revoked"
    )


def test_revocation_needs_the_client_to_allow_it(pool: Pool) -> None:
    client = _client(pool, EnableTokenRevocation=False)
    tokens = _sign_in(pool.cognito, client)
    code, _ = _refused(
        lambda: pool.cognito.revoke_token(Token=tokens["RefreshToken"], ClientId=client)
    )
    assert code == "UnsupportedOperationException"
    other = _client(pool)
    code, _ = _refused(
        lambda: pool.cognito.revoke_token(Token=tokens["RefreshToken"], ClientId=other)
    )
    assert code == "UnauthorizedException"
    assert pool.cognito.revoke_token(Token="not-a-token", ClientId=other) == {}


@pytest.mark.parametrize("how", ["GlobalSignOut", "AdminUserGlobalSignOut"])
def test_a_global_sign_out_ends_every_sign_in(pool: Pool, how: str) -> None:
    client = _client(pool)
    sessions = [_sign_in(pool.cognito, client) for _ in range(2)]
    if how == "GlobalSignOut":
        pool.cognito.global_sign_out(AccessToken=sessions[0]["AccessToken"])
    else:
        pool.cognito.admin_user_global_sign_out(UserPoolId=pool.pool_id, Username="kim")
    for tokens in sessions:
        assert _refused(lambda t=tokens: pool.cognito.get_user(AccessToken=t["AccessToken"]))[
            1
        ] == ("Access Token has been revoked")
        assert (
            _refused(
                lambda t=tokens: pool.cognito.get_tokens_from_refresh_token(
                    RefreshToken=t["RefreshToken"], ClientId=client
                )
            )[1]
            == "Refresh Token has been revoked"
        )
    _sign_in(pool.cognito, client)  # signing in again works


def test_a_refresh_token_expires_with_the_client_validity(pool: Pool, clock: ManualClock) -> None:
    client = _client(pool, RefreshTokenValidity=1, TokenValidityUnits={"RefreshToken": "days"})
    tokens = _sign_in(pool.cognito, client)
    clock.advance(86400 + 1)
    assert _refused(
        lambda: pool.cognito.get_tokens_from_refresh_token(
            RefreshToken=tokens["RefreshToken"], ClientId=client
        )
    ) == ("NotAuthorizedException", "Refresh Token has expired")


def test_a_client_secret_is_needed_where_the_client_has_one(pool: Pool) -> None:
    client = _client(pool, GenerateSecret=True)
    secret = pool.cognito.describe_user_pool_client(UserPoolId=pool.pool_id, ClientId=client)[
        "UserPoolClient"
    ]["ClientSecret"]
    tokens = pool.cognito.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        ClientId=client,
        AuthParameters={
            "USERNAME": "kim",
            "PASSWORD": PASSWORD,
            "SECRET_HASH": _secret_hash(secret, "kim", client),
        },
    )["AuthenticationResult"]
    refresh = tokens["RefreshToken"]
    code, _ = _refused(
        lambda: pool.cognito.get_tokens_from_refresh_token(RefreshToken=refresh, ClientId=client)
    )
    assert code == "NotAuthorizedException"
    pool.cognito.get_tokens_from_refresh_token(
        RefreshToken=refresh, ClientId=client, ClientSecret=secret
    )


def _secret_hash(secret: str, username: str, client_id: str) -> str:
    import hashlib
    import hmac

    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


@pytest.fixture
def served() -> Iterator[FakeCognitoServer]:
    with FakeCognitoServer(FakeCognito()) as server:
        yield server


def test_on_the_wire_with_boto3(served: FakeCognitoServer) -> None:
    boto = admin_client(served.url)
    pool = Pool(served.cognito)
    pool.user("kim")
    client = _client(pool)
    tokens = _sign_in(boto, client)
    refreshed = boto.get_tokens_from_refresh_token(
        RefreshToken=tokens["RefreshToken"], ClientId=client
    )["AuthenticationResult"]
    boto.revoke_token(Token=tokens["RefreshToken"], ClientId=client)
    with pytest.raises(boto.exceptions.NotAuthorizedException, match="revoked"):
        boto.get_user(AccessToken=refreshed["AccessToken"])
    other = _sign_in(boto, client)
    boto.global_sign_out(AccessToken=other["AccessToken"])
    with pytest.raises(boto.exceptions.NotAuthorizedException, match="revoked"):
        boto.get_user(AccessToken=other["AccessToken"])
