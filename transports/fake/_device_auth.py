"""Remembered devices inside a sign-in: the device presented, device SRP, new devices.

A sign-in presents a device by sending ``DEVICE_KEY`` (in InitiateAuth's parameters or
with the password step). In a pool that tracks devices (``DeviceConfiguration`` set):

- the key is checked once the first factor is verified: a key the user does not have is
  ``ResourceNotFoundException: Device does not exist.`` (a correct password first, so
  this is no oracle);
- a confirmed, remembered device answers ``DEVICE_SRP_AUTH`` then
  ``DEVICE_PASSWORD_VERIFIER`` (SRP with the device group key for the pool name, the
  device key for the user and the device password, checked for real);
- with ``ChallengeRequiredOnNewDevice`` the proven device stands in for MFA: tokens
  follow. Without it MFA follows as usual (a choice: Cognito's documentation leaves the
  order open);
- a sign-in with no device gets ``NewDeviceMetadata`` with its tokens: a new device,
  pending until ConfirmDevice gives its verifier;
- the tokens are bound to the device: the access token carries ``device_key``, and a
  refresh must name it.

A not-remembered device presented is known but answers no challenge: MFA as usual.
"""

from __future__ import annotations

import base64
import secrets
import string
import uuid
from typing import Any

from cognitoflow.engine import srp

from ._core import INCORRECT, SESSION_INVALID, fail, missing, presented_device, random_id, same_text
from ._issuing import TokenIssuing
from ._model import AppClient, AuthSession, Device, User, UserPool

__all__ = ["DeviceChallenges"]

DEVICE_MISSING = "Device does not exist."


class DeviceChallenges(TokenIssuing):
    """The device a sign-in presents, its SRP challenge, and the device tokens go to."""

    def _presented(self, pool: UserPool, user: User) -> Device | None:
        """The device the request presented, checked (None: none, or no tracking)."""
        key = presented_device()
        if key is None or pool.device_configuration is None:
            return None
        device = user.devices.get(key)
        if device is None or not device.confirmed:
            raise fail("ResourceNotFoundException", DEVICE_MISSING)
        return device

    def _device_challenge(
        self, pool: UserPool, client: AppClient, user: User
    ) -> dict[str, Any] | None:
        """DEVICE_SRP_AUTH, when the presented device is remembered; else None."""
        device = self._presented(pool, user)
        if device is None or not device.remembered:
            return None
        session = self._new_session(pool, client, user.username, "DEVICE_SRP_AUTH")
        return {
            "ChallengeName": "DEVICE_SRP_AUTH",
            "Session": session.session_id,
            "ChallengeParameters": {"USERNAME": user.username},
        }

    def _answer_device_srp(
        self,
        pool: UserPool,
        client: AppClient,
        user: User,
        session: AuthSession,
        answers: dict[str, str],
    ) -> dict[str, Any]:
        device = self._device_of(user, session, answers)
        if "SRP_A" not in answers:
            raise missing("SRP_A")
        try:
            big_a = int(answers["SRP_A"], 16)
        except ValueError:
            raise fail("NotAuthorizedException", INCORRECT) from None
        if big_a <= 0 or big_a % srp.N == 0:
            raise fail("NotAuthorizedException", INCORRECT)
        session.used = True
        b = srp.new_server_secret()
        big_b = srp.compute_server_b(device.verifier, b)
        block = base64.b64encode(secrets.token_bytes(96)).decode()
        verifier = self._new_session(
            pool,
            client,
            user.username,
            "DEVICE_PASSWORD_VERIFIER",
            device_key=device.key,
            device_srp=(big_a, b, big_b, block),
        )
        return {
            "ChallengeName": "DEVICE_PASSWORD_VERIFIER",
            "Session": verifier.session_id,
            "ChallengeParameters": {
                "SRP_B": format(big_b, "x"),
                "SALT": srp.pad_hex(device.salt),
                "SECRET_BLOCK": block,
                "USERNAME": user.username,
                "DEVICE_KEY": device.key,
            },
        }

    def _answer_device_verifier(
        self,
        pool: UserPool,
        client: AppClient,
        user: User,
        session: AuthSession,
        answers: dict[str, str],
    ) -> dict[str, Any]:
        device = self._device_of(user, session, answers)
        for name in ("PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP"):
            if name not in answers:
                raise missing(name)
        assert session.device_srp is not None
        big_a, b, big_b, block = session.device_srp
        if answers["PASSWORD_CLAIM_SECRET_BLOCK"] != block:
            raise fail("NotAuthorizedException", SESSION_INVALID)
        self._check_timestamp(answers["TIMESTAMP"])
        session.used = True
        key = srp.server_session_key(big_a, big_b, b, device.verifier)
        expected = srp.password_claim_signature(
            key, device.group_key, device.key, block, answers["TIMESTAMP"]
        )
        if not same_text(expected, answers["PASSWORD_CLAIM_SIGNATURE"]):
            raise fail("NotAuthorizedException", INCORRECT)
        device.last_authenticated = self.clock()
        assert pool.device_configuration is not None
        if pool.device_configuration["ChallengeRequiredOnNewDevice"]:
            return self._done(pool, client, user)
        return self._mfa_or_tokens(pool, client, user, device_proven=True)

    def _device_of(self, user: User, session: AuthSession, answers: dict[str, str]) -> Device:
        key = answers.get("DEVICE_KEY")
        if not key:
            raise missing("DEVICE_KEY")
        device = user.devices.get(key)
        if key != session.device_key or device is None or not device.confirmed:
            raise fail("ResourceNotFoundException", DEVICE_MISSING)
        return device

    def _done(self, pool: UserPool, client: AppClient, user: User) -> dict[str, Any]:
        """Tokens, bound to the device presented, or to a new device (NewDeviceMetadata)."""
        device = self._presented(pool, user)
        new = None
        if device is None and pool.device_configuration is not None:
            now = self.clock()
            region = pool.pool_id.split("_", 1)[0]
            new = Device(
                key=f"{region}_{uuid.uuid4()}",
                group_key="-" + random_id(8, string.ascii_letters + string.digits),
                created=now,
            )
            user.devices[new.key] = new
        bound = device or new
        result = self._tokens(
            pool, client, user, refresh=True, device_key=bound.key if bound else None
        )
        if new is not None:
            result["NewDeviceMetadata"] = {"DeviceKey": new.key, "DeviceGroupKey": new.group_key}
        return {"AuthenticationResult": result, "ChallengeParameters": {}}

    # Defined by the families below this one.
    def _mfa_or_tokens(
        self, pool: UserPool, client: AppClient, user: User, *, device_proven: bool = False
    ) -> dict[str, Any]:
        raise NotImplementedError

    def _check_timestamp(self, stamp: str) -> None:
        raise NotImplementedError
