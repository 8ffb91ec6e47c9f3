"""The fake user pool on its own: Cognito's shapes, errors and rules, as boto3 code sees them."""

from __future__ import annotations

from collections.abc import Callable

import pyotp
import pytest
from botocore.exceptions import ClientError
from joserfc import jwt
from joserfc.jwk import KeySet

from cognitoflow.transports.fake import FakeCognito, FakeSettings, ManualClock, mask_destination

from helpers import PASSWORD, Pool

MakePool = Callable[..., Pool]


def _password_auth(pool: Pool, username: str, password: str = PASSWORD) -> dict[str, object]:
    return pool.cognito.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        ClientId=pool.password_client(),
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )


def test_errors_are_boto3_client_errors(cognito: FakeCognito) -> None:
    """Errors are botocore ClientErrors with Cognito's code, message and operation name."""
    with pytest.raises(ClientError) as caught:
        cognito.describe_user_pool(UserPoolId="us-east-1_missing")
    error = caught.value.response["Error"]
    assert error == {
        "Code": "ResourceNotFoundException",
        "Message": "User pool us-east-1_missing does not exist.",
    }
    assert caught.value.operation_name == "DescribeUserPool"
    assert isinstance(caught.value, cognito.exceptions.ResourceNotFoundException)


def test_positional_arguments_are_refused(cognito: FakeCognito) -> None:
    """Like boto3, operations take keyword arguments only."""
    with pytest.raises(TypeError):
        cognito.describe_user_pool("us-east-1_x")  # type: ignore[misc]


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("+15555550123", "+*******0123"),
        ("+441234567890", "+********7890"),
        ("jane@example.com", "j***@e***.com"),
        ("u@mail.example.org", "u***@m***.org"),
    ],
)
def test_destination_masks(value: str, masked: str) -> None:
    """Phone numbers keep the last four digits; emails keep first letters and the TLD."""
    assert mask_destination(value) == masked


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Aa1!", "Password not long enough"),
        ("abcdefg1!", "Password must have uppercase characters"),
        ("ABCDEFG1!", "Password must have lowercase characters"),
        ("Abcdefgh!", "Password must have numeric characters"),
        ("Abcdefgh1", "Password must have symbol characters"),
    ],
)
def test_password_policy_messages(make_pool: MakePool, password: str, message: str) -> None:
    """SignUp reports the first broken rule with Cognito's wording."""
    pool = make_pool()
    with pytest.raises(pool.cognito.exceptions.InvalidPasswordException) as caught:
        pool.cognito.sign_up(ClientId=pool.client_id, Username="x", Password=password)
    assert caught.value.response["Error"]["Message"] == (
        f"Password did not conform with policy: {message}"
    )


