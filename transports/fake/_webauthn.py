"""Passkeys (WebAuthn): registering, listing and deleting them with an access token, and
checking them at sign-in: the options a ceremony starts from, the assertion it returns,
the relying party and origins a passkey must match. py_webauthn does the cryptography."""

from __future__ import annotations

import json
from typing import Any

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from ._core import (
    INCORRECT,
    ServiceCore,
    b64url_bytes,
    bytes_b64url,
    fail,
    operation,
)
from ._model import (
    Passkey,
    User,
    UserPool,
)

__all__ = ["Passkeys"]


class Passkeys(ServiceCore):
    """Passkey registration operations, and the passkey checks of a sign-in."""

    @operation("StartWebAuthnRegistration")
    def start_web_authn_registration(self, *, AccessToken: str) -> dict[str, Any]:
        pool, user = self._access(AccessToken)
        rp_id = self._relying_party(pool)
        verification = str((pool.webauthn or {}).get("UserVerification", "preferred"))
        options = generate_registration_options(
            rp_id=rp_id,
            rp_name=rp_id,
            user_name=user.username,
            user_id=user.sub.encode(),
            user_display_name=user.attributes.get("email", user.username),
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.REQUIRED,
                require_resident_key=True,
                user_verification=UserVerificationRequirement(verification),
            ),
            exclude_credentials=[
                PublicKeyCredentialDescriptor(id=p.credential_id) for p in user.passkeys
            ],
        )
        user.passkey_challenge = (options.challenge, self.clock() + 300)
        return {"CredentialCreationOptions": json.loads(options_to_json(options))}

    @operation("CompleteWebAuthnRegistration")
    def complete_web_authn_registration(
        self, *, AccessToken: str, Credential: dict[str, Any]
    ) -> dict[str, Any]:
        pool, user = self._access(AccessToken)
        rp_id = self._relying_party(pool)
        pending, user.passkey_challenge = user.passkey_challenge, None
        if pending is None or self.clock() > pending[1]:
            raise fail(
                "WebAuthnChallengeNotFoundException",
                "No registration in progress: call StartWebAuthnRegistration first.",
            )
        try:
            verified = verify_registration_response(
                credential=Credential,
                expected_challenge=pending[0],
                expected_rp_id=rp_id,
                expected_origin=self._origins(pool, Credential),
                require_user_verification=(pool.webauthn or {}).get("UserVerification")
                == "required",
            )
        except WebAuthnException as error:
            text = str(error)
            if "origin" in text.lower():
                raise fail("WebAuthnOriginNotAllowedException", text) from None
            if "RP ID" in text:
                raise fail("WebAuthnRelyingPartyMismatchException", text) from None
            raise fail("WebAuthnCredentialNotSupportedException", text) from None
        except (ValueError, KeyError, TypeError):
            raise fail("InvalidParameterException", "The credential is not valid JSON.") from None
        response = Credential.get("response") or {}
        user.passkeys.append(
            Passkey(
                credential_id=verified.credential_id,
                public_key=verified.credential_public_key,
                sign_count=verified.sign_count,
                relying_party_id=rp_id,
                created=self.clock(),
                name=f"Passkey {len(user.passkeys) + 1}",
                transports=list(response.get("transports") or []),
                attachment=Credential.get("authenticatorAttachment"),
            )
        )
        return {}

    @operation("ListWebAuthnCredentials")
    def list_web_authn_credentials(
        self, *, AccessToken: str, NextToken: str | None = None, MaxResults: int = 20
    ) -> dict[str, Any]:
        _, user = self._access(AccessToken)
        start = int(NextToken or 0)
        page = user.passkeys[start : start + MaxResults]
        out: dict[str, Any] = {
            "Credentials": [
                {
                    "CredentialId": bytes_b64url(p.credential_id),
                    "FriendlyCredentialName": p.name,
                    "RelyingPartyId": p.relying_party_id,
                    "AuthenticatorAttachment": p.attachment,
                    "AuthenticatorTransports": list(p.transports),
                    "CreatedAt": p.created,
                }
                for p in page
            ]
        }
        if start + MaxResults < len(user.passkeys):
            out["NextToken"] = str(start + MaxResults)
        return out

    @operation("DeleteWebAuthnCredential")
    def delete_web_authn_credential(self, *, AccessToken: str, CredentialId: str) -> dict[str, Any]:
        _, user = self._access(AccessToken)
        for passkey in user.passkeys:
            if bytes_b64url(passkey.credential_id) == CredentialId:
                user.passkeys.remove(passkey)
                return {}
        raise fail("ResourceNotFoundException", "The credential does not exist.")

    def _relying_party(self, pool: UserPool) -> str:
        rp_id = (pool.webauthn or {}).get("RelyingPartyId")
        if not rp_id:
            raise fail(
                "WebAuthnConfigurationMissingException",
                "The user pool has no WebAuthn relying party configured.",
            )
        return str(rp_id)

    def _origins(self, pool: UserPool, credential: dict[str, Any]) -> list[str]:
        """The origins a passkey response may come from: the RP id (or a subdomain) on https."""
        rp_id = self._relying_party(pool)
        allowed = [f"https://{rp_id}", *self.settings.webauthn_origins]
        try:
            client_data = json.loads(b64url_bytes(credential["response"]["clientDataJSON"]))
            origin = str(client_data.get("origin", ""))
        except (ValueError, KeyError, TypeError):
            return allowed
        if origin.startswith("https://") and origin[len("https://") :].endswith("." + rp_id):
            allowed.append(origin)
        return allowed

    def _authentication_options(self, pool: UserPool, user: User) -> tuple[str, bytes]:
        """The credential request options of a passkey sign-in (JSON), and its challenge."""
        options = generate_authentication_options(
            rp_id=self._relying_party(pool),
            allow_credentials=[
                PublicKeyCredentialDescriptor(id=p.credential_id) for p in user.passkeys
            ],
            user_verification=UserVerificationRequirement(
                str((pool.webauthn or {}).get("UserVerification", "preferred"))
            ),
        )
        return options_to_json(options), options.challenge

    def _check_assertion(self, pool: UserPool, user: User, raw: str, challenge: bytes) -> None:
        """The credential a passkey ceremony returned, checked against ``user``'s passkeys:
        anything wrong is Cognito's ``Incorrect username or password``."""
        try:
            credential = json.loads(raw)
            passkey = next(
                p for p in user.passkeys if p.credential_id == b64url_bytes(credential["rawId"])
            )
            verified = verify_authentication_response(
                credential=credential,
                expected_challenge=challenge,
                expected_rp_id=passkey.relying_party_id,
                expected_origin=self._origins(pool, credential),
                credential_public_key=passkey.public_key,
                credential_current_sign_count=passkey.sign_count,
                require_user_verification=(pool.webauthn or {}).get("UserVerification")
                == "required",
            )
        except (ValueError, KeyError, TypeError, StopIteration, WebAuthnException):
            raise fail("NotAuthorizedException", INCORRECT) from None
        passkey.sign_count = verified.new_sign_count
