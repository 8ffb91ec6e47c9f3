"""Remembered devices, decided as plans: a new device confirmed, the device challenge
answered, and the device operations of a signed-in user.

- A sign-in that ends with ``NewDeviceMetadata`` is followed by ConfirmDevice with a
  device password made here (40 random bytes), a salt and the SRP verifier of the device
  group; the flow then keeps the :class:`DeviceSecrets`. A failed ConfirmDevice costs the
  sign-in nothing (as in Amplify): the flow just holds no device.
- ``DEVICE_SRP_AUTH`` is answered wherever Cognito asks it, with the flow's device: SRP
  with the device group key for the pool name, the device key for the user and the
  device password, then ``DEVICE_PASSWORD_VERIFIER`` with the proof.
- A device Cognito no longer knows (``Device does not exist.``) ends in
  :class:`DeviceForgotten`, and the sign-in is tried once more without it.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Mapping
from typing import Any

from cognitoflow.transports.base import AuthChallengeResponse
from cognitoflow.transports.sensitive import conceal

from . import srp
from .context import FlowContext
from .errors import InvalidStateError, UnexpectedChallengeError
from .logs import log
from .outputs import AuthDevice, AuthTokens, DeviceSecrets
from .plan import (
    Call,
    Compute,
    KeepDevice,
    Plan,
    Refused,
    Scope,
    any_failure,
    device_forgotten,
)
from .requests import AppClient

__all__ = [
    "DeviceForgotten",
    "answer_device_challenge",
    "confirm_new_device",
    "fetch",
    "forget",
    "new_device",
    "remember",
]


class DeviceForgotten(Exception):
    """Inside plans only: Cognito no longer knows the device this sign-in presented."""


def _b64_of_hex(value: int) -> str:
    """Base64 of the padded big-endian bytes (``pad_hex``), as Cognito reads a verifier."""
    return base64.b64encode(bytes.fromhex(srp.pad_hex(value))).decode()


def new_device(device_key: str, group_key: str) -> tuple[DeviceSecrets, dict[str, str]]:
    """Secrets for a new device, and the ``DeviceSecretVerifierConfig`` ConfirmDevice takes."""
    password = conceal(base64.b64encode(secrets.token_bytes(40)).decode())
    salt = int.from_bytes(secrets.token_bytes(16), "big")
    verifier = srp.compute_verifier(group_key, device_key, password, salt)
    config = {"Salt": _b64_of_hex(salt), "PasswordVerifier": _b64_of_hex(verifier)}
    return DeviceSecrets(device_key, group_key, password), config


def confirm_new_device(tokens: AuthTokens, name: str | None) -> Plan[DeviceSecrets | None]:
    """ConfirmDevice for the device a sign-in's tokens came with; its secrets, or None."""
    if not (tokens.device_key and tokens.device_group_key):
        return None
    made: tuple[DeviceSecrets, dict[str, str]]
    made = yield Compute(new_device, (tokens.device_key, tokens.device_group_key))
    device, config = made
    request: dict[str, Any] = {
        "AccessToken": conceal(tokens.access_token),
        "DeviceKey": device.device_key,
        "DeviceSecretVerifierConfig": config,
    }
    if name:
        request["DeviceName"] = name
    reply = yield Call(
        "confirm_device", request, Scope.ACCOUNT, FlowContext(), fallback_if=any_failure
    )
    if isinstance(reply, Refused):
        log.debug("cognitoflow.device_not_confirmed", code=reply.code or "unreachable")
        return None
    yield KeepDevice(device)
    return device


