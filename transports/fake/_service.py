"""FakeCognito: a Cognito user-pool service in memory, shaped like boto3's cognito-idp client.

Each public method is a Cognito operation: the same name as boto3's method, the same
keyword arguments, the same reply dict, and on failure a botocore ``ClientError``
subclass carrying Cognito's error code and message (``cognito.exceptions.<Code>``).
Behaviour follows ``spec/cognito-user-pool.md``; where Cognito's behaviour is unknown the
choice is a :class:`FakeSettings` field, documented there.
"""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import hmac
import json
import os
import pickle
import re
import secrets
import string
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, TypeVar

import pyotp
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from cognitoflow.engine import srp

from ._model import (
    FIRST_FACTORS,
    MFA_NAMES,
    AppClient,
    AuthSession,
    FakeSettings,
    Passkey,
    PendingCode,
    User,
    UserPool,
)
from ._support import (
    Clock,
    Message,
    Outbox,
    ServiceFault,
    SystemClock,
    client_error,
    exception_class,
    mask_destination,
    password_policy_violation,
)
from ._tokens import TokenSigner
from ._triggers import Trigger, builtin_trigger, call_trigger

__all__ = ["FakeCognito"]

_F = TypeVar("_F", bound=Callable[..., Any])

INCORRECT = "Incorrect username or password."
SESSION_INVALID = "Invalid session for the user."
SESSION_EXPIRED = "Invalid session for the user, session is expired."
SESSION_USED = "Invalid session for the user, session can only be used once."
DEFAULT_FLOWS = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"]
_TIMESTAMP = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"([1-9]|[12][0-9]|3[01]) \d\d:\d\d:\d\d UTC \d{4}$"
)


def _operation(name: str) -> Callable[[_F], _F]:
    """Mark a method as the Cognito operation ``name``: faults leave it as ClientErrors."""

    def wrap(method: _F) -> _F:
        @functools.wraps(method)
        def run(self: FakeCognito, *args: Any, **kwargs: Any) -> Any:
            if args:
                raise TypeError(f"{method.__name__}() only accepts keyword arguments")
            try:
                return method(self, **kwargs)
            except ServiceFault as fault:
                raise client_error(fault, name) from None

        run.cognito_operation = name  # type: ignore[attr-defined]
        return run  # type: ignore[return-value]

    return wrap


def _fail(code: str, message: str) -> ServiceFault:
    return ServiceFault(code, message)


def _missing(name: str) -> ServiceFault:
    return _fail("InvalidParameterException", f"Missing required parameter {name}")


def _random_id(length: int, alphabet: str = string.ascii_lowercase + string.digits) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _secret_hash(secret: str, username: str, client_id: str) -> str:
    digest = hmac.new(secret.encode(), (username + client_id).encode(), "sha256").digest()
    return base64.b64encode(digest).decode()


