"""The one place a flow does I/O: it carries out the instructions of a plan.

A plan (:mod:`.plan`) decides; :class:`FlowDriver` does what it decided: it calls the
transport, moves the machine and commits the context, runs the caller's passkey
callbacks, and sends each result back. A refusal of any call goes through one policy,
:func:`.plan.on_error`, and a transport that cannot reach Cognito raises
:class:`ConnectionFailedError`. An asyncio front end carries out the same plans, with
awaits where this class calls.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import attrs

from cognitoflow.transports.aio import AsyncTransport
from cognitoflow.transports.base import (
    CognitoError,
    Transport,
    TransportConnectionError,
    TransportCredentialsError,
    TransportError,
)

from .context import FlowContext, output
from .errors import ConnectionFailedError, CredentialsMissingError, StepInProgressError
from .logs import log
from .machine import SignInMachine, next_state
from .outputs import AuthTokens, DeviceSecrets, SignInOutput
from .plan import (
    Call,
    Ceremony,
    CeremonyFailed,
    Commit,
    Compute,
    CreatePasskey,
    Instruction,
    KeepDevice,
    Move,
    Plan,
    Refused,
    lost_answer,
    on_error,
)
from .replies import check_reply
from .requests import AppClient
from .steps import FlowState

__all__ = ["FlowDriver", "PasskeyAuthenticator"]


_T = TypeVar("_T")

PasskeyAuthenticator = Callable[[str], str]
"""A passkey ceremony: the credential request options JSON in, the credential JSON out.

In a browser this is ``navigator.credentials.get``; in tests, a ``SoftwareAuthenticator``.
Raise any exception to report a failed or cancelled ceremony.
"""


class _StepEnded(Exception):
    """Inside the driver only: a refusal was the step's result (the machine has moved)."""


