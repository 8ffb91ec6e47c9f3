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
    User,
    UserPool,
)

__all__ = ["TokenIssuing"]


class TokenIssuing(ServiceCore):
    """The end of a sign-in: tokens issued, and new ones for a refresh token."""

    def _done(self, pool: UserPool, client: AppClient, user: User) -> dict[str, Any]:
        return {
            "AuthenticationResult": self._tokens(pool, client, user, refresh=True),
            "ChallengeParameters": {},
        }

    def _tokens(
        self, pool: UserPool, client: AppClient, user: User, *, refresh: bool
    ) -> dict[str, Any]:
        now = self.clock()
        access, ident, _ = self._signers[pool.pool_id].issue(
            client_id=client.client_id,
            username=user.username,
            sub=user.sub,
            attributes=user.attributes,
            now=now,
            access_seconds=client.access_token_seconds,
            id_seconds=client.id_token_seconds,
            auth_time=now,
        )
        result: dict[str, Any] = {
            "AccessToken": access,
            "ExpiresIn": client.access_token_seconds,
            "TokenType": "Bearer",
            "IdToken": ident,
        }
        if refresh:
            token = base64.urlsafe_b64encode(secrets.token_bytes(256)).decode().rstrip("=")
            self._refresh[token] = (client.client_id, user.username)
            result["RefreshToken"] = token
        return result

    def _refresh_tokens(
        self, pool: UserPool, client: AppClient, params: dict[str, str]
    ) -> dict[str, Any]:
        token = params.get("REFRESH_TOKEN")
        if not token:
            raise missing("REFRESH_TOKEN")
        found = self._refresh.get(token)
        if found is None or found[0] != client.client_id:
            raise fail("NotAuthorizedException", "Invalid Refresh Token")
        user = pool.users.get(pool.key(found[1]))
        if user is None:
            raise fail("NotAuthorizedException", "Invalid Refresh Token")
        self._check_secret_hash(client, user.username, params.get("SECRET_HASH"))
        if not user.enabled:
            raise fail("NotAuthorizedException", "User is disabled.")
        result = self._tokens(pool, client, user, refresh=False)
        return {"AuthenticationResult": result, "ChallengeParameters": {}}
