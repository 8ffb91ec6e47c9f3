"""Pools and app clients: create, describe, update, MFA configuration, the JWKS."""

from __future__ import annotations

import string
from typing import Any

import attrs

from ._core import (
    ServiceCore,
    fail,
    operation,
    random_id,
)
from ._model import (
    AppClient,
    UserPool,
)
from ._schema import custom_attributes
from ._support import client_error
from ._tokens import TokenSigner

__all__ = ["DEFAULT_FLOWS", "PoolsAndClients"]

DEFAULT_FLOWS = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"]
"""The auth flows of an app client created without ``ExplicitAuthFlows``."""


class PoolsAndClients(ServiceCore):
    """Pools and app clients: create, describe, update, MFA configuration, the JWKS."""

    @operation("CreateUserPool")
    def create_user_pool(
        self,
        *,
        PoolName: str,
        Policies: dict[str, Any] | None = None,
        MfaConfiguration: str = "OFF",
        UsernameAttributes: list[str] | None = None,
        AliasAttributes: list[str] | None = None,
        AutoVerifiedAttributes: list[str] | None = None,
        UsernameConfiguration: dict[str, Any] | None = None,
        Schema: list[dict[str, Any]] | None = None,
        AccountRecoverySetting: dict[str, Any] | None = None,
        AdminCreateUserConfig: dict[str, Any] | None = None,
        SmsConfiguration: dict[str, Any] | None = None,
        EmailConfiguration: dict[str, Any] | None = None,
        UserPoolTier: str | None = None,
        DeletionProtection: str | None = None,
        UserPoolTags: dict[str, str] | None = None,
        LambdaConfig: dict[str, Any] | None = None,
        DeviceConfiguration: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        if MfaConfiguration not in ("OFF", "ON", "OPTIONAL"):
            raise fail(
                "InvalidParameterException",
                f"1 validation error detected: Value '{MfaConfiguration}' at 'mfaConfiguration'"
                " failed to satisfy constraint: Member must satisfy enum value set: "
                "[OFF, ON, OPTIONAL]",
            )
        if UserPoolTier not in (None, "LITE", "ESSENTIALS", "PLUS"):
            raise fail(
                "InvalidParameterException",
                f"1 validation error detected: Value '{UserPoolTier}' at 'userPoolTier' failed to "
                "satisfy constraint: Member must satisfy enum value set: [LITE, ESSENTIALS, PLUS]",
            )
        pool_id = f"{self._region}_{random_id(9, string.ascii_letters + string.digits)}"
        policy = {
            "MinimumLength": 8,
            "RequireUppercase": True,
            "RequireLowercase": True,
            "RequireNumbers": True,
            "RequireSymbols": True,
            "TemporaryPasswordValidityDays": 7,
        }
        policy.update((Policies or {}).get("PasswordPolicy", {}))
        first_factors = self._first_factors(Policies)
        required = [
            str(attr["Name"]) for attr in Schema or [] if attr.get("Required") and "Name" in attr
        ]
        pool = UserPool(
            pool_id=pool_id,
            name=PoolName,
            created=self.clock(),
            mfa_configuration=MfaConfiguration,
            mfa_factors=[]
            if MfaConfiguration == "OFF"
            else list(self.settings.default_mfa_factors),
            password_policy=policy,
            username_attributes=list(UsernameAttributes or []),
            alias_attributes=list(AliasAttributes or []),
            auto_verified_attributes=list(AutoVerifiedAttributes or []),
            case_sensitive=bool((UsernameConfiguration or {}).get("CaseSensitive", True)),
            recovery=list((AccountRecoverySetting or {}).get("RecoveryMechanisms", [])),
            admin_create_only=bool(
                (AdminCreateUserConfig or {}).get("AllowAdminCreateUserOnly", False)
            ),
            required_attributes=required,
            lambda_config=dict(LambdaConfig or {}),
            first_factors=first_factors or ["PASSWORD"],
            device_configuration=_device_configuration(DeviceConfiguration),
            custom_attributes=custom_attributes(Schema),
            tags=dict(UserPoolTags or {}),
            tier=UserPoolTier or "ESSENTIALS",
        )
        _check_tier(pool)
        self._pools[pool_id] = pool
        self._signers[pool_id] = TokenSigner(
            f"https://cognito-idp.{pool_id.split('_', 1)[0]}.amazonaws.com/{pool_id}"
        )
        return {"UserPool": pool.describe()}

    @operation("DescribeUserPool")
    def describe_user_pool(self, *, UserPoolId: str) -> dict[str, Any]:
        return {"UserPool": self._pool(UserPoolId).describe()}

    @operation("UpdateUserPool")
    def update_user_pool(
        self,
        *,
        UserPoolId: str,
        LambdaConfig: dict[str, Any] | None = None,
        MfaConfiguration: str | None = None,
        AutoVerifiedAttributes: list[str] | None = None,
        Policies: dict[str, Any] | None = None,
        DeviceConfiguration: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Change the members given (the fake leaves the others as they are)."""
        pool = self._pool(UserPoolId)
        if DeviceConfiguration is not None:
            pool.device_configuration = _device_configuration(DeviceConfiguration)
        if LambdaConfig is not None:
            pool.lambda_config = dict(LambdaConfig)
        if MfaConfiguration is not None:
            pool.mfa_configuration = MfaConfiguration
            if MfaConfiguration == "OFF":
                pool.mfa_factors = []
            elif not pool.mfa_factors:
                pool.mfa_factors = list(self.settings.default_mfa_factors)
        if AutoVerifiedAttributes is not None:
            pool.auto_verified_attributes = list(AutoVerifiedAttributes)
        if Policies is not None:
            pool.password_policy.update(Policies.get("PasswordPolicy", {}))
            factors = self._first_factors(Policies) or pool.first_factors
            _check_tier(attrs.evolve(pool, first_factors=factors))
            pool.first_factors = factors
        return {}

    @staticmethod
    def _first_factors(policies: dict[str, Any] | None) -> list[str]:
        factors = list(
            ((policies or {}).get("SignInPolicy") or {}).get("AllowedFirstAuthFactors") or []
        )
        if factors and "PASSWORD" not in factors:
            raise fail(
                "InvalidParameterException",
                "AllowedFirstAuthFactors must include PASSWORD.",
            )
        unknown = [f for f in factors if f not in ("PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")]
        if unknown:
            raise fail(
                "InvalidParameterException",
                f"1 validation error detected: Value '{unknown}' at "
                "'policies.signInPolicy.allowedFirstAuthFactors' failed to satisfy constraint: "
                "Member must satisfy enum value set: [PASSWORD, EMAIL_OTP, SMS_OTP, WEB_AUTHN]",
            )
        return factors

    @operation("SetUserPoolMfaConfig")
    def set_user_pool_mfa_config(
        self,
        *,
        UserPoolId: str,
        SmsMfaConfiguration: dict[str, Any] | None = None,
        SoftwareTokenMfaConfiguration: dict[str, Any] | None = None,
        EmailMfaConfiguration: dict[str, Any] | None = None,
        MfaConfiguration: str | None = None,
        WebAuthnConfiguration: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        blocks = (SmsMfaConfiguration, SoftwareTokenMfaConfiguration, EmailMfaConfiguration)
        if MfaConfiguration == "OFF" and any(block is not None for block in blocks):
            raise fail(
                "InvalidParameterException",
                "Invalid MFA configuration given, can't turn off MFA and configure an MFA "
                "together.",
            )
        if pool.tier == "LITE" and (EmailMfaConfiguration or WebAuthnConfiguration):
            raise fail(
                "FeatureUnavailableInTierException",
                "Email MFA and passkeys are not available in the LITE tier: upgrade the pool to "
                "ESSENTIALS.",
            )
        factors = []
        if SmsMfaConfiguration is not None:
            factors.append("SMS_MFA")
            pool.sms_mfa_config = dict(SmsMfaConfiguration)
        if (SoftwareTokenMfaConfiguration or {}).get("Enabled"):
            factors.append("SOFTWARE_TOKEN_MFA")
        if EmailMfaConfiguration is not None:
            factors.append("EMAIL_OTP")
            pool.email_mfa_config = dict(EmailMfaConfiguration)
        if WebAuthnConfiguration is not None:
            pool.webauthn = {
                "RelyingPartyId": WebAuthnConfiguration.get("RelyingPartyId"),
                "UserVerification": WebAuthnConfiguration.get("UserVerification", "preferred"),
                "FactorConfiguration": WebAuthnConfiguration.get(
                    "FactorConfiguration", "SINGLE_FACTOR"
                ),
            }
        if MfaConfiguration is not None:
            pool.mfa_configuration = MfaConfiguration
        if any(block is not None for block in blocks):
            pool.mfa_factors = factors
        if pool.mfa_configuration == "OFF":
            pool.mfa_factors = []
        return self._mfa_config(pool)

    @operation("GetUserPoolMfaConfig")
    def get_user_pool_mfa_config(self, *, UserPoolId: str) -> dict[str, Any]:
        return self._mfa_config(self._pool(UserPoolId))

    @staticmethod
    def _mfa_config(pool: UserPool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "MfaConfiguration": pool.mfa_configuration,
            "SoftwareTokenMfaConfiguration": {"Enabled": "SOFTWARE_TOKEN_MFA" in pool.mfa_factors},
        }
        if "SMS_MFA" in pool.mfa_factors:
            out["SmsMfaConfiguration"] = pool.sms_mfa_config or {
                "SmsAuthenticationMessage": "Your code is {####}"
            }
        if "EMAIL_OTP" in pool.mfa_factors:
            out["EmailMfaConfiguration"] = pool.email_mfa_config or {
                "Message": "Your code is {####}"
            }
        if pool.webauthn:
            out["WebAuthnConfiguration"] = dict(pool.webauthn)
        return out

    @operation("CreateUserPoolClient")
    def create_user_pool_client(
        self,
        *,
        UserPoolId: str,
        ClientName: str,
        GenerateSecret: bool = False,
        ExplicitAuthFlows: list[str] | None = None,
        AuthSessionValidity: int = 3,
        PreventUserExistenceErrors: str = "LEGACY",
        AccessTokenValidity: int | None = None,
        IdTokenValidity: int | None = None,
        RefreshTokenValidity: int | None = None,
        TokenValidityUnits: dict[str, str] | None = None,
        ReadAttributes: list[str] | None = None,
        WriteAttributes: list[str] | None = None,
        EnableTokenRevocation: bool = True,
        RefreshTokenRotation: dict[str, Any] | None = None,
        CallbackURLs: list[str] | None = None,
        LogoutURLs: list[str] | None = None,
        DefaultRedirectURI: str | None = None,
        AllowedOAuthFlows: list[str] | None = None,
        AllowedOAuthScopes: list[str] | None = None,
        AllowedOAuthFlowsUserPoolClient: bool | None = None,
        SupportedIdentityProviders: list[str] | None = None,
    ) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        stored = {
            name: value
            for name, value in (
                ("CallbackURLs", CallbackURLs),
                ("LogoutURLs", LogoutURLs),
                ("DefaultRedirectURI", DefaultRedirectURI),
                ("AllowedOAuthFlows", AllowedOAuthFlows),
                ("AllowedOAuthScopes", AllowedOAuthScopes),
                ("AllowedOAuthFlowsUserPoolClient", AllowedOAuthFlowsUserPoolClient),
                ("SupportedIdentityProviders", SupportedIdentityProviders),
                ("ReadAttributes", ReadAttributes),
                ("WriteAttributes", WriteAttributes),
            )
            if value is not None
        }
        rotation = RefreshTokenRotation or {}
        rotation_grace = (
            int(rotation.get("RetryGracePeriodSeconds", 0))
            if rotation.get("Feature") == "ENABLED"
            else None
        )
        if not 3 <= AuthSessionValidity <= 15:
            raise fail(
                "InvalidParameterException",
                f"1 validation error detected: Value '{AuthSessionValidity}' at "
                "'authSessionValidity' failed to satisfy constraint: Member must have value "
                "between 3 and 15",
            )
        units = {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"}
        units.update(TokenValidityUnits or {})
        scale = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}

        def seconds(value: int | None, token: str, default: int) -> int:
            """A validity in the client's units, in seconds (0 or absent: the default)."""
            return value * scale[units[token]] if value else default

        client = AppClient(
            client_id=random_id(26),
            name=ClientName,
            pool_id=pool.pool_id,
            secret=random_id(51) if GenerateSecret else None,
            explicit_auth_flows=list(ExplicitAuthFlows) if ExplicitAuthFlows else DEFAULT_FLOWS,
            auth_session_validity=AuthSessionValidity,
            prevent_user_existence_errors=PreventUserExistenceErrors,
            access_token_seconds=seconds(AccessTokenValidity, "AccessToken", 3600),
            id_token_seconds=seconds(IdTokenValidity, "IdToken", 3600),
            refresh_token_seconds=seconds(RefreshTokenValidity, "RefreshToken", 30 * 86400),
            created=self.clock(),
            token_revocation=bool(EnableTokenRevocation),
            rotation_grace=rotation_grace,
            stored=stored,
        )
        pool.clients[client.client_id] = client
        self._clients[client.client_id] = client
        return {"UserPoolClient": client.describe()}

    @operation("DescribeUserPoolClient")
    def describe_user_pool_client(self, *, UserPoolId: str, ClientId: str) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        client = pool.clients.get(ClientId)
        if client is None:
            raise fail("ResourceNotFoundException", f"User pool client {ClientId} does not exist.")
        return {"UserPoolClient": client.describe()}

    def jwks(self, user_pool_id: str) -> dict[str, Any]:
        """The pool's JSON Web Key Set (``/<pool id>/.well-known/jwks.json``)."""
        if user_pool_id not in self._signers:
            raise client_error(
                fail("ResourceNotFoundException", f"User pool {user_pool_id} does not exist."),
                "GetJwks",
            )
        return self._signers[user_pool_id].jwks()


def _device_configuration(given: dict[str, Any] | None) -> dict[str, bool] | None:
    """``DeviceConfiguration``: tracking is on once it is given; both members default off."""
    if given is None:
        return None
    return {
        name: bool(given.get(name, False))
        for name in ("ChallengeRequiredOnNewDevice", "DeviceOnlyRememberedOnUserPrompt")
    }


def _check_tier(pool: UserPool) -> None:
    """A LITE pool offers no passwordless first factor (Cognito: ESSENTIALS and up)."""
    if pool.tier == "LITE" and any(f != "PASSWORD" for f in pool.first_factors):
        raise fail(
            "FeatureUnavailableInTierException",
            "Passwordless sign-in is not available in the LITE tier: upgrade the pool to "
            "ESSENTIALS.",
        )