def _b64url_bytes(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _bytes_b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _attr_list(attributes: dict[str, str]) -> list[dict[str, str]]:
    return [{"Name": k, "Value": v} for k, v in attributes.items()]


def _attr_dict(items: list[dict[str, str]] | None) -> dict[str, str]:
    return {item["Name"]: item["Value"] for item in items or []}


class _Exceptions:
    """``cognito.exceptions.NotAuthorizedException`` and friends, as on a boto3 client."""

    def __getattr__(self, code: str) -> type[Exception]:
        if code.startswith("_"):
            raise AttributeError(code)
        if code == "ClientError":
            from botocore.exceptions import ClientError

            return ClientError  # type: ignore[no-any-return]
        return exception_class(code)


class FakeCognito:
    """A Cognito user-pool service in memory.

    Args:
        clock: the time source (epoch seconds); a ``ManualClock`` lets tests expire sessions.
        settings: the fake's choices where Cognito's behaviour is undocumented.

    Attributes:
        outbox: every code the pool "sent" (SMS or email), for tests and the CLI to read.
        exceptions: the error classes, as ``client.exceptions`` on a boto3 client.
    """

    def __init__(self, *, clock: Clock | None = None, settings: FakeSettings | None = None) -> None:
        self.clock: Clock = clock or SystemClock()
        self.settings = settings or FakeSettings()
        self.outbox = Outbox()
        self.exceptions = _Exceptions()
        self._pools: dict[str, UserPool] = {}
        self._clients: dict[str, AppClient] = {}
        self._signers: dict[str, TokenSigner] = {}
        self._sessions: dict[str, AuthSession] = {}
        self._srp: dict[str, dict[str, Any]] = {}
        self._refresh: dict[str, tuple[str, str]] = {}

    def __repr__(self) -> str:
        return f"FakeCognito({len(self._pools)} pools)"

    # == persistence ================================================================

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the whole service (pools, users, keys, sessions, outbox) to a file.

        The file is a pickle: load only files you wrote. Triggers given as callables
        must be importable functions; ready-made trigger names always work.
        """
        try:
            data = pickle.dumps(self)
        except (pickle.PicklingError, AttributeError, TypeError) as error:
            raise ValueError(
                f"This FakeCognito cannot be saved ({error}); use trigger names or "
                "module-level trigger functions."
            ) from None
        temporary = f"{os.fspath(path)}.tmp"
        with open(temporary, "wb") as file:
            file.write(data)
        os.replace(temporary, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> FakeCognito:
        """Read a service written by :meth:`save`."""
        with open(path, "rb") as file:
            loaded = pickle.load(file)  # noqa: S301 - our own state file, see save()
        if not isinstance(loaded, cls):
            raise ValueError(f"{os.fspath(path)} does not hold a FakeCognito.")
        return loaded

    # == pools and clients ===========================================================

    @_operation("CreateUserPool")
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
    ) -> dict[str, Any]:
        if MfaConfiguration not in ("OFF", "ON", "OPTIONAL"):
            raise _fail(
                "InvalidParameterException",
                f"1 validation error detected: Value '{MfaConfiguration}' at 'mfaConfiguration'"
                " failed to satisfy constraint: Member must satisfy enum value set: "
                "[OFF, ON, OPTIONAL]",
            )
        pool_id = f"{self.settings.region}_{_random_id(9, string.ascii_letters + string.digits)}"
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
        )
        self._pools[pool_id] = pool
        self._signers[pool_id] = TokenSigner(
            f"https://cognito-idp.{self.settings.region}.amazonaws.com/{pool_id}"
        )
        return {"UserPool": pool.describe()}

    @_operation("DescribeUserPool")
    def describe_user_pool(self, *, UserPoolId: str) -> dict[str, Any]:
        return {"UserPool": self._pool(UserPoolId).describe()}

    @_operation("UpdateUserPool")
    def update_user_pool(
        self,
        *,
        UserPoolId: str,
        LambdaConfig: dict[str, Any] | None = None,
        MfaConfiguration: str | None = None,
        AutoVerifiedAttributes: list[str] | None = None,
        Policies: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Change the members given (the fake leaves the others as they are)."""
        pool = self._pool(UserPoolId)
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
            pool.first_factors = self._first_factors(Policies) or pool.first_factors
        return {}

    @staticmethod
    def _first_factors(policies: dict[str, Any] | None) -> list[str]:
        factors = list(
            ((policies or {}).get("SignInPolicy") or {}).get("AllowedFirstAuthFactors") or []
        )
        if factors and "PASSWORD" not in factors:
            raise _fail(
                "InvalidParameterException",
                "AllowedFirstAuthFactors must include PASSWORD.",
            )
        unknown = [f for f in factors if f not in ("PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")]
        if unknown:
            raise _fail(
                "InvalidParameterException",
                f"1 validation error detected: Value '{unknown}' at "
                "'policies.signInPolicy.allowedFirstAuthFactors' failed to satisfy constraint: "
                "Member must satisfy enum value set: [PASSWORD, EMAIL_OTP, SMS_OTP, WEB_AUTHN]",
            )
        return factors

    @_operation("SetUserPoolMfaConfig")
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
            raise _fail(
                "InvalidParameterException",
                "Invalid MFA configuration given, can't turn off MFA and configure an MFA "
                "together.",
            )
        factors = []
        if SmsMfaConfiguration is not None:
            factors.append("SMS_MFA")
        if (SoftwareTokenMfaConfiguration or {}).get("Enabled"):
            factors.append("SOFTWARE_TOKEN_MFA")
        if EmailMfaConfiguration is not None:
            factors.append("EMAIL_OTP")
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

    @_operation("GetUserPoolMfaConfig")
    def get_user_pool_mfa_config(self, *, UserPoolId: str) -> dict[str, Any]:
        return self._mfa_config(self._pool(UserPoolId))

    @staticmethod
    def _mfa_config(pool: UserPool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "MfaConfiguration": pool.mfa_configuration,
            "SoftwareTokenMfaConfiguration": {"Enabled": "SOFTWARE_TOKEN_MFA" in pool.mfa_factors},
        }
        if "SMS_MFA" in pool.mfa_factors:
            out["SmsMfaConfiguration"] = {"SmsAuthenticationMessage": "Your code is {####}"}
        if "EMAIL_OTP" in pool.mfa_factors:
            out["EmailMfaConfiguration"] = {"Message": "Your code is {####}"}
        if pool.webauthn:
            out["WebAuthnConfiguration"] = dict(pool.webauthn)
        return out

    @_operation("CreateUserPoolClient")
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
    ) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        if not 3 <= AuthSessionValidity <= 15:
            raise _fail(
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
            client_id=_random_id(26),
            name=ClientName,
            pool_id=pool.pool_id,
            secret=_random_id(51) if GenerateSecret else None,
            explicit_auth_flows=list(ExplicitAuthFlows) if ExplicitAuthFlows else DEFAULT_FLOWS,
            auth_session_validity=AuthSessionValidity,
            prevent_user_existence_errors=PreventUserExistenceErrors,
            access_token_seconds=seconds(AccessTokenValidity, "AccessToken", 3600),
            id_token_seconds=seconds(IdTokenValidity, "IdToken", 3600),
            refresh_token_seconds=seconds(RefreshTokenValidity, "RefreshToken", 30 * 86400),
            created=self.clock(),
        )
        pool.clients[client.client_id] = client
        self._clients[client.client_id] = client
        return {"UserPoolClient": client.describe()}

    @_operation("DescribeUserPoolClient")
    def describe_user_pool_client(self, *, UserPoolId: str, ClientId: str) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        client = pool.clients.get(ClientId)
        if client is None:
            raise _fail("ResourceNotFoundException", f"User pool client {ClientId} does not exist.")
        return {"UserPoolClient": client.describe()}

    def jwks(self, user_pool_id: str) -> dict[str, Any]:
        """The pool's JSON Web Key Set (``/<pool id>/.well-known/jwks.json``)."""
        if user_pool_id not in self._signers:
            raise client_error(
                _fail("ResourceNotFoundException", f"User pool {user_pool_id} does not exist."),
                "GetJwks",
            )
        return self._signers[user_pool_id].jwks()

    def add_user(self, user_pool_id: str, username: str, password: str, **attributes: str) -> None:
        """A convenience, not a Cognito operation: a ``CONFIRMED`` user with this password.

        What an admin does with ``AdminCreateUser`` (``MessageAction=SUPPRESS``) then
        ``AdminSetUserPassword(Permanent=True)``; the same errors.
        """
        self.admin_create_user(
            UserPoolId=user_pool_id,
            Username=username,
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()],
        )
        self.admin_set_user_password(
            UserPoolId=user_pool_id, Username=username, Password=password, Permanent=True
        )

    # == admin user management =======================================================

    @_operation("AdminCreateUser")
    def admin_create_user(
        self,
        *,
        UserPoolId: str,
        Username: str,
        UserAttributes: list[dict[str, str]] | None = None,
        TemporaryPassword: str | None = None,
        MessageAction: str | None = None,
        DesiredDeliveryMediums: list[str] | None = None,
        ForceAliasCreation: bool = False,
        ClientMetadata: dict[str, str] | None = None,
        ValidationData: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        attributes = _attr_dict(UserAttributes)
        temporary = TemporaryPassword
        if temporary is None:
            temporary = self._generate_password(pool)
        else:
            self._check_policy(pool, temporary, "Password does not conform to policy: ")
        user = self._new_user(pool, Username, attributes, "FORCE_CHANGE_PASSWORD")
        user.set_password(pool.suffix, temporary, temporary=True, now=self.clock())
        if MessageAction != "SUPPRESS":
            for medium in DesiredDeliveryMediums or ["SMS"]:
                attribute = "email" if medium == "EMAIL" else "phone_number"
                if attribute in user.attributes:
                    self._send(pool, user, attribute, temporary, "TEMPORARY_PASSWORD")
        return {"User": self._user_type(user)}

    @_operation("AdminGetUser")
    def admin_get_user(self, *, UserPoolId: str, Username: str) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        user = self._admin_user(pool, Username)
        out = {
            "Username": user.username,
            "UserAttributes": _attr_list(user.attributes),
            "UserCreateDate": user.created,
            "UserLastModifiedDate": user.created,
            "Enabled": user.enabled,
            "UserStatus": user.status,
        }
        out.update(user.mfa_view())
        return out

    @_operation("AdminSetUserPassword")
    def admin_set_user_password(
        self, *, UserPoolId: str, Username: str, Password: str, Permanent: bool = False
    ) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        user = self._admin_user(pool, Username)
        self._check_policy(pool, Password, "Password does not conform to policy: ")
        user.set_password(pool.suffix, Password, temporary=not Permanent, now=self.clock())
        user.status = "CONFIRMED" if Permanent else "FORCE_CHANGE_PASSWORD"
        return {}

    @_operation("AdminConfirmSignUp")
    def admin_confirm_sign_up(
        self, *, UserPoolId: str, Username: str, ClientMetadata: dict[str, str] | None = None
    ) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        user = self._admin_user(pool, Username)
        if user.status != "UNCONFIRMED":
            raise _fail(
                "NotAuthorizedException",
                f"User cannot be confirmed. Current status is {user.status}",
            )
        user.status = "CONFIRMED"
        return {}

    @_operation("AdminResetUserPassword")
    def admin_reset_user_password(
        self, *, UserPoolId: str, Username: str, ClientMetadata: dict[str, str] | None = None
    ) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        user = self._admin_user(pool, Username)
        user.status = "RESET_REQUIRED"
        attribute = self._recovery_attribute(pool, user)
        if attribute:
            self._issue_code(pool, user, "FORGOT_PASSWORD", attribute, 3600)
        return {}

    @_operation("AdminDisableUser")
    def admin_disable_user(self, *, UserPoolId: str, Username: str) -> dict[str, Any]:
        self._admin_user(self._pool(UserPoolId), Username).enabled = False
        return {}

    @_operation("AdminEnableUser")
    def admin_enable_user(self, *, UserPoolId: str, Username: str) -> dict[str, Any]:
        self._admin_user(self._pool(UserPoolId), Username).enabled = True
        return {}

    @_operation("AdminDeleteUser")
    def admin_delete_user(self, *, UserPoolId: str, Username: str) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        user = self._admin_user(pool, Username)
        del pool.users[pool.key(user.username)]
        return {}

    @_operation("AdminUpdateUserAttributes")
    def admin_update_user_attributes(
        self,
        *,
        UserPoolId: str,
        Username: str,
        UserAttributes: list[dict[str, str]],
        ClientMetadata: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        user = self._admin_user(self._pool(UserPoolId), Username)
        user.attributes.update(_attr_dict(UserAttributes))
        return {}

    @_operation("AdminSetUserMFAPreference")
    def admin_set_user_mfa_preference(
        self,
        *,
        UserPoolId: str,
        Username: str,
        SMSMfaSettings: dict[str, bool] | None = None,
        SoftwareTokenMfaSettings: dict[str, bool] | None = None,
        EmailMfaSettings: dict[str, bool] | None = None,
        WebAuthnMfaSettings: dict[str, bool] | None = None,
    ) -> dict[str, Any]:
        user = self._admin_user(self._pool(UserPoolId), Username)
        self._set_mfa_preference(user, SMSMfaSettings, SoftwareTokenMfaSettings, EmailMfaSettings)
        return {}

    # == sign-up =====================================================================

    @_operation("SignUp")
    def sign_up(
        self,
        *,
        ClientId: str,
        Username: str,
        Password: str | None = None,
        SecretHash: str | None = None,
        UserAttributes: list[dict[str, str]] | None = None,
        ValidationData: list[dict[str, str]] | None = None,
        ClientMetadata: dict[str, str] | None = None,
        AnalyticsMetadata: dict[str, str] | None = None,
        UserContextData: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        client, pool = self._client(ClientId)
        self._check_secret_hash(client, Username, SecretHash)
        if pool.admin_create_only:
            raise _fail("NotAuthorizedException", "SignUp is not permitted for this user pool")
        passwordless = any(f != "PASSWORD" for f in pool.first_factors)
        if Password is None and not passwordless:
            raise _missing("Password")
        if Password is not None:
            self._check_policy(pool, Password, "Password did not conform with policy: ")
        user = self._new_user(pool, Username, _attr_dict(UserAttributes), "UNCONFIRMED")
        if Password is not None:
            user.set_password(pool.suffix, Password, temporary=False, now=self.clock())
        out: dict[str, Any] = {"UserConfirmed": False, "UserSub": user.sub}
        attribute = self._verification_attribute(pool, user)
        if attribute:
            out["CodeDeliveryDetails"] = self._issue_code(
                pool, user, "SIGN_UP", attribute, 24 * 3600
            )
        return out

    @_operation("ConfirmSignUp")
    def confirm_sign_up(
        self,
        *,
        ClientId: str,
        Username: str,
        ConfirmationCode: str,
        SecretHash: str | None = None,
        ForceAliasCreation: bool = False,
        ClientMetadata: dict[str, str] | None = None,
        AnalyticsMetadata: dict[str, str] | None = None,
        UserContextData: dict[str, str] | None = None,
        Session: str | None = None,
    ) -> dict[str, Any]:
        client, pool = self._client(ClientId)
        self._check_secret_hash(client, Username, SecretHash)
        user = self._find_user(pool, Username)
        if user is None:
            raise _fail("UserNotFoundException", "Username/client id combination not found.")
        if user.status != "UNCONFIRMED":
            raise _fail(
                "NotAuthorizedException",
                f"User cannot be confirmed. Current status is {user.status}",
            )
        pending = self._take_code(user, "SIGN_UP", ConfirmationCode)
        user.status = "CONFIRMED"
        if pending.destination_attribute:
            user.attributes[f"{pending.destination_attribute}_verified"] = "true"
        return {}

    @_operation("ResendConfirmationCode")
    def resend_confirmation_code(
        self,
        *,
        ClientId: str,
        Username: str,
        SecretHash: str | None = None,
        ClientMetadata: dict[str, str] | None = None,
        AnalyticsMetadata: dict[str, str] | None = None,
        UserContextData: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        client, pool = self._client(ClientId)
        self._check_secret_hash(client, Username, SecretHash)
        user = self._find_user(pool, Username)
        if user is None:
            if client.prevent_user_existence_errors == "ENABLED":
                return {"CodeDeliveryDetails": self._simulated_delivery(Username)}
            raise _fail("UserNotFoundException", "Username/client id combination not found.")
        if user.status != "UNCONFIRMED":
            raise _fail("InvalidParameterException", "User is already confirmed.")
        attribute = self._verification_attribute(pool, user)
        if not attribute:
            raise _fail(
                "InvalidParameterException",
                "Auto verification not turned on for the user pool.",
            )
        return {
            "CodeDeliveryDetails": self._issue_code(pool, user, "SIGN_UP", attribute, 24 * 3600)
        }

    # == password reset ==============================================================

    @_operation("ForgotPassword")
    def forgot_password(
        self,
        *,
        ClientId: str,
        Username: str,
        SecretHash: str | None = None,
        ClientMetadata: dict[str, str] | None = None,
        AnalyticsMetadata: dict[str, str] | None = None,
        UserContextData: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        client, pool = self._client(ClientId)
        self._check_secret_hash(client, Username, SecretHash)
        user = self._find_user(pool, Username)
        hide = client.prevent_user_existence_errors == "ENABLED"
        if user is None:
            if hide:
                return {"CodeDeliveryDetails": self._simulated_delivery(Username)}
            raise _fail("UserNotFoundException", "Username/client id combination not found.")
        if not user.enabled:
            if hide:
                return {"CodeDeliveryDetails": self._simulated_delivery(Username)}
            raise _fail("NotAuthorizedException", "User is disabled.")
        if user.status == "FORCE_CHANGE_PASSWORD":
            raise _fail(
                "NotAuthorizedException", "User password cannot be reset in the current state."
            )
        attribute = self._recovery_attribute(pool, user)
        if attribute is None:
            if hide:
                return {"CodeDeliveryDetails": self._simulated_delivery(Username)}
            raise _fail(
                "InvalidParameterException",
                "Cannot reset password for the user as there is no registered/verified email or "
                "phone_number",
            )
        return {
            "CodeDeliveryDetails": self._issue_code(pool, user, "FORGOT_PASSWORD", attribute, 3600)
        }

    @_operation("ConfirmForgotPassword")
    def confirm_forgot_password(
        self,
        *,
        ClientId: str,
        Username: str,
        ConfirmationCode: str,
        Password: str,
        SecretHash: str | None = None,
        ClientMetadata: dict[str, str] | None = None,
        AnalyticsMetadata: dict[str, str] | None = None,
        UserContextData: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        client, pool = self._client(ClientId)
        self._check_secret_hash(client, Username, SecretHash)
        user = self._find_user(pool, Username)
        if user is None or not user.enabled:
            if client.prevent_user_existence_errors == "ENABLED":
                raise _fail(
                    "CodeMismatchException", "Invalid verification code provided, please try again."
                )
            if user is None:
                raise _fail("UserNotFoundException", "Username/client id combination not found.")
            raise _fail("NotAuthorizedException", "User is disabled.")
        self._check_policy(pool, Password, "Password does not conform to policy: ")
        self._take_code(user, "FORGOT_PASSWORD", ConfirmationCode)
        user.set_password(pool.suffix, Password, temporary=False, now=self.clock())
        user.status = "CONFIRMED"
        user.failed_attempts = 0
        return {}

    # == authentication ==============================================================

    @_operation("InitiateAuth")
    def initiate_auth(
        self,
        *,
        AuthFlow: str,
        ClientId: str,
        AuthParameters: dict[str, str] | None = None,
        ClientMetadata: dict[str, str] | None = None,
        AnalyticsMetadata: dict[str, str] | None = None,
        UserContextData: dict[str, str] | None = None,
        Session: str | None = None,
    ) -> dict[str, Any]:
        client, pool = self._client(ClientId)
        params = dict(AuthParameters or {})
        if AuthFlow in ("ADMIN_NO_SRP_AUTH", "ADMIN_USER_PASSWORD_AUTH"):
            raise _fail("InvalidParameterException", "Initiate Auth method not supported.")
        if AuthFlow == "USER_SRP_AUTH":
            if not client.allows("ALLOW_USER_SRP_AUTH"):
                raise _fail(
                    "InvalidParameterException", "USER_SRP_AUTH is not enabled for the client."
                )
            return self._start_srp(pool, client, params)
        if AuthFlow == "USER_PASSWORD_AUTH":
            if not client.allows("ALLOW_USER_PASSWORD_AUTH"):
                raise _fail(
                    "InvalidParameterException",
                    "USER_PASSWORD_AUTH flow not enabled for this client",
                )
            return self._start_password(pool, client, params)
        if AuthFlow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
            if not client.allows("ALLOW_REFRESH_TOKEN_AUTH"):
                raise _fail("InvalidParameterException", "Auth flow not enabled for this client")
            return self._refresh_tokens(pool, client, params)
        if AuthFlow == "CUSTOM_AUTH":
            if not client.allows("ALLOW_CUSTOM_AUTH"):
                raise _fail("InvalidParameterException", "Auth flow not enabled for this client")
            return self._start_custom(pool, client, params)
        if AuthFlow == "USER_AUTH":
            if not client.allows("ALLOW_USER_AUTH"):
                raise _fail(
                    "InvalidParameterException", "USER_AUTH flow not enabled for this client"
                )
            return self._start_user_auth(pool, client, params)
        raise _fail(
            "InvalidParameterException",
            f"1 validation error detected: Value '{AuthFlow}' at 'authFlow' failed to satisfy "
            "constraint: Member must satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, "
            "REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH, "
            "ADMIN_USER_PASSWORD_AUTH, USER_AUTH]",
        )

    def _login_user(
        self, pool: UserPool, client: AppClient, params: dict[str, str], *, lockout: bool = True
    ) -> User | None:
        """Checks shared by the sign-in flows, up to (not including) the password."""
        login = params.get("USERNAME")
        if not login:
            raise _missing("USERNAME")
        self._check_secret_hash(client, login, params.get("SECRET_HASH"))
        user = self._find_user(pool, login)
        if user is None:
            if client.prevent_user_existence_errors == "ENABLED":
                return None
            raise _fail("UserNotFoundException", "User does not exist.")
        self._check_status(user)
        if lockout:
            self._check_lockout(user)
        return user

    @staticmethod
    def _check_status(user: User) -> None:
        """What the user's state allows, checked at the start and again at the password,
        since an admin may disable or reset a user between two steps."""
        if not user.enabled:
            raise _fail("NotAuthorizedException", "User is disabled.")
        if user.status == "UNCONFIRMED":
            raise _fail("UserNotConfirmedException", "User is not confirmed.")
        if user.status == "RESET_REQUIRED":
            raise _fail("PasswordResetRequiredException", "Password reset required for the user")

    def _start_password(
        self, pool: UserPool, client: AppClient, params: dict[str, str]
    ) -> dict[str, Any]:
        if "PASSWORD" not in params:
            raise _missing("PASSWORD")
        user = self._login_user(pool, client, params)
        if user is None:
            raise _fail("NotAuthorizedException", INCORRECT)
        if not user.check_password(params["PASSWORD"]):
            self._record_failure(user)
            raise _fail("NotAuthorizedException", INCORRECT)
        return self._after_first_factor(pool, client, user)

    @staticmethod
    def _srp_a(params: dict[str, str]) -> int:
        if "SRP_A" not in params:
            raise _missing("SRP_A")
        try:
            big_a = int(params["SRP_A"], 16)
        except ValueError:
            raise _fail("NotAuthorizedException", INCORRECT) from None
        if big_a % srp.N == 0:
            raise _fail("NotAuthorizedException", INCORRECT)
        return big_a

    def _start_srp(
        self, pool: UserPool, client: AppClient, params: dict[str, str]
    ) -> dict[str, Any]:
        big_a = self._srp_a(params)
        user = self._login_user(pool, client, params)
        return self._password_verifier(pool, client, user, params["USERNAME"], big_a)

    def _password_verifier(
        self,
        pool: UserPool,
        client: AppClient,
        user: User | None,
        login: str,
        big_a: int,
        custom: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The PASSWORD_VERIFIER challenge; its state travels in SECRET_BLOCK."""
        if user is None:
            # Simulated reply for an unknown user (PreventUserExistenceErrors=ENABLED): the
            # same salt and user id every time, and a proof that can never match.
            seed = hashlib.sha256(f"{pool.pool_id}:{login}".encode()).digest()
            user_id, salt, verifier = (
                str(uuid.UUID(bytes=seed[:16])),
                int.from_bytes(seed, "big"),
                0,
            )
        else:
            user_id, salt, verifier = user.username, user.srp_salt, user.srp_verifier
        b = int.from_bytes(secrets.token_bytes(128), "big")
        big_b = srp.compute_server_b(verifier, b)
        block = base64.b64encode(secrets.token_bytes(96)).decode()
        session = self._new_session(pool, client, user_id, "PASSWORD_VERIFIER")
        self._srp[block] = {
            "a": big_a,
            "b": b,
            "B": big_b,
            "verifier": verifier,
            "user": user_id,
            "known": user is not None,
            "client": client.client_id,
            "session": session.session_id,
            "expires_at": session.expires_at,
            "custom": custom,
        }
        return {
            "ChallengeName": "PASSWORD_VERIFIER",
            "Session": session.session_id,
            "ChallengeParameters": {
                "SALT": srp.pad_hex(salt),
                "SRP_B": format(big_b, "x"),
                "SECRET_BLOCK": block,
                "USERNAME": user_id,
                "USER_ID_FOR_SRP": user_id,
            },
        }

    def _refresh_tokens(
        self, pool: UserPool, client: AppClient, params: dict[str, str]
    ) -> dict[str, Any]:
        token = params.get("REFRESH_TOKEN")
        if not token:
            raise _missing("REFRESH_TOKEN")
        found = self._refresh.get(token)
        if found is None or found[0] != client.client_id:
            raise _fail("NotAuthorizedException", "Invalid Refresh Token")
        user = pool.users.get(pool.key(found[1]))
        if user is None:
            raise _fail("NotAuthorizedException", "Invalid Refresh Token")
        self._check_secret_hash(client, user.username, params.get("SECRET_HASH"))
        if not user.enabled:
            raise _fail("NotAuthorizedException", "User is disabled.")
        result = self._tokens(pool, client, user, refresh=False)
        return {"AuthenticationResult": result, "ChallengeParameters": {}}

    @_operation("RespondToAuthChallenge")
    def respond_to_auth_challenge(
        self,
        *,
        ClientId: str,
        ChallengeName: str,
        Session: str | None = None,
        ChallengeResponses: dict[str, str] | None = None,
        ClientMetadata: dict[str, str] | None = None,
        AnalyticsMetadata: dict[str, str] | None = None,
        UserContextData: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        client, pool = self._client(ClientId)
        answers = dict(ChallengeResponses or {})
        metadata = dict(ClientMetadata or {})
        if ChallengeName == "PASSWORD_VERIFIER":
            return self._answer_password_verifier(pool, client, answers, Session, metadata)
        if not Session:
            raise _missing("Session")
        login = answers.get("USERNAME")
        if not login:
            raise _missing("USERNAME")
        self._check_secret_hash(client, login, answers.get("SECRET_HASH"))
        session = self._session(Session, client)
        # After a failed passkey ceremony a client may pick another factor on the same
        # WEB_AUTHN session (Amplify JS does, spec 4.6).
        fallback = ChallengeName == "SELECT_CHALLENGE" and session.challenge == "WEB_AUTHN"
        if session.challenge != ChallengeName and not fallback:
            raise _fail("NotAuthorizedException", SESSION_INVALID)
        if ChallengeName == "CUSTOM_CHALLENGE":
            return self._answer_custom(pool, client, session, login, answers, metadata)
        user = self._find_user(pool, login)
        if user is None or user.username != session.username:
            raise _fail("NotAuthorizedException", SESSION_INVALID)
        handlers = {
            "NEW_PASSWORD_REQUIRED": self._answer_new_password,
            "SMS_MFA": self._answer_code,
            "EMAIL_OTP": self._answer_code,
            "SOFTWARE_TOKEN_MFA": self._answer_totp,
            "SELECT_MFA_TYPE": self._answer_select_mfa,
            "MFA_SETUP": self._answer_mfa_setup,
            "SMS_OTP": self._answer_code,
            "SELECT_CHALLENGE": self._answer_select_challenge,
            "WEB_AUTHN": self._answer_web_authn,
        }
        handler = handlers.get(ChallengeName)
        if handler is None:
            raise _fail("InvalidParameterException", f"Invalid challenge name {ChallengeName}")
        return handler(pool, client, user, session, answers)

    def _answer_password_verifier(
        self,
        pool: UserPool,
        client: AppClient,
        answers: dict[str, str],
        session_id: str | None,
        metadata: dict[str, str],
    ) -> dict[str, Any]:
        for name in ("PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP"):
            if name not in answers:
                raise _missing(name)
        login = answers.get("USERNAME")
        if not login:
            raise _missing("USERNAME")
        self._check_secret_hash(client, login, answers.get("SECRET_HASH"))
        state = self._srp.get(answers["PASSWORD_CLAIM_SECRET_BLOCK"])
        if state is None or state["client"] != client.client_id:
            raise _fail("NotAuthorizedException", SESSION_INVALID)
        if session_id is not None and session_id != state["session"]:
            raise _fail("NotAuthorizedException", SESSION_INVALID)
        session = self._sessions.get(state["session"])
        if session is None or session.used:
            raise _fail("NotAuthorizedException", SESSION_USED)
        if self.clock() >= state["expires_at"]:
            raise _fail("NotAuthorizedException", SESSION_EXPIRED)
        self._check_timestamp(answers["TIMESTAMP"])
        session.used = True
        del self._srp[answers["PASSWORD_CLAIM_SECRET_BLOCK"]]
        user = pool.users.get(pool.key(state["user"])) if state["known"] else None
        if user is None:
            raise _fail("NotAuthorizedException", INCORRECT)
        self._check_status(user)
        if login not in (user.username, state["user"]) and self._find_user(pool, login) is not user:
            raise _fail("NotAuthorizedException", INCORRECT)
        key = srp.server_session_key(state["a"], state["B"], state["b"], state["verifier"])
        expected = srp.password_claim_signature(
            key,
            pool.suffix,
            state["user"],
            answers["PASSWORD_CLAIM_SECRET_BLOCK"],
            answers["TIMESTAMP"],
        )
        custom = state["custom"]
        if not hmac.compare_digest(expected, answers["PASSWORD_CLAIM_SIGNATURE"]):
            if custom is None:
                self._record_failure(user)
            raise _fail("NotAuthorizedException", INCORRECT)
        if custom is not None:
            custom["password_verified"] = True
            custom["session"].append(
                {
                    "challengeName": "PASSWORD_VERIFIER",
                    "challengeResult": True,
                    "challengeMetadata": None,
                }
            )
            return self._custom_next(pool, client, user, custom, metadata)
        return self._after_first_factor(pool, client, user)

    # -- choice-based sign-in, USER_AUTH (spec 6) ------------------------------------

    def _available_factors(self, pool: UserPool, user: User) -> list[str]:
        """The first factors this user can use now (spec 6.2), in Cognito's order."""
        allowed = set(pool.first_factors)
        factors = []
        if "PASSWORD" in allowed and user.has_password():
            factors += ["PASSWORD", "PASSWORD_SRP"]
        has_mfa = pool.mfa_configuration == "ON" or any(
            m in pool.mfa_factors for m in user.mfa_enabled
        )
        # Passwordless factors cannot satisfy MFA: not offered where MFA applies.
        if not has_mfa:
            verified = user.attributes.get
            if "EMAIL_OTP" in allowed and verified("email_verified") == "true":
                factors.append("EMAIL_OTP")
            if "SMS_OTP" in allowed and verified("phone_number_verified") == "true":
                factors.append("SMS_OTP")
            if "WEB_AUTHN" in allowed and pool.webauthn and user.passkeys:
                factors.append("WEB_AUTHN")
        return factors

    def _start_user_auth(
        self, pool: UserPool, client: AppClient, params: dict[str, str]
    ) -> dict[str, Any]:
        user = self._login_user(pool, client, params)
        if user is None:
            # Unknown user with PreventUserExistenceErrors=ENABLED: a plausible menu whose
            # answers can never succeed.
            menu = [f for f in FIRST_FACTORS if f in pool.first_factors or f == "PASSWORD_SRP"]
            session = self._new_session(pool, client, params["USERNAME"], "SELECT_CHALLENGE")
            session.data["available"] = menu
            return {
                "ChallengeName": "SELECT_CHALLENGE",
                "Session": session.session_id,
                "ChallengeParameters": {},
                "AvailableChallenges": menu,
            }
        available = self._available_factors(pool, user)
        preferred = params.get("PREFERRED_CHALLENGE")
        if preferred and preferred in available:
            return self._first_factor(pool, client, user, preferred, params, available)
        session = self._new_session(pool, client, user.username, "SELECT_CHALLENGE")
        session.data["available"] = available
        return {
            "ChallengeName": "SELECT_CHALLENGE",
            "Session": session.session_id,
            "ChallengeParameters": {},
            "AvailableChallenges": available,
        }

    def _first_factor(
        self,
        pool: UserPool,
        client: AppClient,
        user: User,
        factor: str,
        params: dict[str, str],
        available: list[str],
    ) -> dict[str, Any]:
        """Start the first factor ``factor`` (a preferred one, or the one selected)."""
        if factor in ("PASSWORD", "PASSWORD_SRP"):
            self._check_status(user)
        if factor == "PASSWORD":
            if "PASSWORD" not in params:
                raise _missing("PASSWORD")
            if not user.check_password(params["PASSWORD"]):
                self._record_failure(user)
                raise _fail("NotAuthorizedException", INCORRECT)
            return self._after_first_factor(pool, client, user)
        if factor == "PASSWORD_SRP":
            return self._password_verifier(pool, client, user, user.username, self._srp_a(params))
        if factor in ("EMAIL_OTP", "SMS_OTP"):
            attribute = "email" if factor == "EMAIL_OTP" else "phone_number"
            destination = user.attributes[attribute]
            medium = "EMAIL" if factor == "EMAIL_OTP" else "SMS"
            code = self._code(self.settings.otp_code_length)
            self._deliver(pool, user, destination, medium, code, "SIGN_IN")
            delivery = {
                "CODE_DELIVERY_DELIVERY_MEDIUM": medium,
                "CODE_DELIVERY_DESTINATION": mask_destination(destination),
            }
            return self._challenge(pool, client, user, factor, delivery, code=code)
        if "CREDENTIAL" in params:
            raise _fail(
                "InvalidParameterException",
                "Send the passkey credential in answer to the WEB_AUTHN challenge.",
            )
        rp_id = self._relying_party(pool)
        options = generate_authentication_options(
            rp_id=rp_id,
            allow_credentials=[
                PublicKeyCredentialDescriptor(id=p.credential_id) for p in user.passkeys
            ],
            user_verification=UserVerificationRequirement(
                str((pool.webauthn or {}).get("UserVerification", "preferred"))
            ),
        )
        return self._challenge(
            pool,
            client,
            user,
            "WEB_AUTHN",
            {"CREDENTIAL_REQUEST_OPTIONS": options_to_json(options)},
            data={"challenge": options.challenge, "available": available},
        )

    def _answer_select_challenge(
        self,
        pool: UserPool,
        client: AppClient,
        user: User,
        session: AuthSession,
        answers: dict[str, str],
    ) -> dict[str, Any]:
        answer = answers.get("ANSWER")
        if not answer:
            raise _missing("ANSWER")
        available = list(session.data.get("available") or [])
        if answer not in available:
            raise _fail(
                "InvalidParameterException",
                "The challenge selected is not one of the available challenges.",
            )
        session.used = True
        return self._first_factor(pool, client, user, answer, answers, available)

    def _answer_web_authn(
        self,
        pool: UserPool,
        client: AppClient,
        user: User,
        session: AuthSession,
        answers: dict[str, str],
    ) -> dict[str, Any]:
        raw = answers.get("CREDENTIAL")
        if not raw:
            raise _missing("CREDENTIAL")
        session.used = True
        try:
            credential = json.loads(raw)
            passkey = next(
                p for p in user.passkeys if p.credential_id == _b64url_bytes(credential["rawId"])
            )
            verified = verify_authentication_response(
                credential=credential,
                expected_challenge=session.data["challenge"],
                expected_rp_id=passkey.relying_party_id,
                expected_origin=self._origins(pool, credential),
                credential_public_key=passkey.public_key,
                credential_current_sign_count=passkey.sign_count,
                require_user_verification=(pool.webauthn or {}).get("UserVerification")
                == "required",
            )
        except (ValueError, KeyError, TypeError, StopIteration, WebAuthnException):
            raise _fail("NotAuthorizedException", INCORRECT) from None
        passkey.sign_count = verified.new_sign_count
        return self._done(pool, client, user)

    def _relying_party(self, pool: UserPool) -> str:
        rp_id = (pool.webauthn or {}).get("RelyingPartyId")
        if not rp_id:
            raise _fail(
                "WebAuthnConfigurationMissingException",
                "The user pool has no WebAuthn relying party configured.",
            )
        return str(rp_id)

    def _origins(self, pool: UserPool, credential: dict[str, Any]) -> list[str]:
        """The origins a passkey response may come from: the RP id (or a subdomain) on https."""
        rp_id = self._relying_party(pool)
        allowed = [f"https://{rp_id}", *self.settings.webauthn_origins]
        try:
            client_data = json.loads(_b64url_bytes(credential["response"]["clientDataJSON"]))
            origin = str(client_data.get("origin", ""))
        except (ValueError, KeyError, TypeError):
            return allowed
        if origin.startswith("https://") and origin[len("https://") :].endswith("." + rp_id):
            allowed.append(origin)
        return allowed

    # -- passkey registration -------------------------------------------------------

    @_operation("StartWebAuthnRegistration")
    def start_web_authn_registration(self, *, AccessToken: str) -> dict[str, Any]:
        pool, user = self._access(AccessToken)
        rp_id = self._relying_party(pool)
        verification = str((pool.webauthn or {}).get("UserVerification", "preferred"))
        options = generate_registration_options(
            rp_id=rp_id,
            rp_name=rp_id,
            user_name=user.username,
            user_id=user.sub.encode(),
            user_display_name=user.attributes.get("email", user.username),
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.REQUIRED,
                require_resident_key=True,
                user_verification=UserVerificationRequirement(verification),
            ),
            exclude_credentials=[
                PublicKeyCredentialDescriptor(id=p.credential_id) for p in user.passkeys
            ],
        )
        user.passkey_challenge = (options.challenge, self.clock() + 300)
        return {"CredentialCreationOptions": json.loads(options_to_json(options))}

    @_operation("CompleteWebAuthnRegistration")
    def complete_web_authn_registration(
        self, *, AccessToken: str, Credential: dict[str, Any]
    ) -> dict[str, Any]:
        pool, user = self._access(AccessToken)
        rp_id = self._relying_party(pool)
        pending, user.passkey_challenge = user.passkey_challenge, None
        if pending is None or self.clock() > pending[1]:
            raise _fail(
                "WebAuthnChallengeNotFoundException",
                "No registration in progress: call StartWebAuthnRegistration first.",
            )
        try:
            verified = verify_registration_response(
                credential=Credential,
                expected_challenge=pending[0],
                expected_rp_id=rp_id,
                expected_origin=self._origins(pool, Credential),
                require_user_verification=(pool.webauthn or {}).get("UserVerification")
                == "required",
            )
        except WebAuthnException as error:
            text = str(error)
            if "origin" in text.lower():
                raise _fail("WebAuthnOriginNotAllowedException", text) from None
            if "RP ID" in text:
                raise _fail("WebAuthnRelyingPartyMismatchException", text) from None
            raise _fail("WebAuthnCredentialNotSupportedException", text) from None
        except (ValueError, KeyError, TypeError):
            raise _fail("InvalidParameterException", "The credential is not valid JSON.") from None
        response = Credential.get("response") or {}
        user.passkeys.append(
            Passkey(
                credential_id=verified.credential_id,
                public_key=verified.credential_public_key,
                sign_count=verified.sign_count,
                relying_party_id=rp_id,
                created=self.clock(),
                name=f"Passkey {len(user.passkeys) + 1}",
                transports=list(response.get("transports") or []),
                attachment=Credential.get("authenticatorAttachment"),
            )
        )
        return {}

    @_operation("ListWebAuthnCredentials")
    def list_web_authn_credentials(
        self, *, AccessToken: str, NextToken: str | None = None, MaxResults: int = 20
    ) -> dict[str, Any]:
        _, user = self._access(AccessToken)
        start = int(NextToken or 0)
        page = user.passkeys[start : start + MaxResults]
        out: dict[str, Any] = {
            "Credentials": [
                {
                    "CredentialId": _bytes_b64url(p.credential_id),
                    "FriendlyCredentialName": p.name,
                    "RelyingPartyId": p.relying_party_id,
                    "AuthenticatorAttachment": p.attachment,
                    "AuthenticatorTransports": list(p.transports),
                    "CreatedAt": p.created,
                }
                for p in page
            ]
        }
        if start + MaxResults < len(user.passkeys):
            out["NextToken"] = str(start + MaxResults)
        return out

    @_operation("DeleteWebAuthnCredential")
    def delete_web_authn_credential(self, *, AccessToken: str, CredentialId: str) -> dict[str, Any]:
        _, user = self._access(AccessToken)
        for passkey in user.passkeys:
            if _bytes_b64url(passkey.credential_id) == CredentialId:
                user.passkeys.remove(passkey)
                return {}
        raise _fail("ResourceNotFoundException", "The credential does not exist.")

    # -- custom authentication (spec 7) ---------------------------------------------

    def _trigger(self, pool: UserPool, kind: str) -> Trigger | None:
        value = pool.lambda_config.get(kind)
        if value is None:
            return None
        if callable(value):
            trigger: Trigger = value
            return trigger
        found = builtin_trigger(str(value), kind, self._email_code_sender(pool))
        if found is None:
            raise _fail(
                "UnexpectedLambdaException",
                f"The fake user pool cannot invoke {value}: use a Python callable or a "
                "ready-made trigger name.",
            )
        return found

    def _required_trigger(self, pool: UserPool, kind: str) -> Trigger:
        trigger = self._trigger(pool, kind)
        if trigger is None:
            raise _fail(
                "InvalidParameterException",
                "Custom auth lambda trigger is not configured for the user pool.",
            )
        return trigger

    def _email_code_sender(self, pool: UserPool) -> Callable[[dict[str, Any], str], str]:
        def send(event: dict[str, Any], code: str) -> str:
            user = self._find_user(pool, event["userName"])
            address = user.attributes.get("email") if user else None
            if user is None or not address:
                raise ValueError("the user has no email address")
            self._deliver(pool, user, address, "EMAIL", code, "CUSTOM_CHALLENGE")
            return mask_destination(address)

        return send

    def _custom_event(
        self,
        pool: UserPool,
        client: AppClient,
        user: User | None,
        login: str,
        kind: str,
        request: dict[str, Any],
    ) -> dict[str, Any]:
        """Cognito's Lambda event for a custom-auth trigger."""
        attributes = {}
        if user is not None:
            attributes = {**user.attributes, "cognito:user_status": user.status}
        return {
            "version": "1",
            "region": self.settings.region,
            "userPoolId": pool.pool_id,
            "userName": user.username if user else login,
            "callerContext": {
                "awsSdkVersion": "aws-sdk-unknown-unknown",
                "clientId": client.client_id,
            },
            "triggerSource": f"{kind}_Authentication",
            "request": {"userAttributes": attributes, **request, "userNotFound": user is None},
            "response": {},
        }

    def _start_custom(
        self, pool: UserPool, client: AppClient, params: dict[str, str]
    ) -> dict[str, Any]:
        self._required_trigger(pool, "DefineAuthChallenge")
        with_srp = params.get("CHALLENGE_NAME") == "SRP_A"
        big_a = self._srp_a(params) if with_srp else None
        user = self._login_user(pool, client, params, lockout=False)
        custom: dict[str, Any] = {
            "login": params["USERNAME"],
            "user": user.username if user else None,
            "session": [],
            "srp_a": big_a,
            "password_verified": False,
        }
        if with_srp:
            custom["session"].append(
                {"challengeName": "SRP_A", "challengeResult": True, "challengeMetadata": None}
            )
        # Cognito does not pass InitiateAuth's ClientMetadata to Define/Create (spec 7.2).
        return self._custom_next(pool, client, user, custom, {})

    def _custom_next(
        self,
        pool: UserPool,
        client: AppClient,
        user: User | None,
        custom: dict[str, Any],
        metadata: dict[str, str],
    ) -> dict[str, Any]:
        """Ask DefineAuthChallenge what comes next, and do it."""
        define = self._required_trigger(pool, "DefineAuthChallenge")
        login = custom["login"]
        event = self._custom_event(
            pool,
            client,
            user,
            login,
            "DefineAuthChallenge",
            {"session": copy.deepcopy(custom["session"]), "clientMetadata": dict(metadata)},
        )
        decision = call_trigger("DefineAuthChallenge", define, event)
        if decision.get("failAuthentication"):
            raise _fail("NotAuthorizedException", INCORRECT)
        if decision.get("issueTokens"):
            if user is None:
                raise _fail("NotAuthorizedException", INCORRECT)
            if custom["password_verified"]:
                return self._after_first_factor(pool, client, user)
            return self._done(pool, client, user)
        name = decision.get("challengeName")
        if name == "PASSWORD_VERIFIER" and custom["srp_a"] is not None:
            if custom["password_verified"]:
                raise _fail("InvalidLambdaResponseException", "Unrecognizable lambda output")
            return self._password_verifier(pool, client, user, login, custom["srp_a"], custom)
        if name != "CUSTOM_CHALLENGE":
            raise _fail("InvalidLambdaResponseException", "Unrecognizable lambda output")
        create = self._required_trigger(pool, "CreateAuthChallenge")
        event = self._custom_event(
            pool,
            client,
            user,
            login,
            "CreateAuthChallenge",
            {
                "challengeName": name,
                "session": copy.deepcopy(custom["session"]),
                "clientMetadata": dict(metadata),
            },
        )
        created = call_trigger("CreateAuthChallenge", create, event)
        public = created.get("publicChallengeParameters") or {}
        private = created.get("privateChallengeParameters") or {}
        if not isinstance(public, dict) or not isinstance(private, dict):
            raise _fail("InvalidLambdaResponseException", "Unrecognizable lambda output")
        username = user.username if user else login
        session = self._new_session(pool, client, username, "CUSTOM_CHALLENGE")
        session.data.update(
            custom=custom,
            private={str(k): str(v) for k, v in private.items()},
            metadata=created.get("challengeMetadata"),
        )
        return {
            "ChallengeName": "CUSTOM_CHALLENGE",
            "Session": session.session_id,
            "ChallengeParameters": {
                **{str(k): str(v) for k, v in public.items()},
                "USERNAME": username,
            },
        }

    def _answer_custom(
        self,
        pool: UserPool,
        client: AppClient,
        session: AuthSession,
        login: str,
        answers: dict[str, str],
        metadata: dict[str, str],
    ) -> dict[str, Any]:
        custom = session.data["custom"]
        user = pool.users.get(pool.key(custom["user"])) if custom["user"] else None
        if (user is None and login != session.username) or (
            user is not None and self._find_user(pool, login) is not user
        ):
            raise _fail("NotAuthorizedException", SESSION_INVALID)
        if "ANSWER" not in answers:
            raise _missing("ANSWER")
        verify = self._required_trigger(pool, "VerifyAuthChallengeResponse")
        event = self._custom_event(
            pool,
            client,
            user,
            custom["login"],
            "VerifyAuthChallengeResponse",
            {
                "privateChallengeParameters": dict(session.data["private"]),
                "challengeAnswer": answers["ANSWER"],
                "clientMetadata": dict(metadata),
            },
        )
        correct = bool(
            call_trigger("VerifyAuthChallengeResponse", verify, event).get("answerCorrect")
        )
        session.used = True
        custom["session"].append(
            {
                "challengeName": "CUSTOM_CHALLENGE",
                "challengeResult": correct,
                "challengeMetadata": session.data["metadata"],
            }
        )
        try:
            return self._custom_next(pool, client, user, custom, metadata)
        except ServiceFault as fault:
            if fault.code == "NotAuthorizedException":
                session.dead = True  # later answers: "Invalid session for the user."
            raise

    def _check_timestamp(self, stamp: str) -> None:
        if not _TIMESTAMP.match(stamp):
            raise _fail("NotAuthorizedException", INCORRECT)
        tolerance = self.settings.srp_timestamp_tolerance
        if tolerance is not None:
            when = datetime.strptime(stamp, "%a %b %d %H:%M:%S UTC %Y").replace(tzinfo=timezone.utc)
            if abs(when.timestamp() - self.clock()) > tolerance:
                raise _fail("NotAuthorizedException", INCORRECT)

    def _after_first_factor(self, pool: UserPool, client: AppClient, user: User) -> dict[str, Any]:
        """The password was right: new password, MFA, or tokens (spec 3.2 step 9, 5.1)."""
        user.failed_attempts = 0
        if user.status == "FORCE_CHANGE_PASSWORD":
            validity = int(pool.password_policy.get("TemporaryPasswordValidityDays") or 7)
            issued = user.temporary_password_at or user.created
            if self.clock() > issued + validity * 86400:
                raise _fail(
                    "NotAuthorizedException",
                    "Temporary password has expired and must be reset by an administrator.",
                )
            missing = [
                f"userAttributes.{name}"
                for name in pool.required_attributes
                if not user.attributes.get(name)
            ]
            shown = {k: v for k, v in user.attributes.items() if k != "sub"}
            return self._challenge(
                pool,
                client,
                user,
                "NEW_PASSWORD_REQUIRED",
                {"requiredAttributes": json.dumps(missing), "userAttributes": json.dumps(shown)},
            )
        return self._mfa_or_tokens(pool, client, user)

    def _mfa_or_tokens(self, pool: UserPool, client: AppClient, user: User) -> dict[str, Any]:
        """Spec 5.1: which MFA challenge, if any, follows a verified first factor."""
        if pool.mfa_configuration == "OFF":
            return self._done(pool, client, user)
        enabled = [
            name for name in MFA_NAMES if name in user.mfa_enabled and name in pool.mfa_factors
        ]
        if enabled:
            if user.preferred_mfa in enabled:
                return self._mfa_challenge(pool, client, user, str(user.preferred_mfa))
            if len(enabled) == 1:
                return self._mfa_challenge(pool, client, user, enabled[0])
            return self._challenge(
                pool, client, user, "SELECT_MFA_TYPE", {"MFAS_CAN_CHOOSE": json.dumps(enabled)}
            )
        if pool.mfa_configuration == "OPTIONAL":
            return self._done(pool, client, user)
        if "SMS_MFA" in pool.mfa_factors and user.attributes.get("phone_number"):
            return self._mfa_challenge(pool, client, user, "SMS_MFA")
        if "SOFTWARE_TOKEN_MFA" in pool.mfa_factors or "EMAIL_OTP" in pool.mfa_factors:
            return self._challenge(
                pool,
                client,
                user,
                "MFA_SETUP",
                {"MFAS_CAN_SETUP": json.dumps([n for n in MFA_NAMES if n in pool.mfa_factors])},
            )
        raise _fail(
            "MFAMethodNotFoundException",
            "No MFA mechanism registered in the account, and the user pool has no MFA method "
            "the user can set up.",
        )

    def _mfa_challenge(
        self, pool: UserPool, client: AppClient, user: User, name: str, email: str | None = None
    ) -> dict[str, Any]:
        if name == "SOFTWARE_TOKEN_MFA":
            named = {"FRIENDLY_DEVICE_NAME": user.totp_device_name} if user.totp_device_name else {}
            return self._challenge(pool, client, user, name, named)
        attribute = "phone_number" if name == "SMS_MFA" else "email"
        destination = email or user.attributes.get(attribute, "")
        code = self._code(self.settings.mfa_code_length)
        self._deliver(pool, user, destination, "SMS" if name == "SMS_MFA" else "EMAIL", code, "MFA")
        params = {
            "CODE_DELIVERY_DELIVERY_MEDIUM": "SMS" if name == "SMS_MFA" else "EMAIL",
            "CODE_DELIVERY_DESTINATION": mask_destination(destination),
        }
        return self._challenge(pool, client, user, name, params, code=code, data={"email": email})

    def _challenge(
        self,
        pool: UserPool,
        client: AppClient,
        user: User,
        name: str,
        params: dict[str, str],
        *,
        code: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        session = self._new_session(pool, client, user.username, name)
        session.code = code
        session.data.update(data or {})
        return {
            "ChallengeName": name,
            "Session": session.session_id,
            "ChallengeParameters": {**params, "USER_ID_FOR_SRP": user.username},
        }

    def _answer_new_password(
        self,
        pool: UserPool,
        client: AppClient,
        user: User,
        session: AuthSession,
        answers: dict[str, str],
    ) -> dict[str, Any]:
        password = answers.get("NEW_PASSWORD")
        if not password:
            raise _missing("NEW_PASSWORD")
        given = {
            key.removeprefix("userAttributes."): value
            for key, value in answers.items()
            if key.startswith("userAttributes.")
        }
        for name in pool.required_attributes:
            if not (given.get(name) or user.attributes.get(name)):
                raise _fail(
                    "InvalidParameterException", f"Invalid attributes given, {name} is missing"
                )
        for name in given:
            if name.endswith("_verified") or name == "sub":
                raise _fail(
                    "InvalidParameterException",
                    f"Cannot modify the non-mutable attribute {name}",
                )
        self._check_policy(pool, password, "Password does not conform to policy: ")
        session.used = True
        user.attributes.update(given)
        user.set_password(pool.suffix, password, temporary=False, now=self.clock())
        user.status = "CONFIRMED"
        return self._mfa_or_tokens(pool, client, user)

    def _wrong_code(self, session: AuthSession, code: str, message: str) -> ServiceFault:
        session.code_attempts += 1
        cap = self.settings.max_code_attempts_per_session
        if cap is not None and session.code_attempts >= cap:
            session.dead = True
        return _fail(code, message)

    def _answer_code(
        self,
        pool: UserPool,
        client: AppClient,
        user: User,
        session: AuthSession,
        answers: dict[str, str],
    ) -> dict[str, Any]:
        if session.challenge in ("SMS_MFA", "SMS_OTP"):
            key = f"{session.challenge}_CODE"
            given = answers.get(key)
        else:
            key, given = (
                "EMAIL_OTP_CODE",
                answers.get("EMAIL_OTP_CODE", answers.get("EMAIL_MFA_CODE")),
            )
        if not given:
            raise _missing(key)
        if session.code is None or not hmac.compare_digest(session.code, given):
            raise self._wrong_code(
                session, "CodeMismatchException", "Invalid code or auth state for the user."
            )
        session.used = True
        if session.challenge in ("SMS_MFA", "SMS_OTP"):
            user.attributes["phone_number_verified"] = "true"
        elif session.data.get("email"):
            # Email MFA set up during sign-in: the address is now the user's, verified.
            user.attributes["email"] = session.data["email"]
            user.attributes["email_verified"] = "true"
            if "EMAIL_OTP" not in user.mfa_enabled:
                user.mfa_enabled.append("EMAIL_OTP")
            user.preferred_mfa = user.preferred_mfa or "EMAIL_OTP"
        return self._done(pool, client, user)

    def _answer_totp(
        self,
        pool: UserPool,
        client: AppClient,
        user: User,
        session: AuthSession,
        answers: dict[str, str],
    ) -> dict[str, Any]:
        given = answers.get("SOFTWARE_TOKEN_MFA_CODE")
        if not given:
            raise _missing("SOFTWARE_TOKEN_MFA_CODE")
        if not user.totp_secret:
            raise _fail(
                "SoftwareTokenMFANotFoundException",
                "Software Token MFA does not exist for the user.",
            )
        if not self._totp_ok(user.totp_secret, given):
            raise self._wrong_code(
                session, "CodeMismatchException", "Invalid code received for user"
            )
        session.used = True
        return self._done(pool, client, user)

    def _answer_select_mfa(
        self,
        pool: UserPool,
        client: AppClient,
        user: User,
        session: AuthSession,
        answers: dict[str, str],
    ) -> dict[str, Any]:
        answer = answers.get("ANSWER")
        if not answer:
            raise _missing("ANSWER")
        if answer == "EMAIL_MFA":
            answer = "EMAIL_OTP"
        choices = [n for n in MFA_NAMES if n in user.mfa_enabled and n in pool.mfa_factors]
        if answer not in choices:
            raise _fail("InvalidParameterException", "Invalid MFA type selected")
        session.used = True
        return self._mfa_challenge(pool, client, user, answer)

    def _answer_mfa_setup(
        self,
        pool: UserPool,
        client: AppClient,
        user: User,
        session: AuthSession,
        answers: dict[str, str],
    ) -> dict[str, Any]:
        if "EMAIL" in answers:
            if "EMAIL_OTP" not in pool.mfa_factors:
                raise _fail(
                    "InvalidParameterException", "Email MFA is not enabled for the user pool"
                )
            address = answers["EMAIL"]
            if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", address):
                raise _fail("InvalidParameterException", "Invalid email address format.")
            session.used = True
            return self._mfa_challenge(pool, client, user, "EMAIL_OTP", email=address)
        if not session.data.get("totp_verified"):
            raise _fail(
                "InvalidParameterException",
                "Software token MFA setup has not been verified: call VerifySoftwareToken with "
                "this session first.",
            )
        session.used = True
        if "SOFTWARE_TOKEN_MFA" not in user.mfa_enabled:
            user.mfa_enabled.append("SOFTWARE_TOKEN_MFA")
        user.preferred_mfa = user.preferred_mfa or "SOFTWARE_TOKEN_MFA"
        return self._done(pool, client, user)

    def _done(self, pool: UserPool, client: AppClient, user: User) -> dict[str, Any]:
        return {
            "AuthenticationResult": self._tokens(pool, client, user, refresh=True),
            "ChallengeParameters": {},
        }

    def _tokens(
        self, pool: UserPool, client: AppClient, user: User, *, refresh: bool
    ) -> dict[str, Any]:
        now = self.clock()
        access, ident, _ = self._signers[pool.pool_id].issue(
            client_id=client.client_id,
            username=user.username,
            sub=user.sub,
            attributes=user.attributes,
            now=now,
            access_seconds=client.access_token_seconds,
            id_seconds=client.id_token_seconds,
            auth_time=now,
        )
        result: dict[str, Any] = {
            "AccessToken": access,
            "ExpiresIn": client.access_token_seconds,
            "TokenType": "Bearer",
            "IdToken": ident,
        }
        if refresh:
            token = base64.urlsafe_b64encode(secrets.token_bytes(256)).decode().rstrip("=")
            self._refresh[token] = (client.client_id, user.username)
            result["RefreshToken"] = token
        return result

    # == software tokens and MFA preferences =========================================

    @_operation("AssociateSoftwareToken")
    def associate_software_token(
        self, *, AccessToken: str | None = None, Session: str | None = None
    ) -> dict[str, Any]:
        if (AccessToken is None) == (Session is None):
            raise _fail(
                "InvalidParameterException", "Exactly one of AccessToken or Session is required."
            )
        secret = pyotp.random_base32(32)
        if AccessToken is not None:
            _, user = self._access(AccessToken)
            user.totp_pending_secret = secret
            return {"SecretCode": secret}
        session = self._session(str(Session), None)
        if session.challenge != "MFA_SETUP":
            raise _fail("NotAuthorizedException", SESSION_INVALID)
        if "SOFTWARE_TOKEN_MFA" not in self._pools[session.pool_id].mfa_factors:
            raise _fail(
                "InvalidParameterException", "Software token MFA is not enabled for the user pool"
            )
        session.used = True
        follow = self._follow_session(session, {"totp_secret": secret})
        return {"SecretCode": secret, "Session": follow.session_id}

    @_operation("VerifySoftwareToken")
    def verify_software_token(
        self,
        *,
        UserCode: str,
        AccessToken: str | None = None,
        Session: str | None = None,
        FriendlyDeviceName: str | None = None,
    ) -> dict[str, Any]:
        if not re.fullmatch(r"[0-9]{6}", UserCode or ""):
            raise _fail(
                "InvalidParameterException",
                "1 validation error detected: Value at 'userCode' failed to satisfy constraint: "
                "Member must satisfy regular expression pattern: [0-9]+",
            )
        if (AccessToken is None) == (Session is None):
            raise _fail(
                "InvalidParameterException", "Exactly one of AccessToken or Session is required."
            )
        if AccessToken is not None:
            _, user = self._access(AccessToken)
            secret = user.totp_pending_secret
            if not secret:
                raise _fail(
                    "SoftwareTokenMFANotFoundException",
                    "Software Token MFA does not exist for the user.",
                )
            if not self._totp_ok(secret, UserCode):
                raise _fail(
                    "EnableSoftwareTokenMFAException",
                    "Code mismatch and fail enable Software Token MFA",
                )
            user.totp_secret, user.totp_pending_secret = secret, None
            user.totp_device_name = FriendlyDeviceName or user.totp_device_name
            return {"Status": "SUCCESS"}
        session = self._session(str(Session), None)
        secret = session.data.get("totp_secret")
        if session.challenge != "MFA_SETUP" or not secret:
            raise _fail(
                "SoftwareTokenMFANotFoundException",
                "Software Token MFA does not exist for the user.",
            )
        if not self._totp_ok(secret, UserCode):
            raise self._wrong_code(
                session,
                "EnableSoftwareTokenMFAException",
                "Code mismatch and fail enable Software Token MFA",
            )
        pool = self._pools[session.pool_id]
        user = pool.users[pool.key(session.username)]
        user.totp_secret = secret
        user.totp_device_name = FriendlyDeviceName or ""
        session.used = True
        follow = self._follow_session(session, {"totp_verified": True})
        return {"Status": "SUCCESS", "Session": follow.session_id}

    @_operation("SetUserMFAPreference")
    def set_user_mfa_preference(
        self,
        *,
        AccessToken: str,
        SMSMfaSettings: dict[str, bool] | None = None,
        SoftwareTokenMfaSettings: dict[str, bool] | None = None,
        EmailMfaSettings: dict[str, bool] | None = None,
        WebAuthnMfaSettings: dict[str, bool] | None = None,
    ) -> dict[str, Any]:
        _, user = self._access(AccessToken)
        self._set_mfa_preference(user, SMSMfaSettings, SoftwareTokenMfaSettings, EmailMfaSettings)
        return {}

    @_operation("GetUser")
    def get_user(self, *, AccessToken: str) -> dict[str, Any]:
        _, user = self._access(AccessToken)
        out: dict[str, Any] = {
            "Username": user.username,
            "UserAttributes": _attr_list(user.attributes),
        }
        out.update(user.mfa_view())
        return out

    def _set_mfa_preference(
        self,
        user: User,
        sms: dict[str, bool] | None,
        totp: dict[str, bool] | None,
        email: dict[str, bool] | None,
    ) -> None:
        wanted = {"SMS_MFA": sms, "SOFTWARE_TOKEN_MFA": totp, "EMAIL_OTP": email}
        preferred = [name for name, s in wanted.items() if s and s.get("PreferredMfa")]
        if len(preferred) > 1:
            raise _fail("InvalidParameterException", "Only one MFA method can be preferred.")
        for name, setting in wanted.items():
            if setting is None:
                continue
            on = bool(setting.get("Enabled") or setting.get("PreferredMfa"))
            if on:
                ready = {
                    "SMS_MFA": bool(user.attributes.get("phone_number")),
                    "SOFTWARE_TOKEN_MFA": bool(user.totp_secret),
                    "EMAIL_OTP": bool(user.attributes.get("email")),
                }[name]
                if not ready:
                    raise _fail(
                        "InvalidParameterException",
                        f"User does not have delivery config set to turn on {name}",
                    )
                if name not in user.mfa_enabled:
                    user.mfa_enabled.append(name)
            elif name in user.mfa_enabled:
                user.mfa_enabled.remove(name)
            if setting.get("PreferredMfa"):
                user.preferred_mfa = name
            elif user.preferred_mfa == name:
                user.preferred_mfa = None
        user.mfa_enabled.sort(key=MFA_NAMES.index)

    # == helpers =====================================================================

    def _pool(self, pool_id: str) -> UserPool:
        pool = self._pools.get(pool_id)
        if pool is None:
            raise _fail("ResourceNotFoundException", f"User pool {pool_id} does not exist.")
        return pool

    def _client(self, client_id: str) -> tuple[AppClient, UserPool]:
        client = self._clients.get(client_id)
        if client is None:
            raise _fail(
                "ResourceNotFoundException", f"User pool client {client_id} does not exist."
            )
        return client, self._pools[client.pool_id]

    def _admin_user(self, pool: UserPool, username: str) -> User:
        user = self._find_user(pool, username)
        if user is None:
            raise _fail("UserNotFoundException", "User does not exist.")
        return user

    def _find_user(self, pool: UserPool, login: str) -> User | None:
        """By username, or by an email/phone used as username or as a (verified) alias."""
        user = pool.users.get(pool.key(login))
        if user is not None:
            return user
        for attribute in ("email", "phone_number", "preferred_username"):
            as_username = attribute in pool.username_attributes
            as_alias = attribute in pool.alias_attributes
            if not (as_username or as_alias):
                continue
            for candidate in pool.users.values():
                value = candidate.attributes.get(attribute)
                if value is None or pool.key(value) != pool.key(login):
                    continue
                verified = candidate.attributes.get(f"{attribute}_verified") == "true"
                if as_username or verified or attribute == "preferred_username":
                    return candidate
        return None

    def _new_user(
        self, pool: UserPool, login: str, attributes: dict[str, str], status: str
    ) -> User:
        if not login:
            raise _missing("Username")
        if pool.username_attributes:
            if "@" in login and "email" in pool.username_attributes:
                attributes.setdefault("email", login)
            elif login.startswith("+") and "phone_number" in pool.username_attributes:
                attributes.setdefault("phone_number", login)
            else:
                raise _fail(
                    "InvalidParameterException",
                    "Username should be either an email or a phone number.",
                )
            username = str(uuid.uuid4())
            if self._find_user(pool, login) is not None:
                raise _fail(
                    "UsernameExistsException", "An account with the given email already exists."
                )
        else:
            username = login
            if pool.key(login) in pool.users:
                raise _fail("UsernameExistsException", "User already exists")
        sub = str(uuid.uuid4())
        if pool.username_attributes:
            sub = username
        user = User(
            username=username,
            sub=sub,
            attributes={"sub": sub, **attributes},
            status=status,
            created=self.clock(),
        )
        pool.users[pool.key(username)] = user
        return user

    def _user_type(self, user: User) -> dict[str, Any]:
        return {
            "Username": user.username,
            "Attributes": _attr_list(user.attributes),
            "UserCreateDate": user.created,
            "UserLastModifiedDate": user.created,
            "Enabled": user.enabled,
            "UserStatus": user.status,
        }

    def _check_policy(self, pool: UserPool, password: str, prefix: str) -> None:
        if not password or password != password.strip():
            raise _fail(
                "InvalidParameterException",
                "1 validation error detected: Value at 'password' failed to satisfy constraint: "
                "Member must satisfy regular expression pattern: ^[\\S]+.*[\\S]+$",
            )
        problem = password_policy_violation(password, pool.password_policy)
        if problem:
            raise _fail("InvalidPasswordException", prefix + problem)

    def _generate_password(self, pool: UserPool) -> str:
        length = max(int(pool.password_policy.get("MinimumLength", 8)), 12)
        core = _random_id(length - 4, string.ascii_letters + string.digits)
        return "Aa1!" + core

    def _check_secret_hash(self, client: AppClient, username: str, given: str | None) -> None:
        if not client.secret:
            return
        if not given:
            raise _fail(
                "NotAuthorizedException",
                f"Client {client.client_id} is configured with secret but SECRET_HASH was not "
                "received",
            )
        if not hmac.compare_digest(_secret_hash(client.secret, username, client.client_id), given):
            raise _fail(
                "NotAuthorizedException",
                f"Unable to verify secret hash for client {client.client_id}",
            )

    def _check_lockout(self, user: User) -> None:
        if not self.settings.lockout or user.failed_attempts < 5:
            return
        now = self.clock()
        if now - user.last_failure > 15 * 60:
            user.failed_attempts = 0
            return
        locked_for = min(2 ** (user.failed_attempts - 5), 15 * 60)
        if now < user.last_failure + locked_for:
            raise _fail("NotAuthorizedException", "Password attempts exceeded")

    def _record_failure(self, user: User) -> None:
        user.failed_attempts += 1
        user.last_failure = self.clock()

    def _new_session(
        self, pool: UserPool, client: AppClient, username: str, challenge: str
    ) -> AuthSession:
        session = AuthSession(
            session_id="AYABe" + base64.urlsafe_b64encode(secrets.token_bytes(180)).decode(),
            pool_id=pool.pool_id,
            client_id=client.client_id,
            username=username,
            challenge=challenge,
            expires_at=self.clock() + client.auth_session_validity * 60,
        )
        self._sessions[session.session_id] = session
        return session

    def _follow_session(self, session: AuthSession, data: dict[str, Any]) -> AuthSession:
        """The fresh session that AssociateSoftwareToken/VerifySoftwareToken hand back."""
        pool = self._pools[session.pool_id]
        follow = self._new_session(
            pool, pool.clients[session.client_id], session.username, session.challenge
        )
        follow.expires_at = session.expires_at
        follow.data.update(session.data)
        follow.data.update(data)
        return follow

    def _session(self, session_id: str, client: AppClient | None) -> AuthSession:
        session = self._sessions.get(session_id)
        if session is None or session.dead or (client and session.client_id != client.client_id):
            raise _fail("NotAuthorizedException", SESSION_INVALID)
        if self.clock() >= session.expires_at:
            raise _fail("NotAuthorizedException", SESSION_EXPIRED)
        if session.used:
            raise _fail("NotAuthorizedException", SESSION_USED)
        return session

    def _access(self, token: str) -> tuple[UserPool, User]:
        for pool_id, signer in self._signers.items():
            claims = signer.verify_access_token(token, self.clock())
            if claims is None:
                continue
            if claims.get("expired"):
                raise _fail("NotAuthorizedException", "Access Token has expired")
            pool = self._pools[pool_id]
            user = pool.users.get(pool.key(str(claims["username"])))
            if user is None:
                raise _fail("NotAuthorizedException", "User does not exist.")
            return pool, user
        raise _fail("NotAuthorizedException", "Invalid Access Token")

    @staticmethod
    def _totp_ok(secret: str, code: str) -> bool:
        return bool(re.fullmatch(r"[0-9]{6}", code)) and pyotp.TOTP(secret).verify(
            code, valid_window=1
        )

    def _code(self, digits: int) -> str:
        return f"{secrets.randbelow(10**digits):0{digits}d}"

    def _deliver(
        self, pool: UserPool, user: User, destination: str, medium: str, code: str, purpose: str
    ) -> None:
        self.outbox.append(
            Message(
                user_pool_id=pool.pool_id,
                username=user.username,
                medium=medium,
                destination=destination,
                purpose=purpose,
                code=code,
                sent_at=self.clock(),
            )
        )

    def _send(
        self, pool: UserPool, user: User, attribute: str, code: str, purpose: str
    ) -> dict[str, str]:
        destination = user.attributes[attribute]
        medium = "EMAIL" if attribute == "email" else "SMS"
        self._deliver(pool, user, destination, medium, code, purpose)
        return {
            "Destination": mask_destination(destination),
            "DeliveryMedium": medium,
            "AttributeName": attribute,
        }

    def _issue_code(
        self, pool: UserPool, user: User, purpose: str, attribute: str, seconds: int
    ) -> dict[str, str]:
        code = self._code(6)
        user.codes[purpose] = PendingCode(code, self.clock() + seconds, attribute)
        return self._send(pool, user, attribute, code, purpose)

    def _take_code(self, user: User, purpose: str, given: str) -> PendingCode:
        pending = user.codes.get(purpose)
        if pending is None or self.clock() > pending.expires_at:
            raise _fail(
                "ExpiredCodeException", "Invalid code provided, please request a code again."
            )
        if not hmac.compare_digest(pending.code, given or ""):
            raise _fail(
                "CodeMismatchException", "Invalid verification code provided, please try again."
            )
        del user.codes[purpose]
        return pending

    @staticmethod
    def _verification_attribute(pool: UserPool, user: User) -> str | None:
        """Where a sign-up code goes: an auto-verified attribute the user has."""
        for attribute in ("email", "phone_number"):
            if attribute in pool.auto_verified_attributes and user.attributes.get(attribute):
                return attribute
        return None

    @staticmethod
    def _recovery_attribute(pool: UserPool, user: User) -> str | None:
        """Where a reset code goes: the first verified channel by AccountRecoverySetting."""
        order = [
            str(m["Name"]) for m in sorted(pool.recovery, key=lambda m: int(m.get("Priority", 1)))
        ] or ["verified_phone_number", "verified_email"]
        if "SMS_MFA" in user.mfa_enabled:
            order = [name for name in order if name != "verified_phone_number"]
        if "EMAIL_OTP" in user.mfa_enabled:
            order = [name for name in order if name != "verified_email"]
        for name in order:
            attribute = {"verified_email": "email", "verified_phone_number": "phone_number"}.get(
                name
            )
            if attribute and user.attributes.get(f"{attribute}_verified") == "true":
                return attribute
        return None

    @staticmethod
    def _simulated_delivery(login: str) -> dict[str, str]:
        email = "@" in login
        return {
            "Destination": mask_destination(login if email else "+00000000000"),
            "DeliveryMedium": "EMAIL" if email else "SMS",
            "AttributeName": "email" if email else "phone_number",
        }
