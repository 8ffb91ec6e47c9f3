"""What the fake user pool holds: settings, pools, app clients, users, auth sessions."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

import attrs

from cognitoflow.engine import srp

from ._tracked import Tracked, as_tracked
from ._user_table import Attributes, UserTable, as_attributes, as_user_table

__all__ = [
    "AppClient",
    "AuthSession",
    "CustomAuth",
    "FakeSettings",
    "Passkey",
    "PendingCode",
    "RefreshGrant",
    "SrpExchange",
    "User",
    "UserPool",
]

MFA_NAMES = ("SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP")
STANDARD_ATTRIBUTES = (
    "sub", "name", "given_name", "family_name", "middle_name", "nickname",
    "preferred_username", "profile", "picture", "website", "email", "email_verified",
    "gender", "birthdate", "zoneinfo", "locale", "phone_number", "phone_number_verified",
    "address", "updated_at",
)  # fmt: skip
"""Cognito's standard attributes, as a pool's ``SchemaAttributes`` lists them."""

FIRST_FACTORS = ("PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")


@attrs.frozen
class FakeSettings:
    """Choices the fake makes where Cognito's behaviour is not documented.

    Attributes:
        max_code_attempts_per_session: wrong MFA codes one session survives; after that the
            session is dead (``Invalid session for the user.``). None (default): no cap, the
            session lives until it expires, which is what real users report.
        mfa_code_length: digits of SMS and email MFA codes (Cognito: 6).
        otp_code_length: digits of passwordless one-time codes (Cognito: 8).
        default_mfa_factors: factors a pool offers when it is created with MFA ON or OPTIONAL
            and no factor configuration. Real Cognito needs an SMS role for SMS and
            SetUserPoolMfaConfig for TOTP; the fake enables SMS and TOTP so a pool works at once.
        lockout: lock a user out after five wrong passwords (1 s, doubling), as Cognito does.
        srp_timestamp_tolerance: seconds a PASSWORD_VERIFIER TIMESTAMP may differ from the
            pool's clock; None (default) checks only its format ("a few seconds" in Cognito).
        region: the region part of new pool ids.
        webauthn_origins: origins accepted for passkeys besides ``https://<relying party id>``
            and its subdomains (e.g. ``http://localhost:3000`` for a local front end).
        confirm_sign_up_attempts_per_hour: wrong ConfirmSignUp codes a user may send in an
            hour before every confirmation is refused (Cognito publishes 15).
        confirm_forgot_password_attempts_per_hour: the same for ConfirmForgotPassword
            (Cognito publishes "5 to 20", depending on risk: the fake takes 10).
        code_requests_per_hour: ResendConfirmationCode and ForgotPassword requests per user
            and hour (Cognito publishes 5 for the first; the second is unpublished).
            None, for any of the three: no limit.
    """

    max_code_attempts_per_session: int | None = None
    mfa_code_length: int = 6
    otp_code_length: int = 8
    default_mfa_factors: tuple[str, ...] = ("SMS_MFA", "SOFTWARE_TOKEN_MFA")
    lockout: bool = True
    srp_timestamp_tolerance: float | None = None
    region: str = "us-east-1"
    webauthn_origins: tuple[str, ...] = ()
    confirm_sign_up_attempts_per_hour: int | None = 15
    confirm_forgot_password_attempts_per_hour: int | None = 10
    code_requests_per_hour: int | None = 5


@attrs.define
class PendingCode:
    """A code the pool sent and expects back."""

    code: str = attrs.field(repr=False)
    expires_at: float
    destination_attribute: str = ""


@attrs.define
class Passkey:
    """A registered WebAuthn credential: its id, public key and sign count."""

    credential_id: bytes
    public_key: bytes = attrs.field(repr=False)
    sign_count: int
    relying_party_id: str
    created: float
    name: str = "Passkey"
    transports: list[str] = attrs.Factory(list)
    attachment: str | None = None


@attrs.define
class Device:
    """A device the pool tracks for a user (``NewDeviceMetadata``, then ConfirmDevice).

    Until ConfirmDevice it has no verifier and cannot answer device SRP; ``remembered``
    says whether it stands in for MFA (``DeviceOnlyRememberedOnUserPrompt`` off, or
    UpdateDeviceStatus ``remembered``).
    """

    key: str
    group_key: str
    created: float
    salt: int = attrs.field(default=0, repr=False)
    verifier: int = attrs.field(default=0, repr=False)
    confirmed: bool = False
    remembered: bool = False
    name: str | None = None
    last_modified: float = 0.0
    last_authenticated: float = 0.0

    def describe(self, pool_id: str, username: str, region: str) -> dict[str, Any]:
        """Cognito's ``DeviceType``."""
        owner = f"{username}.{pool_id}"
        attributes = [
            ("device_status", "valid"),
            ("device_name", self.name or ""),
            (
                "dev:device_arn",
                f"arn:aws:cognito-idp:{region}:000000000000:owner/{owner}/device/{self.key}",
            ),
            ("dev:device_owner", owner),
            ("last_ip_used", "127.0.0.1"),
            ("dev:device_remembered_status", "remembered" if self.remembered else "not_remembered"),
            ("dev:device_sdk", "cognitoflow"),
        ]
        return {
            "DeviceKey": self.key,
            "DeviceAttributes": [{"Name": k, "Value": v} for k, v in attributes if v],
            "DeviceCreateDate": self.created,
            "DeviceLastModifiedDate": self.last_modified or self.created,
            "DeviceLastAuthenticatedDate": self.last_authenticated or self.created,
        }


@attrs.define
class User:
    """One user. The password is kept only as an SRP verifier and a salted hash."""

    username: str
    sub: str
    attributes: Attributes = attrs.field(converter=as_attributes)
    status: str
    created: float
    enabled: bool = True
    srp_salt: int = attrs.field(default=0, repr=False)
    srp_verifier: int = attrs.field(default=0, repr=False)
    password_salt: bytes = attrs.field(default=b"", repr=False)
    password_hash: bytes = attrs.field(default=b"", repr=False)
    temporary_password_at: float | None = None
    mfa_enabled: list[str] = attrs.Factory(list)
    preferred_mfa: str | None = None
    totp_secret: str | None = attrs.field(default=None, repr=False)
    totp_pending_secret: str | None = attrs.field(default=None, repr=False)
    totp_device_name: str = ""
    codes: dict[str, PendingCode] = attrs.field(factory=dict, repr=False)
    failed_attempts: int = 0
    last_failure: float = 0.0
    passkeys: list[Passkey] = attrs.Factory(list)
    devices: dict[str, Device] = attrs.Factory(dict)
    attempts: dict[str, list[float]] = attrs.Factory(dict)
    """When each counted attempt (wrong codes, code requests) was made, by kind."""
    passkey_challenge: tuple[bytes, float] | None = attrs.field(default=None, repr=False)

    def set_password(self, pool_name: str, password: str, *, temporary: bool, now: float) -> None:
        """Store the verifier and hash of a new password, never the password itself."""
        self.srp_salt = int.from_bytes(secrets.token_bytes(16), "big")
        self.srp_verifier = srp.compute_verifier(pool_name, self.username, password, self.srp_salt)
        self.password_salt = secrets.token_bytes(16)
        self.password_hash = _hash_password(password, self.password_salt)
        self.temporary_password_at = now if temporary else None

    def has_password(self) -> bool:
        return bool(self.password_hash)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and hmac.compare_digest(
            self.password_hash, _hash_password(password, self.password_salt)
        )

    def mfa_view(self) -> dict[str, Any]:
        """The MFA members of AdminGetUser / GetUser."""
        view: dict[str, Any] = {"UserMFASettingList": list(self.mfa_enabled)}
        if self.preferred_mfa:
            view["PreferredMfaSetting"] = self.preferred_mfa
        return view


# A fake's store is no attack target: the salted hash only keeps clear passwords out of
# memory and saved state, so it is kept cheap for test suites that create many users.
_HASH_ITERATIONS = 1_000


def _hash_password(password: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, _HASH_ITERATIONS)


@attrs.define
class AppClient:
    """An app client of a pool."""

    client_id: str
    name: str
    pool_id: str
    secret: str | None = attrs.field(repr=False)
    explicit_auth_flows: list[str]
    auth_session_validity: int
    prevent_user_existence_errors: str
    access_token_seconds: int
    id_token_seconds: int
    refresh_token_seconds: int
    created: float
    token_revocation: bool = True
    """``EnableTokenRevocation``: RevokeToken works, and revoked tokens are refused."""
    rotation_grace: int | None = None
    """``RefreshTokenRotation``: None when off, else its ``RetryGracePeriodSeconds``."""
    stored: dict[str, Any] = attrs.Factory(dict)
    """Members kept and echoed but not acted on (OAuth settings, attribute permissions:
    the fake has no hosted UI)."""

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "UserPoolId": self.pool_id,
            "ClientName": self.name,
            "ClientId": self.client_id,
            "CreationDate": self.created,
            "LastModifiedDate": self.created,
            "ExplicitAuthFlows": list(self.explicit_auth_flows),
            "AuthSessionValidity": self.auth_session_validity,
            "PreventUserExistenceErrors": self.prevent_user_existence_errors,
            "AccessTokenValidity": self.access_token_seconds // 60,
            "IdTokenValidity": self.id_token_seconds // 60,
            "RefreshTokenValidity": self.refresh_token_seconds // 60,
            "TokenValidityUnits": {
                "AccessToken": "minutes",
                "IdToken": "minutes",
                "RefreshToken": "minutes",
            },
            "EnableTokenRevocation": self.token_revocation,
        }
        if self.rotation_grace is not None:
            out["RefreshTokenRotation"] = {
                "Feature": "ENABLED",
                "RetryGracePeriodSeconds": self.rotation_grace,
            }
        if self.secret:
            out["ClientSecret"] = self.secret
        out.update(self.stored)
        return out

    def allows(self, flag: str) -> bool:
        """Whether the client allows ``flag`` (an ``ALLOW_`` name), also under its legacy
        name (``USER_PASSWORD_AUTH``, ``ADMIN_NO_SRP_AUTH``, ``CUSTOM_AUTH_FLOW_ONLY``)."""
        legacy = {
            "ALLOW_USER_PASSWORD_AUTH": "USER_PASSWORD_AUTH",
            "ALLOW_ADMIN_USER_PASSWORD_AUTH": "ADMIN_NO_SRP_AUTH",
            "ALLOW_CUSTOM_AUTH": "CUSTOM_AUTH_FLOW_ONLY",
        }.get(flag)
        return flag in self.explicit_auth_flows or (
            legacy is not None and legacy in self.explicit_auth_flows
        )


