"""``InitiateAuth`` and ``RespondToAuthChallenge``: each flow and challenge to its family.

``AdminInitiateAuth`` and ``AdminRespondToAuthChallenge`` (server-side sign-in) are the
same with the pool id: they also take ``ADMIN_USER_PASSWORD_AUTH`` (legacy name
``ADMIN_NO_SRP_AUTH``; the app client must allow ``ALLOW_ADMIN_USER_PASSWORD_AUTH``) and
refuse ``USER_PASSWORD_AUTH``, which InitiateAuth alone takes. Choice where Cognito's
behaviour is not documented: a session from either API may be answered through either.
The fake does not check request signatures; Cognito refuses an unsigned Admin call.
"""

from __future__ import annotations

from typing import Any

from ._core import (
    SESSION_INVALID,
    fail,
    missing,
    operation,
    presenting,
)
from ._custom_auth import CustomAuthFlow
from ._model import AppClient, UserPool
from ._user_auth import ChoiceAuth

__all__ = ["ADMIN_FLOWS", "Authentication"]

ADMIN_FLOWS = ("ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH")
"""The flows only AdminInitiateAuth takes."""


class Authentication(ChoiceAuth, CustomAuthFlow):
    """``InitiateAuth`` and ``RespondToAuthChallenge``: each flow and challenge to its family."""

    @operation("InitiateAuth")
    def initiate_auth(
        self,
        *,
        AuthFlow: str,
        ClientId: str,
        AuthParameters: dict[str, str] | None = None,
        ClientMetadata: dict[str, str] | None = None,
        AnalyticsMetadata: dict[str, str] | None = None,
        UserContextData: dict[str, str] | None = None,
        Session: str | None = None,
    ) -> dict[str, Any]:
        client, pool = self._client(ClientId)
        if AuthFlow in ADMIN_FLOWS:
            raise fail("InvalidParameterException", "Initiate Auth method not supported.")
        return self._initiate(pool, client, AuthFlow, dict(AuthParameters or {}), Session)

    @operation("AdminInitiateAuth")
    def admin_initiate_auth(
        self,
        *,
        UserPoolId: str,
        ClientId: str,
        AuthFlow: str,
        AuthParameters: dict[str, str] | None = None,
        ClientMetadata: dict[str, str] | None = None,
        AnalyticsMetadata: dict[str, str] | None = None,
        ContextData: dict[str, Any] | None = None,
        Session: str | None = None,
    ) -> dict[str, Any]:
        client, pool = self._pool_client(UserPoolId, ClientId)
        params = dict(AuthParameters or {})
        if AuthFlow == "USER_PASSWORD_AUTH":
            raise fail("InvalidParameterException", "Initiate Auth method not supported.")
        if AuthFlow in ADMIN_FLOWS:
            if not client.allows("ALLOW_ADMIN_USER_PASSWORD_AUTH"):
                raise fail("InvalidParameterException", "Auth flow not enabled for this client")
            return self._start_password(pool, client, params)
        return self._initiate(pool, client, AuthFlow, params, Session)

    def _pool_client(self, pool_id: str, client_id: str) -> tuple[AppClient, UserPool]:
        """An Admin call's pool and app client, which must belong to it."""
        pool = self._pool(pool_id)
        client, client_pool = self._client(client_id)
        if client_pool is not pool:
            raise fail("ResourceNotFoundException", f"User pool client {client_id} does not exist.")
        return client, pool

    def _initiate(
        self,
        pool: UserPool,
        client: AppClient,
        AuthFlow: str,
        params: dict[str, str],
        Session: str | None,
    ) -> dict[str, Any]:
        """The flows both APIs take, on behalf of the device the request presents."""
        with presenting(params.get("DEVICE_KEY")):
            return self._initiate_flow(pool, client, AuthFlow, params, Session)

    def _initiate_flow(
        self,
        pool: UserPool,
        client: AppClient,
        AuthFlow: str,
        params: dict[str, str],
        Session: str | None,
    ) -> dict[str, Any]:
        if AuthFlow == "USER_SRP_AUTH":
            if not client.allows("ALLOW_USER_SRP_AUTH"):
                raise fail(
                    "InvalidParameterException", "USER_SRP_AUTH is not enabled for the client."
                )
            return self._start_srp(pool, client, params)
        if AuthFlow == "USER_PASSWORD_AUTH":
            if not client.allows("ALLOW_USER_PASSWORD_AUTH"):
                raise fail(
                    "InvalidParameterException",
                    "USER_PASSWORD_AUTH flow not enabled for this client",
                )
            return self._start_password(pool, client, params)
        if AuthFlow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
            if not client.allows("ALLOW_REFRESH_TOKEN_AUTH"):
                raise fail("InvalidParameterException", "Auth flow not enabled for this client")
            return self._refresh_tokens(pool, client, params)
        if AuthFlow == "CUSTOM_AUTH":
            if not client.allows("ALLOW_CUSTOM_AUTH"):
                raise fail("InvalidParameterException", "Auth flow not enabled for this client")
            return self._start_custom(pool, client, params)
        if AuthFlow == "USER_AUTH":
            if not client.allows("ALLOW_USER_AUTH"):
                raise fail(
                    "InvalidParameterException", "USER_AUTH flow not enabled for this client"
                )
            if Session:
                return self._sign_in_after_sign_up(pool, client, params, Session)
            return self._start_user_auth(pool, client, params)
        raise fail(
            "InvalidParameterException",
            f"1 validation error detected: Value '{AuthFlow}' at 'authFlow' failed to satisfy "
            "constraint: Member must satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, "
            "REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH, "
            "ADMIN_USER_PASSWORD_AUTH, USER_AUTH]",
        )

    @operation("RespondToAuthChallenge")
    def respond_to_auth_challenge(
        self,
        *,
        ClientId: str,
        ChallengeName: str,
        Session: str | None = None,
        ChallengeResponses: dict[str, str] | None = None,
        ClientMetadata: dict[str, str] | None = None,
        AnalyticsMetadata: dict[str, str] | None = None,
        UserContextData: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        client, pool = self._client(ClientId)
        return self._respond(
            pool, client, ChallengeName, Session, ChallengeResponses, ClientMetadata
        )

    @operation("AdminRespondToAuthChallenge")
    def admin_respond_to_auth_challenge(
        self,
        *,
        UserPoolId: str,
        ClientId: str,
        ChallengeName: str,
        Session: str | None = None,
        ChallengeResponses: dict[str, str] | None = None,
        ClientMetadata: dict[str, str] | None = None,
        AnalyticsMetadata: dict[str, str] | None = None,
        ContextData: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        client, pool = self._pool_client(UserPoolId, ClientId)
        return self._respond(
            pool, client, ChallengeName, Session, ChallengeResponses, ClientMetadata
        )

    def _respond(
        self,
        pool: UserPool,
        client: AppClient,
        ChallengeName: str,
        Session: str | None,
        ChallengeResponses: dict[str, str] | None,
        ClientMetadata: dict[str, str] | None,
    ) -> dict[str, Any]:
        """The challenges both APIs answer, on behalf of the device the answer presents (or
        the one the sign-in presented before)."""
        answers = dict(ChallengeResponses or {})
        earlier = self._sessions.get(Session or "")
        device = answers.get("DEVICE_KEY") or (earlier.device_key if earlier else None)
        with presenting(device):
            return self._respond_to(pool, client, ChallengeName, Session, answers, ClientMetadata)

    def _respond_to(
        self,
        pool: UserPool,
        client: AppClient,
        ChallengeName: str,
        Session: str | None,
        answers: dict[str, str],
        ClientMetadata: dict[str, str] | None,
    ) -> dict[str, Any]:
        metadata = dict(ClientMetadata or {})
        if ChallengeName == "PASSWORD_VERIFIER":
            return self._answer_password_verifier(pool, client, answers, Session, metadata)
        if not Session:
            raise missing("Session")
        login = answers.get("USERNAME")
        if not login:
            raise missing("USERNAME")
        self._check_secret_hash(client, login, answers.get("SECRET_HASH"))
        session = self._session(Session, client)
        # After a failed passkey ceremony a client may pick another factor on the same
        # WEB_AUTHN session (Amplify JS answers SELECT_CHALLENGE on it after a failed ceremony).
        fallback = ChallengeName == "SELECT_CHALLENGE" and session.challenge == "WEB_AUTHN"
        if session.challenge != ChallengeName and not fallback:
            raise fail("NotAuthorizedException", SESSION_INVALID)
        if ChallengeName == "CUSTOM_CHALLENGE":
            return self._answer_custom(pool, client, session, login, answers, metadata)
        user = self._find_user(pool, login)
        if user is None or user.username != session.username:
            raise fail("NotAuthorizedException", SESSION_INVALID)
        self._check_status(user)  # an administrator may have disabled the user since
        handlers = {
            "NEW_PASSWORD_REQUIRED": self._answer_new_password,
            "SMS_MFA": self._answer_code,
            "EMAIL_OTP": self._answer_code,
            "SOFTWARE_TOKEN_MFA": self._answer_totp,
            "SELECT_MFA_TYPE": self._answer_select_mfa,
            "MFA_SETUP": self._answer_mfa_setup,
            "SMS_OTP": self._answer_code,
            "SELECT_CHALLENGE": self._answer_select_challenge,
            "WEB_AUTHN": self._answer_web_authn,
            "DEVICE_SRP_AUTH": self._answer_device_srp,
            "DEVICE_PASSWORD_VERIFIER": self._answer_device_verifier,
        }
        handler = handlers.get(ChallengeName)
        if handler is None:
            raise fail("InvalidParameterException", f"Invalid challenge name {ChallengeName}")
        return handler(pool, client, user, session, answers)

    def _answer_password_verifier(
        self,
        pool: UserPool,
        client: AppClient,
        answers: dict[str, str],
        session_id: str | None,
        metadata: dict[str, str],
    ) -> dict[str, Any]:
        """A checked SRP proof leads on as the flow that asked for it decides."""
        user, exchange = self._check_password_claim(pool, client, answers, session_id)
        if exchange.custom is not None:  # CUSTOM_WITH_SRP: the triggers decide what follows
            exchange.custom.password_verified = True
            exchange.custom.record("PASSWORD_VERIFIER", True)
            return self._custom_next(pool, client, user, exchange.custom, metadata)
        return self._after_first_factor(pool, client, user)
