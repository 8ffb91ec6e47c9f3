"""AsyncSignInFlow: the same sign-in for asyncio, every Cognito call awaited.

It is :class:`~cognitoflow.engine.SignInFlow` driven differently, not written again:
each public method of ``SignInFlow`` builds the same plan (:mod:`.plan`), and this class
carries the plan out with ``await`` where ``SignInFlow`` calls: the transport
(:class:`~cognitoflow.transports.AsyncTransport`), the passkey callbacks (which may be
coroutines here), and SRP's arithmetic, which runs in a pool of worker processes so that
it never holds up the event loop (it holds the GIL, so threads would not do: see
:mod:`.workers`).
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import time
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import Executor
from typing import Any, Literal, TypeVar, cast

from cognitoflow.transports.aio import AsyncTransport
from cognitoflow.transports.base import TransportError

from . import replies, session
from .context import output
from .driver import PasskeyAuthenticator, _StepEnded
from .errors import InvalidInputError
from .flow import Flow, SignInFlow
from .outputs import (
    AuthDevice,
    AuthSession,
    CodeDeliveryDetails,
    DeviceSecrets,
    ResetPasswordOutput,
    SignInOutput,
    SignUpOutput,
)
from .plan import Call, Ceremony, Compute, CreatePasskey, Plan
from .workers import SrpWorkers, shared_workers

__all__ = ["INLINE", "AsyncSignInFlow"]

_T = TypeVar("_T")

INLINE: Literal["inline"] = "inline"
"""``srp_executor=INLINE``: SRP's arithmetic runs on the event loop itself (a few ms per
step with gmpy2, tens without): for tests and scripts, not for a busy server."""


def _awaited(value: _T) -> Awaitable[_T]:
    """A ``SignInFlow`` method's result, which in this class is its awaitable."""
    return cast(Awaitable[_T], value)