@attrs.define
class Group:
    """A group of a pool: its users' tokens carry ``cognito:groups`` (and its role)."""

    name: str
    description: str | None = None
    role_arn: str | None = None
    precedence: int | None = None
    created: float = 0.0
    modified: float = 0.0
    members: list[str] = attrs.Factory(list)
    """The usernames in the group."""

    @property
    def order(self) -> tuple[int, str]:
        """How groups are listed and how tokens name them: by precedence (lowest first,
        none last), then by name."""
        return (self.precedence if self.precedence is not None else 2**31, self.name)

    def describe(self, pool_id: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "GroupName": self.name,
            "UserPoolId": pool_id,
            "CreationDate": self.created,
            "LastModifiedDate": self.modified or self.created,
        }
        for member, value in (
            ("Description", self.description),
            ("RoleArn", self.role_arn),
            ("Precedence", self.precedence),
        ):
            if value is not None:
                out[member] = value
        return out


@attrs.define
class UserPool:
    """A user pool: its settings, clients and users."""

    pool_id: str
    name: str
    created: float
    mfa_configuration: str
    mfa_factors: list[str]
    password_policy: dict[str, Any]
    username_attributes: list[str]
    alias_attributes: list[str]
    auto_verified_attributes: list[str]
    case_sensitive: bool
    recovery: list[dict[str, Any]]
    admin_create_only: bool
    required_attributes: list[str]
    lambda_config: dict[str, Any] = attrs.Factory(dict)
    first_factors: list[str] = attrs.Factory(lambda: ["PASSWORD"])
    webauthn: dict[str, Any] | None = None
    device_configuration: dict[str, bool] | None = None
    """``DeviceConfiguration``: None when the pool tracks no devices."""
    tier: str = "ESSENTIALS"
    """``UserPoolTier``: LITE has no passwordless sign-in, passkeys or email MFA."""
    groups: Tracked[str, Group] = attrs.field(factory=Tracked, converter=as_tracked)
    tags: dict[str, str] = attrs.Factory(dict)
    custom_attributes: dict[str, dict[str, Any]] = attrs.Factory(dict)
    """Custom attributes of the schema, by their ``custom:`` name."""
    sms_mfa_config: dict[str, Any] | None = None
    email_mfa_config: dict[str, Any] | None = None
    """The SMS and email MFA configurations as last set (their messages are echoed)."""
    users: UserTable[User] = attrs.field(factory=UserTable, converter=as_user_table)
    clients: Tracked[str, AppClient] = attrs.field(factory=Tracked, converter=as_tracked)

    @property
    def suffix(self) -> str:
        """The part of the id after ``_``: the pool name in SRP."""
        return self.pool_id.split("_", 1)[1]

    def key(self, username: str) -> str:
        return username if self.case_sensitive else username.lower()

    @property
    def arn(self) -> str:
        region = self.pool_id.split("_", 1)[0]
        return f"arn:aws:cognito-idp:{region}:000000000000:userpool/{self.pool_id}"

    def groups_of(self, username: str) -> list[Group]:
        """The user's groups, by precedence (lowest first, none last), then name."""
        return sorted(
            (g for g in self.groups.values() if username in g.members),
            key=lambda g: g.order,
        )

    def describe(self) -> dict[str, Any]:
        policy = dict(self.password_policy)
        schema = [
            {
                "Name": name,
                "AttributeDataType": "Boolean" if name.endswith("_verified") else "String",
                "Mutable": name != "sub",
                "Required": name in self.required_attributes or name == "sub",
            }
            for name in STANDARD_ATTRIBUTES
        ] + [
            {
                "Name": name,
                "AttributeDataType": entry["AttributeDataType"],
                "Mutable": entry.get("Mutable", True),
                "Required": False,
                "DeveloperOnlyAttribute": bool(entry.get("DeveloperOnlyAttribute", False)),
            }
            for name, entry in self.custom_attributes.items()
        ]
        return {
            "Id": self.pool_id,
            "Name": self.name,
            "Arn": self.arn,
            "UserPoolTags": dict(self.tags),
            "SchemaAttributes": schema,
            "CreationDate": self.created,
            "LastModifiedDate": self.created,
            "MfaConfiguration": self.mfa_configuration,
            "Policies": {
                "PasswordPolicy": policy,
                "SignInPolicy": {"AllowedFirstAuthFactors": list(self.first_factors)},
            },
            "UsernameAttributes": list(self.username_attributes),
            "AliasAttributes": list(self.alias_attributes),
            "AutoVerifiedAttributes": list(self.auto_verified_attributes),
            "UsernameConfiguration": {"CaseSensitive": self.case_sensitive},
            "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": self.admin_create_only},
            "EstimatedNumberOfUsers": len(self.users),
            "UserPoolTier": self.tier,
            **(
                {"DeviceConfiguration": dict(self.device_configuration)}
                if self.device_configuration is not None
                else {}
            ),
            "LambdaConfig": {
                kind: value
                if isinstance(value, str)
                else f"python:{getattr(value, '__qualname__', 'callable')}"
                for kind, value in self.lambda_config.items()
            },
        }


