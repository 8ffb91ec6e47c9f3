"""Cognito's rules the fake used to break, each with the test that failed before the fix,
and the fake under threads and over a long run."""

from __future__ import annotations

import sys
import threading
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from cognitoflow.engine import NotAuthorizedException, SignInFlow, SignInStep
from cognitoflow.transports.fake import FakeCognito, FakeTransport, ManualClock

from helpers import PASSWORD, Pool

MakePool = Callable[..., Pool]


def _id_claims(pool: Pool, token: str) -> dict[str, Any]:
    keys = KeySet.import_key_set(pool.cognito.jwks(pool.pool_id))  # type: ignore[arg-type]
    return dict(jwt.decode(token, keys).claims)


def test_attributes_never_stand_in_for_id_token_claims(make_pool: MakePool) -> None:
    """The schema refuses such attributes; and should one be stored (an older state file),
    the token still carries Cognito's claims."""
    pool = make_pool()
    forged = {"cognito:username": "admin", "aud": "another-client", "token_use": "access"}
    for name, value in forged.items():
        with pytest.raises(pool.cognito.exceptions.InvalidParameterException, match="schema"):
            pool.cognito.sign_up(
                ClientId=pool.client_id,
                Username=f"x{len(name)}",
                Password=PASSWORD,
                UserAttributes=[{"Name": name, "Value": value}],
            )
    pool.user("ann", email="ann@example.com", email_verified="True")  # any case, as Cognito
    user = pool.cognito._pools[pool.pool_id].users["ann"]
    user.attributes.update(forged, iss="https://evil.example.com")
    flow = SignInFlow(
        FakeTransport(pool.cognito), user_pool_id=pool.pool_id, client_id=pool.client_id
    )
    tokens = flow.sign_in("ann", PASSWORD).tokens
    assert tokens is not None
    assert tokens.id_token
    claims = _id_claims(pool, tokens.id_token)
    assert claims["cognito:username"] == "ann"
    assert claims["aud"] == pool.client_id
    assert claims["iss"].endswith(pool.pool_id)
    assert claims["token_use"] == "id"
    assert claims["email_verified"] is True


def test_custom_attributes_follow_the_schema(make_pool: MakePool) -> None:
    pool = make_pool(
        Schema=[
            {
                "Name": "tier",
                "AttributeDataType": "String",
                "Mutable": True,
                "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "8"},
            },
            {"Name": "employee_id", "AttributeDataType": "Number", "Mutable": False},
        ]
    )
    cognito, admin = pool.cognito, {"UserPoolId": pool.pool_id}
    schema = cognito.describe_user_pool(**admin)["UserPool"]["SchemaAttributes"]
    assert {"custom:tier", "custom:employee_id"} <= {a["Name"] for a in schema}
    pool.user("kai", **{"custom:tier": "gold", "custom:employee_id": "42"})
    user = {**admin, "Username": "kai"}
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="between 1 and 8"):
        cognito.admin_update_user_attributes(
            **user, UserAttributes=[{"Name": "custom:tier", "Value": "platinum-plus"}]
        )
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="immutable"):
        cognito.admin_update_user_attributes(
            **user, UserAttributes=[{"Name": "custom:employee_id", "Value": "43"}]
        )
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="schema"):
        cognito.admin_update_user_attributes(
            **user, UserAttributes=[{"Name": "custom:shoe", "Value": "9"}]
        )
    cognito.add_custom_attributes(
        **admin, CustomAttributes=[{"Name": "shoe", "AttributeDataType": "Number"}]
    )
    cognito.admin_update_user_attributes(
        **user, UserAttributes=[{"Name": "custom:shoe", "Value": "9"}]
    )
    attributes = cognito.admin_get_user(**user)["UserAttributes"]
    assert {"Name": "custom:shoe", "Value": "9"} in attributes


def test_a_refused_mfa_preference_changes_nothing(make_pool: MakePool) -> None:
    pool = make_pool(MfaConfiguration="OPTIONAL")
    pool.user("bo", phone_number="+15555550100")
    admin = {"UserPoolId": pool.pool_id, "Username": "bo"}
    with pytest.raises(pool.cognito.exceptions.InvalidParameterException):
        pool.cognito.admin_set_user_mfa_preference(
            **admin,
            SMSMfaSettings={"Enabled": True},  # possible: a phone number
            SoftwareTokenMfaSettings={"Enabled": True},  # not: no authenticator
        )
    assert pool.cognito.admin_get_user(**admin)["UserMFASettingList"] == []


