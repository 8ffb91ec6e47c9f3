"""A user's MFA settings: authenticator apps (``AssociateSoftwareToken``,
``VerifySoftwareToken``, by access token or during sign-in) and MFA preferences."""

from __future__ import annotations

import re
from typing import Any

import pyotp

from ._core import (
    SESSION_INVALID,
    ServiceCore,
    fail,
    operation,
)
from ._model import (
    MFA_NAMES,
    User,
)

__all__ = ["MfaSettings"]


class MfaSettings(ServiceCore):
    """Authenticator apps and MFA preferences, by access token, session or administrator."""

    @operation("AssociateSoftwareToken")
    def associate_software_token(
        self, *, AccessToken: str | None = None, Session: str | None = None
    ) -> dict[str, Any]:
        if (AccessToken is None) == (Session is None):
            raise fail(
                "InvalidParameterException", "Exactly one of AccessToken or Session is required."
            )
        secret = pyotp.random_base32(32)
        if AccessToken is not None:
            _, user = self._access(AccessToken)
            user.totp_pending_secret = secret
            return {"SecretCode": secret}
        session = self._session(str(Session), None)
        if session.challenge != "MFA_SETUP":
            raise fail("NotAuthorizedException", SESSION_INVALID)
        if "SOFTWARE_TOKEN_MFA" not in self._pools[session.pool_id].mfa_factors:
            raise fail(
                "InvalidParameterException", "Software token MFA is not enabled for the user pool"
            )
        session.used = True
        follow = self._follow_session(session, totp_secret=secret)
        return {"SecretCode": secret, "Session": follow.session_id}

    @operation("VerifySoftwareToken")
    def verify_software_token(
        self,
        *,
        UserCode: str,
        AccessToken: str | None = None,
        Session: str | None = None,
        FriendlyDeviceName: str | None = None,
    ) -> dict[str, Any]:
        if not re.fullmatch(r"[0-9]{6}", UserCode or ""):
            raise fail(
                "InvalidParameterException",
                "1 validation error detected: Value at 'userCode' failed to satisfy constraint: "
                "Member must satisfy regular expression pattern: [0-9]+",
            )
        if (AccessToken is None) == (Session is None):
            raise fail(
                "InvalidParameterException", "Exactly one of AccessToken or Session is required."
            )
        if AccessToken is not None:
            _, user = self._access(AccessToken)
            secret = user.totp_pending_secret
            if not secret:
                raise fail(
                    "SoftwareTokenMFANotFoundException",
                    "Software Token MFA does not exist for the user.",
                )
            if not self._totp_ok(secret, UserCode):
                raise fail(
                    "EnableSoftwareTokenMFAException",
                    "Code mismatch and fail enable Software Token MFA",
                )
            user.totp_secret, user.totp_pending_secret = secret, None
            user.totp_device_name = FriendlyDeviceName or user.totp_device_name
            return {"Status": "SUCCESS"}
        session = self._session(str(Session), None)
        secret = session.totp_secret
        if session.challenge != "MFA_SETUP" or not secret:
            raise fail(
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
        follow = self._follow_session(session, totp_verified=True)
        return {"Status": "SUCCESS", "Session": follow.session_id}

    @operation("SetUserMFAPreference")
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

    @operation("AdminSetUserMFAPreference")
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
            raise fail("InvalidParameterException", "Only one MFA method can be preferred.")
        ready = {
            "SMS_MFA": bool(user.attributes.get("phone_number")),
            "SOFTWARE_TOKEN_MFA": bool(user.totp_secret),
            "EMAIL_OTP": bool(user.attributes.get("email")),
        }
        # Every setting is checked before any is applied: a refused call changes nothing.
        for name, setting in wanted.items():
            turning_on = setting and (setting.get("Enabled") or setting.get("PreferredMfa"))
            if turning_on and not ready[name]:
                raise fail(
                    "InvalidParameterException",
                    f"User does not have delivery config set to turn on {name}",
                )
        for name, setting in wanted.items():
            if setting is None:
                continue
            on = bool(setting.get("Enabled") or setting.get("PreferredMfa"))
            if on:
                if name not in user.mfa_enabled:
                    user.mfa_enabled.append(name)
            elif name in user.mfa_enabled:
                user.mfa_enabled.remove(name)
            if setting.get("PreferredMfa"):
                user.preferred_mfa = name
            elif user.preferred_mfa == name:
                user.preferred_mfa = None
        user.mfa_enabled.sort(key=MFA_NAMES.index)
