"""SignInFlow: the object users call. It holds the context, calls the transport, maps the
reply, and moves the machine. It is the only part of the engine that does I/O.

Every public method either returns the next step, or raises a typed error and leaves
the flow exactly as it was (state and context), except where Cognito has ended the
session: then the flow is ``SIGNED_OUT`` and the error says to sign in again.
"""

from __future__ import annotations

import base64
import hmac
import json
import re
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs
import structlog

from cognitoflow.transports.base import (
    AuthChallengeResponse,
    CognitoError,
    InitiateAuthRequest,
    RespondToAuthChallengeRequest,
    Transport,
    TransportConnectionError,
)

from . import snapshot as snapshots
from . import srp
from .errors import (
    ConnectionFailedError,
    InvalidAnswerError,
    InvalidInputError,
    InvalidStateError,
    PasskeyCeremonyError,
    ServiceError,
    SessionExpiredError,
    UnexpectedChallengeError,
    UserAlreadyAuthenticatedError,
    service_error,
)
from .machine import CHALLENGE_STATES, SignInMachine
from .mapping import AUTOMATIC_CHALLENGES, MFA_TO_COGNITO, Outcome, map_error, map_reply
from .outputs import (
    AuthTokens,
    CodeDeliveryDetails,
    ConfirmResetPasswordWithCode,
    ConfirmSignInWithCustomChallenge,
    ConfirmSignInWithEmailCode,
    ConfirmSignInWithNewPasswordRequired,
    ConfirmSignInWithPassword,
    ConfirmSignInWithSmsCode,
    ConfirmSignInWithTotpCode,
    ConfirmSignUp,
    ContinueSignInWithEmailSetup,
    ContinueSignInWithFirstFactorSelection,
    ContinueSignInWithMfaSelection,
    ContinueSignInWithMfaSetupSelection,
    ContinueSignInWithTotpSetup,
    Done,
    NextStep,
    ResetPassword,
    ResetPasswordDone,
    ResetPasswordOutput,
    SignInOutput,
    SignUpOutput,
    TotpSetupDetails,
)
from .steps import FlowState

__all__ = ["AUTH_FLOW_TYPES", "FIRST_FACTORS", "FlowContext", "PasskeyAuthenticator", "SignInFlow"]

log = structlog.get_logger("cognitoflow")

AUTH_FLOW_TYPES = (
    "USER_SRP_AUTH",
    "USER_PASSWORD_AUTH",
    "CUSTOM_WITH_SRP",
    "CUSTOM_WITHOUT_SRP",
    "USER_AUTH",
)
"""The ``auth_flow_type`` values :meth:`SignInFlow.sign_in` accepts."""

FIRST_FACTORS = ("PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")
"""The first factors of ``USER_AUTH`` (``preferred_challenge`` and the selection step)."""

PasskeyAuthenticator = Callable[[str], str]
"""A passkey ceremony: the credential request options JSON in, the credential JSON out.

In a browser this is ``navigator.credentials.get``; in tests, a ``SoftwareAuthenticator``.
Raise any exception to report a failed or cancelled ceremony.
"""

_COGNITO_FLOWS = {
    "USER_AUTH": "USER_AUTH",
    "USER_SRP_AUTH": "USER_SRP_AUTH",
    "USER_PASSWORD_AUTH": "USER_PASSWORD_AUTH",
    "CUSTOM_WITH_SRP": "CUSTOM_AUTH",
    "CUSTOM_WITHOUT_SRP": "CUSTOM_AUTH",
}
_T = TypeVar("_T")
_CODE = re.compile(r"^[0-9]{4,10}$")
_TOTP = re.compile(r"^[0-9]{6}$")
_SESSION_HINT = "Call sign_in again to start a new sign-in."


@attrs.frozen
class FlowContext:
    """What a flow knows between steps. Secrets are kept out of the repr."""

    login_id: str = ""
    username: str = ""
    auth_flow_type: str = ""
    session: str | None = attrs.field(default=None, repr=False)
    session_issued_at: float | None = attrs.field(default=None, repr=False)
    """When this flow received ``session`` (its clock's seconds since the epoch). Left out
    of the repr with the session it dates (and its digits would only be noise there)."""
    challenge_name: str | None = None
    challenge_parameters: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    mfa_types: tuple[str, ...] = ()
    missing_attributes: tuple[str, ...] = ()
    available_challenges: tuple[str, ...] = ()
    totp_secret: str | None = attrs.field(default=None, repr=False)
    password_mode: str | None = None
    code_delivery: CodeDeliveryDetails | None = None
    tokens: AuthTokens | None = attrs.field(default=None, repr=False)


def _delivery(details: Mapping[str, Any] | None) -> CodeDeliveryDetails:
    details = details or {}
    return CodeDeliveryDetails(
        delivery_medium=details.get("DeliveryMedium"),
        destination=details.get("Destination"),
        attribute_name=details.get("AttributeName"),
    )


def _require(field: str, value: str | None, what: str) -> str:
    if value is None or not str(value).strip():
        raise InvalidInputError(field, f"{what} is required.", f"Pass a non-empty {field}.")
    return str(value)


