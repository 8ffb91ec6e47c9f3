"""SignInFlow: the object users call.

Each public method checks nothing and decides nothing itself: it asks a plan (from
:mod:`.sign_in`, :mod:`.answers` or :mod:`.account`) what to do, and has the plan's
instructions carried out by :class:`~.driver.FlowDriver`, the one place with I/O.

Every public method either returns the next step, or raises a typed error and leaves
the flow exactly as it was (state and context), except where Cognito has ended the
session: then the flow is ``SIGNED_OUT`` and the error says to sign in again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from cognitoflow.transports.base import Transport
from cognitoflow.transports.sensitive import conceal

from . import session
from . import sign_in as signing_in
from . import snapshot as snapshots
from .checks import callable_or_none, optional, positive, require
from .context import FlowContext, next_step
from .driver import PasskeyAuthenticator
from .errors import InvalidInputError
from .flow_account import AccountMethods
from .flow_devices import DeviceMethods
from .logs import log
from .outputs import (
    AuthSession,
    AuthUser,
    DeviceSecrets,
    NextStep,
    SignInOutput,
)
from .requests import AppClient

__all__ = ["Flow", "PasskeyAuthenticator", "SignInFlow"]

_F = TypeVar("_F", bound="Flow")


class Flow(AccountMethods, DeviceMethods):
    """A sign-in's steps, whichever way they are carried out: :class:`SignInFlow` calls
    Cognito, :class:`~cognitoflow.engine.AsyncSignInFlow` awaits it. Each public method
    checks its arguments, builds its plan (:mod:`.plan`) and returns what running the
    plan gives; it never does anything after, so that awaiting it is the whole step."""

    DEFAULT_SESSION_VALIDITY = 180.0
    """Cognito's default ``AuthSessionValidity``: 3 minutes."""

    _TRANSPORT: type = Transport
    _TRANSPORT_HINT = (
        "Pass Boto3Transport(...) for Cognito, or FakeTransport(cognito) for the fake."
    )

    def __init__(
        self,
        transport: Transport,
        *,
        user_pool_id: str,
        client_id: str,
        client_secret: str | None = None,
        passkey_authenticator: PasskeyAuthenticator | None = None,
        session_validity: float = DEFAULT_SESSION_VALIDITY,
        clock: Callable[[], float] = time.time,
        admin: bool = False,
        device: DeviceSecrets | None = None,
        device_name: str | None = None,
    ) -> None:
        client_secret = conceal(client_secret)
        if not isinstance(transport, self._TRANSPORT):
            raise InvalidInputError(
                "transport",
                f"transport must be a {self._TRANSPORT.__name__}, not {type(transport).__name__}.",
                self._TRANSPORT_HINT,
            )
        user_pool_id = require("user_pool_id", user_pool_id, "user_pool_id", max_length=55)
        if "_" not in user_pool_id:
            raise InvalidInputError(
                "user_pool_id",
                "user_pool_id must look like '<region>_<id>'.",
                "Copy the user pool id from the Cognito console.",
            )
        client_id = require("client_id", client_id, "client_id")
        client_secret = optional("client_secret", client_secret, max_length=128)
        callable_or_none("passkey_authenticator", passkey_authenticator)
        if not callable(clock):
            raise InvalidInputError("clock", "clock must be callable.", "Pass time.time.")
        session_validity = positive("session_validity", session_validity)
        if not isinstance(admin, bool):
            raise InvalidInputError("admin", "admin must be True or False.", "Pass admin=True.")
        if device is not None and not isinstance(device, DeviceSecrets):
            raise InvalidInputError(
                "device",
                f"device must be DeviceSecrets, not {type(device).__name__}.",
                "Pass the flow.device kept from an earlier sign-in, or None.",
            )
        device_name = optional("device_name", device_name, max_length=1024)
        super().__init__(
            transport,
            AppClient(user_pool_id, client_id, client_secret, admin=admin, device_name=device_name),
            passkey_authenticator,
            clock,
        )
        self.session_validity = float(session_validity)
        self.device = device

    @property
    def user_pool_id(self) -> str:
        return self._client.user_pool_id

    @property
    def client_id(self) -> str:
        return self._client.client_id

    def __repr__(self) -> str:
        return (
            f"SignInFlow(state={self.state.value}, user_pool_id={self.user_pool_id!r}, "
            f"client_id={self.client_id!r}, login_id={self._ctx.login_id!r})"
        )

    # == what the flow is now ========================================================

    @property
    def context(self) -> FlowContext:
        """What the flow carries to the next step (read-only)."""
        return self._ctx

    @property
    def next_step(self) -> NextStep | None:
        """The step the flow is waiting on, or None when signed out or resetting a password."""
        return next_step(self.state, self._ctx)

    @property
    def session_expires_at(self) -> float | None:
        """When Cognito stops accepting this flow's session (epoch seconds), if it has one."""
        issued = self._ctx.session_issued_at
        if not self._ctx.session or issued is None:
            return None
        return issued + self.session_validity

    # == sign-in =====================================================================

    def sign_in(
        self,
        username: str,
        password: str | None = None,
        *,
        auth_flow_type: str = "USER_SRP_AUTH",
        client_metadata: Mapping[str, str] | None = None,
        preferred_challenge: str | None = None,
    ) -> SignInOutput:
        """Start a sign-in. A sign-in already under way is replaced if this one succeeds.

        ``preferred_challenge`` (``USER_AUTH`` only) names the first factor to try:
        ``PASSWORD``, ``PASSWORD_SRP`` (both need the password), ``EMAIL_OTP``, ``SMS_OTP``
        or ``WEB_AUTHN``. Without one, or when the user cannot use it, the next step is
        the first-factor selection.

        Raises:
            UserAlreadyAuthenticatedError: the flow is signed in; call ``sign_out`` first.
            InvalidInputError: an empty username or password, or an unknown flow type.
            ServiceError: Cognito refused (``NotAuthorizedException`` for a wrong password).
        """
        password = conceal(password)  # never a plain str in this library's frames
        return self._step(
            signing_in.sign_in(
                self._client,
                self.state,
                username,
                password,
                auth_flow_type,
                client_metadata,
                preferred_challenge,
                device=self.device,
            )
        )

    def confirm_sign_in(
        self,
        challenge_response: str,
        *,
        user_attributes: Mapping[str, str] | None = None,
        client_metadata: Mapping[str, str] | None = None,
        friendly_device_name: str | None = None,
    ) -> SignInOutput:
        """Answer the current step: a code, an MFA type, a new password, an address...

        Raises:
            InvalidStateError: no sign-in is waiting for an answer.
            InvalidAnswerError: the answer does not fit the step; the step is kept.
            CodeMismatchException: a wrong code; the step is kept, try again.
            SessionExpiredError: Cognito's session is gone; the flow is ``SIGNED_OUT``.
        """
        challenge_response = conceal(challenge_response)
        expires = self.session_expires_at
        return self._step(
            signing_in.confirm_sign_in(
                self._client,
                self.state,
                self._ctx,
                challenge_response,
                session_expired=expires is not None and self.clock() >= expires,
                metadata=client_metadata,
                user_attributes=user_attributes,
                device_name=friendly_device_name,
                device=self.device,
            )
        )

    def sign_out(self, *, global_sign_out: bool = False) -> None:
        """Forget the sign-in, wherever it is; signed in, end it at Cognito too.

        At ``DONE`` the refresh token is revoked (RevokeToken), or with
        ``global_sign_out=True`` every sign-in of the user ends (GlobalSignOut). The flow
        is ``SIGNED_OUT`` first, whatever Cognito answers; an error telling Cognito is
        raised after (the tokens then stay valid at Cognito until they expire).
        """
        return self._run(
            session.sign_out(self._client, self.state, self._ctx, bool(global_sign_out))
        )

    def fetch_auth_session(
        self, *, force_refresh: bool = False, margin: float = session.REFRESH_MARGIN
    ) -> AuthSession:
        """The signed-in session: its tokens (refreshed through Cognito first when forced,
        or when the access or ID token is within ``margin`` seconds of expiry), the user's
        ``sub``, and when the access token expires. Signed out, the session is empty.

        Raises:
            NotAuthorizedException: Cognito refused the refresh token (revoked, expired);
                the flow is ``SIGNED_OUT``.
        """
        return self._run(
            session.fetch_auth_session(
                self._client,
                self.state,
                self._ctx,
                self.clock(),
                force_refresh=bool(force_refresh),
                margin=positive("margin", margin),
                device=self.device,
            )
        )

    def get_current_user(self) -> AuthUser:
        """The signed-in user, from the ID token's claims (no call).

        Raises:
            InvalidStateError: nobody is signed in.
        """
        return session.current_user(self.state, self._ctx)

    # == between requests ============================================================

    def snapshot(self) -> snapshots.Snapshot:
        """Everything this flow needs to go on, as a versioned JSON-safe record.

        Take one after each step and give it to :meth:`restore` in the next request.
        It holds the Cognito session: keep it server-side, or seal it
        (:class:`~cognitoflow.engine.SnapshotSealer`) before it goes in a cookie. Never
        restore an unsealed snapshot that came from the client: :meth:`restore` checks
        that it is well formed, not that Cognito produced it. The client secret and the
        passkey authenticator are not in it; pass them to :meth:`restore`.
        """
        settings = {
            "user_pool_id": self.user_pool_id,
            "client_id": self.client_id,
            "uses_client_secret": bool(self._client.client_secret),
            "session_validity": self.session_validity,
            "admin": self._client.admin,
            "device": self.device,
            "device_name": self._client.device_name,
        }
        return snapshots.write(self.state, settings, self._ctx)

    @classmethod
    def restore(
        cls: type[_F],
        snapshot: Mapping[str, Any],
        transport: Transport,
        *,
        client_secret: str | None = None,
        passkey_authenticator: PasskeyAuthenticator | None = None,
        clock: Callable[[], float] = time.time,
    ) -> _F:
        """A flow at the step a snapshot was taken, ready for its next call.

        The snapshot is checked first. A session past its validity is not refused here:
        the next ``confirm_sign_in`` says to sign in again (and the flow then shows
        ``SIGNED_OUT``), as it would have without the pause.

        Raises:
            InvalidSnapshotError: an unknown version or step, or a missing or malformed
                field (named in ``field``).
            InvalidInputError: the flow was started with a client secret and none is given.
        """
        client_secret = conceal(client_secret)
        step, settings, fields = snapshots.read(snapshot)
        if settings["uses_client_secret"] and not client_secret:
            raise InvalidInputError(
                "client_secret",
                "This flow was started with an app client secret.",
                "Pass client_secret to restore, as to SignInFlow.",
            )
        flow = cls(
            transport,
            user_pool_id=settings["user_pool_id"],
            client_id=settings["client_id"],
            client_secret=client_secret,
            passkey_authenticator=passkey_authenticator,
            session_validity=settings["session_validity"],
            clock=clock,
            admin=settings["admin"],
            device=settings["device"],
            device_name=settings["device_name"],
        )
        flow._state = step
        flow._ctx = FlowContext(**fields)
        log.debug("cognitoflow.restored", step=step.value, username=flow._ctx.username)
        return flow


