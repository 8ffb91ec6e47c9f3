"""How a step is decided without doing it: plans, their instructions, and the error policy.

Every public method of the flow runs a *plan*: a generator that decides what to send
and how to apply each reply, and yields an instruction whenever something must be
done outside it. The flow (the one place with I/O) carries each instruction out and
sends back its result:

- :class:`Call`: one Cognito operation; the reply dict comes back. If Cognito refuses,
  the plan never sees it: :func:`on_error`, the one policy for every call, says which
  machine move (if any) the refusal makes and which typed error to raise.
- :class:`Move`: send an event to the machine and commit the new context; the state
  the machine reached comes back.
- :class:`Commit`: keep a context without moving (a session Cognito replaced mid-step).
- :class:`KeepDevice`: keep the flow's remembered device (a new one, or none).
- :class:`Ceremony` / :class:`CreatePasskey`: run a caller's passkey callback.
- :class:`Compute`: run SRP's arithmetic (milliseconds of CPU that hold the GIL); its
  result comes back, or the error it raised is raised inside the plan.

A plan returns what the public method returns, or raises a typed error. The same plans
are driven by :class:`~.driver.FlowDriver` (calls in the caller's thread) and by the
asyncio front end, :class:`~.async_flow.AsyncSignInFlow` (calls awaited, SRP's arithmetic
off the event loop).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Generator, Mapping
from typing import Any, TypeVar

import attrs

from cognitoflow.transports.base import CognitoError, TransportError

from .context import FlowContext, identity
from .errors import OutcomeUnknownError, ServiceError, SessionExpiredError, service_error
from .machine import accepts
from .mapping import map_error
from .outputs import DeviceSecrets
from .steps import FlowState

__all__ = [
    "SESSION_HINT",
    "Call",
    "Ceremony",
    "CeremonyFailed",
    "Commit",
    "Compute",
    "CreatePasskey",
    "ErrorDecision",
    "Instruction",
    "KeepDevice",
    "Move",
    "Plan",
    "Refused",
    "Scope",
    "any_failure",
    "device_forgotten",
    "lost_answer",
    "not_served",
    "on_error",
    "restart",
]

_T = TypeVar("_T")

SESSION_HINT = "Call sign_in again to start a new sign-in."

RESULT_EVENTS = frozenset({"user_not_confirmed", "password_reset_required"})
"""Refusals that are results: the user must confirm sign-up, or reset the password."""
RETRY_EVENTS = frozenset({"code_mismatch", "password_rejected"})
"""Refusals that keep the step: a wrong code, a password the policy refuses."""


class Scope(enum.Enum):
    """Where a call stands, which decides what a refusal does to the flow (:func:`on_error`)."""

    SIGN_IN = "sign_in"
    """Starting a sign-in: a result (unconfirmed user, reset required) restarts the flow
    there; any other refusal leaves the flow as it was."""
    STEP = "step"
    """Answering a sign-in step: a result moves there, a wrong code or refused password
    keeps the step, a session Cognito no longer accepts ends the sign-in."""
    ACCOUNT = "account"
    """Sign-up, password reset, passkeys: a wrong code or refused password keeps the step
    where the flow has one; nothing else moves."""
    SESSION = "session"
    """Refreshing a signed-in session's tokens: Cognito refusing the refresh token (revoked,
    expired) ends the sign-in; any other refusal leaves it as it was."""


@attrs.frozen
class Call:
    """Call the transport's ``operation`` (``initiate_auth``, ...) with ``request``.

    ``ctx`` is the step's context at this call: a result refusal restarts from the user
    it names. ``done_if`` names a refusal (error code, words of its message) that proves
    an earlier attempt of this very call succeeded; it is taken as an empty reply.
    ``fallback_if`` picks failures the plan handles itself (another way to the same end,
    or none needed): such a failure, a refusal or Cognito out of reach, comes back to
    the plan as a :class:`Refused` instead of the reply.
    """

    operation: str
    request: Mapping[str, Any] = attrs.field(repr=False)
    scope: Scope
    ctx: FlowContext
    done_if: tuple[str, str] | None = None
    fallback_if: Callable[[TransportError], bool] | None = None


@attrs.frozen
class Refused:
    """A failure the plan asked to see (``Call.fallback_if``): Cognito's code and message,
    or an empty code when no answer came; then ``sent`` says whether the request may have
    arrived (False: Cognito could not be reached, nothing was sent)."""

    code: str
    message: str
    sent: bool = True


@attrs.frozen
class Compute:
    """Run ``function(*args)``: SRP's modular arithmetic, which the asyncio front end runs
    in another process so that it never holds up the event loop. ``function`` and
    ``args`` can be pickled (module functions, bound methods of plain objects)."""

    function: Callable[..., Any]
    args: tuple[Any, ...] = attrs.field(default=(), repr=False)


@attrs.frozen
class KeepDevice:
    """Keep ``device`` as the flow's remembered device (None: the flow has none now)."""

    device: DeviceSecrets | None = attrs.field(repr=False)


