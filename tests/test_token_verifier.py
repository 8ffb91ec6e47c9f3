"""TokenVerifier against the fake's tokens and keys: each way a token can fail, a test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cognitoflow.engine import InvalidInputError, InvalidTokenError, TokenVerifier
from cognitoflow.transports.fake import FakeCognito, FakeCognitoServer, ManualClock

from helpers import PASSWORD, Pool

MakePool = Callable[..., Pool]


def _tokens(pool: Pool, client_id: str | None = None, username: str = "val") -> dict[str, Any]:
    reply = pool.cognito.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        ClientId=client_id or pool.password_client(),
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )
    return dict(reply["AuthenticationResult"])


@pytest.fixture
def pool(make_pool: MakePool) -> Pool:
    pool = make_pool()
    pool.user("val")
    return pool


def _verifier(pool: Pool, clock: ManualClock, **options: Any) -> TokenVerifier:
    options.setdefault("client_id", pool.password_client())
    return TokenVerifier(
        user_pool_id=options.pop("user_pool_id", pool.pool_id),
        jwks=pool.cognito.jwks(pool.pool_id),
        clock=clock,
        **options,
    )


def _reason(verify: Callable[[], Any]) -> str:
    with pytest.raises(InvalidTokenError) as caught:
        verify()
    assert "eyJ" not in str(caught.value)  # the token is never quoted
    return caught.value.reason


def test_a_good_access_and_id_token_pass(pool: Pool, clock: ManualClock) -> None:
    tokens = _tokens(pool)
    verifier = _verifier(pool, clock)
    access = verifier.verify(tokens["AccessToken"])
    assert (access["username"], access["token_use"]) == ("val", "access")
    ident = verifier.verify(tokens["IdToken"], token_use="id")
    assert ident["cognito:username"] == "val"
    assert verifier.verify(tokens["AccessToken"], required_scopes=["aws.cognito.signin.user.admin"])


def test_a_wrong_signature_is_refused(pool: Pool, clock: ManualClock) -> None:
    head, body, signature = _tokens(pool)["AccessToken"].split(".")
    forged = ".".join(
        [head, body, signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")]
    )
    assert _reason(lambda: _verifier(pool, clock).verify(forged)) == "signature"


def test_a_wrong_issuer_is_refused(pool: Pool, clock: ManualClock) -> None:
    """The right keys, but the verifier is for another pool id: the issuer differs."""
    token = _tokens(pool)["AccessToken"]
    other = _verifier(pool, clock, user_pool_id="us-east-1_Another")
    assert _reason(lambda: other.verify(token)) == "issuer"


def test_a_token_of_another_pool_is_refused(
    pool: Pool, make_pool: MakePool, clock: ManualClock
) -> None:
    elsewhere = make_pool()
    elsewhere.user("val")
    token = _tokens(elsewhere)["AccessToken"]
    assert _reason(lambda: _verifier(pool, clock).verify(token)) == "key"


def test_a_wrong_audience_is_refused(pool: Pool, clock: ManualClock) -> None:
    tokens = _tokens(pool)
    other = _verifier(pool, clock, client_id=pool.client_id)  # not the client that signed in
    assert _reason(lambda: other.verify(tokens["AccessToken"])) == "client"
    assert _reason(lambda: other.verify(tokens["IdToken"], token_use="id")) == "client"


def test_a_wrong_token_use_is_refused(pool: Pool, clock: ManualClock) -> None:
    tokens = _tokens(pool)
    verifier = _verifier(pool, clock)
    assert _reason(lambda: verifier.verify(tokens["IdToken"])) == "token_use"
    assert _reason(lambda: verifier.verify(tokens["AccessToken"], token_use="id")) == "token_use"


def test_an_expired_token_is_refused_past_the_leeway(pool: Pool, clock: ManualClock) -> None:
    token = _tokens(pool)["AccessToken"]
    clock.advance(3600 + 30)  # the fake's default validity is an hour
    assert _reason(lambda: _verifier(pool, clock).verify(token)) == "expired"
    assert _verifier(pool, clock, leeway=60).verify(token)["username"] == "val"


def test_groups_and_scopes_required(pool: Pool, clock: ManualClock) -> None:
    token = _tokens(pool)["AccessToken"]
    verifier = _verifier(pool, clock)
    assert _reason(lambda: verifier.verify(token, required_groups=["admins"])) == "group"
    assert _reason(lambda: verifier.verify(token, required_scopes=["email"])) == "scope"


def test_garbage_is_refused_typed(pool: Pool, clock: ManualClock) -> None:
    verifier = _verifier(pool, clock)
    assert _reason(lambda: verifier.verify("not.a.token")) == "format"
    with pytest.raises(InvalidInputError):
        verifier.verify(b"bytes")  # type: ignore[arg-type]


def test_keys_are_fetched_once_and_again_only_for_an_unknown_key(
    pool: Pool, make_pool: MakePool, clock: ManualClock
) -> None:
    fetched: list[str] = []

    def fetch(url: str) -> Any:
        fetched.append(url)
        return pool.cognito.jwks(pool.pool_id)

    verifier = TokenVerifier(
        user_pool_id=pool.pool_id, client_id=pool.password_client(), clock=clock, fetch=fetch
    )
    token = _tokens(pool)["AccessToken"]
    for _ in range(3):
        verifier.verify(token)
    assert len(fetched) == 1
    assert fetched[0].endswith(f"/{pool.pool_id}/.well-known/jwks.json")
    elsewhere = make_pool()
    elsewhere.user("val")
    stranger = _tokens(elsewhere)["AccessToken"]
    _reason(lambda: verifier.verify(stranger))
    assert len(fetched) == 1  # within a minute of the last fetch: no new one
    clock.advance(61)
    for _ in range(3):  # an unknown key a minute later: one refetch, then none
        _reason(lambda: verifier.verify(stranger))
    assert len(fetched) == 2
    assert verifier.verify(token)["username"] == "val"  # known keys need no fetch
    assert len(fetched) == 2


@pytest.fixture
def served() -> Iterator[FakeCognitoServer]:
    with FakeCognitoServer(FakeCognito()) as server:
        yield server


def test_against_the_served_fake_jwks(served: FakeCognitoServer) -> None:
    pool = Pool(served.cognito)
    pool.user("val")
    verifier = TokenVerifier(
        user_pool_id=pool.pool_id,
        client_id=pool.password_client(),
        jwks_url=f"{served.url}/{pool.pool_id}/.well-known/jwks.json",
    )
    assert verifier.verify(_tokens(pool)["AccessToken"])["username"] == "val"
