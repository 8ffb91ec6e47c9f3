"""Choice-based sign-in (``USER_AUTH``): the first factors a user may use, the
selection, passwordless codes and passkey sign-in."""

from __future__ import annotations

from typing import Any

from ._core import (
    INCORRECT,
    SESSION_INVALID,
    fail,
    missing,
    operation,
)
from ._model import (
    FIRST_FACTORS,
    AppClient,
    AuthSession,
    User,
    UserPool,
)
from ._password_auth import PasswordAuth
from ._support import mask_destination
from ._webauthn import Passkeys

__all__ = ["ChoiceAuth"]


class ChoiceAuth(PasswordAuth, Passkeys):
    """``USER_AUTH``: the first factors a user may choose, and each one started."""

    def _available_factors(self, pool: UserPool, user: User) -> list[str]:
        """The first factors this user can use now, in Cognito's order: the password ones
        if the user has a password; the passwordless ones only where no MFA applies."""
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

    @operation("GetUserAuthFactors")
    def get_user_auth_factors(self, *, AccessToken: str) -> dict[str, Any]:
        pool, user = self._access(AccessToken)
        return self._auth_factors(pool, user)

    @operation("AdminGetUserAuthFactors")
    def admin_get_user_auth_factors(self, *, UserPoolId: str, Username: str) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        return self._auth_factors(pool, self._admin_user(pool, Username))

    @staticmethod
    def _auth_factors(pool: UserPool, user: User) -> dict[str, Any]:
        """What the user has set up to sign in with, and their MFA settings."""
        configured = []
        if user.has_password():
            configured.append("PASSWORD")
        if user.attributes.get("email_verified") == "true":
            configured.append("EMAIL_OTP")
        if user.attributes.get("phone_number_verified") == "true":
            configured.append("SMS_OTP")
        if user.passkeys:
            configured.append("WEB_AUTHN")
        return {
            "Username": user.username,
            **user.mfa_view(),
            "ConfiguredUserAuthFactors": configured,
        }

    def _start_user_auth(
        self, pool: UserPool, client: AppClient, params: dict[str, str]
    ) -> dict[str, Any]:
        user = self._login_user(pool, client, params)
        if user is None:
            # Unknown user with PreventUserExistenceErrors=ENABLED: a plausible menu whose
            # answers can never succeed.
            menu = [f for f in FIRST_FACTORS if f in pool.first_factors or f == "PASSWORD_SRP"]
            session = self._new_session(
                pool, client, params["USERNAME"], "SELECT_CHALLENGE", available=menu
            )
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
        session = self._new_session(
            pool, client, user.username, "SELECT_CHALLENGE", available=available
        )
        return {
            "ChallengeName": "SELECT_CHALLENGE",
            "Session": session.session_id,
            "ChallengeParameters": {},
            "AvailableChallenges": available,
        }

    def _sign_in_after_sign_up(
        self, pool: UserPool, client: AppClient, params: dict[str, str], session_id: str
    ) -> dict[str, Any]:
        """USER_AUTH with ConfirmSignUp's session: the confirmation code was the first
        factor, so MFA (if any) or tokens follow. The session works once."""
        session = self._session(session_id, client)
        user = self._login_user(pool, client, params)
        if (
            session.challenge != "SIGN_IN_AFTER_SIGN_UP"
            or user is None
            or user.username != session.username
        ):
            raise fail("NotAuthorizedException", SESSION_INVALID)
        session.used = True
        return self._after_first_factor(pool, client, user)

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
                raise missing("PASSWORD")
            if not user.check_password(params["PASSWORD"]):
                self._record_failure(user)
                raise fail("NotAuthorizedException", INCORRECT)
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
            raise fail(
                "InvalidParameterException",
                "Send the passkey credential in answer to the WEB_AUTHN challenge.",
            )
        options, challenge = self._authentication_options(pool, user)
        return self._challenge(
            pool,
            client,
            user,
            "WEB_AUTHN",
            {"CREDENTIAL_REQUEST_OPTIONS": options},
            webauthn_challenge=challenge,
            available=available,
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
            raise missing("ANSWER")
        available = list(session.available)
        if answer not in available:
            raise fail(
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
            raise missing("CREDENTIAL")
        session.used = True
        self._check_assertion(pool, user, raw, session.webauthn_challenge or b"")
        return self._done(pool, client, user)