class AsyncSignInFlow(Flow):
    """:class:`~cognitoflow.engine.SignInFlow` for asyncio: the same arguments, steps,
    outputs, errors and snapshots; each method that talks to Cognito is a coroutine.

    ``snapshot``, ``restore`` and ``get_current_user`` make no call and stay plain
    methods. A snapshot taken by either flow restores in the other.

    Args:
        transport: an :class:`~cognitoflow.transports.AsyncTransport`
            (``AioBotocoreTransport(...)``, or ``AsyncFakeTransport(cognito)``).
        srp_executor: where SRP's arithmetic runs: None for cognitoflow's worker
            processes (:func:`~cognitoflow.engine.workers.shared_workers`), any
            ``concurrent.futures.Executor``, or :data:`INLINE`.
        Every other argument is :class:`SignInFlow`'s; ``passkey_authenticator`` may be
        a coroutine function.

    Cancelled while a call is awaited, a method leaves the flow as it was before it
    (Cognito may have taken the call: the next step says so, as after a lost answer).
    """

    _TRANSPORT = AsyncTransport
    _TRANSPORT_HINT = (
        "Pass AioBotocoreTransport(...) for Cognito, or AsyncFakeTransport(cognito) for the fake."
    )

    def __init__(
        self,
        transport: AsyncTransport,
        *,
        user_pool_id: str,
        client_id: str,
        client_secret: str | None = None,
        passkey_authenticator: PasskeyAuthenticator | None = None,
        session_validity: float = SignInFlow.DEFAULT_SESSION_VALIDITY,
        clock: Callable[[], float] = time.time,
        admin: bool = False,
        device: DeviceSecrets | None = None,
        device_name: str | None = None,
        srp_executor: Executor | Literal["inline"] | None = None,
    ) -> None:
        super().__init__(
            transport,  # type: ignore[arg-type]
            user_pool_id=user_pool_id,
            client_id=client_id,
            client_secret=client_secret,
            passkey_authenticator=passkey_authenticator,
            session_validity=session_validity,
            clock=clock,
            admin=admin,
            device=device,
            device_name=device_name,
        )
        if not (
            srp_executor is None or srp_executor == INLINE or isinstance(srp_executor, Executor)
        ):
            raise InvalidInputError(
                "srp_executor",
                f"srp_executor must be an Executor, 'inline' or None, not "
                f"{type(srp_executor).__name__}.",
                "Leave it out: SRP then runs in cognitoflow's pool of worker processes.",
            )
        self.srp_executor = srp_executor

    @classmethod
    def restore(  # type: ignore[override]
        cls,
        snapshot: Mapping[str, Any],
        transport: AsyncTransport,
        *,
        client_secret: str | None = None,
        passkey_authenticator: PasskeyAuthenticator | None = None,
        clock: Callable[[], float] = time.time,
        srp_executor: Executor | Literal["inline"] | None = None,
    ) -> AsyncSignInFlow:
        """As :meth:`SignInFlow.restore` (from either flow's snapshot), for asyncio."""
        flow = super().restore(
            snapshot,
            transport,  # type: ignore[arg-type]
            client_secret=client_secret,
            passkey_authenticator=passkey_authenticator,
            clock=clock,
        )
        flow.srp_executor = srp_executor
        return flow

    # == the driver, awaited ==========================================================

    async def _step(self, plan: Plan[SignInOutput]) -> SignInOutput:  # type: ignore[override]
        try:
            return await self._run(plan)
        except _StepEnded:
            return output(self.state, self._ctx)

    async def _run(self, plan: Plan[_T]) -> _T:  # type: ignore[override]
        """Carry out each instruction of ``plan``, awaiting where :class:`FlowDriver`
        calls; cancelled, put the flow back as it was."""
        with self._exclusive():
            self._run_start = len(self.path)
            before = (self._state, self._ctx, self.device)
            try:
                return await self._carry_out(plan)
            except asyncio.CancelledError:
                self._state, self._ctx, self.device = before
                del self.path[self._run_start :]
                plan.close()
                raise

    async def _carry_out(self, plan: Plan[_T]) -> _T:
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
                    result = await self._compute(instruction)
                except Exception as failed:  # raised where the plan computes
                    error = failed
            elif isinstance(instruction, Call):
                result = await self._call_awaited(instruction)
            elif isinstance(instruction, Ceremony | CreatePasskey):
                result = await self._callback(instruction)
            else:
                result = self._keep(instruction)

    async def _call_awaited(self, call: Call) -> Any:
        if not replies.model_read():  # read once per process, off the loop
            await asyncio.to_thread(replies.read_model)
        transport = cast(AsyncTransport, self.transport)
        try:
            reply = await transport.call(call.operation, call.request)
        except TransportError as error:
            failure = error
        else:
            return self._answered(call, reply)
        return self._unanswered(call, failure)

    async def _compute(self, compute: Compute) -> Any:
        if self.srp_executor == INLINE:
            return compute.function(*compute.args)
        executor = self.srp_executor or shared_workers()
        if isinstance(executor, SrpWorkers):  # awaited on the loop: no thread takes the GIL
            return await executor.run(compute.function, *compute.args)
        work = functools.partial(compute.function, *compute.args)
        return await asyncio.get_running_loop().run_in_executor(executor, work)

    async def _callback(self, instruction: Ceremony | CreatePasskey) -> Any:
        """A passkey callback (plain or a coroutine function), its failure reported as
        :class:`FlowDriver` reports it."""
        callback = self._callback_of(instruction)
        if callback is None:
            return self._callback_failed(instruction, None)
        try:
            result = callback(instruction.options)
            if inspect.isawaitable(result):
                result = await result
        except Exception as error:  # the caller's ceremony reports failure by raising
            return self._callback_failed(instruction, error)
        return result

    # == the methods that talk to Cognito, as coroutines ==============================
    # Each replaces Flow's method of the same name and signature (hence the ignores: a
    # coroutine in place of a value, on purpose), and only awaits it: the decisions are
    # Flow's, made once.

    async def sign_in(  # type: ignore[override]
        self,
        username: str,
        password: str | None = None,
        *,
        auth_flow_type: str = "USER_SRP_AUTH",
        client_metadata: Mapping[str, str] | None = None,
        preferred_challenge: str | None = None,
    ) -> SignInOutput:
        """Awaitable :meth:`SignInFlow.sign_in`."""
        return await _awaited(
            super().sign_in(
                username,
                password,
                auth_flow_type=auth_flow_type,
                client_metadata=client_metadata,
                preferred_challenge=preferred_challenge,
            )
        )

    async def confirm_sign_in(  # type: ignore[override]
        self,
        challenge_response: str,
        *,
        user_attributes: Mapping[str, str] | None = None,
        client_metadata: Mapping[str, str] | None = None,
        friendly_device_name: str | None = None,
    ) -> SignInOutput:
        """Awaitable :meth:`SignInFlow.confirm_sign_in`."""
        return await _awaited(
            super().confirm_sign_in(
                challenge_response,
                user_attributes=user_attributes,
                client_metadata=client_metadata,
                friendly_device_name=friendly_device_name,
            )
        )

    async def sign_out(self, *, global_sign_out: bool = False) -> None:  # type: ignore[override]
        """Awaitable :meth:`SignInFlow.sign_out`."""
        await _awaited(super().sign_out(global_sign_out=global_sign_out))

    async def fetch_auth_session(  # type: ignore[override]
        self, *, force_refresh: bool = False, margin: float = session.REFRESH_MARGIN
    ) -> AuthSession:
        """Awaitable :meth:`SignInFlow.fetch_auth_session`."""
        return await _awaited(
            super().fetch_auth_session(force_refresh=force_refresh, margin=margin)
        )

    async def register_passkey(  # type: ignore[override]
        self, create_credential: Callable[[dict[str, Any]], Any]
    ) -> None:
        """Awaitable :meth:`SignInFlow.register_passkey`; ``create_credential`` may be a
        coroutine function."""
        await _awaited(super().register_passkey(create_credential))

    async def sign_up(  # type: ignore[override]
        self,
        username: str,
        password: str,
        *,
        user_attributes: Mapping[str, str] | None = None,
        client_metadata: Mapping[str, str] | None = None,
        auto_sign_in: bool | str = False,
    ) -> SignUpOutput:
        """Awaitable :meth:`SignInFlow.sign_up`."""
        return await _awaited(
            super().sign_up(
                username,
                password,
                user_attributes=user_attributes,
                client_metadata=client_metadata,
                auto_sign_in=auto_sign_in,
            )
        )

    async def auto_sign_in(self) -> SignInOutput:  # type: ignore[override]
        """Awaitable :meth:`SignInFlow.auto_sign_in`."""
        return await _awaited(super().auto_sign_in())

    async def confirm_sign_up(  # type: ignore[override]
        self,
        confirmation_code: str,
        *,
        username: str | None = None,
        client_metadata: Mapping[str, str] | None = None,
    ) -> SignUpOutput:
        """Awaitable :meth:`SignInFlow.confirm_sign_up`."""
        return await _awaited(
            super().confirm_sign_up(
                confirmation_code, username=username, client_metadata=client_metadata
            )
        )

    async def resend_sign_up_code(  # type: ignore[override]
        self, username: str | None = None, *, client_metadata: Mapping[str, str] | None = None
    ) -> CodeDeliveryDetails:
        """Awaitable :meth:`SignInFlow.resend_sign_up_code`."""
        return await _awaited(
            super().resend_sign_up_code(username, client_metadata=client_metadata)
        )

    async def reset_password(  # type: ignore[override]
        self, username: str | None = None, *, client_metadata: Mapping[str, str] | None = None
    ) -> ResetPasswordOutput:
        """Awaitable :meth:`SignInFlow.reset_password`."""
        return await _awaited(super().reset_password(username, client_metadata=client_metadata))

    async def confirm_reset_password(  # type: ignore[override]
        self,
        *,
        new_password: str,
        confirmation_code: str,
        username: str | None = None,
        client_metadata: Mapping[str, str] | None = None,
    ) -> ResetPasswordOutput:
        """Awaitable :meth:`SignInFlow.confirm_reset_password`."""
        return await _awaited(
            super().confirm_reset_password(
                new_password=new_password,
                confirmation_code=confirmation_code,
                username=username,
                client_metadata=client_metadata,
            )
        )

    async def remember_device(self) -> None:  # type: ignore[override]
        """Awaitable :meth:`SignInFlow.remember_device`."""
        await _awaited(super().remember_device())

    async def forget_device(self, device_key: str | None = None) -> None:  # type: ignore[override]
        """Awaitable :meth:`SignInFlow.forget_device`."""
        await _awaited(super().forget_device(device_key))

    async def fetch_devices(self) -> list[AuthDevice]:  # type: ignore[override]
        """Awaitable :meth:`SignInFlow.fetch_devices`."""
        return await _awaited(super().fetch_devices())