class SignInFlow:
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
    """

    DEFAULT_SESSION_VALIDITY = 180.0
    """Cognito's default ``AuthSessionValidity``: 3 minutes."""

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
    ) -> None:
        if "_" not in user_pool_id:
            raise InvalidInputError(
                "user_pool_id",
                "user_pool_id must look like '<region>_<id>'.",
                "Copy the user pool id from the Cognito console.",
            )
        self.transport = transport
        self.user_pool_id = user_pool_id
        self.client_id = _require("client_id", client_id, "client_id")
        self._client_secret = client_secret
        self.passkey_authenticator = passkey_authenticator
        if not session_validity > 0:
            raise InvalidInputError(
                "session_validity",
                "session_validity must be a positive number of seconds.",
                "Pass the app client's AuthSessionValidity in seconds (180 by default).",
            )
        self.session_validity = float(session_validity)
        self.clock = clock
        self._built: SignInMachine | None = None  # made on first use (restore sets it)
        self._ctx = FlowContext()
        self.path: list[tuple[str, str, str]] = []
        """Every transition this flow took, as (source, event, target), for diagrams."""

    @property
    def _machine(self) -> SignInMachine:
        if self._built is None:
            self._built = SignInMachine()
        return self._built

    def __repr__(self) -> str:
        return (
            f"SignInFlow(state={self.state.value}, user_pool_id={self.user_pool_id!r}, "
            f"client_id={self.client_id!r}, login_id={self._ctx.login_id!r})"
        )

    # == what the flow is now ========================================================

    @property
    def state(self) -> FlowState:
        """The machine's current state."""
        return FlowState(self._machine.current_state_value)

    @property
    def context(self) -> FlowContext:
        """What the flow carries to the next step (read-only)."""
        return self._ctx

    @property
    def tokens(self) -> AuthTokens | None:
        """The tokens, once signed in."""
        return self._ctx.tokens if self.state is FlowState.DONE else None

    @property
    def next_step(self) -> NextStep | None:
        """The step the flow is waiting on, or None when signed out or resetting a password."""
        return self._step_for(self.state, self._ctx)

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
        username = _require("username", username, "A username")
        if auth_flow_type not in AUTH_FLOW_TYPES:
            raise InvalidInputError(
                "auth_flow_type",
                f"auth_flow_type {auth_flow_type!r} is not supported.",
                f"Use one of: {', '.join(AUTH_FLOW_TYPES)}.",
            )
        preferred = self._preferred(auth_flow_type, preferred_challenge)
        if auth_flow_type == "USER_AUTH" and preferred not in ("PASSWORD", "PASSWORD_SRP"):
            if password:
                raise InvalidInputError(
                    "password",
                    "USER_AUTH uses the password only with preferred_challenge PASSWORD or "
                    "PASSWORD_SRP.",
                    "Leave the password out, or name one of those as preferred_challenge.",
                )
        elif auth_flow_type == "CUSTOM_WITHOUT_SRP":
            if password:
                raise InvalidInputError(
                    "password",
                    "A password is not needed when signing in with CUSTOM_WITHOUT_SRP.",
                    "Leave the password out, or use auth_flow_type='CUSTOM_WITH_SRP'.",
                )
        else:
            password = _require("password", password, f"A password (for {auth_flow_type})")
        if self.state is FlowState.DONE:
            raise UserAlreadyAuthenticatedError(
                "There is already a signed-in user.", "Call sign_out before calling sign_in again."
            )
        params = {"USERNAME": username}
        if preferred:
            params["PREFERRED_CHALLENGE"] = preferred
        client: srp.SrpClient | None = None
        if auth_flow_type in ("USER_SRP_AUTH", "CUSTOM_WITH_SRP") or preferred == "PASSWORD_SRP":
            client = srp.SrpClient(self.user_pool_id.split("_", 1)[1])
            params["SRP_A"] = client.srp_a
        if auth_flow_type == "CUSTOM_WITH_SRP":
            params["CHALLENGE_NAME"] = "SRP_A"
        if (auth_flow_type == "USER_PASSWORD_AUTH" or preferred == "PASSWORD") and password:
            params["PASSWORD"] = password
        self._add_secret_hash(params, username)
        request: InitiateAuthRequest = {
            "AuthFlow": _COGNITO_FLOWS[auth_flow_type],
            "ClientId": self.client_id,
            "AuthParameters": params,
        }
        if client_metadata:
            request["ClientMetadata"] = dict(client_metadata)
        base = FlowContext(login_id=username, username=username, auth_flow_type=auth_flow_type)
        try:
            reply = self._call(self.transport.initiate_auth, request)
            challenge = reply.get("ChallengeParameters") or {}
            active = challenge.get("USERNAME") or challenge.get("USER_ID_FOR_SRP") or username
            base = attrs.evolve(base, username=active)
            reply = self._answer_automatic(reply, base, password, client, client_metadata)
        except CognitoError as error:
            event = map_error(error)
            if event in ("user_not_confirmed", "password_reset_required"):
                return self._restart(event, base)
            raise service_error(error) from None
        except _CeremonyFailed as failed:
            self._restart("passkey_failed", failed.context(base))
            raise failed.error() from None
        return self._advance(map_reply(reply), base, restart=True)

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
        state = self.state
        if state not in CHALLENGE_STATES:
            if state is FlowState.DONE:
                raise InvalidStateError(
                    "The user is already signed in; there is nothing to confirm.",
                    "Call sign_out, then sign_in, to start again.",
                )
            raise InvalidStateError(
                f"No sign-in is waiting for an answer (the flow is at {state.value}).",
                "Call sign_in first, then confirm_sign_in with the answer to its next step.",
            )
        self._check_session_age()
        if challenge_response is None or not str(challenge_response).strip():
            raise InvalidAnswerError(
                "challenge_response",
                "challenge_response is required to confirm_sign_in.",
                f"Answer the step {state.value}.",
            )
        answer = str(challenge_response).strip()
        metadata = dict(client_metadata or {})
        handlers: dict[FlowState, Callable[[], SignInOutput]] = {
            FlowState.CONFIRM_SIGN_IN_WITH_SMS_CODE: lambda: self._answer_code(answer, metadata),
            FlowState.CONFIRM_SIGN_IN_WITH_EMAIL_CODE: lambda: self._answer_code(answer, metadata),
            FlowState.CONFIRM_SIGN_IN_WITH_TOTP_CODE: lambda: self._answer_totp(answer, metadata),
            FlowState.CONTINUE_SIGN_IN_WITH_MFA_SELECTION: lambda: self._answer_mfa_selection(
                answer, metadata
            ),
            FlowState.CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED: lambda: self._answer_new_password(
                str(challenge_response), user_attributes or {}, metadata
            ),
            FlowState.CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION: lambda: (
                self._answer_setup_selection(answer)
            ),
            FlowState.CONTINUE_SIGN_IN_WITH_TOTP_SETUP: lambda: self._answer_totp_setup(
                answer, friendly_device_name, metadata
            ),
            FlowState.CONTINUE_SIGN_IN_WITH_EMAIL_SETUP: lambda: self._answer_email_setup(
                answer, metadata
            ),
            FlowState.CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE: lambda: self._respond(
                "CUSTOM_CHALLENGE", {"ANSWER": str(challenge_response)}, metadata
            ),
            FlowState.CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION: lambda: (
                self._answer_first_factor(answer, metadata)
            ),
            FlowState.CONFIRM_SIGN_IN_WITH_PASSWORD: lambda: self._answer_password(
                str(challenge_response), metadata
            ),
        }
        handler = handlers.get(state)
        if handler is None:
            raise InvalidStateError(
                f"Answering the step {state.value} is not supported by this version.",
                "Sign in with USER_SRP_AUTH or USER_PASSWORD_AUTH.",
            )
        return handler()

    @property
    def session_expires_at(self) -> float | None:
        """When Cognito stops accepting this flow's session (epoch seconds), if it has one."""
        issued = self._ctx.session_issued_at
        if not self._ctx.session or issued is None:
            return None
        return issued + self.session_validity

    def _check_session_age(self) -> None:
        """A session past the pool's validity ends the sign-in here, without a call."""
        expires = self.session_expires_at
        if expires is None or self.clock() < expires:
            return
        self._send("session_ended", FlowContext(), username=self._ctx.username)
        raise SessionExpiredError(
            "NotAuthorizedException",
            "Invalid session for the user, session is expired.",
            "",
            _SESSION_HINT,
        )

    # == between requests ============================================================

    def snapshot(self) -> snapshots.Snapshot:
        """Everything this flow needs to go on, as a versioned JSON-safe record.

        Take one after each step and give it to :meth:`restore` in the next request.
        It holds the Cognito session: keep it server-side, or seal it
        (:class:`~cognitoflow.engine.SnapshotSealer`) before it goes in a cookie. The
        client secret and the passkey authenticator are not in it; pass them to
        :meth:`restore`.
        """
        settings = {
            "user_pool_id": self.user_pool_id,
            "client_id": self.client_id,
            "uses_client_secret": bool(self._client_secret),
            "session_validity": self.session_validity,
        }
        return snapshots.write(self.state, settings, self._ctx)

    @classmethod
    def restore(
        cls,
        snapshot: Mapping[str, Any],
        transport: Transport,
        *,
        client_secret: str | None = None,
        passkey_authenticator: PasskeyAuthenticator | None = None,
        clock: Callable[[], float] = time.time,
    ) -> SignInFlow:
        """A flow at the step a snapshot was taken, ready for its next call.

        The snapshot is checked first. A session past its validity is not refused here:
        the next ``confirm_sign_in`` says to sign in again (and the flow then shows
        ``SIGNED_OUT``), as it would have without the pause.

        Raises:
            InvalidSnapshotError: an unknown version or step, or a missing or malformed
                field (named in ``field``).
            InvalidInputError: the flow was started with a client secret and none is given.
        """
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
        )
        flow._built = SignInMachine(start_value=step.value)
        flow._ctx = FlowContext(**fields)
        log.info("cognitoflow.restored", step=step.value, username=flow._ctx.username)
        return flow

    def sign_out(self) -> None:
        """Forget the sign-in, wherever it is. Local only: tokens are not revoked."""
        if self.state is not FlowState.SIGNED_OUT:
            self._send("sign_out", FlowContext(), username=self._ctx.username)

    # == sign-up =====================================================================

    def sign_up(
        self,
        username: str,
        password: str,
        *,
        user_attributes: Mapping[str, str] | None = None,
        client_metadata: Mapping[str, str] | None = None,
    ) -> SignUpOutput:
        """Register a user; the next step is usually ``CONFIRM_SIGN_UP`` with a code sent."""
        username = _require("username", username, "A username")
        password = _require("password", password, "A password")
        self._require_state("sign_up", FlowState.SIGNED_OUT, FlowState.CONFIRM_SIGN_UP)
        request: dict[str, Any] = {
            "ClientId": self.client_id,
            "Username": username,
            "Password": password,
            "UserAttributes": [{"Name": k, "Value": v} for k, v in (user_attributes or {}).items()],
        }
        self._add_secret_hash_member(request, username)
        if client_metadata:
            request["ClientMetadata"] = dict(client_metadata)
        reply = self._service(self.transport.sign_up, request)
        if reply.get("UserConfirmed"):
            return SignUpOutput(True, Done(), reply.get("UserSub"))
        details = (
            _delivery(reply.get("CodeDeliveryDetails"))
            if reply.get("CodeDeliveryDetails")
            else None
        )
        ctx = FlowContext(login_id=username, username=username, code_delivery=details)
        self._send("sign_up_code_sent", ctx, username=username)
        return SignUpOutput(False, ConfirmSignUp(details), reply.get("UserSub"))

    def confirm_sign_up(
        self,
        confirmation_code: str,
        *,
        username: str | None = None,
        client_metadata: Mapping[str, str] | None = None,
    ) -> SignUpOutput:
        """Confirm a sign-up with its code. Then call ``sign_in``.

        ``username`` defaults to the user of this flow's sign-up or sign-in.
        """
        self._require_state("confirm_sign_up", FlowState.SIGNED_OUT, FlowState.CONFIRM_SIGN_UP)
        username = _require("username", username or self._ctx.login_id, "A username")
        code = _require("confirmation_code", confirmation_code, "A confirmation code").strip()
        if not _CODE.match(code):
            raise InvalidAnswerError(
                "confirmation_code",
                "A confirmation code is made of digits only.",
                "Enter the code from the message.",
            )
        request: dict[str, Any] = {
            "ClientId": self.client_id,
            "Username": username,
            "ConfirmationCode": code,
        }
        self._add_secret_hash_member(request, username)
        if client_metadata:
            request["ClientMetadata"] = dict(client_metadata)
        try:
            self._call(self.transport.confirm_sign_up, request)
        except CognitoError as error:
            if error.code == "CodeMismatchException" and self.state is FlowState.CONFIRM_SIGN_UP:
                self._send("code_mismatch", self._ctx, username=username)
            raise service_error(error) from None
        self._send("sign_up_confirmed", FlowContext(login_id=username), username=username)
        return SignUpOutput(True, Done())

    def resend_sign_up_code(
        self, username: str | None = None, *, client_metadata: Mapping[str, str] | None = None
    ) -> CodeDeliveryDetails:
        """Send the sign-up code again (also the way on from ``CONFIRM_SIGN_UP`` at sign-in)."""
        self._require_state("resend_sign_up_code", FlowState.SIGNED_OUT, FlowState.CONFIRM_SIGN_UP)
        username = _require("username", username or self._ctx.login_id, "A username")
        request: dict[str, Any] = {"ClientId": self.client_id, "Username": username}
        self._add_secret_hash_member(request, username)
        if client_metadata:
            request["ClientMetadata"] = dict(client_metadata)
        reply = self._service(self.transport.resend_confirmation_code, request)
        details = _delivery(reply.get("CodeDeliveryDetails"))
        ctx = FlowContext(login_id=username, username=username, code_delivery=details)
        self._send("sign_up_code_sent", ctx, username=username)
        return details

    # == password reset ==============================================================

    def reset_password(
        self, username: str | None = None, *, client_metadata: Mapping[str, str] | None = None
    ) -> ResetPasswordOutput:
        """Ask Cognito to send a reset code. ``username`` defaults to this flow's user."""
        self._require_state(
            "reset_password",
            FlowState.SIGNED_OUT,
            FlowState.RESET_PASSWORD,
            FlowState.CONFIRM_RESET_PASSWORD_WITH_CODE,
        )
        username = _require("username", username or self._ctx.login_id, "A username")
        request: dict[str, Any] = {"ClientId": self.client_id, "Username": username}
        self._add_secret_hash_member(request, username)
        if client_metadata:
            request["ClientMetadata"] = dict(client_metadata)
        reply = self._service(self.transport.forgot_password, request)
        details = _delivery(reply.get("CodeDeliveryDetails"))
        ctx = FlowContext(login_id=username, username=username, code_delivery=details)
        self._send("reset_code_sent", ctx, username=username)
        return ResetPasswordOutput(False, ConfirmResetPasswordWithCode(details))

    def confirm_reset_password(
        self,
        *,
        new_password: str,
        confirmation_code: str,
        username: str | None = None,
        client_metadata: Mapping[str, str] | None = None,
    ) -> ResetPasswordOutput:
        """Set the new password with the reset code. Then call ``sign_in``."""
        self._require_state("confirm_reset_password", FlowState.CONFIRM_RESET_PASSWORD_WITH_CODE)
        username = _require("username", username or self._ctx.login_id, "A username")
        new_password = _require("new_password", new_password, "A new password")
        code = _require("confirmation_code", confirmation_code, "A confirmation code").strip()
        if not _CODE.match(code):
            raise InvalidAnswerError(
                "confirmation_code",
                "A reset code is made of digits only.",
                "Enter the code from the message.",
            )
        request: dict[str, Any] = {
            "ClientId": self.client_id,
            "Username": username,
            "ConfirmationCode": code,
            "Password": new_password,
        }
        self._add_secret_hash_member(request, username)
        if client_metadata:
            request["ClientMetadata"] = dict(client_metadata)
        try:
            self._call(self.transport.confirm_forgot_password, request)
        except CognitoError as error:
            event = map_error(error)
            if event in ("code_mismatch", "password_rejected"):
                self._send(event, self._ctx, username=username)
            raise service_error(error) from None
        self._send("password_reset", FlowContext(login_id=username), username=username)
        return ResetPasswordOutput(True, ResetPasswordDone())

    # == answers =====================================================================

    def _answer_code(self, answer: str, metadata: dict[str, str]) -> SignInOutput:
        if not _CODE.match(answer):
            raise InvalidAnswerError(
                "challenge_response",
                "The code must be digits only.",
                "Enter the code from the message, without spaces or letters.",
            )
        name = self._ctx.challenge_name or "SMS_MFA"
        key = {"SMS_MFA": "SMS_MFA_CODE", "SMS_OTP": "SMS_OTP_CODE"}.get(name, "EMAIL_OTP_CODE")
        return self._respond(name, {key: answer}, metadata)

    def _answer_totp(self, answer: str, metadata: dict[str, str]) -> SignInOutput:
        if not _TOTP.match(answer):
            raise InvalidAnswerError(
                "challenge_response",
                "An authenticator-app code is exactly six digits.",
                "Enter the current code shown by the app.",
            )
        return self._respond("SOFTWARE_TOKEN_MFA", {"SOFTWARE_TOKEN_MFA_CODE": answer}, metadata)

    def _answer_mfa_selection(self, answer: str, metadata: dict[str, str]) -> SignInOutput:
        choice = self._choose(answer, self._ctx.mfa_types, "MFA type")
        return self._respond("SELECT_MFA_TYPE", {"ANSWER": MFA_TO_COGNITO[choice]}, metadata)

    def _answer_new_password(
        self, password: str, attributes: Mapping[str, str], metadata: dict[str, str]
    ) -> SignInOutput:
        missing = [name for name in self._ctx.missing_attributes if not attributes.get(name)]
        if missing:
            raise InvalidAnswerError(
                "user_attributes",
                f"Cognito needs these attributes with the new password: {', '.join(missing)}.",
                "Pass them as user_attributes={...} to confirm_sign_in.",
            )
        responses = {"NEW_PASSWORD": password}
        responses.update({f"userAttributes.{k}": v for k, v in attributes.items() if v})
        return self._respond("NEW_PASSWORD_REQUIRED", responses, metadata)

    def _answer_setup_selection(self, answer: str) -> SignInOutput:
        choice = self._choose(answer, self._ctx.mfa_types, "MFA type to set up")
        if choice == "EMAIL":
            return self._advance(Outcome("email_setup_chosen"), self._ctx)
        ctx = self._associate(self._ctx)
        return self._advance(Outcome("totp_setup_chosen"), ctx)

    def _answer_totp_setup(
        self, answer: str, device_name: str | None, metadata: dict[str, str]
    ) -> SignInOutput:
        if not _TOTP.match(answer):
            raise InvalidAnswerError(
                "challenge_response",
                "An authenticator-app code is exactly six digits.",
                "Add the secret to the app, then enter the code it shows.",
            )
        request: dict[str, Any] = {"UserCode": answer, "Session": self._ctx.session or ""}
        if device_name:
            request["FriendlyDeviceName"] = device_name
        try:
            reply = self._call(self.transport.verify_software_token, request)
        except CognitoError as error:
            raise self._after_error(error) from None
        ctx = attrs.evolve(self._ctx, session=reply.get("Session") or self._ctx.session)
        self._ctx = ctx  # the verify session replaces the old one, whatever happens next
        return self._respond("MFA_SETUP", {}, metadata)

    def _answer_email_setup(self, answer: str, metadata: dict[str, str]) -> SignInOutput:
        if "@" not in answer or answer.startswith("@") or answer.endswith("@"):
            raise InvalidAnswerError(
                "challenge_response",
                "The answer must be an email address.",
                "Enter the address that should receive MFA codes.",
            )
        return self._respond("MFA_SETUP", {"EMAIL": answer}, metadata)

    def _answer_first_factor(self, answer: str, metadata: dict[str, str]) -> SignInOutput:
        # After a passkey was asked for directly, Cognito sent no list: any factor may be
        # tried, and Cognito decides.
        allowed = self._ctx.available_challenges or FIRST_FACTORS
        choice = self._choose(answer, allowed, "first factor")
        if choice in ("PASSWORD", "PASSWORD_SRP"):
            ctx = attrs.evolve(self._ctx, password_mode=choice)
            return self._advance(Outcome("password_factor_chosen"), ctx)
        return self._respond("SELECT_CHALLENGE", {"ANSWER": choice}, metadata)

    def _answer_password(self, password: str, metadata: dict[str, str]) -> SignInOutput:
        if self._ctx.password_mode == "PASSWORD_SRP":
            client = srp.SrpClient(self.user_pool_id.split("_", 1)[1])
            responses = {"ANSWER": "PASSWORD_SRP", "SRP_A": client.srp_a}
            return self._respond(
                "SELECT_CHALLENGE", responses, metadata, password=password, client=client
            )
        responses = {"ANSWER": "PASSWORD", "PASSWORD": password}
        return self._respond("SELECT_CHALLENGE", responses, metadata)

    def _preferred(self, auth_flow_type: str, preferred: str | None) -> str | None:
        if preferred is None:
            return None
        if auth_flow_type != "USER_AUTH":
            raise InvalidInputError(
                "preferred_challenge",
                "preferred_challenge is only used with auth_flow_type='USER_AUTH'.",
                "Leave it out, or sign in with USER_AUTH.",
            )
        choice = preferred.strip().upper()
        if choice not in FIRST_FACTORS:
            raise InvalidInputError(
                "preferred_challenge",
                "preferred_challenge is not a first factor.",
                f"Use one of: {', '.join(FIRST_FACTORS)}.",
            )
        return choice

    def _choose(self, answer: str, allowed: tuple[str, ...], what: str) -> str:
        choice = answer.upper()
        if choice not in allowed:
            raise InvalidAnswerError(
                "challenge_response",
                f"The answer is not an allowed {what}.",
                f"Answer with one of: {', '.join(allowed)}.",
            )
        return choice

    # == talking to Cognito ==========================================================

    def _respond(
        self,
        challenge: str,
        responses: dict[str, str],
        metadata: dict[str, str],
        *,
        password: str | None = None,
        client: srp.SrpClient | None = None,
    ) -> SignInOutput:
        """Send an answer for the current challenge, and move to what Cognito says next."""
        ctx = self._ctx
        answers = {"USERNAME": ctx.username, **responses}
        try:
            reply = self._answer_challenge(challenge, answers, ctx.username, ctx.session, metadata)
            reply = self._answer_automatic(reply, ctx, password, client, metadata)
        except CognitoError as error:
            event = map_error(error)
            if event in ("user_not_confirmed", "password_reset_required") and self._accepts(event):
                # A result, not a failure (spec 3.3), wherever the machine declares it.
                base = FlowContext(
                    login_id=ctx.login_id, username=ctx.username, auth_flow_type=ctx.auth_flow_type
                )
                self._send(event, base, username=ctx.username)
                return self._output()
            raise self._after_error(error) from None
        except _CeremonyFailed as failed:
            if not self._accepts("passkey_failed"):
                raise UnexpectedChallengeError(
                    "Cognito asked for a passkey where this flow cannot offer another factor.",
                    "Sign in again with auth_flow_type='USER_AUTH'.",
                ) from None
            self._send("passkey_failed", failed.context(ctx), username=ctx.username)
            raise failed.error() from None
        return self._advance(map_reply(reply), ctx)

    def _after_error(self, error: CognitoError) -> ServiceError:
        """Move the machine for an error inside a step, and give the error to raise."""
        event = map_error(error)
        if event in ("code_mismatch", "password_rejected") and self._accepts(event):
            self._send(event, self._ctx, username=self._ctx.username)
            return service_error(error)
        if event == "session_ended" and self._accepts(event):
            username = self._ctx.username
            self._send("session_ended", FlowContext(), username=username)
            if "session" in error.message.lower():
                return SessionExpiredError(
                    error.code, error.message, error.operation, _SESSION_HINT
                )
            return service_error(error, _SESSION_HINT)
        return service_error(error)

    def _answer_automatic(
        self,
        reply: AuthChallengeResponse,
        ctx: FlowContext,
        password: str | None,
        client: srp.SrpClient | None,
        metadata: Mapping[str, str] | None,
    ) -> AuthChallengeResponse:
        """Answer PASSWORD_VERIFIER (and refuse device challenges) wherever they appear."""
        while reply.get("ChallengeName") in AUTOMATIC_CHALLENGES:
            name = reply.get("ChallengeName")
            params = reply.get("ChallengeParameters") or {}
            if name == "WEB_AUTHN":
                reply = self._passkey_ceremony(reply, ctx)
                continue
            if name != "PASSWORD_VERIFIER":
                raise UnexpectedChallengeError(
                    f"Cognito asked for {name}, but this flow holds no remembered device.",
                    "Sign in without a device key, or turn device tracking off for the pool.",
                )
            if client is None or password is None:
                raise UnexpectedChallengeError(
                    "Cognito asked for PASSWORD_VERIFIER where no SRP exchange was started.",
                    "Sign in again with auth_flow_type='USER_SRP_AUTH'.",
                )
            if not params.get("USER_ID_FOR_SRP"):
                raise UnexpectedChallengeError(
                    "USER_ID_FOR_SRP was not found in the PASSWORD_VERIFIER challenge.",
                    "Sign in again.",
                )
            answers = client.answer_password_verifier(dict(params), password)
            client = None  # one proof per exchange
            reply = self._answer_challenge(
                "PASSWORD_VERIFIER", answers, answers["USERNAME"], reply.get("Session"), metadata
            )
        return reply

    def _passkey_ceremony(
        self, reply: AuthChallengeResponse, ctx: FlowContext
    ) -> AuthChallengeResponse:
        """Answer WEB_AUTHN with the caller's authenticator; its failure keeps the session."""
        params = reply.get("ChallengeParameters") or {}
        username = params.get("USERNAME") or params.get("USER_ID_FOR_SRP") or ctx.username
        if self.passkey_authenticator is None:
            raise _CeremonyFailed(reply, "no passkey_authenticator was given to the flow")
        try:
            credential = self.passkey_authenticator(params.get("CREDENTIAL_REQUEST_OPTIONS", "{}"))
        except Exception as error:  # the caller's authenticator reports failure by raising
            raise _CeremonyFailed(reply, f"{type(error).__name__}: {error}") from None
        answers = {"USERNAME": username, "CREDENTIAL": credential}
        # Like Amplify, no ClientMetadata on the passkey answer.
        return self._answer_challenge("WEB_AUTHN", answers, username, reply.get("Session"), None)

    def _answer_challenge(
        self,
        challenge: str,
        answers: dict[str, str],
        username: str,
        session: str | None,
        metadata: Mapping[str, str] | None,
    ) -> AuthChallengeResponse:
        """One RespondToAuthChallenge call, with SECRET_HASH over ``username`` if needed."""
        answers = dict(answers)
        self._add_secret_hash(answers, username)
        request: RespondToAuthChallengeRequest = {
            "ClientId": self.client_id,
            "ChallengeName": challenge,
            "ChallengeResponses": answers,
        }
        if session:
            request["Session"] = session
        if metadata:
            request["ClientMetadata"] = dict(metadata)
        return self._call(self.transport.respond_to_auth_challenge, request)

    def register_passkey(self, create_credential: Callable[[dict[str, Any]], Any]) -> None:
        """Register a passkey for the signed-in user (Start/CompleteWebAuthnRegistration).

        ``create_credential`` gets Cognito's ``CredentialCreationOptions`` and returns the
        RegistrationResponseJSON document (in a browser, ``navigator.credentials.create``;
        in tests, ``SoftwareAuthenticator().create``).
        """
        tokens = self.tokens
        if tokens is None:
            raise InvalidStateError(
                "Registering a passkey needs a signed-in user.", "Sign in first, then register."
            )
        started = self._service(
            self.transport.start_web_authn_registration, {"AccessToken": tokens.access_token}
        )
        credential = create_credential(started["CredentialCreationOptions"])
        if isinstance(credential, str):
            credential = json.loads(credential)
        self._service(
            self.transport.complete_web_authn_registration,
            {"AccessToken": tokens.access_token, "Credential": credential},
        )

    def _associate(self, ctx: FlowContext) -> FlowContext:
        """AssociateSoftwareToken with the session, when the TOTP set-up step is produced."""
        try:
            reply = self._call(
                self.transport.associate_software_token, {"Session": ctx.session or ""}
            )
        except CognitoError as error:
            raise self._after_error(error) from None
        return attrs.evolve(
            ctx,
            session=reply.get("Session") or ctx.session,
            totp_secret=reply.get("SecretCode"),
        )

    def _advance(
        self, outcome: Outcome, ctx: FlowContext, *, restart: bool = False
    ) -> SignInOutput:
        """Apply a mapped outcome: build the new context, move the machine, return the step."""
        if outcome.event in ("email_setup_chosen", "totp_setup_chosen", "password_factor_chosen"):
            new = ctx
        elif outcome.event == "authenticated":
            new = attrs.evolve(
                ctx,
                session=None,
                challenge_name=None,
                challenge_parameters={},
                totp_secret=None,
                tokens=outcome.tokens,
            )
        else:
            new = attrs.evolve(
                ctx,
                session=outcome.session,
                challenge_name=outcome.challenge_name,
                challenge_parameters=dict(outcome.parameters),
                mfa_types=outcome.mfa_types,
                missing_attributes=outcome.missing_attributes,
                available_challenges=outcome.available_challenges or ctx.available_challenges,
                totp_secret=None,
            )
            if outcome.event == "mfa_setup_required" and outcome.mfa_types == ("TOTP",):
                new = self._associate(new)
        if restart and self.state is not FlowState.SIGNED_OUT:
            self._send("sign_out", FlowContext(), username=self._ctx.username)
        self._send(outcome.event, new, username=new.username, setup_types=outcome.mfa_types)
        return self._output()

    def _restart(self, event: str, ctx: FlowContext) -> SignInOutput:
        if self.state is not FlowState.SIGNED_OUT:
            self._send("sign_out", FlowContext(), username=self._ctx.username)
        self._send(event, ctx, username=ctx.username)
        return self._output()

    def _output(self) -> SignInOutput:
        step = self.next_step
        assert step is not None
        done = self.state is FlowState.DONE
        return SignInOutput(is_signed_in=done, next_step=step, tokens=self.tokens if done else None)

    def _call(self, method: Callable[[Any], _T], request: Any) -> _T:
        """Every call to Cognito goes through here; an unreachable Cognito changes nothing."""
        try:
            return method(request)
        except TransportConnectionError as error:
            raise ConnectionFailedError(
                error.message, "Check the network or the endpoint, then call again."
            ) from None

    def _service(self, method: Callable[[Any], _T], request: Any) -> _T:
        """Call Cognito outside a sign-in step: errors are raised typed, state unchanged."""
        try:
            return self._call(method, request)
        except CognitoError as error:
            raise service_error(error) from None

    # == the machine =================================================================

    def _accepts(self, event: str) -> bool:
        return any(e.id == event for e in self._machine.allowed_events)

    def _send(self, event: str, ctx: FlowContext, *, username: str, **data: Any) -> None:
        """Move the machine, then (only if it moved) commit the new context, and log it."""
        source = self.state
        self._machine.send(event, **data)
        if not ctx.session:
            ctx = attrs.evolve(ctx, session_issued_at=None)
        elif ctx.session != self._ctx.session or ctx.session_issued_at is None:
            ctx = attrs.evolve(ctx, session_issued_at=self.clock())
        self._ctx = ctx
        self.path.append((source.value, event, self.state.value))
        log.info(
            "cognitoflow.transition",
            source=source.value,
            on_event=event,
            target=self.state.value,
            username=username,
        )

    def _require_state(self, call: str, *allowed: FlowState) -> None:
        if self.state not in allowed:
            raise InvalidStateError(
                f"{call} is not possible while the flow is at {self.state.value}.",
                "Call sign_out first to start over.",
            )

    def _add_secret_hash(self, params: dict[str, str], username: str) -> None:
        if self._client_secret:
            params["SECRET_HASH"] = self._secret_hash(username)

    def _add_secret_hash_member(self, request: dict[str, Any], username: str) -> None:
        if self._client_secret:
            request["SecretHash"] = self._secret_hash(username)

    def _secret_hash(self, username: str) -> str:
        assert self._client_secret is not None
        digest = hmac.new(
            self._client_secret.encode(), (username + self.client_id).encode(), "sha256"
        ).digest()
        return base64.b64encode(digest).decode()

    # == steps =======================================================================

    @staticmethod
    def _step_for(state: FlowState, ctx: FlowContext) -> NextStep | None:
        params = ctx.challenge_parameters
        delivery = CodeDeliveryDetails(
            delivery_medium=params.get("CODE_DELIVERY_DELIVERY_MEDIUM"),
            destination=params.get("CODE_DELIVERY_DESTINATION"),
        )
        steps: dict[FlowState, Callable[[], NextStep]] = {
            FlowState.CONFIRM_SIGN_IN_WITH_SMS_CODE: lambda: ConfirmSignInWithSmsCode(delivery),
            FlowState.CONFIRM_SIGN_IN_WITH_EMAIL_CODE: lambda: ConfirmSignInWithEmailCode(delivery),
            FlowState.CONFIRM_SIGN_IN_WITH_TOTP_CODE: lambda: ConfirmSignInWithTotpCode(
                params.get("FRIENDLY_DEVICE_NAME")
            ),
            FlowState.CONTINUE_SIGN_IN_WITH_MFA_SELECTION: lambda: ContinueSignInWithMfaSelection(
                ctx.mfa_types
            ),
            FlowState.CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION: lambda: (
                ContinueSignInWithMfaSetupSelection(ctx.mfa_types)
            ),
            FlowState.CONTINUE_SIGN_IN_WITH_TOTP_SETUP: lambda: ContinueSignInWithTotpSetup(
                TotpSetupDetails(ctx.totp_secret or "", ctx.login_id)
            ),
            FlowState.CONTINUE_SIGN_IN_WITH_EMAIL_SETUP: ContinueSignInWithEmailSetup,
            FlowState.CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION: lambda: (
                ContinueSignInWithFirstFactorSelection(ctx.available_challenges)
            ),
            FlowState.CONFIRM_SIGN_IN_WITH_PASSWORD: ConfirmSignInWithPassword,
            FlowState.CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE: lambda: (
                ConfirmSignInWithCustomChallenge(dict(params))
            ),
            FlowState.CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED: lambda: (
                ConfirmSignInWithNewPasswordRequired(ctx.missing_attributes)
            ),
            FlowState.CONFIRM_SIGN_UP: lambda: ConfirmSignUp(ctx.code_delivery),
            FlowState.RESET_PASSWORD: ResetPassword,
            FlowState.DONE: Done,
        }
        build = steps.get(state)
        return build() if build else None


class _CeremonyFailed(Exception):
    """Inside the flow only: the passkey ceremony failed on this WEB_AUTHN reply."""

    def __init__(self, reply: AuthChallengeResponse, reason: str) -> None:
        super().__init__(reason)
        self.reply = reply
        self.reason = reason

    def context(self, ctx: FlowContext) -> FlowContext:
        """Where the flow waits: first-factor selection, on the WEB_AUTHN session."""
        return attrs.evolve(
            ctx,
            session=self.reply.get("Session"),
            challenge_name="WEB_AUTHN",
            challenge_parameters={},
        )

    def error(self) -> PasskeyCeremonyError:
        return PasskeyCeremonyError(
            f"The passkey ceremony failed ({self.reason}).",
            "Answer confirm_sign_in with another factor, or 'WEB_AUTHN' to try again.",
        )


snapshots.check_context_fields(FlowContext)
