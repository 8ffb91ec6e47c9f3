"""Forgotten passwords: ``ForgotPassword`` sends a code, ``ConfirmForgotPassword`` takes
it with the new password."""

from __future__ import annotations

from typing import Any

from ._core import (
    ServiceCore,
    fail,
    operation,
)

__all__ = ["PasswordReset"]


class PasswordReset(ServiceCore):
    """``ForgotPassword`` and ``ConfirmForgotPassword``."""

    @operation("ForgotPassword")
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
            raise fail("UserNotFoundException", "Username/client id combination not found.")
        if not user.enabled:
            if hide:
                return {"CodeDeliveryDetails": self._simulated_delivery(Username)}
            raise fail("NotAuthorizedException", "User is disabled.")
        if user.status == "FORCE_CHANGE_PASSWORD":
            raise fail(
                "NotAuthorizedException", "User password cannot be reset in the current state."
            )
        attribute = self._recovery_attribute(pool, user)
        if attribute is None:
            if hide:
                return {"CodeDeliveryDetails": self._simulated_delivery(Username)}
            raise fail(
                "InvalidParameterException",
                "Cannot reset password for the user as there is no registered/verified email or "
                "phone_number",
            )
        self._spend_attempt(user, "code request", self.settings.code_requests_per_hour)
        return {
            "CodeDeliveryDetails": self._issue_code(pool, user, "FORGOT_PASSWORD", attribute, 3600)
        }

    @operation("ConfirmForgotPassword")
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
                raise fail(
                    "CodeMismatchException", "Invalid verification code provided, please try again."
                )
            if user is None:
                raise fail("UserNotFoundException", "Username/client id combination not found.")
            raise fail("NotAuthorizedException", "User is disabled.")
        self._check_policy(pool, Password, "Password does not conform to policy: ")
        self._take_code(
            user,
            "FORGOT_PASSWORD",
            ConfirmationCode,
            self.settings.confirm_forgot_password_attempts_per_hour,
        )
        user.set_password(pool.suffix, Password, temporary=False, now=self.clock())
        user.status = "CONFIRMED"
        user.failed_attempts = 0
        return {}
