"""The end of a sign-in: tokens issued, and new ones for a refresh token."""

from __future__ import annotations

import base64
import secrets
from typing import Any

from ._core import (
    ServiceCore,
    fail,
    missing,
)
from ._model import (
    AppClient,
    RefreshGrant,
    User,
    UserPool,
)

__all__ = ["TokenIssuing"]


class TokenIssuing(ServiceCore):
    """The end of a sign-in: tokens issued, and new ones for a refresh token."""

    def _tokens(
        self,
        pool: UserPool,
        client: AppClient,
        user: User,
        *,
        refresh: bool,
        grant: RefreshGrant | None = None,
        device_key: str | None = None,
    ) -> dict[str, Any]:
        """Tokens for ``user``: a new sign-in, or (``grant``) a refresh of one, which keeps
        its origin, ``auth_time`` and device. ``refresh``: issue a refresh token too.
        ``device_key``: the device the sign-in's tokens are bound to."""
        now = self.clock()
        if grant is not None:
            device_key = grant.device_key
        access, ident, origin = self._signers[pool.pool_id].issue(
            client_id=client.client_id,
            username=user.username,
            sub=user.sub,
            attributes=user.attributes,
            now=now,
            access_seconds=client.access_token_seconds,
            id_seconds=client.id_token_seconds,
            auth_time=grant.auth_time if grant else now,
            origin=grant.origin if grant else None,
            device_key=device_key,
            groups=[(g.name, g.role_arn) for g in pool.groups_of(user.username)],
        )
        result: dict[str, Any] = {
            "AccessToken": access,
            "ExpiresIn": client.access_token_seconds,
            "TokenType": "Bearer",
            "IdToken": ident,
        }
        if refresh:
            token = base64.urlsafe_b64encode(secrets.token_bytes(256)).decode().rstrip("=")
            self._refresh[token] = RefreshGrant(
                pool_id=pool.pool_id,
                client_id=client.client_id,
                username=user.username,
                origin=origin,
                auth_time=grant.auth_time if grant else now,
                expires_at=now + client.refresh_token_seconds,
                device_key=device_key,
            )
            result["RefreshToken"] = token
        return result

    def _grant(
        self, client: AppClient, token: str, device_key: str | None
    ) -> tuple[RefreshGrant, User]:
        """The grant of a refresh token this client may use now, and its user. Tokens bound
        to a device refresh only with its key (``device_key``)."""
        grant = self._refresh.get(token)
        if grant is None or grant.client_id != client.client_id:
            raise fail("NotAuthorizedException", "Invalid Refresh Token")
        if grant.device_key is not None and device_key != grant.device_key:
            raise fail("NotAuthorizedException", "Invalid Refresh Token")
        if grant.revoked:
            raise fail("NotAuthorizedException", "Refresh Token has been revoked")
        if self.clock() >= grant.expires_at:
            raise fail("NotAuthorizedException", "Refresh Token has expired")
        pool = self._pools[grant.pool_id]
        user = pool.users.get(pool.key(grant.username))
        if user is None:
            raise fail("NotAuthorizedException", "Invalid Refresh Token")
        if not user.enabled:
            raise fail("NotAuthorizedException", "User is disabled.")
        return grant, user

    def _refresh_tokens(
        self, pool: UserPool, client: AppClient, params: dict[str, str]
    ) -> dict[str, Any]:
        """InitiateAuth REFRESH_TOKEN_AUTH: new access and ID tokens, no refresh token."""
        token = params.get("REFRESH_TOKEN")
        if not token:
            raise missing("REFRESH_TOKEN")
        grant, user = self._grant(client, token, params.get("DEVICE_KEY"))
        self._check_secret_hash(client, user.username, params.get("SECRET_HASH"))
        result = self._tokens(pool, client, user, refresh=False, grant=grant)
        return {"AuthenticationResult": result, "ChallengeParameters": {}}
