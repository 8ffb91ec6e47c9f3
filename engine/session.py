"""After DONE: the current user, the session's tokens refreshed when due, and revocation.

A refresh is not a step of the sign-in: the flow stays at ``DONE`` and keeps the new
tokens (a ``Commit``). A refresh Cognito refuses (the refresh token revoked or expired)
ends the sign-in: the flow signs out and says to sign in again.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

import attrs

from cognitoflow.transports.base import CognitoError, TransportError
from cognitoflow.transports.sensitive import conceal

from .context import FlowContext
from .errors import (
    CognitoFlowError,
    ConnectionFailedError,
    InvalidStateError,
    OutcomeUnknownError,
    UnexpectedChallengeError,
)
from .mapping import reveal
from .outputs import AuthSession, AuthTokens, AuthUser, DeviceSecrets, SignInDetails
from .plan import Call, Commit, Move, Plan, Refused, Scope, not_served
from .requests import AppClient
from .steps import FlowState

__all__ = [
    "REFRESH_MARGIN",
    "current_user",
    "fetch_auth_session",
    "not_told",
    "revoke",
    "sign_out",
    "token_claims",
]

REFRESH_MARGIN = 300.0
"""Tokens this close to expiry (seconds) are refreshed by ``fetch_auth_session``, as
Amplify does."""


def token_claims(token: str) -> dict[str, Any]:
    """A JWT's claims, read without checking its signature (the flow's own tokens, just
    received from Cognito; a backend checks others with :class:`TokenVerifier`)."""
    try:
        payload = token.split(".")[1]  # header.payload.signature, each base64url
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, binascii.Error, ValueError):
        raise UnexpectedChallengeError(
            "Cognito's token is not a JWT this library can read.", "Sign in again."
        ) from None
    if not isinstance(claims, dict):
        raise UnexpectedChallengeError("Cognito's token holds no claims.", "Sign in again.")
    return claims


def _signed_in(state: FlowState, ctx: FlowContext) -> AuthTokens:
    if state is not FlowState.DONE or ctx.tokens is None:
        raise InvalidStateError("No user is signed in.", "Call sign_in first.")
    return ctx.tokens


def current_user(state: FlowState, ctx: FlowContext) -> AuthUser:
    """The signed-in user, from the ID token (or the access token): no call."""
    tokens = _signed_in(state, ctx)
    claims = token_claims(tokens.id_token or tokens.access_token)
    return AuthUser(
        username=_internal_username(tokens) or ctx.username,
        user_id=str(claims.get("sub", "")),
        sign_in_details=SignInDetails(ctx.login_id, ctx.auth_flow_type),
    )


def fetch_auth_session(
    client: AppClient,
    state: FlowState,
    ctx: FlowContext,
    now: float,
    *,
    force_refresh: bool,
    margin: float,
    device: DeviceSecrets | None = None,
) -> Plan[AuthSession]:
    """The session's tokens, refreshed first if forced or within ``margin`` of expiry.
    Signed out, the session is empty (as Amplify's is)."""
    if state is not FlowState.DONE or ctx.tokens is None:
        return AuthSession(tokens=None, user_sub=None, expires_at=None)
    tokens = ctx.tokens
    expiries = [
        float(token_claims(token).get("exp", 0))
        for token in (tokens.access_token, tokens.id_token)
        if token
    ]
    if force_refresh or any(expiry - margin <= now for expiry in expiries):
        tokens = yield from _refresh(client, ctx, tokens, device)
    claims = token_claims(tokens.access_token)
    expires = claims.get("exp")
    return AuthSession(
        tokens=tokens,
        user_sub=claims.get("sub"),
        expires_at=float(expires) if expires is not None else None,
    )


def _refresh(
    client: AppClient, ctx: FlowContext, old: AuthTokens, device: DeviceSecrets | None
) -> Plan[AuthTokens]:
    """GetTokensFromRefreshToken; with rotation, the new refresh token replaces the old.

    Where the endpoint does not serve that operation (an emulator that lacks it), the
    refresh falls back to InitiateAuth ``REFRESH_TOKEN_AUTH``, which answers with no new
    refresh token: the old one is kept.
    """
    if not old.refresh_token:
        raise InvalidStateError("This sign-in has no refresh token.", "Call sign_in again.")
    request: dict[str, Any] = {
        "RefreshToken": conceal(old.refresh_token),
        "ClientId": client.client_id,
    }
    if client.client_secret:
        request["ClientSecret"] = client.client_secret
    device_key = old.device_key or (device.device_key if device else None)
    if device_key:
        request["DeviceKey"] = device_key
    reply = yield Call(
        "get_tokens_from_refresh_token", request, Scope.SESSION, ctx, fallback_if=not_served
    )
    if isinstance(reply, Refused):
        username = _internal_username(old) or ctx.username or ""
        fallback = client.refresh_auth(old.refresh_token, username, device_key)
        reply = yield Call(client.initiate_operation, fallback, Scope.SESSION, ctx)
    result = reply["AuthenticationResult"]
    new = AuthTokens(
        access_token=reveal(result.get("AccessToken")) or "",
        id_token=reveal(result.get("IdToken")) or old.id_token,
        refresh_token=reveal(result.get("RefreshToken")) or old.refresh_token,
        expires_in=result.get("ExpiresIn"),
        token_type=result.get("TokenType", "Bearer"),
        device_key=old.device_key,
        device_group_key=old.device_group_key,
    )
    yield Commit(attrs.evolve(ctx, tokens=new))
    return new


def _internal_username(tokens: AuthTokens) -> str | None:
    """The user's internal username, which REFRESH_TOKEN_AUTH's SECRET_HASH is made with."""
    for token, claim in ((tokens.id_token, "cognito:username"), (tokens.access_token, "username")):
        if token:
            value = token_claims(token).get(claim)
            if value:
                return str(value)
    return None


def not_told(refused: Refused, operation: str) -> CognitoFlowError:
    """What sign-out reports when Cognito could not be told (the flow signed out anyway)."""
    if not refused.sent:
        return ConnectionFailedError(
            "Signed out here, but Cognito could not be reached to end the sign-in there.",
            "Its tokens stay valid at Cognito until they expire.",
        )
    return OutcomeUnknownError(
        operation,
        "Signed out here; whether Cognito ended the sign-in there is unknown (its "
        "answer was lost).",
        "Its tokens may stay valid at Cognito until they expire.",
    )


def _unanswered(error: TransportError) -> bool:
    """No answer came: Cognito was out of reach, or its answer was lost."""
    return not isinstance(error, CognitoError)


def sign_out(client: AppClient, state: FlowState, ctx: FlowContext, everywhere: bool) -> Plan[None]:
    """Forget the sign-in, wherever it is; signed in, end it at Cognito too (after the flow
    is ``SIGNED_OUT``, whatever Cognito answers)."""
    tokens = ctx.tokens if state is FlowState.DONE else None
    if state is not FlowState.SIGNED_OUT:
        yield Move("sign_out", FlowContext())
    if tokens is not None:
        yield from revoke(client, tokens, everywhere)


def revoke(client: AppClient, tokens: AuthTokens, everywhere: bool) -> Plan[None]:
    """RevokeToken for this sign-in's refresh token, or GlobalSignOut for every sign-in."""
    if everywhere:
        operation = "global_sign_out"
        request: dict[str, Any] = {"AccessToken": conceal(tokens.access_token)}
    elif not tokens.refresh_token:
        return
    else:
        operation = "revoke_token"
        request = {"Token": conceal(tokens.refresh_token), "ClientId": client.client_id}
        if client.client_secret:
            request["ClientSecret"] = client.client_secret
    reply = yield Call(operation, request, Scope.ACCOUNT, FlowContext(), fallback_if=_unanswered)
    if isinstance(reply, Refused):
        raise not_told(reply, operation)
