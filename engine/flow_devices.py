"""The remembered-device methods of :class:`~cognitoflow.engine.SignInFlow`.

Their decisions are in :mod:`.devices`; this class only runs them on the flow.
"""

from __future__ import annotations

from . import devices
from .driver import FlowDriver
from .outputs import AuthDevice

__all__ = ["DeviceMethods"]


class DeviceMethods(FlowDriver):
    """Remember, forget and list the signed-in user's devices (``device``: this flow's)."""

    def remember_device(self) -> None:
        """Mark this flow's device remembered (UpdateDeviceStatus), so that it stands in
        for MFA on later sign-ins where the pool allows it. Needed in a pool that
        remembers devices only when the user asks (``DeviceOnlyRememberedOnUserPrompt``).

        Raises:
            InvalidStateError: nobody is signed in, or the flow holds no device.
        """
        return self._run(devices.remember(self.tokens, self.device))

    def forget_device(self, device_key: str | None = None) -> None:
        """Forget this flow's device at Cognito (ForgetDevice); ``device`` is then None,
        and the next sign-in is a new device's. ``device_key`` forgets another of the
        user's devices instead.

        Raises:
            InvalidStateError: nobody is signed in, or the flow holds no device.
        """
        return self._run(devices.forget(self.tokens, self.device, device_key))

    def fetch_devices(self) -> list[AuthDevice]:
        """The signed-in user's remembered devices (ListDevices): key, name, attributes,
        and when each was created, changed and last signed in with.

        Raises:
            InvalidStateError: nobody is signed in.
        """
        return self._run(devices.fetch(self.tokens))
