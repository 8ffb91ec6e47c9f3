"""From a Cognito reply (or error) to a machine event: pure, exhaustive, no I/O.

An unknown or empty ``ChallengeName`` is an :class:`UnexpectedChallengeError`, never a
silent fall-through. The automatic challenges (``PASSWORD_VERIFIER``, the device ones,
and ``WEB_AUTHN`` through the caller's passkey authenticator) are answered by the flow
before a reply reaches :func:`map_reply`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import attrs

from cognitoflow.transports.base import AuthChallengeResponse, CognitoError
from cognitoflow.transports.sensitive import Secret

from .errors import InvalidStateError, UnexpectedChallengeError
from .outputs import AuthTokens

__all__ = [
    "AUTOMATIC_CHALLENGES",
    "CHALLENGE_EVENTS",
    "ERROR_EVENTS",
    "MFA_FROM_COGNITO",
    "MFA_TO_COGNITO",
    "Outcome",
    "map_error",
    "map_reply",
    "reveal",
]

AUTOMATIC_CHALLENGES = frozenset(
    {"PASSWORD_VERIFIER", "DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER", "WEB_AUTHN"}
)

CHALLENGE_EVENTS: Mapping[str, str] = {
    "SMS_MFA": "sms_mfa_required",
    "SMS_OTP": "sms_otp_required",
    "EMAIL_OTP": "email_otp_required",
    "SOFTWARE_TOKEN_MFA": "totp_required",
    "SELECT_MFA_TYPE": "mfa_selection_required",
    "MFA_SETUP": "mfa_setup_required",
    "NEW_PASSWORD_REQUIRED": "new_password_required",
    "CUSTOM_CHALLENGE": "custom_challenge",
    "SELECT_CHALLENGE": "first_factor_selection_required",
}
"""Each challenge Cognito can ask the user to answer, and the event it raises."""

MFA_FROM_COGNITO: Mapping[str, str] = {
    "SMS_MFA": "SMS",
    "SOFTWARE_TOKEN_MFA": "TOTP",
    "EMAIL_OTP": "EMAIL",
}
MFA_TO_COGNITO: Mapping[str, str] = {v: k for k, v in MFA_FROM_COGNITO.items()}

ERROR_EVENTS: Mapping[str, str] = {
    "UserNotConfirmedException": "user_not_confirmed",
    "PasswordResetRequiredException": "password_reset_required",
    "CodeMismatchException": "code_mismatch",
    "EnableSoftwareTokenMFAException": "code_mismatch",
    "InvalidPasswordException": "password_rejected",
    "NotAuthorizedException": "session_ended",
}
"""The machine event each Cognito error code raises, where the flow declares it."""


@attrs.frozen
class Outcome:
    """What a Cognito reply means for the flow: the event, and the data the next step needs."""

    event: str
    challenge_name: str | None = None
    session: str | None = attrs.field(default=None, repr=False)
    parameters: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    mfa_types: tuple[str, ...] = ()
    missing_attributes: tuple[str, ...] = ()
    available_challenges: tuple[str, ...] = ()
    tokens: AuthTokens | None = None


def _json_list(parameters: Mapping[str, str], name: str) -> list[str]:
    raw: object = parameters.get(name)
    if not raw:
        return []
    if isinstance(raw, list):  # Cognito sends a JSON string; some emulators send a list
        return [str(item) for item in raw]
    try:
        value = json.loads(str(raw))
    except ValueError:
        raise UnexpectedChallengeError(
            f"Cognito sent a challenge parameter {name} that is not a JSON list.",
            "Sign in again; if it persists, report it with the challenge name.",
        ) from None
    return [str(item) for item in value] if isinstance(value, list) else []


def map_reply(reply: AuthChallengeResponse) -> Outcome:
    """The outcome of an InitiateAuth / RespondToAuthChallenge reply (one that
    :func:`~cognitoflow.engine.replies.check_reply` passed)."""
    result = reply.get("AuthenticationResult")
    if result is not None:
        device = result.get("NewDeviceMetadata") or {}
        tokens = AuthTokens(  # plain text for the application; AuthTokens hides them
            access_token=reveal(result["AccessToken"]) or "",
            id_token=reveal(result.get("IdToken")),
            refresh_token=reveal(result.get("RefreshToken")),
            expires_in=result.get("ExpiresIn"),
            token_type=result.get("TokenType", "Bearer"),
            device_key=device.get("DeviceKey"),
            device_group_key=device.get("DeviceGroupKey"),
        )
        return Outcome(event="authenticated", tokens=tokens)
    name = reply.get("ChallengeName") or ""
    event = CHALLENGE_EVENTS.get(name)
    if event is None:
        shown = name or "(no challenge name)"
        raise UnexpectedChallengeError(
            f"Cognito returned the challenge {shown}, which this library cannot answer here.",
            "Sign in again; if it persists, check the app client's auth flows.",
        )
    parameters = dict(reply.get("ChallengeParameters") or {})
    outcome = Outcome(
        event=event,
        challenge_name=name,
        session=reply.get("Session"),
        parameters=parameters,
        available_challenges=tuple(reply.get("AvailableChallenges") or ()),
    )
    if name == "SELECT_MFA_TYPE":
        types = [
            MFA_FROM_COGNITO[n]
            for n in _json_list(parameters, "MFAS_CAN_CHOOSE")
            if n in MFA_FROM_COGNITO
        ]
        return attrs.evolve(outcome, mfa_types=tuple(types))
    if name == "MFA_SETUP":
        offered = _json_list(parameters, "MFAS_CAN_SETUP")
        types = [
            MFA_FROM_COGNITO[n] for n in offered if MFA_FROM_COGNITO.get(n) in ("TOTP", "EMAIL")
        ]
        if not types:
            raise InvalidStateError(
                "MFA is required, but none of the types the pool offers can be set up during "
                f"sign-in (offered: {', '.join(offered) or 'none'}).",
                "Give the user a phone number for SMS, or enable TOTP or email MFA on the pool.",
            )
        return attrs.evolve(outcome, mfa_types=tuple(types))
    if name == "NEW_PASSWORD_REQUIRED":
        missing = [
            item.removeprefix("userAttributes.")
            for item in _json_list(parameters, "requiredAttributes")
        ]
        return attrs.evolve(outcome, missing_attributes=tuple(missing))
    return outcome


def reveal(value: str | None) -> str | None:
    """A concealed value as plain text again, for the application's own records."""
    return value.reveal() if isinstance(value, Secret) else value


def map_error(error: CognitoError) -> str | None:
    """The event a Cognito error raises, if any (the flow sends it only where declared).

    ``UserNotConfirmedException`` and ``PasswordResetRequiredException`` are results, not
    failures; a wrong code or a weak password is a retry of the same step; any
    ``NotAuthorizedException`` in the middle of a flow means its session is gone.
    """
    return ERROR_EVENTS.get(error.code)
