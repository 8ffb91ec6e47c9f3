"""A passkey authenticator in software: real ES256 keys, real attestations and assertions.

Use it wherever a browser's ``navigator.credentials`` would be: to register a passkey
(:meth:`SoftwareAuthenticator.create`) and, plugged into ``SignInFlow`` as its
``passkey_authenticator``, to answer Cognito's ``WEB_AUTHN`` challenge
(:meth:`SoftwareAuthenticator.__call__`). Its private keys never leave the object.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Mapping
from typing import Any

import attrs
import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

__all__ = ["SoftwareAuthenticator"]

_UP, _UV, _AT = 0x01, 0x04, 0x40


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@attrs.define
class _Credential:
    credential_id: bytes
    rp_id: str
    user_handle: str
    key: ec.EllipticCurvePrivateKey = attrs.field(repr=False)
    sign_count: int = 0


class SoftwareAuthenticator:
    """A platform authenticator in memory.

    Args:
        origin: the web origin the "browser" reports; default ``https://<rp id>``.
        user_verified: whether it claims user verification (a PIN or biometric).
    """

    def __init__(self, origin: str | None = None, *, user_verified: bool = True) -> None:
        self.origin = origin
        self.user_verified = user_verified
        self._credentials: dict[bytes, _Credential] = {}

    def __repr__(self) -> str:
        return f"SoftwareAuthenticator({len(self._credentials)} credentials)"

    @property
    def credential_ids(self) -> list[str]:
        """The base64url ids of the passkeys it holds."""
        return [_b64url(cid) for cid in self._credentials]

    def _flags(self, *extra: int) -> int:
        flags = _UP | (_UV if self.user_verified else 0)
        for flag in extra:
            flags |= flag
        return flags

    def create(self, options: Mapping[str, Any] | str) -> dict[str, Any]:
        """Answer ``CredentialCreationOptions`` with a RegistrationResponseJSON document."""
        opts = json.loads(options) if isinstance(options, str) else dict(options)
        rp_id = str(opts["rp"]["id"])
        key = ec.generate_private_key(ec.SECP256R1())
        numbers = key.public_key().public_numbers()
        cose_key = cbor2.dumps(
            {
                1: 2,
                3: -7,
                -1: 1,
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )
        credential_id = os.urandom(16)
        auth_data = (
            hashlib.sha256(rp_id.encode()).digest()
            + bytes([self._flags(_AT)])
            + (0).to_bytes(4, "big")
            + bytes(16)
            + len(credential_id).to_bytes(2, "big")
            + credential_id
            + cose_key
        )
        client_data = json.dumps(
            {
                "type": "webauthn.create",
                "challenge": opts["challenge"],
                "origin": self.origin or f"https://{rp_id}",
                "crossOrigin": False,
            }
        ).encode()
        self._credentials[credential_id] = _Credential(
            credential_id, rp_id, str(opts["user"]["id"]), key
        )
        return {
            "id": _b64url(credential_id),
            "rawId": _b64url(credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": _b64url(client_data),
                "attestationObject": _b64url(
                    cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
                ),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    def get(self, options: Mapping[str, Any] | str) -> dict[str, Any]:
        """Answer ``PublicKeyCredentialRequestOptions`` with an AuthenticationResponseJSON.

        Raises:
            LookupError: it holds no passkey for that relying party (and allow list).
        """
        opts = json.loads(options) if isinstance(options, str) else dict(options)
        rp_id = str(opts["rpId"])
        allowed = {_unb64url(c["id"]) for c in opts.get("allowCredentials") or []}
        for credential in self._credentials.values():
            if credential.rp_id == rp_id and (not allowed or credential.credential_id in allowed):
                break
        else:
            raise LookupError(f"no passkey for relying party {rp_id}")
        credential.sign_count += 1
        auth_data = (
            hashlib.sha256(rp_id.encode()).digest()
            + bytes([self._flags()])
            + credential.sign_count.to_bytes(4, "big")
        )
        client_data = json.dumps(
            {
                "type": "webauthn.get",
                "challenge": opts["challenge"],
                "origin": self.origin or f"https://{rp_id}",
                "crossOrigin": False,
            }
        ).encode()
        signature = credential.key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return {
            "id": _b64url(credential.credential_id),
            "rawId": _b64url(credential.credential_id),
            "type": "public-key",
            "response": {
                "authenticatorData": _b64url(auth_data),
                "clientDataJSON": _b64url(client_data),
                "signature": _b64url(signature),
                "userHandle": credential.user_handle,
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    def __call__(self, request_options_json: str) -> str:
        """The sign-in hook: the ``CREDENTIAL_REQUEST_OPTIONS`` JSON in, the credential JSON out."""
        return json.dumps(self.get(request_options_json))
