"""The worlds the two property suites sign random users in to: pools and their users.

Both suites build pools the same way (MFA mode and factors, first factors, the quiz as
custom-auth triggers, an app client with every flow they use) and users the same way
(verified email and phone, MFA methods, a temporary password or a forced reset); only
the mix differs, which each suite says in its own tables.
"""

from __future__ import annotations

from typing import Any

from cognitoflow.transports.fake import FakeCognito

from helpers import QUESTION_TRIGGERS, Pool

TEMPORARY = "Temp-pass-1!"
"""The temporary password a user is given back by an administrator."""


def world_pool(
    cognito: FakeCognito,
    *,
    mfa: str,
    first_factors: list[str],
    flows: list[str],
    sms: bool = False,
    totp: bool = False,
    email: bool = False,
    relying_party: str | None = None,
    **client: Any,
) -> Pool:
    """A pool with MFA ``mfa`` (OFF, OPTIONAL, ON) and these factors, custom auth by quiz,
    email auto-verified, and an app client allowing ``flows`` (``client``: its other
    settings, such as ``GenerateSecret``)."""
    pool = Pool(
        cognito,
        MfaConfiguration=mfa,
        AutoVerifiedAttributes=["email"],
        Policies={"SignInPolicy": {"AllowedFirstAuthFactors": first_factors}},
        LambdaConfig=QUESTION_TRIGGERS,
        client={"ExplicitAuthFlows": flows, **client},
    )
    config: dict[str, Any] = {}
    if relying_party:
        config["WebAuthnConfiguration"] = {"RelyingPartyId": relying_party}
    if sms or totp or email:
        config["MfaConfiguration"] = mfa
        if sms:
            config["SmsMfaConfiguration"] = {"SmsAuthenticationMessage": "{####}"}
        config["SoftwareTokenMfaConfiguration"] = {"Enabled": totp}
        if email:
            config["EmailMfaConfiguration"] = {"Message": "{####}", "Subject": "Code"}
    if config:
        cognito.set_user_pool_mfa_config(UserPoolId=pool.pool_id, **config)
    return pool


def world_user(
    pool: Pool,
    name: str,
    password: str,
    *,
    email: str | None,
    phone: str | None,
    mfa: tuple[str, ...] = (),
    temporary: bool = False,
    reset: bool = False,
) -> str | None:
    """A confirmed user with verified ``email`` and ``phone`` (where given) and ``mfa`` on;
    then given :data:`TEMPORARY` by an administrator, or made to reset the password.
    Returns the TOTP secret when TOTP is on."""
    attributes = {}
    if email:
        attributes.update(email=email, email_verified="true")
    if phone:
        attributes.update(phone_number=phone, phone_number_verified="true")
    secret = pool.user(name, password, mfa=mfa, **attributes)
    if temporary:
        pool.cognito.admin_set_user_password(
            UserPoolId=pool.pool_id, Username=name, Password=TEMPORARY, Permanent=False
        )
    if reset:
        pool.cognito.admin_reset_user_password(UserPoolId=pool.pool_id, Username=name)
    return secret
