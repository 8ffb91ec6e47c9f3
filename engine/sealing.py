"""Sealed snapshots: a flow's snapshot encrypted and authenticated, for a cookie.

Sealing uses ``cryptography``'s Fernet (AES-128-CBC with HMAC-SHA256, encrypt-then-MAC)
through ``MultiFernet`` for key rotation: the sealer seals with its first key and opens
with any of them. To rotate, put a new key first and keep the old ones until every
snapshot sealed with them has expired (a sign-in session lasts 15 minutes at most).

::

    sealer = SnapshotSealer([os.environ["SIGNIN_KEY"], os.environ["SIGNIN_OLD_KEY"]])
    cookie = sealer.seal(flow.snapshot())
    ...
    flow = SignInFlow.restore(sealer.unseal(cookie), transport)
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from .errors import InvalidInputError, SealedSnapshotError
from .mapping import reveal
from .outputs import DeviceSecrets
from .snapshot import Snapshot

__all__ = ["SnapshotSealer"]

_TOKEN = re.compile(rb"^[A-Za-z0-9_-]+={0,2}$")
"""A sealed snapshot exactly as sealed: base64 decoders skip what follows the padding."""
_SEAL_HINT = "Start the sign-in again (the page that holds it can be reloaded)."


DEVICE_FORMAT = "cognitoflow-device"
"""The ``format`` of a sealed remembered device."""


class SnapshotSealer:
    """Seals snapshots with the newest key; opens those sealed with any of its keys.

    Args:
        keys: Fernet keys (url-safe base64 of 32 random bytes, from :meth:`generate_key`),
            newest first. Never log them.
        max_age: refuse sealed snapshots older than this many seconds (``None``: no limit
            here; the session's own validity still applies).
    """

    def __init__(self, keys: Sequence[str | bytes], *, max_age: float | None = None) -> None:
        if isinstance(keys, str | bytes) or not keys:
            raise InvalidInputError(
                "keys",
                "SnapshotSealer needs a list of one or more keys, newest first.",
                "Make a key with SnapshotSealer.generate_key() and pass [key].",
            )
        fernets = []
        for index, key in enumerate(keys):
            try:
                fernets.append(Fernet(key))
            except (ValueError, TypeError):
                raise InvalidInputError(
                    "keys",
                    f"Key number {index + 1} is not a Fernet key (url-safe base64, 32 bytes).",
                    "Make keys with SnapshotSealer.generate_key().",
                ) from None
        self._fernet = MultiFernet(fernets)
        self._key_count = len(fernets)
        self.max_age = max_age

    def __repr__(self) -> str:
        return f"SnapshotSealer(keys=<{self._key_count} hidden>, max_age={self.max_age!r})"

    @staticmethod
    def generate_key() -> str:
        """A new random key, as text to keep in a secret store or an environment variable."""
        return Fernet.generate_key().decode("ascii")

    def seal(self, snapshot: Mapping[str, Any]) -> str:
        """The snapshot, compressed, encrypted and authenticated with the newest key.

        The result is url-safe text (letters, digits, ``-``, ``_``, ``=``): a cookie value
        as it is.
        """
        data = json.dumps(snapshot, separators=(",", ":"), sort_keys=True).encode()
        return self._fernet.encrypt(zlib.compress(data, 9)).decode("ascii")

    def unseal(self, sealed: str | bytes) -> Snapshot:
        """The snapshot inside ``sealed``, if one of the keys sealed it and no bit changed.

        Raises:
            SealedSnapshotError: altered, truncated, sealed with another key, too old, or
                not a sealed snapshot at all. The message never quotes the input.
        """
        token = sealed.encode("ascii", "replace") if isinstance(sealed, str) else sealed
        try:
            if not _TOKEN.match(token) or len(token) % 4:
                raise InvalidToken
            if self.max_age is None:
                data = self._fernet.decrypt(token)
            else:
                data = self._fernet.decrypt(token, ttl=int(self.max_age))
        except (InvalidToken, TypeError, ValueError):
            raise SealedSnapshotError(
                "sealed",
                "The sealed snapshot was altered, is too old, or none of the keys opens it.",
                _SEAL_HINT,
            ) from None
        try:
            record = json.loads(zlib.decompress(data))
        except (zlib.error, ValueError):
            raise SealedSnapshotError(
                "sealed", "The sealed data is not a snapshot.", _SEAL_HINT
            ) from None
        if not isinstance(record, dict):
            raise SealedSnapshotError("sealed", "The sealed data is not a snapshot.", _SEAL_HINT)
        return Snapshot(record)

    def seal_device(self, device: DeviceSecrets) -> str:
        """A remembered device's secrets, sealed like a snapshot (for a cookie or a file)."""
        return self.seal(
            {
                "format": DEVICE_FORMAT,
                "device_key": device.device_key,
                "device_group_key": device.device_group_key,
                "device_password": reveal(device.device_password),
            }
        )

    def unseal_device(self, sealed: str | bytes) -> DeviceSecrets:
        """The device :meth:`seal_device` sealed.

        Raises:
            SealedSnapshotError: as :meth:`unseal`, or the sealed data is not a device.
        """
        record = self.unseal(sealed)
        members = ("device_key", "device_group_key", "device_password")
        if record.get("format") != DEVICE_FORMAT or not all(
            isinstance(record.get(name), str) and record.get(name) for name in members
        ):
            raise SealedSnapshotError(
                "sealed", "The sealed data is not a remembered device.", _SEAL_HINT
            )
        return DeviceSecrets(*(str(record[name]) for name in members))
