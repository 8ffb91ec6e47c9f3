"""After the first factor: a new password, MFA (SMS, email, TOTP, the choice between
them, setting one up), or tokens; and the answers to those challenges."""

from __future__ import annotations

import json
import re
from typing import Any

from ._core import (
    fail,
    missing,
    same_text,
)
from ._device_auth import DeviceChallenges
from ._model import (
    MFA_NAMES,
    AppClient,
    AuthSession,
    User,
    UserPool,
)
from ._support import mask_destination

__all__ = ["MfaChallenges"]


class MfaChallenges(DeviceChallenges):
    """What follows a verified first factor, and the answers to those challenges."""

    def _after_first_factor(self, pool: UserPool, client: AppClient, user: User) -> dict[str, Any]:
        """The password was right: a forced new password first, then MFA, then tokens."""
        user.failed_attempts = 0
        self._presented(pool, user)  # a device the user does not have is refused here
        if user.status == "FORCE_CHANGE_PASSWORD":
            validity = int(pool.password_policy.get("TemporaryPasswordValidityDays") or 7)
            issued = user.temporary_password_at or user.created
            if self.clock() > issued + validity * 86400:
                raise fail(
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

    def _mfa_or_tokens(
        self, pool: UserPool, client: AppClient, user: User, *, device_proven: bool = False
    ) -> dict[str, Any]:
        """Spec 5.1: which MFA challenge, if any, follows a verified first factor; a
        remembered device proves itself first (``device_proven`` once it has)."""
        if not device_proven:
            challenge = self._device_challenge(pool, client, user)
            if challenge is not None:
                return challenge
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
        raise fail(
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
        return self._challenge(pool, client, user, name, params, code=code, mfa_email=email)

    def _challenge(
        self,
        pool: UserPool,
        client: AppClient,
        user: User,
        name: str,
        params: dict[str, str],
        **session_fields: Any,
    ) -> dict[str, Any]:
        """A challenge for ``user``; ``session_fields`` (the code sent, ...) stay server-side."""
        session = self._new_session(pool, client, user.username, name, **session_fields)
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
            raise missing("NEW_PASSWORD")
        given = {
            key.removeprefix("userAttributes."): value
            for key, value in answers.items()
            if key.startswith("userAttributes.")
        }
        for name in pool.required_attributes:
            if not (given.get(name) or user.attributes.get(name)):
                raise fail(
                    "InvalidParameterException", f"Invalid attributes given, {name} is missing"
                )
        for name in given:
            if name.endswith("_verified") or name == "sub":
                raise fail(
                    "InvalidParameterException",
                    f"Cannot modify the non-mutable attribute {name}",
                )
        self._check_policy(pool, password, "Password does not conform to policy: ")
        session.used = True
        user.attributes.update(given)
        user.set_password(pool.suffix, password, temporary=False, now=self.clock())
        user.status = "CONFIRMED"
        return self._mfa_or_tokens(pool, client, user)

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
            raise missing(key)
        if session.code is None or not same_text(session.code, given):
            raise self._wrong_code(
                session, "CodeMismatchException", "Invalid code or auth state for the user."
            )
        session.used = True
        if session.challenge in ("SMS_MFA", "SMS_OTP"):
            user.attributes["phone_number_verified"] = "true"
        elif session.mfa_email:
            # Email MFA set up during sign-in: the address is now the user's, verified.
            user.attributes["email"] = session.mfa_email
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
            raise missing("SOFTWARE_TOKEN_MFA_CODE")
        if not user.totp_secret:
            raise fail(
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
            raise missing("ANSWER")
        if answer == "EMAIL_MFA":
            answer = "EMAIL_OTP"
        choices = [n for n in MFA_NAMES if n in user.mfa_enabled and n in pool.mfa_factors]
        if answer not in choices:
            raise fail("InvalidParameterException", "Invalid MFA type selected")
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
                raise fail(
                    "InvalidParameterException", "Email MFA is not enabled for the user pool"
                )
            address = answers["EMAIL"]
            if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", address):
                raise fail("InvalidParameterException", "Invalid email address format.")
            session.used = True
            return self._mfa_challenge(pool, client, user, "EMAIL_OTP", email=address)
        if not session.totp_verified:
            raise fail(
                "InvalidParameterException",
                "Software token MFA setup has not been verified: call VerifySoftwareToken with "
                "this session first.",
            )
        session.used = True
        if "SOFTWARE_TOKEN_MFA" not in user.mfa_enabled:
            user.mfa_enabled.append("SOFTWARE_TOKEN_MFA")
        user.preferred_mfa = user.preferred_mfa or "SOFTWARE_TOKEN_MFA"
        return self._done(pool, client, user)
