"""After sign-in: refreshing tokens, revoking them, signing a user out everywhere.

``GetTokensFromRefreshToken`` refreshes (with rotation when the app client has it on),
``RevokeToken`` ends one sign-in's refresh token and the access tokens issued with it,
``GlobalSignOut`` and ``AdminUserGlobalSignOut`` end every sign-in of a user. Revoked
access tokens are then refused wherever one is taken (``Access Token has been revoked``).

Choices where Cognito's behaviour is not documented: an unknown refresh token given to
RevokeToken is accepted with no effect (as OAuth's revocation endpoint does); one issued
to another app client is ``UnauthorizedException``; an expired refresh token is
``NotAuthorizedException: Refresh Token has expired``.
"""

from __future__ import annotations

from typing import Any

from ._core import fail, operation, same_text
from ._issuing import TokenIssuing
from ._model import AppClient

__all__ = ["TokenOperations"]


class TokenOperations(TokenIssuing):
    """Refresh, revocation and global sign-out."""

    @operation("GetTokensFromRefreshToken")
    def get_tokens_from_refresh_token(
        self,
        *,
        RefreshToken: str,
        ClientId: str,
        ClientSecret: str | None = None,
        DeviceKey: str | None = None,
        ClientMetadata: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        client, pool = self._client(ClientId)
        self._check_client_secret(client, ClientSecret)
        grant = self._refresh.get(RefreshToken)
        if (
            grant is not None
            and grant.replaced_at is not None
            and client.rotation_grace is not None
            and self.clock() > grant.replaced_at + client.rotation_grace
        ):
            raise fail("RefreshTokenReuseException", "Refresh token has been used already.")
        grant, user = self._grant(client, RefreshToken, DeviceKey)
        rotate = client.rotation_grace is not None
        result = self._tokens(pool, client, user, refresh=rotate, grant=grant)
        if rotate and grant.replaced_at is None:
            grant.replaced_at = self.clock()
        return {"AuthenticationResult": result}

    @operation("RevokeToken")
    def revoke_token(
        self,
        *,
        Token: str,
        ClientId: str,
        ClientSecret: str | None = None,
        RevokeAssociatedSessions: bool | None = None,
    ) -> dict[str, Any]:
        client, _ = self._client(ClientId)
        self._check_client_secret(client, ClientSecret)
        if not client.token_revocation:
            raise fail(
                "UnsupportedOperationException",
                "Token revocation is not enabled for this app client.",
            )
        grant = self._refresh.get(Token)
        if grant is None:
            return {}
        if grant.client_id != client.client_id:
            raise fail("UnauthorizedException", "The token was not issued to this client.")
        self._revoke_origin(grant.origin)
        return {}

    @operation("GlobalSignOut")
    def global_sign_out(self, *, AccessToken: str) -> dict[str, Any]:
        pool, user = self._access(AccessToken)
        self._sign_out_everywhere(pool.pool_id, user.username)
        return {}

    @operation("AdminUserGlobalSignOut")
    def admin_user_global_sign_out(self, *, UserPoolId: str, Username: str) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        user = self._admin_user(pool, Username)
        self._sign_out_everywhere(pool.pool_id, user.username)
        return {}

    def _sign_out_everywhere(self, pool_id: str, username: str) -> None:
        for grant in self._refresh.values():
            if grant.pool_id == pool_id and grant.username == username:
                self._revoke_origin(grant.origin)

    def _revoke_origin(self, origin: str) -> None:
        """Every refresh token and access token of one sign-in ends."""
        # Access tokens live a day at most: the revocation matters no longer than that.
        self._revoked_origins[origin] = self.clock() + 86400
        for grant in self._refresh.values():
            if grant.origin == origin:
                grant.revoked = True

    @staticmethod
    def _check_client_secret(client: AppClient, given: str | None) -> None:
        """These operations take the client secret itself, not a SECRET_HASH."""
        if not client.secret:
            return
        if not given:
            raise fail(
                "NotAuthorizedException",
                f"Client {client.client_id} is configured with secret but ClientSecret was "
                "not received",
            )
        if not same_text(client.secret, given):
            raise fail("NotAuthorizedException", "The client secret is not this client's.")