def test_a_lite_pool_is_lite(make_pool: MakePool) -> None:
    cognito = FakeCognito()
    pool_id = cognito.create_user_pool(PoolName="lite", UserPoolTier="LITE")["UserPool"]["Id"]
    assert cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["UserPoolTier"] == "LITE"
    with pytest.raises(Exception, match="FeatureUnavailableInTierException"):
        cognito.set_user_pool_mfa_config(
            UserPoolId=pool_id,
            MfaConfiguration="OPTIONAL",
            EmailMfaConfiguration={"Message": "{####}", "Subject": "Code"},
        )
    with pytest.raises(Exception, match="FeatureUnavailableInTierException"):
        cognito.create_user_pool(
            PoolName="lite",
            UserPoolTier="LITE",
            Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}},
        )
    with pytest.raises(Exception, match="FeatureUnavailableInTierException"):
        cognito.update_user_pool(
            UserPoolId=pool_id,
            Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "SMS_OTP"]}},
        )


def _reset_pool(clock: ManualClock) -> Pool:
    pool = Pool(FakeCognito(clock=clock), AutoVerifiedAttributes=["email"])
    pool.user("cy", email="cy@example.com", email_verified="true")
    return pool


def test_wrong_reset_codes_run_out(clock: ManualClock) -> None:
    pool = _reset_pool(clock)
    cognito, client = pool.cognito, {"ClientId": pool.client_id, "Username": "cy"}
    cognito.forgot_password(**client)
    right = cognito.outbox.last_code("cy", purpose="FORGOT_PASSWORD")
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(10):
        with pytest.raises(cognito.exceptions.CodeMismatchException):
            cognito.confirm_forgot_password(**client, ConfirmationCode=wrong, Password=PASSWORD)
    with pytest.raises(cognito.exceptions.LimitExceededException):
        cognito.confirm_forgot_password(**client, ConfirmationCode=right, Password=PASSWORD)
    clock.advance(3600)  # an hour later the right code is taken
    cognito.confirm_forgot_password(**client, ConfirmationCode=right, Password=PASSWORD)


def test_code_requests_run_out(clock: ManualClock) -> None:
    pool = _reset_pool(clock)
    client = {"ClientId": pool.client_id, "Username": "cy"}
    for _ in range(5):
        pool.cognito.forgot_password(**client)
    with pytest.raises(pool.cognito.exceptions.LimitExceededException):
        pool.cognito.forgot_password(**client)


def test_wrong_sign_up_codes_run_out(clock: ManualClock) -> None:
    cognito = FakeCognito(clock=clock)
    pool = Pool(cognito, AutoVerifiedAttributes=["email"])
    cognito.sign_up(
        ClientId=pool.client_id,
        Username="di",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "di@example.com"}],
    )
    right = cognito.outbox.last_code("di", purpose="SIGN_UP")
    wrong = "000000" if right != "000000" else "111111"
    confirm = {"ClientId": pool.client_id, "Username": "di"}
    for _ in range(15):
        with pytest.raises(cognito.exceptions.CodeMismatchException):
            cognito.confirm_sign_up(**confirm, ConfirmationCode=wrong)
    with pytest.raises(cognito.exceptions.LimitExceededException):
        cognito.confirm_sign_up(**confirm, ConfirmationCode=right)


def test_a_user_disabled_between_password_and_code_gets_no_tokens(make_pool: MakePool) -> None:
    pool = make_pool(MfaConfiguration="ON")
    pool.user("ed", phone_number="+15555550100", phone_number_verified="true")
    flow = SignInFlow(
        FakeTransport(pool.cognito), user_pool_id=pool.pool_id, client_id=pool.client_id
    )
    out = flow.sign_in("ed", PASSWORD)
    assert out.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_SMS_CODE
    pool.cognito.admin_disable_user(UserPoolId=pool.pool_id, Username="ed")
    with pytest.raises(NotAuthorizedException, match="disabled"):
        flow.confirm_sign_in(pool.cognito.outbox.last_code("ed"))
    assert flow.tokens is None


def test_hidden_users_are_hidden_from_confirm_sign_up(make_pool: MakePool) -> None:
    pool = make_pool(client={"PreventUserExistenceErrors": "ENABLED"})
    with pytest.raises(pool.cognito.exceptions.CodeMismatchException):
        pool.cognito.confirm_sign_up(
            ClientId=pool.client_id, Username="nobody", ConfirmationCode="123456"
        )


def test_a_negative_srp_a_is_refused_not_crashed(make_pool: MakePool) -> None:
    pool = make_pool()
    pool.user("fi")
    with pytest.raises(pool.cognito.exceptions.NotAuthorizedException):
        pool.cognito.initiate_auth(
            AuthFlow="USER_SRP_AUTH",
            ClientId=pool.client_id,
            AuthParameters={"USERNAME": "fi", "SRP_A": "-1"},
        )


def test_legacy_explicit_auth_flow_names_are_honoured(make_pool: MakePool) -> None:
    pool = make_pool(client={"ExplicitAuthFlows": ["USER_PASSWORD_AUTH"]})
    pool.user("gil")
    reply = pool.cognito.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        ClientId=pool.client_id,
        AuthParameters={"USERNAME": "gil", "PASSWORD": PASSWORD},
    )
    assert reply["AuthenticationResult"]["AccessToken"]


