"""What a signed-in user does with their access token: ChangePassword,
UpdateUserAttributes, GetUserAttributeVerificationCode, VerifyUserAttribute,
DeleteUserAttributes, DeleteUser, SetUserSettings; and the administrator's
AdminDeleteUserAttributes and AdminSetUserSettings.

Rules, as Cognito documents them: a new email or phone number is unverified until its
code is confirmed (a code is sent where the pool auto-verifies it); ``*_verified`` and
``sub`` are not the user's to write; ChangePassword checks the old password and the
policy, and wrong old passwords count against 5 an hour; DeleteUser ends every token
of the user. SetUserSettings' legacy ``MFAOptions`` turns SMS MFA on or off.
"""

from __future__ import annotations

from typing import Any

from ._core import INCORRECT, ServiceCore, attr_dict, fail, operation
from ._model import User, UserPool
from ._schema import check_attributes

__all__ = ["SelfService"]

_VERIFIABLE = ("email", "phone_number")


class SelfService(ServiceCore):
    """A user's own account, by access token (and two administrator counterparts)."""

    @operation("ChangePassword")
    def change_password(
        self, *, AccessToken: str, ProposedPassword: str, PreviousPassword: str | None = None
    ) -> dict[str, Any]:
        pool, user = self._access(AccessToken)
        self._within_limit(user, "wrong previous password", 5)
        if not PreviousPassword or not user.check_password(PreviousPassword):
            self._count_attempt(user, "wrong previous password")
            raise fail("NotAuthorizedException", INCORRECT)
        self._check_policy(pool, ProposedPassword, "Password does not conform to policy: ")
        user.set_password(pool.suffix, ProposedPassword, temporary=False, now=self.clock())
        return {}

    @operation("UpdateUserAttributes")
    def update_user_attributes(
        self,
        *,
        UserAttributes: list[dict[str, str]],
        AccessToken: str,
        ClientMetadata: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        pool, user = self._access(AccessToken)
        given = attr_dict(UserAttributes)
        for name in given:
            if name == "sub" or name.endswith("_verified"):
                raise fail(
                    "NotAuthorizedException",
                    f"A client attempted to write unauthorized attribute {name}",
                )
        check_attributes(pool, given, creating=False)
        deliveries = []
        for name, value in given.items():
            changed = user.attributes.get(name) != value
            user.attributes[name] = value
            if name in _VERIFIABLE and changed:
                user.attributes[f"{name}_verified"] = "false"
                if name in pool.auto_verified_attributes:
                    deliveries.append(self._verification_code(pool, user, name))
        return {"CodeDeliveryDetailsList": deliveries}

    @operation("GetUserAttributeVerificationCode")
    def get_user_attribute_verification_code(
        self, *, AccessToken: str, AttributeName: str, ClientMetadata: dict[str, str] | None = None
    ) -> dict[str, Any]:
        pool, user = self._access(AccessToken)
        if AttributeName not in _VERIFIABLE or not user.attributes.get(AttributeName):
            raise fail(
                "InvalidParameterException",
                f"The user has no {AttributeName} to verify.",
            )
        self._spend_attempt(user, "verification code request", 5)
        return {"CodeDeliveryDetails": self._verification_code(pool, user, AttributeName)}

    @operation("VerifyUserAttribute")
    def verify_user_attribute(
        self, *, AccessToken: str, AttributeName: str, Code: str
    ) -> dict[str, Any]:
        _, user = self._access(AccessToken)
        self._take_code(user, f"VERIFY_{AttributeName}", Code, 15)
        user.attributes[f"{AttributeName}_verified"] = "true"
        return {}

    @operation("DeleteUserAttributes")
    def delete_user_attributes(
        self, *, UserAttributeNames: list[str], AccessToken: str
    ) -> dict[str, Any]:
        pool, user = self._access(AccessToken)
        self._delete_attributes(pool, user, UserAttributeNames)
        return {}

    @operation("AdminDeleteUserAttributes")
    def admin_delete_user_attributes(
        self, *, UserPoolId: str, Username: str, UserAttributeNames: list[str]
    ) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        self._delete_attributes(pool, self._admin_user(pool, Username), UserAttributeNames)
        return {}

    @operation("DeleteUser")
    def delete_user(self, *, AccessToken: str) -> dict[str, Any]:
        pool, user = self._access(AccessToken)
        for grant in self._refresh.values():
            if grant.pool_id == pool.pool_id and grant.username == user.username:
                grant.revoked = True
                self._revoked_origins[grant.origin] = self.clock() + 86400
        del pool.users[pool.key(user.username)]
        return {}

    @operation("SetUserSettings")
    def set_user_settings(
        self, *, AccessToken: str, MFAOptions: list[dict[str, str]]
    ) -> dict[str, Any]:
        _, user = self._access(AccessToken)
        _legacy_mfa(user, MFAOptions)
        return {}

    @operation("AdminSetUserSettings")
    def admin_set_user_settings(
        self, *, UserPoolId: str, Username: str, MFAOptions: list[dict[str, str]]
    ) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        _legacy_mfa(self._admin_user(pool, Username), MFAOptions)
        return {}

    # -- shared ------------------------------------------------------------------------

    def _verification_code(self, pool: UserPool, user: User, attribute: str) -> dict[str, str]:
        return self._issue_code(pool, user, f"VERIFY_{attribute}", attribute, 24 * 3600)

    @staticmethod
    def _delete_attributes(pool: UserPool, user: User, names: list[str]) -> None:
        for name in names:
            if name in pool.required_attributes or name == "sub":
                raise fail("InvalidParameterException", f"The attribute {name} cannot be deleted.")
        for name in names:
            user.attributes.pop(name, None)
            if name in _VERIFIABLE:
                user.attributes.pop(f"{name}_verified", None)


def _legacy_mfa(user: User, options: list[dict[str, str]]) -> None:
    """``MFAOptions``: SMS to the phone number on, or (an empty list) off."""
    if any(o.get("DeliveryMedium") == "SMS" for o in options):
        if not user.attributes.get("phone_number"):
            raise fail(
                "InvalidParameterException",
                "User does not have delivery config set to turn on SMS_MFA",
            )
        if "SMS_MFA" not in user.mfa_enabled:
            user.mfa_enabled.insert(0, "SMS_MFA")
    elif "SMS_MFA" in user.mfa_enabled:
        user.mfa_enabled.remove("SMS_MFA")
        if user.preferred_mfa == "SMS_MFA":
            user.preferred_mfa = None