class SignInFlow(Flow):
    """Amplify's multi-step sign-in against a Cognito user pool, one call per step.

    Args:
        transport: how to reach Cognito (``FakeTransport``, or the boto3 transport).
        user_pool_id: ``<region>_<id>``; the part after ``_`` is SRP's pool name.
        client_id: the app client id.
        client_secret: the app client's secret, if it has one (``SECRET_HASH`` is then
            sent with every request).
        passkey_authenticator: runs the passkey ceremony when Cognito asks for
            ``WEB_AUTHN`` (see :data:`PasskeyAuthenticator`).
        session_validity: the app client's ``AuthSessionValidity``, in seconds (Cognito's
            default is 3 minutes; it can be 3 to 15). A step whose session is older fails
            at once with :class:`SessionExpiredError`, without calling Cognito.
        clock: the time, in seconds since the epoch (``time.time``; tests pass the fake's).
        admin: a server-side sign-in: every step goes through AdminInitiateAuth and
            AdminRespondToAuthChallenge, which the transport signs with the caller's AWS
            credentials (:class:`CredentialsMissingError` when there are none). The app
            client must allow ``ALLOW_ADMIN_USER_PASSWORD_AUTH`` for
            ``auth_flow_type="ADMIN_USER_PASSWORD_AUTH"``; SRP, custom and ``USER_AUTH``
            flows work as without it.
        device: the remembered device to sign in with (the ``flow.device`` kept from an
            earlier sign-in, sealed like a snapshot), or None. Password sign-ins present
            it; a device Cognito no longer knows is dropped and the sign-in tried again.
            In a pool that tracks devices a sign-in without one gets a new device,
            confirmed at once, in ``flow.device`` afterwards.
        device_name: the name a new device is confirmed with (``fetch_devices`` shows it).
    """