def test_the_mfa_configuration_echoes_its_messages(make_pool: MakePool) -> None:
    pool = make_pool()
    sms = {"SmsAuthenticationMessage": "Your sign-in code: {####}"}
    email = {"Message": "Sign in with {####}", "Subject": "Your code"}
    reply = pool.cognito.set_user_pool_mfa_config(
        UserPoolId=pool.pool_id,
        MfaConfiguration="OPTIONAL",
        SmsMfaConfiguration=sms,
        EmailMfaConfiguration=email,
    )
    assert reply["SmsMfaConfiguration"] == sms
    assert reply["EmailMfaConfiguration"] == email
    assert (
        pool.cognito.get_user_pool_mfa_config(UserPoolId=pool.pool_id)["SmsMfaConfiguration"] == sms
    )


def test_non_ascii_codes_and_secret_hashes_are_refused_not_crashed(make_pool: MakePool) -> None:
    pool = make_pool(AutoVerifiedAttributes=["email"], client={"GenerateSecret": True})
    with pytest.raises(pool.cognito.exceptions.NotAuthorizedException):
        pool.cognito.confirm_sign_up(
            ClientId=pool.client_id,
            Username="hal",
            ConfirmationCode="١٢٣٤٥٦",
            SecretHash="ünïcode",
        )


def _race_to_sign_up(threads: int) -> list[str]:
    """``threads`` threads sign up one username at once on a new fake; what each got."""
    cognito = FakeCognito()
    pool = Pool(cognito)
    outcomes: list[str] = []
    start = threading.Barrier(threads)

    def sign_up() -> None:
        start.wait()
        try:
            cognito.sign_up(ClientId=pool.client_id, Username="same", Password=PASSWORD)
            outcomes.append("created")
        except cognito.exceptions.UsernameExistsException:
            outcomes.append("exists")

    running = [threading.Thread(target=sign_up) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    return sorted(outcomes)


def test_the_fake_is_safe_under_threads() -> None:
    """Eight threads sign up one username at once, twenty times over: exactly one succeeds
    each time (threads switch as often as Python lets them, to make a race likely)."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for round_ in range(20):
            assert _race_to_sign_up(8) == ["created"] + ["exists"] * 7, round_
    finally:
        sys.setswitchinterval(previous)


def test_memory_stays_flat_over_a_long_run() -> None:
    """Two thousand sign-ins over simulated weeks: what expired is forgotten."""
    clock = ManualClock()
    cognito = FakeCognito(clock=clock)
    pool = Pool(
        cognito,
        client={
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            "RefreshTokenValidity": 1,
            "TokenValidityUnits": {"RefreshToken": "days"},
        },
    )
    pool.user("ivy")

    def sign_in() -> None:
        cognito.initiate_auth(
            AuthFlow="USER_PASSWORD_AUTH",
            ClientId=pool.client_id,
            AuthParameters={"USERNAME": "ivy", "PASSWORD": PASSWORD},
        )
        clock.advance(600)  # ten minutes between sign-ins: a day is 144 of them

    for _ in range(500):  # warm up: caches, the first day's tokens
        sign_in()
    tracemalloc.start()
    start = tracemalloc.get_traced_memory()[0]
    for _ in range(1500):
        sign_in()
    end = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    print(f"\nsoak: 2000 sign-ins; traced memory {start} bytes after 500, {end} after 2000")
    assert len(cognito._refresh) <= 144 + cognito.SWEEP_EVERY  # one day's, plus one sweep's
    assert end < start + 512 * 1024


def test_an_administrators_new_email_is_unverified_until_its_code(make_pool: MakePool) -> None:
    pool = make_pool(AutoVerifiedAttributes=["email"])
    pool.user("lou", email="lou@example.com", email_verified="true")
    admin = {"UserPoolId": pool.pool_id, "Username": "lou"}
    pool.cognito.admin_update_user_attributes(
        **admin, UserAttributes=[{"Name": "email", "Value": "lou@new.example.com"}]
    )
    attributes = {
        a["Name"]: a["Value"] for a in pool.cognito.admin_get_user(**admin)["UserAttributes"]
    }
    assert attributes["email_verified"] == "false"
    assert pool.cognito.outbox.last("lou", purpose="VERIFY_email").destination == (
        "lou@new.example.com"
    )
    pool.cognito.admin_update_user_attributes(  # an administrator may vouch for it
        **admin,
        UserAttributes=[
            {"Name": "email", "Value": "lou@other.example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    attributes = {
        a["Name"]: a["Value"] for a in pool.cognito.admin_get_user(**admin)["UserAttributes"]
    }
    assert attributes["email_verified"] == "true"
