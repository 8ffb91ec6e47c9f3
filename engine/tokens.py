"""TokenVerifier: check a Cognito access or ID token in a backend, offline.

A backend that receives a token (``Authorization: Bearer ...``) checks it against the
user pool's public keys (its JWKS): the signature, the issuer, the expiry, the token's
use, and that it was issued to this app client. This is offline: a token that Cognito
has since revoked (``RevokeToken``, ``GlobalSignOut``) still passes until it expires;
``GetUser`` with the access token is the online check.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from .checks import positive, require
from .errors import CognitoFlowError

__all__ = ["InvalidTokenError", "TokenVerifier"]


class InvalidTokenError(CognitoFlowError):
    """A token that does not pass: forged, expired, for another pool, client or use.

    Attributes:
        reason: what failed (``signature``, ``issuer``, ``expired``, ``token_use``,
            ``client``, ``group``, ``scope``, ``key``, ``format``).
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message, "Refuse the request; the client must sign in again.")
        self.reason = reason


def _fetch_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as reply:  # noqa: S310 - https or a local fake
        return json.load(reply)


class TokenVerifier:
    """Checks access and ID tokens of one user pool and app client.

    Args:
        user_pool_id: ``<region>_<id>``.
        client_id: the app client the tokens must be issued to.
        region: the pool's region (default: the part of the pool id before ``_``).
        jwks_url: where the pool's keys are (default: Cognito's
            ``https://cognito-idp.<region>.amazonaws.com/<pool>/.well-known/jwks.json``;
            the served fake's is ``<url>/<pool>/.well-known/jwks.json``).
        jwks: the keys themselves, instead of fetching them (``FakeCognito.jwks(pool)``).
        leeway: seconds of clock difference tolerated at ``exp`` and ``iat``.
        clock: the time, in seconds since the epoch.
        fetch: how to fetch the JWKS document (a URL in, the parsed JSON out).
    """

    REFETCH_INTERVAL = 60.0
    """Keys are fetched again for an unknown key id at most this often (seconds)."""

    def __init__(
        self,
        *,
        user_pool_id: str,
        client_id: str,
        region: str | None = None,
        jwks_url: str | None = None,
        jwks: Mapping[str, Any] | None = None,
        leeway: float = 0.0,
        clock: Callable[[], float] = time.time,
        fetch: Callable[[str], Any] = _fetch_json,
    ) -> None:
        user_pool_id = require("user_pool_id", user_pool_id, "user_pool_id", max_length=55)
        self.client_id = require("client_id", client_id, "client_id")
        region = region or user_pool_id.split("_", 1)[0]
        self.issuer = f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"
        self.jwks_url = jwks_url or f"{self.issuer}/.well-known/jwks.json"
        self.leeway = positive("leeway", leeway) if leeway else 0.0
        self.clock = clock
        self._fetch = fetch
        self._static = jwks is not None
        self._keys = KeySet.import_key_set(dict(jwks)) if jwks is not None else None  # type: ignore[arg-type]
        self._fetched_at = float("-inf")

    def __repr__(self) -> str:
        return f"TokenVerifier(issuer={self.issuer!r}, client_id={self.client_id!r})"

    def verify(
        self,
        token: str,
        *,
        token_use: str = "access",  # noqa: S107 - a kind of token, not a secret
        required_groups: Iterable[str] = (),
        required_scopes: Iterable[str] = (),
    ) -> dict[str, Any]:
        """The token's claims, once every check has passed.

        Raises:
            InvalidTokenError: the token fails a check (``reason`` says which).
            InvalidInputError: ``token`` is not text, or ``token_use`` not access/id.
        """
        token = require("token", token, "A token", max_length=16_384)
        if token_use not in ("access", "id"):
            raise InvalidTokenError("token_use", "token_use must be 'access' or 'id'.")
        key_id = self._key_id(token)
        keys = self._keys_with(key_id)
        try:
            claims = dict(jwt.decode(token, keys, algorithms=["RS256"]).claims)
        except (JoseError, ValueError):
            raise InvalidTokenError("signature", "The token's signature is not valid.") from None
        self._check(claims, token_use, set(required_groups), set(required_scopes))
        return claims

    def _key_id(self, token: str) -> str:
        try:
            header = jws.extract_compact(token.encode()).headers()
        except (JoseError, ValueError):
            raise InvalidTokenError("format", "The token is not a signed JWT.") from None
        if header.get("alg") != "RS256" or not header.get("kid"):
            raise InvalidTokenError("format", "The token is not signed as Cognito signs.")
        return str(header["kid"])

    def _keys_with(self, key_id: str) -> KeySet:
        """The pool's keys, fetched again (at most once a minute) for an unknown key id."""
        known = self._keys is not None and any(k.kid == key_id for k in self._keys.keys)
        stale = self.clock() - self._fetched_at >= self.REFETCH_INTERVAL
        if not known and not self._static and stale:
            self._fetched_at = self.clock()
            try:
                self._keys = KeySet.import_key_set(self._fetch(self.jwks_url))
            except Exception as error:
                raise InvalidTokenError(
                    "key", f"The pool's keys could not be fetched ({type(error).__name__})."
                ) from None
            known = any(k.kid == key_id for k in self._keys.keys)
        if not known or self._keys is None:
            raise InvalidTokenError("key", "The token was not signed by this user pool.")
        return self._keys

    def _check(
        self, claims: Mapping[str, Any], token_use: str, groups: set[str], scopes: set[str]
    ) -> None:
        now = self.clock()
        if claims.get("iss") != self.issuer:
            raise InvalidTokenError("issuer", "The token was issued by another user pool.")
        if claims.get("token_use") != token_use:
            raise InvalidTokenError("token_use", f"The token is not an {token_use} token.")
        if float(claims.get("exp", 0)) + self.leeway <= now:
            raise InvalidTokenError("expired", "The token has expired.")
        if float(claims.get("iat", 0)) - self.leeway > now:
            raise InvalidTokenError("expired", "The token was issued in the future.")
        audience = claims.get("client_id") if token_use == "access" else claims.get("aud")
        if audience != self.client_id:
            raise InvalidTokenError("client", "The token was issued to another app client.")
        if not groups <= set(claims.get("cognito:groups") or ()):
            raise InvalidTokenError("group", "The user is not in every required group.")
        if not scopes <= set(str(claims.get("scope", "")).split()):
            raise InvalidTokenError("scope", "The token lacks a required scope.")
