"""Sign-up and its confirmation code: ``SignUp``, ``ConfirmSignUp``, ``ResendConfirmationCode``.

Sign-in after sign-up: SignUp and ConfirmSignUp each answer with a ``Session``. The one
from ConfirmSignUp signs the user in through InitiateAuth ``USER_AUTH`` (with the same
``USERNAME``) with no second code, once, within the app client's session validity.
Choices where Cognito's behaviour is not documented: ConfirmSignUp answers a session
whether or not SignUp's was passed to it (a session passed is not checked), and for every
app client (only a client allowing ``USER_AUTH`` can use it).
"""

from __future__ import annotations

from typing import Any

from ._core import (
    ServiceCore,
    attr_dict,
    fail,
    missing,
    operation,
)

__all__ = ["SignUp"]


class SignUp(ServiceCore):
    """``SignUp``, ``ConfirmSignUp`` and ``ResendConfirmationCode``."""

    @operation("SignUp")
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
            raise fail("NotAuthorizedException", "SignUp is not permitted for this user pool")
        passwordless = any(f != "PASSWORD" for f in pool.first_factors)
        if Password is None and not passwordless:
            raise missing("Password")
        if Password is not None:
            self._check_policy(pool, Password, "Password did not conform with policy: ")
        user = self._new_user(pool, Username, attr_dict(UserAttributes), "UNCONFIRMED")
        if Password is not None:
            user.set_password(pool.suffix, Password, temporary=False, now=self.clock())
        session = self._new_session(pool, client, user.username, "SIGN_UP")
        out: dict[str, Any] = {
            "UserConfirmed": False,
            "UserSub": user.sub,
            "Session": session.session_id,
        }
        attribute = self._verification_attribute(pool, user)
        if attribute:
            out["CodeDeliveryDetails"] = self._issue_code(
                pool, user, "SIGN_UP", attribute, 24 * 3600
            )
        return out

    @operation("ConfirmSignUp")
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
            if client.prevent_user_existence_errors == "ENABLED":  # no hint the user is unknown
                raise fail(
                    "CodeMismatchException", "Invalid verification code provided, please try again."
                )
            raise fail("UserNotFoundException", "Username/client id combination not found.")
        if user.status != "UNCONFIRMED":
            raise fail(
                "NotAuthorizedException",
                f"User cannot be confirmed. Current status is {user.status}",
            )
        pending = self._take_code(
            user, "SIGN_UP", ConfirmationCode, self.settings.confirm_sign_up_attempts_per_hour
        )
        user.status = "CONFIRMED"
        if pending.destination_attribute:
            user.attributes[f"{pending.destination_attribute}_verified"] = "true"
        session = self._new_session(pool, client, user.username, "SIGN_IN_AFTER_SIGN_UP")
        return {"Session": session.session_id}

    @operation("ResendConfirmationCode")
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
            raise fail("UserNotFoundException", "Username/client id combination not found.")
        if user.status != "UNCONFIRMED":
            raise fail("InvalidParameterException", "User is already confirmed.")
        attribute = self._verification_attribute(pool, user)
        if not attribute:
            raise fail(
                "InvalidParameterException",
                "Auto verification not turned on for the user pool.",
            )
        self._spend_attempt(user, "code request", self.settings.code_requests_per_hour)
        return {
            "CodeDeliveryDetails": self._issue_code(pool, user, "SIGN_UP", attribute, 24 * 3600)
        }
