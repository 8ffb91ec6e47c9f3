"""What both versions of the example page share: the embedded fake pool and its users,
and the page's cookie names (``app.py`` on Flask, ``async_app.py`` on Starlette)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from cognitoflow.transports.fake import FakeCognito

__all__ = [
    "CSRF_COOKIE",
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "SESSION_SECONDS",
    "STATE_COOKIE",
    "USER_COOKIE",
    "chosen_pool",
    "demo_pool",
]

DEMO_PASSWORD = "Demo-pass-1"
DEMO_USERS = {
    "alice": "temporary password Temp-pass-1: sets a new one and gives her name",
    "bob": "SMS MFA: the code is on /dev/outbox",
    "dana": "MFA is required and she has none: sets up TOTP or email MFA",
}
STATE_COOKIE = "signin"
USER_COOKIE = "signed_in"
CSRF_COOKIE = "csrf"
SESSION_SECONDS = 8 * 3600
"""How long a signed-in session lasts on this page."""


def demo_pool(clock: Callable[[], float] | None = None) -> tuple[FakeCognito, str, str]:
    """The embedded fake: a pool that requires MFA (SMS, TOTP or email) and its users.
    ``clock``: the fake's time (tests move it)."""
    cognito = FakeCognito(clock=clock)
    pool_id = cognito.create_user_pool(
        PoolName="example",
        MfaConfiguration="ON",
        Schema=[{"Name": "name", "Required": True}],
        Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]}},
    )["UserPool"]["Id"]
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="ON",
        SmsMfaConfiguration={"SmsAuthenticationMessage": "Your code is {####}"},
        SoftwareTokenMfaConfiguration={"Enabled": True},
        EmailMfaConfiguration={"Message": "Your code is {####}", "Subject": "Sign-in code"},
    )
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="example-web",
        ExplicitAuthFlows=[
            "ALLOW_USER_SRP_AUTH",
            "ALLOW_USER_AUTH",
            "ALLOW_CUSTOM_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
        ],
    )["UserPoolClient"]["ClientId"]
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="alice",
        TemporaryPassword="Temp-pass-1",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "phone_number", "Value": "+15555550101"}],
    )
    people = {
        "bob": {"name": "Bob", "phone_number": "+15555550100", "phone_number_verified": "true"},
        "dana": {"name": "Dana", "email": "dana@example.com", "email_verified": "true"},
    }
    for username, attributes in people.items():
        cognito.add_user(pool_id, username, DEMO_PASSWORD, **attributes)
    return cognito, pool_id, client_id


def chosen_pool(
    env: Mapping[str, str], cognito: FakeCognito | None, pool: tuple[str, str] | None
) -> tuple[FakeCognito | None, str, str]:
    """The pool the page signs in to: ``COGNITO_USER_POOL_ID`` and ``COGNITO_CLIENT_ID``
    (no fake: the page builds a transport onto Cognito), else the fake given with its
    ``pool`` (tests), else :func:`demo_pool`."""
    if env.get("COGNITO_USER_POOL_ID") and cognito is None:
        return None, env["COGNITO_USER_POOL_ID"], env["COGNITO_CLIENT_ID"]
    if cognito is None:
        return demo_pool()
    assert pool is not None, "give the pool (user pool id, client id) with cognito"
    return cognito, *pool
