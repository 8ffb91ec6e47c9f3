"""Users as an administrator manages them (``Admin*``), and ``GetUser``."""

from __future__ import annotations

from typing import Any

from ._core import (
    ServiceCore,
    attr_dict,
    attr_list,
    fail,
    operation,
)
from ._schema import check_attributes

__all__ = ["Users"]


class Users(ServiceCore):
    """Users as an administrator manages them (``Admin*``), and ``GetUser``."""

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

    @operation("AdminCreateUser")
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
        attributes = attr_dict(UserAttributes)
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

    @operation("AdminGetUser")
    def admin_get_user(self, *, UserPoolId: str, Username: str) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        user = self._admin_user(pool, Username)
        out = {
            "Username": user.username,
            "UserAttributes": attr_list(user.attributes),
            "UserCreateDate": user.created,
            "UserLastModifiedDate": user.created,
            "Enabled": user.enabled,
            "UserStatus": user.status,
        }
        out.update(user.mfa_view())
        return out

    @operation("AdminSetUserPassword")
    def admin_set_user_password(
        self, *, UserPoolId: str, Username: str, Password: str, Permanent: bool = False
    ) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        user = self._admin_user(pool, Username)
        self._check_policy(pool, Password, "Password does not conform to policy: ")
        user.set_password(pool.suffix, Password, temporary=not Permanent, now=self.clock())
        user.status = "CONFIRMED" if Permanent else "FORCE_CHANGE_PASSWORD"
        return {}

    @operation("AdminConfirmSignUp")
    def admin_confirm_sign_up(
        self, *, UserPoolId: str, Username: str, ClientMetadata: dict[str, str] | None = None
    ) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        user = self._admin_user(pool, Username)
        if user.status != "UNCONFIRMED":
            raise fail(
                "NotAuthorizedException",
                f"User cannot be confirmed. Current status is {user.status}",
            )
        user.status = "CONFIRMED"
        return {}

    @operation("AdminResetUserPassword")
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

    @operation("AdminDisableUser")
    def admin_disable_user(self, *, UserPoolId: str, Username: str) -> dict[str, Any]:
        self._admin_user(self._pool(UserPoolId), Username).enabled = False
        return {}

    @operation("AdminEnableUser")
    def admin_enable_user(self, *, UserPoolId: str, Username: str) -> dict[str, Any]:
        self._admin_user(self._pool(UserPoolId), Username).enabled = True
        return {}

    @operation("AdminDeleteUser")
    def admin_delete_user(self, *, UserPoolId: str, Username: str) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        user = self._admin_user(pool, Username)
        del pool.users[pool.key(user.username)]
        return {}

    @operation("AdminUpdateUserAttributes")
    def admin_update_user_attributes(
        self,
        *,
        UserPoolId: str,
        Username: str,
        UserAttributes: list[dict[str, str]],
        ClientMetadata: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        user = self._admin_user(pool, Username)
        given = attr_dict(UserAttributes)
        check_attributes(pool, given, creating=False)
        for name in ("email", "phone_number"):
            changed = name in given and given[name] != user.attributes.get(name)
            if changed and f"{name}_verified" not in given:
                # A new address is unverified unless the administrator says otherwise; a
                # pool that verifies it sends the code.
                given[f"{name}_verified"] = "false"
        user.attributes.update(given)
        for name in ("email", "phone_number"):
            unverified = user.attributes.get(f"{name}_verified") == "false"
            if name in given and unverified and name in pool.auto_verified_attributes:
                self._issue_code(pool, user, f"VERIFY_{name}", name, 24 * 3600)
        return {}

    @operation("GetUser")
    def get_user(self, *, AccessToken: str) -> dict[str, Any]:
        _, user = self._access(AccessToken)
        out: dict[str, Any] = {
            "Username": user.username,
            "UserAttributes": attr_list(user.attributes),
        }
        out.update(user.mfa_view())
        return out
