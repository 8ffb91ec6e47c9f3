"""Signed JWTs for the fake user pool: RS256, one key for ID tokens and one for access tokens."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

__all__ = ["TokenSigner"]


RESERVED_CLAIMS = frozenset(
    {
        "sub", "aud", "iss", "exp", "iat", "jti", "nbf", "auth_time", "token_use",
        "origin_jti", "event_id", "at_hash", "nonce", "identities", "client_id", "scope",
        "username", "cognito:username", "cognito:groups", "cognito:roles",
        "cognito:preferred_role", "device_key",
    }
)  # fmt: skip
"""Claims Cognito sets itself: no user attribute of the same name reaches a token."""


class TokenSigner:
    """The keys of one user pool. Keys are made on first use: RSA key generation is slow."""

    def __init__(self, issuer: str) -> None:
        self.issuer = issuer
        self._keys: dict[str, RSAKey] = {}
        self._pems: dict[str, tuple[str, bytes]] = {}
        """Each key as written to a state file: made once, since keys never change."""

    def __repr__(self) -> str:
        return f"TokenSigner(issuer={self.issuer!r})"

    def __getstate__(self) -> dict[str, Any]:
        for use, key in self._keys.items():
            if use not in self._pems:
                self._pems[use] = (str(key.kid), key.as_pem(private=True))
        return {"issuer": self.issuer, "keys": dict(self._pems)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.issuer = state["issuer"]
        self._keys = {
            use: RSAKey.import_key(pem, parameters={"kid": kid, "use": "sig", "alg": "RS256"})
            for use, (kid, pem) in state["keys"].items()
        }
        self._pems = {use: (kid, pem) for use, (kid, pem) in state["keys"].items()}

    def _key(self, use: str) -> RSAKey:
        key = self._keys.get(use)
        if key is None:
            kid = secrets.token_urlsafe(32)
            key = RSAKey.generate_key(
                2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"}, private=True
            )
            self._keys[use] = key
        return key

    def jwks(self) -> dict[str, Any]:
        """The pool's ``.well-known/jwks.json`` document."""
        self._key("id")
        self._key("access")
        return {"keys": [key.as_dict(private=False) for key in self._keys.values()]}

    def sign(self, use: str, claims: dict[str, Any]) -> str:
        """Sign ``claims`` with the ``id`` or ``access`` key."""
        key = self._key(use)
        return jwt.encode({"alg": "RS256", "kid": str(key.kid)}, claims, key)

    def verify_access_token(self, token: str, now: float) -> dict[str, Any] | None:
        """The claims of a valid, unexpired access token of this pool; None otherwise."""
        key = self._keys.get("access")
        if key is None:
            return None
        try:
            claims = dict(jwt.decode(token, key).claims)
        except (JoseError, ValueError):
            return None
        if claims.get("token_use") != "access" or claims.get("iss") != self.issuer:
            return None
        if float(claims.get("exp", 0)) <= now:
            return {"expired": True}
        return claims

    def issue(
        self,
        *,
        client_id: str,
        username: str,
        sub: str,
        attributes: dict[str, str],
        now: float,
        access_seconds: int,
        id_seconds: int,
        auth_time: float,
        device_key: str | None = None,
        origin: str | None = None,
        groups: list[tuple[str, str | None]] | None = None,
    ) -> tuple[str, str, str]:
        """An (access token, id token, origin jti) triple with Cognito's claims; a refresh
        keeps the sign-in's ``origin`` and ``auth_time``."""
        origin = origin or str(uuid.uuid4())
        event_id = str(uuid.uuid4())
        iat = int(now)
        access: dict[str, Any] = {
            "sub": sub,
            "iss": self.issuer,
            "client_id": client_id,
            "origin_jti": origin,
            "event_id": event_id,
            "token_use": "access",
            "scope": "aws.cognito.signin.user.admin",
            "auth_time": int(auth_time),
            "exp": iat + access_seconds,
            "iat": iat,
            "jti": str(uuid.uuid4()),
            "username": username,
        }
        if device_key:
            access["device_key"] = device_key
        names = [name for name, _ in groups or []]
        roles = [role for _, role in groups or [] if role]
        ident: dict[str, Any] = {
            "sub": sub,
            "aud": client_id,
            "iss": self.issuer,
            "origin_jti": origin,
            "event_id": event_id,
            "token_use": "id",
            "auth_time": int(auth_time),
            "cognito:username": username,
            "exp": iat + id_seconds,
            "iat": iat,
            "jti": str(uuid.uuid4()),
        }
        if names:  # the user's groups, lowest precedence first; its role preferred
            access["cognito:groups"] = ident["cognito:groups"] = names
        if roles:
            ident["cognito:roles"] = roles
            ident["cognito:preferred_role"] = roles[0]
        for name, value in attributes.items():
            if name in ident or name in RESERVED_CLAIMS:
                continue  # an attribute never stands in for a claim Cognito sets
            if name in ("email_verified", "phone_number_verified"):
                ident[name] = value == "true"
            else:
                ident[name] = value
        return self.sign("access", access), self.sign("id", ident), origin