NOT_SERVED_CODES = frozenset(
    {
        "UnknownOperationException",
        "InvalidAction",
        "NotImplementedException",
        "NotImplemented",
        "OperationNotEnabledException",
    }
)
"""Codes saying the endpoint does not serve an operation at all (AWS's JSON protocol for
an unknown target, emulators that lack it, Cognito's "not enabled")."""


def not_served(error: TransportError) -> bool:
    """The endpoint does not serve this operation: a code of :data:`NOT_SERVED_CODES`, or
    an answer that is not Cognito's (an HTTP status with no error code, as moto's server
    sends for an operation it lacks)."""
    if not isinstance(error, CognitoError):
        return False
    return error.code in NOT_SERVED_CODES or error.code.isdigit()


def device_forgotten(error: TransportError) -> bool:
    """Cognito no longer knows the device the sign-in presented (forgotten, or never
    this user's): the sign-in is tried again without it, as Amplify does."""
    return (
        isinstance(error, CognitoError)
        and error.code == "ResourceNotFoundException"
        and "Device does not exist" in error.message
    )


def any_failure(error: TransportError) -> bool:
    """Every failure: for a call whose failure the plan shrugs off."""
    return True


@attrs.frozen
class Move:
    """Send ``event`` to the machine; once it has moved, ``ctx`` is the flow's context."""

    event: str
    ctx: FlowContext
    setup_types: tuple[str, ...] = ()


@attrs.frozen
class Commit:
    """Keep ``ctx`` as the flow's context without moving the machine."""

    ctx: FlowContext


@attrs.frozen
class Ceremony:
    """Run the flow's passkey authenticator on Cognito's credential request options.

    The credential JSON comes back, or a :class:`CeremonyFailed` when the authenticator
    is missing or raised.
    """

    options: str = attrs.field(repr=False)


@attrs.frozen
class CeremonyFailed:
    """Why a passkey ceremony failed (the authenticator's error type and text)."""

    reason: str


@attrs.frozen
class CreatePasskey:
    """Run the caller's ``create_credential`` on Cognito's creation options; its result
    comes back, or a :class:`CeremonyFailed` when it raised."""

    create: Callable[[dict[str, Any]], Any]
    options: dict[str, Any] = attrs.field(repr=False)


Instruction = Call | Move | Commit | Ceremony | CreatePasskey | KeepDevice | Compute
Plan = Generator[Instruction, Any, _T]
"""A step decided: yields instructions, is sent their results, returns the step's value."""


def restart(state: FlowState, move: Move) -> tuple[Move, ...]:
    """``move`` made from ``SIGNED_OUT``: a flow elsewhere signs out first."""
    if state is FlowState.SIGNED_OUT:
        return (move,)
    return (Move("sign_out", FlowContext()), move)


@attrs.frozen
class ErrorDecision:
    """What a refusal does: the moves to make, then the error to raise (None: the moves
    are the step's result, and the step returns the flow's output). ``done``: the
    refusal proves the call had already succeeded; the plan goes on as if it just had."""

    moves: tuple[Move, ...] = ()
    error: ServiceError | None = None
    done: bool = False