def test_srp_disabled_on_client(make_pool: MakePool) -> None:
    """A client without ALLOW_USER_SRP_AUTH refuses SRP with Cognito's message."""
    pool = make_pool(client={"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]})
    with pytest.raises(pool.cognito.exceptions.InvalidParameterException) as caught:
        pool.cognito.initiate_auth(
            AuthFlow="USER_SRP_AUTH",
            ClientId=pool.client_id,
            AuthParameters={"USERNAME": "x", "SRP_A": "ab"},
        )
    assert "USER_SRP_AUTH is not enabled for the client." in str(caught.value)


def test_admin_flows_are_not_for_initiate_auth(make_pool: MakePool) -> None:
    """ADMIN_USER_PASSWORD_AUTH through InitiateAuth is refused as Cognito refuses it."""
    pool = make_pool()
    with pytest.raises(pool.cognito.exceptions.InvalidParameterException, match="not supported"):
        pool.cognito.initiate_auth(AuthFlow="ADMIN_USER_PASSWORD_AUTH", ClientId=pool.client_id)


def test_sessions_are_single_use(make_pool: MakePool) -> None:
    """A session that produced a next step cannot be used again."""
    pool = make_pool(MfaConfiguration="OPTIONAL")
    pool.user("amy", mfa=("SMS_MFA",), phone_number="+15555550101")
    reply = _password_auth(pool, "amy")
    code = pool.cognito.outbox.last_code("amy")
    answer = {
        "ClientId": pool.password_client(),
        "ChallengeName": "SMS_MFA",
        "Session": reply["Session"],
        "ChallengeResponses": {"USERNAME": "amy", "SMS_MFA_CODE": code},
    }
    assert "AuthenticationResult" in pool.cognito.respond_to_auth_challenge(**answer)
    with pytest.raises(pool.cognito.exceptions.NotAuthorizedException, match="only be used once"):
        pool.cognito.respond_to_auth_challenge(**answer)


def test_wrong_code_cap_is_a_setting(make_pool: MakePool, clock: ManualClock) -> None:
    """With max_code_attempts_per_session=2, the second wrong code kills the session."""
    cognito = FakeCognito(clock=clock, settings=FakeSettings(max_code_attempts_per_session=2))
    pool = Pool(cognito, MfaConfiguration="OPTIONAL")
    pool.user("bea", mfa=("SMS_MFA",), phone_number="+15555550102")
    reply = _password_auth(pool, "bea")
    code = cognito.outbox.last_code("bea")
    wrong = "000000" if code != "000000" else "111111"

    def answer(value: str) -> dict[str, object]:
        return cognito.respond_to_auth_challenge(
            ClientId=pool.password_client(),
            ChallengeName="SMS_MFA",
            Session=reply["Session"],
            ChallengeResponses={"USERNAME": "bea", "SMS_MFA_CODE": value},
        )

    for _ in range(2):
        with pytest.raises(cognito.exceptions.CodeMismatchException):
            answer(wrong)
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Invalid session"):
        answer(code)


def test_unconfirmed_user_is_reported_even_with_a_wrong_password(make_pool: MakePool) -> None:
    """UserNotConfirmedException comes before the password check, as Cognito does."""
    pool = make_pool(AutoVerifiedAttributes=["email"])
    pool.cognito.sign_up(
        ClientId=pool.client_id,
        Username="cody",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "cody@example.com"}],
    )
    with pytest.raises(pool.cognito.exceptions.UserNotConfirmedException):
        _password_auth(pool, "cody", "Wrong-pass-1")


def test_lockout_after_five_wrong_passwords(make_pool: MakePool, clock: ManualClock) -> None:
    """Five failures lock the user for a second; the lock passes with time."""
    pool = make_pool()
    pool.user("dora")
    for _ in range(5):
        with pytest.raises(pool.cognito.exceptions.NotAuthorizedException):
            _password_auth(pool, "dora", "Wrong-pass-1")
    with pytest.raises(pool.cognito.exceptions.NotAuthorizedException) as caught:
        _password_auth(pool, "dora")
    assert caught.value.response["Error"]["Message"] == "Password attempts exceeded"
    clock.advance(2)
    assert "AuthenticationResult" in _password_auth(pool, "dora")


def test_temporary_password_expires(make_pool: MakePool, clock: ManualClock) -> None:
    """A temporary password older than TemporaryPasswordValidityDays is refused."""
    pool = make_pool()
    pool.cognito.admin_create_user(
        UserPoolId=pool.pool_id, Username="eve", TemporaryPassword="Temp-pass-1"
    )
    clock.advance(8 * 86400)
    with pytest.raises(pool.cognito.exceptions.NotAuthorizedException, match="has expired"):
        _password_auth(pool, "eve", "Temp-pass-1")


