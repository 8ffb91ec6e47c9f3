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
- :class:`Ceremony` / :class:`CreatePasskey`: run a caller's passkey callback.

A plan returns what the public method returns, or raises a typed error. The same plans
can be driven by an asyncio front end that awaits where the flow calls.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Generator, Mapping
from typing import Any, TypeVar

import attrs

from cognitoflow.transports.base import CognitoError

from .context import FlowContext, identity
from .errors import ServiceError, SessionExpiredError, service_error
from .machine import accepts
from .mapping import map_error
from .steps import FlowState

__all__ = [
    "SESSION_HINT",
    "Call",
    "Ceremony",
    "CeremonyFailed",
    "Commit",
    "CreatePasskey",
    "ErrorDecision",
    "Instruction",
    "Move",
    "Plan",
    "Scope",
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


@attrs.frozen
class Call:
    """Call the transport's ``operation`` (``initiate_auth``, ...) with ``request``.

    ``ctx`` is the step's context at this call: a result refusal restarts from the user
    it names.
    """

    operation: str
    request: Mapping[str, Any] = attrs.field(repr=False)
    scope: Scope
    ctx: FlowContext


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
    comes back (its errors are the caller's own and propagate)."""

    create: Callable[[dict[str, Any]], Any]
    options: dict[str, Any] = attrs.field(repr=False)


Instruction = Call | Move | Commit | Ceremony | CreatePasskey
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
    are the step's result, and the step returns the flow's output)."""

    moves: tuple[Move, ...] = ()
    error: ServiceError | None = None


def on_error(
    error: CognitoError, call: Call, state: FlowState, committed: FlowContext
) -> ErrorDecision:
    """The one policy for a refusal of any call: Cognito's error → moves and typed error.

    ``state`` and ``committed`` are the flow's state and context when the call failed.
    """
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
