"""SRP: the spec's test vectors, client/server agreement, and pycognito as an independent client."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timezone

import pytest
from pycognito.aws_srp import AWSSRP

from cognitoflow.engine import srp

from helpers import PASSWORD, Pool


def test_k_matches_the_spec_vector() -> None:
    """k = H(pad(N) ‖ pad(g)), the multiplier Cognito's SRP (and pycognito) uses."""
    assert format(srp.K, "x") == "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6"
    assert len(srp.N_HEX) == 768


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0x1, "01"), (0x7F, "7f"), (0x80, "0080"), (0xABC, "0abc"), (0x8ABC, "008abc")],
)
def test_pad_hex_follows_java_biginteger(value: int, expected: str) -> None:
    """pad_hex adds a 0 for odd length and 00 before a high first nibble."""
    assert srp.pad_hex(value) == expected


def test_timestamp_has_unpadded_day_in_english_utc() -> None:
    """TIMESTAMP is 'EEE MMM d HH:mm:ss UTC yyyy' with the day not zero-padded."""
    moment = datetime(2025, 8, 5, 9, 3, 7, tzinfo=timezone.utc)
    assert srp.format_timestamp(moment) == "Tue Aug 5 09:03:07 UTC 2025"


def test_client_and_server_derive_the_same_key() -> None:
    """Our client and server halves agree on the session key for the right password only."""
    salt = int.from_bytes(secrets.token_bytes(16), "big")
    verifier = srp.compute_verifier("Pool1", "user", "pw-1", salt)
    b = int.from_bytes(secrets.token_bytes(32), "big")
    big_b = srp.compute_server_b(verifier, b)
    client = srp.SrpClient("Pool1")
    server_key = srp.server_session_key(client.big_a, big_b, b, verifier)
    assert client.session_key("user", "pw-1", srp.pad_hex(salt), format(big_b, "x")) == server_key
    assert client.session_key("user", "pw-2", srp.pad_hex(salt), format(big_b, "x")) != server_key


def test_modpow_backend_is_pluggable() -> None:
    """Every exponentiation goes through one function that can be replaced."""
    calls: list[int] = []

    def counting(base: int, exp: int, mod: int) -> int:
        calls.append(1)
        return pow(base, exp, mod)

    srp.set_modpow(counting)
    try:
        srp.SrpClient("Pool1")
    finally:
        srp.set_modpow(None)
    assert calls


def test_repr_hides_the_secret() -> None:
    """The client's repr names the pool, never a or A."""
    client = srp.SrpClient("Pool1")
    assert format(client.big_a, "x")[:16] not in repr(client)


def test_pycognito_signs_in_against_the_fake(make_pool: Callable[..., Pool]) -> None:
    """pycognito's independent AWSSRP client is accepted with the right password only."""
    pool = make_pool()
    pool.user("walt")
    right = AWSSRP("walt", PASSWORD, pool.pool_id, pool.client_id, client=pool.cognito)
    tokens = right.authenticate_user()
    assert tokens["AuthenticationResult"]["AccessToken"]
    wrong = AWSSRP("walt", "Wrong-pass-1", pool.pool_id, pool.client_id, client=pool.cognito)
    with pytest.raises(pool.cognito.exceptions.NotAuthorizedException):
        wrong.authenticate_user()


def test_our_client_passes_pycognito_vectors() -> None:
    """Given the same a, salt and B, our signature equals pycognito's."""
    a = int.from_bytes(secrets.token_bytes(128), "big")
    ours = srp.SrpClient("Pool1", a=a)
    theirs = AWSSRP("user", "pw-1", "us-east-1_Pool1", "client", client=object())
    theirs.small_a_value = a
    theirs.large_a_value = ours.big_a
    salt = int.from_bytes(secrets.token_bytes(16), "big")
    verifier = srp.compute_verifier("Pool1", "user", "pw-1", salt)
    big_b = srp.compute_server_b(verifier, int.from_bytes(secrets.token_bytes(32), "big"))
    params = {
        "USER_ID_FOR_SRP": "user",
        "SALT": srp.pad_hex(salt),
        "SRP_B": format(big_b, "x"),
        "SECRET_BLOCK": "c2VjcmV0LWJsb2Nr",
    }
    stamp = "Tue Aug 5 09:03:07 UTC 2025"
    mine = ours.answer_password_verifier(params, "pw-1", timestamp=stamp)
    key = theirs.get_password_authentication_key("user", "pw-1", big_b, srp.pad_hex(salt))
    assert (
        srp.password_claim_signature(key, "Pool1", "user", params["SECRET_BLOCK"], stamp)
        == (mine["PASSWORD_CLAIM_SIGNATURE"])
    )


def test_the_fast_backend_is_picked_up_by_itself() -> None:
    """gmpy2 (the 'fast' extra, which the test extra installs too) is used with no call to
    set_modpow, and the command line says so."""
    from click.testing import CliRunner

    from cognitoflow.engine import srp as srp_module
    from cognitoflow.engine.cli import cli

    assert srp_module.backend() == "gmpy2"
    assert "SRP arithmetic: gmpy2" in CliRunner().invoke(cli, ["--version"]).output
    srp_module.set_modpow(pow)
    try:
        assert srp_module.backend() == "pow"
        assert srp_module.modpow(3, 5, 7) == pow(3, 5, 7)
    finally:
        srp_module.set_modpow(None)
    assert srp_module.backend() == "gmpy2"
