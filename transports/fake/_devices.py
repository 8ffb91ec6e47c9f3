"""Device management: ConfirmDevice, UpdateDeviceStatus, ListDevices, GetDevice,
ForgetDevice, and the Admin variants.

As observed on a real opt-in pool: a confirmed device that is not remembered is hidden
from ListDevices and GetDevice (``Device does not exist.``) but shown by the Admin
variants. Choices where Cognito's behaviour is not documented: confirming a device twice
is ``DeviceKeyExistsException: Device already exists.``; forgetting a device revokes the
refresh tokens bound to it; the pagination token is the Base64 of an offset.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from ._core import ServiceCore, fail, missing, operation
from ._device_auth import DEVICE_MISSING
from ._model import Device, User, UserPool
from ._support import PAGE_SIZE

__all__ = ["DeviceOperations"]


class DeviceOperations(ServiceCore):
    """The device operations, with the user's access token or as an administrator."""

    @operation("ConfirmDevice")
    def confirm_device(
        self,
        *,
        AccessToken: str,
        DeviceKey: str,
        DeviceSecretVerifierConfig: dict[str, str] | None = None,
        DeviceName: str | None = None,
    ) -> dict[str, Any]:
        pool, user = self._access(AccessToken)
        device = user.devices.get(DeviceKey)
        if device is None:
            raise fail("ResourceNotFoundException", DEVICE_MISSING)
        if device.confirmed:
            raise fail("DeviceKeyExistsException", "Device already exists.")
        config = DeviceSecretVerifierConfig or {}
        if not config.get("PasswordVerifier") or not config.get("Salt"):
            raise fail("InvalidParameterException", "Invalid device key given.")
        device.salt = _positive(config["Salt"], "salt")
        device.verifier = _positive(config["PasswordVerifier"], "password verifier")
        device.confirmed = True
        opt_in = bool((pool.device_configuration or {}).get("DeviceOnlyRememberedOnUserPrompt"))
        device.remembered = not opt_in
        device.name = DeviceName
        device.last_modified = self.clock()
        return {"UserConfirmationNecessary": opt_in}

    @operation("UpdateDeviceStatus")
    def update_device_status(
        self, *, AccessToken: str, DeviceKey: str, DeviceRememberedStatus: str | None = None
    ) -> dict[str, Any]:
        _, user = self._access(AccessToken)
        self._set_status(user, DeviceKey, DeviceRememberedStatus)
        return {}

    @operation("AdminUpdateDeviceStatus")
    def admin_update_device_status(
        self,
        *,
        UserPoolId: str,
        Username: str,
        DeviceKey: str,
        DeviceRememberedStatus: str | None = None,
    ) -> dict[str, Any]:
        _, user = self._owner(UserPoolId, Username)
        self._set_status(user, DeviceKey, DeviceRememberedStatus)
        return {}

    @operation("ListDevices")
    def list_devices(
        self, *, AccessToken: str, Limit: int | None = None, PaginationToken: str | None = None
    ) -> dict[str, Any]:
        pool, user = self._access(AccessToken)
        shown = [d for d in user.devices.values() if d.confirmed and d.remembered]
        return self._page(pool, user, shown, Limit, PaginationToken)

    @operation("AdminListDevices")
    def admin_list_devices(
        self,
        *,
        UserPoolId: str,
        Username: str,
        Limit: int | None = None,
        PaginationToken: str | None = None,
    ) -> dict[str, Any]:
        pool, user = self._owner(UserPoolId, Username)
        shown = [d for d in user.devices.values() if d.confirmed]
        return self._page(pool, user, shown, Limit, PaginationToken)

    @operation("GetDevice")
    def get_device(self, *, DeviceKey: str, AccessToken: str) -> dict[str, Any]:
        pool, user = self._access(AccessToken)
        device = self._device(user, DeviceKey)
        if not device.remembered:
            raise fail("ResourceNotFoundException", DEVICE_MISSING)
        return {"Device": self._describe(pool, user, device)}

    @operation("AdminGetDevice")
    def admin_get_device(self, *, DeviceKey: str, UserPoolId: str, Username: str) -> dict[str, Any]:
        pool, user = self._owner(UserPoolId, Username)
        return {"Device": self._describe(pool, user, self._device(user, DeviceKey))}

    @operation("ForgetDevice")
    def forget_device(self, *, DeviceKey: str, AccessToken: str | None = None) -> dict[str, Any]:
        if not AccessToken:
            raise missing("AccessToken")
        pool, user = self._access(AccessToken)
        self._forget(pool, user, DeviceKey)
        return {}

    @operation("AdminForgetDevice")
    def admin_forget_device(
        self, *, UserPoolId: str, Username: str, DeviceKey: str
    ) -> dict[str, Any]:
        pool, user = self._owner(UserPoolId, Username)
        self._forget(pool, user, DeviceKey)
        return {}

    # -- shared ------------------------------------------------------------------------

    def _owner(self, pool_id: str, username: str) -> tuple[UserPool, User]:
        pool = self._pool(pool_id)
        return pool, self._admin_user(pool, username)

    @staticmethod
    def _device(user: User, key: str) -> Device:
        device = user.devices.get(key)
        if device is None or not device.confirmed:
            raise fail("ResourceNotFoundException", DEVICE_MISSING)
        return device

    def _set_status(self, user: User, key: str, status: str | None) -> None:
        if status not in ("remembered", "not_remembered"):
            raise fail(
                "InvalidParameterException",
                "DeviceRememberedStatus must be remembered or not_remembered.",
            )
        device = self._device(user, key)
        device.remembered = status == "remembered"
        device.last_modified = self.clock()

    def _forget(self, pool: UserPool, user: User, key: str) -> None:
        self._device(user, key)
        del user.devices[key]
        for grant in self._refresh.values():
            if grant.pool_id == pool.pool_id and grant.device_key == key:
                grant.revoked = True

    def _describe(self, pool: UserPool, user: User, device: Device) -> dict[str, Any]:
        return device.describe(pool.pool_id, user.username, pool.pool_id.split("_", 1)[0])

    def _page(
        self,
        pool: UserPool,
        user: User,
        devices: list[Device],
        limit: int | None,
        token: str | None,
    ) -> dict[str, Any]:
        size = limit or PAGE_SIZE
        if not 0 < size <= PAGE_SIZE:
            raise fail("InvalidParameterException", "Limit must be between 0 and 60.")
        start = 0
        if token:
            try:
                start = int(base64.b64decode(token, validate=True).decode())
            except (binascii.Error, ValueError, UnicodeDecodeError):
                raise fail("InvalidParameterException", "Invalid pagination token.") from None
        devices = sorted(devices, key=lambda d: d.created)
        page: dict[str, Any] = {
            "Devices": [self._describe(pool, user, d) for d in devices[start : start + size]]
        }
        if start + size < len(devices):
            page["PaginationToken"] = base64.b64encode(str(start + size).encode()).decode()
        return page


def _positive(value: str, name: str) -> int:
    """A verifier or salt: Base64 of big-endian bytes, never negative read as Java does."""
    try:
        raw = base64.b64decode(value, validate=True)
    except binascii.Error:
        raise fail("InvalidParameterException", f"The {name} is not Base64.") from None
    if not raw or raw[0] & 0x80:
        raise fail(
            "InvalidParameterException",
            f"The {name} is a negative value: send it with a leading zero byte.",
        )
    return int.from_bytes(raw, "big")