@attrs.define
class CustomAuth:
    """A custom-auth sign-in in progress: what the Define trigger is shown each round."""

    login: str
    """The username as the client sent it."""
    user: str | None
    """The user's username, or None for an unknown user (the triggers still run)."""
    srp_a: int | None = attrs.field(repr=False)
    """The client's SRP ``A`` for ``CUSTOM_WITH_SRP``; None without SRP."""
    rounds: list[dict[str, Any]] = attrs.Factory(list)
    """The Lambda event's ``request.session``: one ``{challengeName, challengeResult,
    challengeMetadata}`` per challenge answered, in Cognito's own shape."""
    password_verified: bool = False

    def record(self, challenge: str, result: bool, metadata: str | None = None) -> None:
        self.rounds.append(
            {"challengeName": challenge, "challengeResult": result, "challengeMetadata": metadata}
        )


@attrs.define
class AuthSession:
    """The server side of a ``Session`` string: who, which challenge, until when, and what
    the challenge needs to check its answer."""

    session_id: str = attrs.field(repr=False)
    pool_id: str
    client_id: str
    username: str
    challenge: str
    expires_at: float
    used: bool = False
    dead: bool = False
    code: str | None = attrs.field(default=None, repr=False)
    """The code sent for an SMS or email challenge."""
    code_attempts: int = 0
    available: list[str] = attrs.Factory(list)
    """SELECT_CHALLENGE and WEB_AUTHN: the first factors the user may pick."""
    webauthn_challenge: bytes | None = attrs.field(default=None, repr=False)
    mfa_email: str | None = None
    """Email MFA set up during sign-in: the address the code went to."""
    totp_secret: str | None = attrs.field(default=None, repr=False)
    """TOTP set up during sign-in: the secret AssociateSoftwareToken gave."""
    totp_verified: bool = False
    custom: CustomAuth | None = None
    private_parameters: dict[str, str] = attrs.field(factory=dict, repr=False)
    """A custom challenge's ``privateChallengeParameters``."""
    device_key: str | None = None
    """The device the sign-in presented (``DEVICE_KEY``), carried from step to step."""
    device_srp: tuple[int, int, int, str] | None = attrs.field(default=None, repr=False)
    """DEVICE_PASSWORD_VERIFIER in progress: the client's A, the server's b and B, and
    the SECRET_BLOCK sent."""
    challenge_metadata: str | None = None
    """A custom challenge's ``challengeMetadata``."""


@attrs.define
class SrpExchange:
    """A PASSWORD_VERIFIER challenge in progress, found by its ``SECRET_BLOCK``."""

    big_a: int = attrs.field(repr=False)
    b: int = attrs.field(repr=False)
    big_b: int = attrs.field(repr=False)
    verifier: int = attrs.field(repr=False)
    user_id: str
    known: bool
    """False for the simulated exchange of an unknown user (it can never succeed)."""
    client_id: str
    session_id: str = attrs.field(repr=False)
    expires_at: float
    custom: CustomAuth | None = None
    """The custom-auth sign-in this exchange is a round of (``CUSTOM_WITH_SRP``)."""


@attrs.define
class RefreshGrant:
    """A refresh token the pool issued: to whom, for which sign-in, until when.

    Every token of one sign-in shares its ``origin`` (the ``origin_jti`` claim), so
    revoking the grant ends the access tokens issued with it too.
    """

    pool_id: str
    client_id: str
    username: str
    origin: str
    auth_time: float
    expires_at: float
    revoked: bool = False
    device_key: str | None = None
    """The device the tokens are bound to: a refresh must name it."""
    replaced_at: float | None = None
    """With rotation: when a newer refresh token replaced this one."""