class FlowDriver:
    """A flow's state (machine, context, path) and the loop that carries out its plans."""

    def __init__(
        self,
        transport: Transport | AsyncTransport,
        client: AppClient,
        passkey_authenticator: PasskeyAuthenticator | None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.transport = transport
        self._client = client
        self.passkey_authenticator = passkey_authenticator
        self.clock = clock
        self._state = FlowState.SIGNED_OUT
        self._ctx = FlowContext()
        self.path: list[tuple[str, str, str]] = []
        """Every transition this flow took, as (source, event, target), for diagrams."""
        self.device: DeviceSecrets | None = None
        """The remembered device this flow signs in with (see ``SignInFlow(device=...)``)."""
        self._busy = threading.Lock()
        self._run_start = 0  # len(path) when the running plan started

    @property
    def _machine(self) -> SignInMachine:
        """A python-statemachine machine at the flow's state (made on demand: the flow
        moves by the machine's declared transitions, :func:`.machine.next_state`)."""
        return SignInMachine(start_value=self._state.value)

    @property
    def state(self) -> FlowState:
        """The machine's current state."""
        return self._state

    @property
    def tokens(self) -> AuthTokens | None:
        """The tokens, once signed in."""
        return self._ctx.tokens if self.state is FlowState.DONE else None

    def _step(self, plan: Plan[SignInOutput]) -> SignInOutput:
        """Run a sign-in plan; a refusal that is a result ends it at the flow's new step."""
        try:
            return self._run(plan)
        except _StepEnded:
            return output(self.state, self._ctx)

    def _run(self, plan: Plan[_T]) -> _T:
        """Carry out each instruction of ``plan`` and send back its result."""
        with self._exclusive():
            self._run_start = len(self.path)
            result: Any = None
            error: BaseException | None = None
            while True:
                try:
                    instruction = plan.send(result) if error is None else plan.throw(error)
                except StopIteration as done:
                    value: _T = done.value
                    return value
                result, error = None, None
                if isinstance(instruction, Compute):
                    try:
                        result = instruction.function(*instruction.args)
                    except Exception as failed:  # raised where the plan computes
                        error = failed
                else:
                    result = self._perform(instruction)

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """One call of a flow at a time: a second one, from another thread, is refused
        before it sends anything (two calls would both use the one Cognito session)."""
        if not self._busy.acquire(blocking=False):
            raise StepInProgressError(
                "Another call of this flow is running (in another thread or task).",
                "Wait for it to return, then look at next_step: it is the step that call reached.",
            )
        try:
            yield
        finally:
            self._busy.release()

    def _perform(self, instruction: Instruction) -> Any:
        if isinstance(instruction, Call):
            return self._call(instruction)
        if isinstance(instruction, Ceremony | CreatePasskey):
            callback = self._callback_of(instruction)
            if callback is None:
                return self._callback_failed(instruction, None)
            try:
                return callback(instruction.options)
            except Exception as error:  # the caller's ceremony reports failure by raising
                return self._callback_failed(instruction, error)
        return self._keep(instruction)

    def _keep(self, instruction: Instruction) -> Any:
        """Carry out an instruction that touches only the flow: a move, a context or device
        kept."""
        if isinstance(instruction, Move):
            return self._move(instruction)
        if isinstance(instruction, Commit):
            self._ctx = instruction.ctx
            return None
        if isinstance(instruction, KeepDevice):
            self.device = instruction.device
            return None
        raise TypeError(f"not an instruction this driver carries out: {instruction!r}")

    def _call(self, call: Call) -> Any:
        """Every call to Cognito goes through here; a refusal through :func:`on_error`."""
        try:
            reply = getattr(self.transport, call.operation)(call.request)  # a Transport here
        except TransportError as error:
            failure = error
        else:
            return self._answered(call, reply)
        # Raised outside the except block, so no transport error is chained to ours.
        return self._unanswered(call, failure)

    @staticmethod
    def _answered(call: Call, reply: Any) -> Any:
        check_reply(call, reply)
        return reply

    def _unanswered(self, call: Call, error: TransportError) -> Any:
        """A call that failed: what the plan gets back (a :class:`Refused` it asked for,
        or an empty reply when the refusal proves an earlier success), or the typed error
        raised."""
        if call.fallback_if is not None and call.fallback_if(error):
            if isinstance(error, CognitoError):
                return Refused(error.code, error.message)
            return Refused("", str(error), sent=not isinstance(error, TransportConnectionError))
        return self._failed(call, error)

    def _failed(self, call: Call, error: TransportError) -> Any:
        """A call that failed: the typed error to raise, or (a refusal that is the step's
        result, or proof of an earlier success) what the plan gets instead."""
        if isinstance(error, TransportConnectionError):
            if len(self.path) > self._run_start:  # this call came after the flow moved on
                raise ConnectionFailedError(
                    error.message,
                    f"Nothing more was sent: the sign-in has moved on to {self.state.value} "
                    "with what Cognito answered before. Check the network, then answer that "
                    "step (see next_step).",
                )
            raise ConnectionFailedError(
                error.message,
                "Nothing was sent: check the network or the endpoint, then call again.",
            )
        if isinstance(error, TransportCredentialsError):
            raise CredentialsMissingError(
                error.message,
                "Nothing was sent. Give the process AWS credentials allowed to call "
                "cognito-idp:AdminInitiateAuth and AdminRespondToAuthChallenge (the "
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY variables, AWS_PROFILE, or an "
                "IAM role), or sign in without admin=True.",
            )
        if not isinstance(error, CognitoError):  # sent, and the answer lost
            raise lost_answer(call)
        decision = on_error(error, call, self.state, self._ctx)
        if decision.done:
            return {}
        for move in decision.moves:
            self._move(move)
        if decision.error is not None:
            raise decision.error
        raise _StepEnded

    def _callback_of(self, instruction: Ceremony | CreatePasskey) -> Callable[[Any], Any] | None:
        """The caller's passkey callback an instruction runs (None: the flow has none)."""
        if isinstance(instruction, Ceremony):
            return self.passkey_authenticator
        return instruction.create

    @staticmethod
    def _callback_failed(
        instruction: Ceremony | CreatePasskey, error: Exception | None
    ) -> CeremonyFailed:
        """How a passkey callback's failure reaches the plan (``error`` None: no callback),
        the same whichever front end ran it."""
        if error is None:
            return CeremonyFailed("no passkey_authenticator was given to the flow")
        if isinstance(instruction, CreatePasskey):
            return CeremonyFailed(type(error).__name__)
        return CeremonyFailed(f"{type(error).__name__}: {error}")

    def _move(self, move: Move) -> FlowState:
        """Move the machine, then (only if it moved) commit the new context, and log it."""
        source = self.state
        previous = self._ctx
        self._state = next_state(source, move.event, move.setup_types)
        ctx = move.ctx
        if not ctx.session:
            ctx = attrs.evolve(ctx, session_issued_at=None)
        elif ctx.session != previous.session or ctx.session_issued_at is None:
            ctx = attrs.evolve(ctx, session_issued_at=self.clock())
        self._ctx = ctx
        self.path.append((source.value, move.event, self.state.value))
        log.debug(
            "cognitoflow.transition",
            source=source.value,
            on_event=move.event,
            target=self.state.value,
            username=move.ctx.username or move.ctx.login_id or previous.username,
        )
        return self.state
