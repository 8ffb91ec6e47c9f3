"""The Cognito requests a flow sends, built in one place, with ``SECRET_HASH`` where needed.

Pure: nothing here calls Cognito. :class:`AppClient` knows the pool, the app client and
its secret; each method returns a request dict exactly as boto3's ``cognito-idp`` client
takes it.
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Mapping
from typing import Any, TypeVar, cast

import attrs

from cognitoflow.transports.base import InitiateAuthRequest, RespondToAuthChallengeRequest
from cognitoflow.transports.sensitive import conceal, conceal_text

__all__ = ["AppClient"]

_Request = TypeVar("_Request", InitiateAuthRequest, RespondToAuthChallengeRequest)


@attrs.frozen
class AppClient:
    """A user pool's app client, as the flow addresses it.

    Attributes:
        user_pool_id: ``<region>_<id>``; the part after ``_`` is SRP's pool name.
        client_id: the app client id.
        client_secret: the app client's secret, if it has one (never shown in the repr).
        admin: a server-side sign-in: AdminInitiateAuth and AdminRespondToAuthChallenge,
            with ``UserPoolId``, instead of InitiateAuth and RespondToAuthChallenge.
    """

    user_pool_id: str
    client_id: str
    client_secret: str | None = attrs.field(default=None, repr=False, converter=conceal_text)
    admin: bool = False
    device_name: str | None = None
    """The ``DeviceName`` a new device is confirmed with."""

    @property
    def initiate_operation(self) -> str:
        """The transport method that starts a sign-in."""
        return "admin_initiate_auth" if self.admin else "initiate_auth"

    @property
    def respond_operation(self) -> str:
        """The transport method that answers a challenge."""
        return "admin_respond_to_auth_challenge" if self.admin else "respond_to_auth_challenge"

    def _addressed(self, request: _Request) -> _Request:
        """``request`` with the pool id first, where the Admin operations need it."""
        if not self.admin:
            return request
        return cast(_Request, {"UserPoolId": self.user_pool_id, **request})

    @property
    def pool_name(self) -> str:
        """The pool's name in SRP: the part of the id after ``_``."""
        return self.user_pool_id.split("_", 1)[1]

    def secret_hash(self, username: str) -> str | None:
        """Base64 HMAC-SHA256 of username + client id under the client secret, if any."""
        if not self.client_secret:
            return None
        digest = hmac.new(
            self.client_secret.encode(), (username + self.client_id).encode(), "sha256"
        ).digest()
        return conceal(base64.b64encode(digest).decode())

    def initiate_auth(
        self, flow: str, parameters: Mapping[str, str], metadata: Mapping[str, str] | None
    ) -> InitiateAuthRequest:
        """InitiateAuth with ``AuthParameters`` (``SECRET_HASH`` over their ``USERNAME``)."""
        params = dict(parameters)
        self._hash_parameter(params, params["USERNAME"])
        request: InitiateAuthRequest = {
            "AuthFlow": flow,
            "ClientId": self.client_id,
            "AuthParameters": params,
        }
        if metadata:
            request["ClientMetadata"] = dict(metadata)
        return self._addressed(request)

    def refresh_auth(
        self, refresh_token: str, username: str, device_key: str | None
    ) -> InitiateAuthRequest:
        """InitiateAuth ``REFRESH_TOKEN_AUTH``: ``SECRET_HASH`` over the user's internal
        username (``cognito:username``), not the login the user typed."""
        params = {"REFRESH_TOKEN": conceal(refresh_token)}
        self._hash_parameter(params, username)
        if device_key:
            params["DEVICE_KEY"] = device_key
        request: InitiateAuthRequest = {
            "AuthFlow": "REFRESH_TOKEN_AUTH",
            "ClientId": self.client_id,
            "AuthParameters": params,
        }
        return self._addressed(request)

    def respond(
        self,
        challenge: str,
        answers: Mapping[str, str],
        username: str,
        session: str | None,
        metadata: Mapping[str, str] | None,
    ) -> RespondToAuthChallengeRequest:
        """RespondToAuthChallenge, with ``SECRET_HASH`` over ``username`` if needed."""
        responses = dict(answers)
        self._hash_parameter(responses, username)
        request: RespondToAuthChallengeRequest = {
            "ClientId": self.client_id,
            "ChallengeName": challenge,
            "ChallengeResponses": responses,
        }
        if session:
            request["Session"] = session
        if metadata:
            request["ClientMetadata"] = dict(metadata)
        return self._addressed(request)

    def user_request(
        self, username: str, metadata: Mapping[str, str] | None, **members: Any
    ) -> dict[str, Any]:
        """SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword and
        ConfirmForgotPassword: ``ClientId``, ``Username``, the members given, then
        ``SecretHash`` and ``ClientMetadata``."""
        request: dict[str, Any] = {"ClientId": self.client_id, "Username": username, **members}
        secret_hash = self.secret_hash(username)
        if secret_hash:
            request["SecretHash"] = secret_hash
        if metadata:
            request["ClientMetadata"] = dict(metadata)
        return request

    def _hash_parameter(self, params: dict[str, str], username: str) -> None:
        secret_hash = self.secret_hash(username)
        if secret_hash:
            params["SECRET_HASH"] = secret_hash