def answer_device_challenge(
    client: AppClient,
    reply: AuthChallengeResponse,
    ctx: FlowContext,
    scope: Scope,
    metadata: Mapping[str, str] | None,
    device: DeviceSecrets | None,
) -> Plan[AuthChallengeResponse]:
    """DEVICE_SRP_AUTH, then DEVICE_PASSWORD_VERIFIER, with the flow's device."""
    if device is None:
        raise UnexpectedChallengeError(
            "Cognito asked for the remembered device's proof, but this flow holds no device.",
            "Create the flow with device=... (the DeviceSecrets kept from an earlier sign-in), "
            "or sign in again.",
        )
    params = reply.get("ChallengeParameters") or {}
    username = params.get("USERNAME") or ctx.username
    exchange = yield Compute(srp.SrpClient, (device.device_group_key,))
    answers = {"USERNAME": username, "DEVICE_KEY": device.device_key, "SRP_A": exchange.srp_a}
    request = client.respond("DEVICE_SRP_AUTH", answers, username, reply.get("Session"), metadata)
    reply = yield Call(client.respond_operation, request, scope, ctx, fallback_if=device_forgotten)
    if isinstance(reply, Refused):
        raise DeviceForgotten
    if reply.get("ChallengeName") != "DEVICE_PASSWORD_VERIFIER":
        return reply
    params = dict(reply.get("ChallengeParameters") or {})
    for name in ("SALT", "SRP_B", "SECRET_BLOCK"):
        if not params.get(name):
            raise UnexpectedChallengeError(
                f"{name} was not found in the DEVICE_PASSWORD_VERIFIER challenge.",
                "Sign in again.",
            )
    username = params.get("USERNAME") or username
    proof = yield Compute(exchange.proof, (device.device_key, device.device_password, params))
    answers = {"USERNAME": username, "DEVICE_KEY": device.device_key, **proof}
    request = client.respond(
        "DEVICE_PASSWORD_VERIFIER", answers, username, reply.get("Session"), metadata
    )
    answered = yield Call(
        client.respond_operation, request, scope, ctx, fallback_if=device_forgotten
    )
    if isinstance(answered, Refused):
        raise DeviceForgotten
    result: AuthChallengeResponse = answered
    return result


# -- a signed-in user's devices ------------------------------------------------------


def _signed_in(tokens: AuthTokens | None) -> AuthTokens:
    if tokens is None:
        raise InvalidStateError("No user is signed in.", "Call sign_in first.")
    return tokens


def _this_device(device: DeviceSecrets | None) -> DeviceSecrets:
    if device is None:
        raise InvalidStateError(
            "This flow holds no device: the pool tracks none, or it was forgotten.",
            "Turn device tracking on for the pool (DeviceConfiguration), then sign in again.",
        )
    return device


def remember(tokens: AuthTokens | None, device: DeviceSecrets | None) -> Plan[None]:
    """UpdateDeviceStatus ``remembered`` for the flow's device."""
    request = {
        "AccessToken": conceal(_signed_in(tokens).access_token),
        "DeviceKey": _this_device(device).device_key,
        "DeviceRememberedStatus": "remembered",
    }
    yield Call("update_device_status", request, Scope.ACCOUNT, FlowContext())


def forget(
    tokens: AuthTokens | None, device: DeviceSecrets | None, device_key: str | None
) -> Plan[None]:
    """ForgetDevice: the flow's own device (then it holds none), or another of the user's."""
    key = device_key or _this_device(device).device_key
    request = {"AccessToken": conceal(_signed_in(tokens).access_token), "DeviceKey": key}
    yield Call("forget_device", request, Scope.ACCOUNT, FlowContext())
    if device is not None and key == device.device_key:
        yield KeepDevice(None)


def fetch(tokens: AuthTokens | None) -> Plan[list[AuthDevice]]:
    """ListDevices, every page: the user's remembered devices."""
    access = conceal(_signed_in(tokens).access_token)
    found: list[AuthDevice] = []
    token: str | None = None
    while True:
        request: dict[str, Any] = {"AccessToken": access, "Limit": 60}
        if token:
            request["PaginationToken"] = token
        reply = yield Call("list_devices", request, Scope.ACCOUNT, FlowContext())
        for item in reply.get("Devices") or []:
            attributes = {a["Name"]: a.get("Value", "") for a in item.get("DeviceAttributes", [])}
            found.append(
                AuthDevice(
                    device_key=item["DeviceKey"],
                    name=attributes.get("device_name") or None,
                    attributes=attributes,
                    created=_seconds(item.get("DeviceCreateDate")),
                    last_modified=_seconds(item.get("DeviceLastModifiedDate")),
                    last_authenticated=_seconds(item.get("DeviceLastAuthenticatedDate")),
                )
            )
        token = reply.get("PaginationToken")
        if not token:
            return found


def _seconds(value: Any) -> float | None:
    """A date of Cognito's, as epoch seconds (boto3 gives datetimes; the fake, numbers)."""
    if value is None:
        return None
    timestamp = getattr(value, "timestamp", None)
    return float(timestamp()) if callable(timestamp) else float(value)