def on_error(
    error: CognitoError, call: Call, state: FlowState, committed: FlowContext
) -> ErrorDecision:
    """The one policy for a refusal of any call: Cognito's error → moves and typed error.

    ``state`` and ``committed`` are the flow's state and context when the call failed.
    """
    if call.done_if and error.code == call.done_if[0] and call.done_if[1] in error.message:
        return ErrorDecision(done=True)
    if call.scope is Scope.SESSION:
        if error.code == "NotAuthorizedException":
            refused = service_error(
                error, "The sign-in has ended (its refresh token is refused): call sign_in again."
            )
            return ErrorDecision((Move("sign_out", FlowContext()),), refused)
        return ErrorDecision(error=service_error(error))
    event = map_error(error)
    if call.scope is Scope.SIGN_IN:
        if event in RESULT_EVENTS:
            return ErrorDecision(restart(state, Move(event, identity(call.ctx))))
        return ErrorDecision(error=service_error(error))
    if event is None or not accepts(state, event):
        return ErrorDecision(error=service_error(error))
    if call.scope is Scope.STEP and event in RESULT_EVENTS:
        return ErrorDecision((Move(event, identity(call.ctx)),))
    if event in RETRY_EVENTS:
        return ErrorDecision((Move(event, committed),), service_error(error))
    if call.scope is Scope.STEP and event == "session_ended":
        ended: ServiceError
        if "session" in error.message.lower():
            ended = SessionExpiredError(error.code, error.message, error.operation, SESSION_HINT)
        else:
            ended = service_error(error, SESSION_HINT)
        return ErrorDecision((Move("session_ended", FlowContext()),), ended)
    return ErrorDecision(error=service_error(error))


_SESSION_ANSWER = (
    "Cognito may have taken this answer, which uses up the step's session. Make the same "
    "call again: if it was taken, the error then says the session is used, and sign_in "
    "starts over.",
    False,
)
_LOST_ANSWERS: Mapping[str, tuple[str, bool]] = {
    "initiate_auth": ("Call sign_in again: a new sign-in starts either way.", True),
    "admin_initiate_auth": ("Call sign_in again: a new sign-in starts either way.", True),
    "respond_to_auth_challenge": _SESSION_ANSWER,
    "associate_software_token": _SESSION_ANSWER,
    "verify_software_token": _SESSION_ANSWER,
    "sign_up": (
        "The user may have been created. If a confirmation code arrives, call "
        "confirm_sign_up; sign_up again answers UsernameExistsException if it was.",
        False,
    ),
    "confirm_sign_up": (
        "Call confirm_sign_up again: if this call confirmed the user, it reports success.",
        True,
    ),
    "resend_confirmation_code": ("Call it again: the latest code sent is the one.", True),
    "forgot_password": ("Call reset_password again: the latest code sent is the one.", True),
    "confirm_forgot_password": (
        "The new password may be set already: try sign_in with it, or call reset_password "
        "for a new code.",
        False,
    ),
    "start_web_authn_registration": ("Call register_passkey again.", True),
    "update_device_status": ("Call remember_device again.", True),
    "list_devices": ("Call fetch_devices again.", True),
    "forget_device": (
        "The device may be forgotten already: fetch_devices shows whether it is.",
        False,
    ),
    "complete_web_authn_registration": (
        "The passkey may be registered already: list the user's passkeys before "
        "registering it again.",
        False,
    ),
}


def lost_answer(call: Call) -> OutcomeUnknownError:
    """The error for a call whose answer was lost after it was sent: what is safe next."""
    suggestion, retryable = _LOST_ANSWERS.get(call.operation, _SESSION_ANSWER)
    error = OutcomeUnknownError(
        call.operation,
        f"Cognito's answer to {call.operation} was lost after the request was sent (a read "
        "timeout or a dropped connection); it may have been carried out. The flow is as "
        "it was before the call.",
        suggestion,
    )
    error.retryable = retryable
    return error