def test_tokens_verify_against_the_jwks(make_pool: MakePool) -> None:
    """ID and access tokens are RS256 JWTs with Cognito's claims, signed by keys in the JWKS."""
    pool = make_pool(client={"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]})
    pool.user("finn", email="finn@example.com", email_verified="true")
    result = pool.cognito.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        ClientId=pool.client_id,
        AuthParameters={"USERNAME": "finn", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    keys = KeySet.import_key_set(pool.cognito.jwks(pool.pool_id))  # type: ignore[arg-type]
    ident = jwt.decode(result["IdToken"], keys)
    access = jwt.decode(result["AccessToken"], keys)
    assert ident.header["kid"] != access.header["kid"]
    assert ident.claims["token_use"] == "id"
    assert ident.claims["aud"] == pool.client_id
    assert ident.claims["cognito:username"] == "finn"
    assert ident.claims["email_verified"] is True
    assert access.claims["token_use"] == "access"
    assert access.claims["scope"] == "aws.cognito.signin.user.admin"
    assert access.claims["iss"].endswith(pool.pool_id)
    assert access.claims["exp"] - access.claims["iat"] == result["ExpiresIn"] == 3600


def test_totp_preference_through_the_access_token(make_pool: MakePool) -> None:
    """TOTP can be enabled only after VerifySoftwareToken; then sign-in asks for it."""
    pool = make_pool(MfaConfiguration="OPTIONAL")
    pool.user("gus")
    access = _password_auth(pool, "gus")["AuthenticationResult"]["AccessToken"]  # type: ignore[index]
    with pytest.raises(pool.cognito.exceptions.InvalidParameterException, match="delivery config"):
        pool.cognito.set_user_mfa_preference(
            AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True}
        )
    secret = pool.cognito.associate_software_token(AccessToken=access)["SecretCode"]
    totp = pyotp.TOTP(secret)
    wrong = next(c for c in ("000000", "111111", "222222") if not totp.verify(c, valid_window=1))
    with pytest.raises(pool.cognito.exceptions.EnableSoftwareTokenMFAException):
        pool.cognito.verify_software_token(AccessToken=access, UserCode=wrong)
    assert pool.cognito.verify_software_token(AccessToken=access, UserCode=totp.now()) == {
        "Status": "SUCCESS"
    }
    pool.cognito.set_user_mfa_preference(
        AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    user = pool.cognito.get_user(AccessToken=access)
    assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert user["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    assert _password_auth(pool, "gus")["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_forgot_password_and_user_existence(make_pool: MakePool) -> None:
    """LEGACY reports unknown users; ENABLED answers with a simulated delivery."""
    legacy = make_pool()
    with pytest.raises(legacy.cognito.exceptions.UserNotFoundException):
        legacy.cognito.forgot_password(ClientId=legacy.client_id, Username="nobody")
    hidden = make_pool(client={"PreventUserExistenceErrors": "ENABLED"})
    reply = hidden.cognito.forgot_password(ClientId=hidden.client_id, Username="no@example.com")
    assert reply["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    assert len(hidden.cognito.outbox) == 0


def test_reset_without_a_verified_channel(make_pool: MakePool) -> None:
    """ForgotPassword needs a verified email or phone number."""
    pool = make_pool()
    pool.user("hal", email="hal@example.com")
    with pytest.raises(pool.cognito.exceptions.InvalidParameterException, match="no registered"):
        pool.cognito.forgot_password(ClientId=pool.client_id, Username="hal")


def test_email_as_username_pool(make_pool: MakePool) -> None:
    """With email as username, users get a UUID username and sign in with their email."""
    pool = make_pool(UsernameAttributes=["email"])
    created = pool.cognito.admin_create_user(
        UserPoolId=pool.pool_id, Username="ida@example.com", MessageAction="SUPPRESS"
    )["User"]
    assert created["Username"] != "ida@example.com"
    pool.cognito.admin_set_user_password(
        UserPoolId=pool.pool_id, Username="ida@example.com", Password=PASSWORD, Permanent=True
    )
    flow = pool.flow()
    out = flow.sign_in("ida@example.com", PASSWORD)
    assert out.is_signed_in
    assert flow.context.login_id == "ida@example.com"
    assert flow.context.username == created["Username"]


def test_outbox_repr_hides_codes(make_pool: MakePool) -> None:
    """Messages keep their code out of the repr."""
    pool = make_pool(MfaConfiguration="OPTIONAL")
    pool.user("jon", mfa=("SMS_MFA",), phone_number="+15555550103")
    _password_auth(pool, "jon")
    message = pool.cognito.outbox.last("jon")
    assert message.code not in repr(message)
    assert message.code not in repr(pool.cognito.outbox)


def test_refresh_token_gives_new_tokens_without_a_refresh_token(make_pool: MakePool) -> None:
    """REFRESH_TOKEN_AUTH returns access and id tokens, no new refresh token; junk is refused."""
    pool = make_pool()
    pool.user("kim")
    first = _password_auth(pool, "kim")["AuthenticationResult"]
    refreshed = pool.cognito.initiate_auth(
        AuthFlow="REFRESH_TOKEN_AUTH",
        ClientId=pool.password_client(),
        AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]},  # type: ignore[index]
    )["AuthenticationResult"]
    assert refreshed["AccessToken"]
    assert "RefreshToken" not in refreshed
    with pytest.raises(pool.cognito.exceptions.NotAuthorizedException, match="Invalid Refresh"):
        pool.cognito.initiate_auth(
            AuthFlow="REFRESH_TOKEN_AUTH",
            ClientId=pool.password_client(),
            AuthParameters={"REFRESH_TOKEN": "junk"},
        )
