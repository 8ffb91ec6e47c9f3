"""Every public argument, given anything Hypothesis can build: only typed errors.

Wrong types, None, bytes, NUL, lone surrogates, a megabyte of text, unknown names,
mappings of the wrong things: each call either works or raises a CognitoFlowError
(an InvalidInputError naming the argument, for a bad one), and a refused call leaves the
flow as it was.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cognitoflow.engine import CognitoFlowError, InvalidInputError, SignInFlow
from cognitoflow.transports.fake import FakeCognito, FakeTransport

from helpers import PASSWORD, Pool

HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.binary(max_size=8),
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            " ",
            "a\x00b",
            "\ud800",
            "x" * 1_000_000,
            "USER_AUTH",
            "PASSWORD_SRP",
            "TOTP",
            "123456",
            "alice",
            PASSWORD,
            "nobody@example.com",
        ]
    ),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(
        st.text(max_size=3), st.one_of(st.text(max_size=3), st.integers(), st.none()), max_size=2
    ),
    st.just(object()),
)
"""Anything a caller might pass by mistake."""

CALLS: dict[str, tuple[Callable[..., Any], tuple[str, ...]]] = {
    "sign_in": (
        lambda f, a: f.sign_in(
            a[0], a[1], auth_flow_type=a[2], client_metadata=a[3], preferred_challenge=a[4]
        ),
        ("username", "password", "auth_flow_type", "client_metadata", "preferred_challenge"),
    ),
    "confirm_sign_in": (
        lambda f, a: f.confirm_sign_in(
            a[0], user_attributes=a[1], client_metadata=a[2], friendly_device_name=a[3]
        ),
        ("challenge_response", "user_attributes", "client_metadata", "friendly_device_name"),
    ),
    "sign_up": (
        lambda f, a: f.sign_up(a[0], a[1], user_attributes=a[2], client_metadata=a[3]),
        ("username", "password", "user_attributes", "client_metadata"),
    ),
    "confirm_sign_up": (
        lambda f, a: f.confirm_sign_up(a[0], username=a[1], client_metadata=a[2]),
        ("confirmation_code", "username", "client_metadata"),
    ),
    "resend_sign_up_code": (
        lambda f, a: f.resend_sign_up_code(a[0], client_metadata=a[1]),
        ("username", "client_metadata"),
    ),
    "reset_password": (
        lambda f, a: f.reset_password(a[0], client_metadata=a[1]),
        ("username", "client_metadata"),
    ),
    "confirm_reset_password": (
        lambda f, a: f.confirm_reset_password(
            new_password=a[0], confirmation_code=a[1], username=a[2], client_metadata=a[3]
        ),
        ("new_password", "confirmation_code", "username", "client_metadata"),
    ),
    "register_passkey": (lambda f, a: f.register_passkey(a[0]), ("create_credential",)),
    "SignInFlow": (
        lambda f, a: SignInFlow(
            a[0],
            user_pool_id=a[1],
            client_id=a[2],
            client_secret=a[3],
            passkey_authenticator=a[4],
            session_validity=a[5],
            clock=a[6],
        ),
        (
            "transport",
            "user_pool_id",
            "client_id",
            "client_secret",
            "passkey_authenticator",
            "session_validity",
            "clock",
        ),
    ),
    "restore": (
        lambda f, a: SignInFlow.restore(
            a[0], a[1], client_secret=a[2], passkey_authenticator=a[3], clock=a[4]
        ),
        ("snapshot", "transport", "client_secret", "passkey_authenticator", "clock"),
    ),
}

COUNT = itertools.count()
"""Calls made, over every example (printed by the last test)."""


@pytest.fixture(scope="module")
def world() -> Pool:
    cognito = FakeCognito()
    pool = Pool(cognito, MfaConfiguration="OPTIONAL", AutoVerifiedAttributes=["email"])
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool.pool_id, SmsMfaConfiguration={"SmsAuthenticationMessage": "{####}"}
    )
    pool.user("alice", mfa=("SMS_MFA",), phone_number="+15555550100", email="a@example.com")
    return pool


def _flow(pool: Pool, at_step: bool) -> SignInFlow:
    flow = SignInFlow(
        FakeTransport(pool.cognito),
        user_pool_id=pool.pool_id,
        client_id=pool.client_id,
        client_secret=pool.client_secret,
    )
    if at_step:
        flow.sign_in("alice", PASSWORD)
    return flow


@pytest.mark.parametrize("name", CALLS)
@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), at_step=st.booleans())
def test_any_argument_gives_a_typed_error_or_works(
    world: Pool, name: str, data: st.DataObject, at_step: bool
) -> None:
    call, fields = CALLS[name]
    flow = _flow(world, at_step)
    before = (flow.state, flow.context)
    values = [data.draw(HOSTILE, label=field) for field in fields]
    next(COUNT)
    refused: CognitoFlowError | None = None
    try:
        call(flow, values)
    except CognitoFlowError as error:  # typed; anything else fails the test
        refused = error
    if isinstance(refused, InvalidInputError):
        assert refused.field in fields, refused.field
        assert (flow.state, flow.context) == before  # refused before anything was sent


def test_calls_were_made() -> None:
    made = next(COUNT)
    print(f"\nargument fuzz: {made} calls, every one typed or successful")
    assert made >= 60 * len(CALLS)
