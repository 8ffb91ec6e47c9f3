"""AsyncSignInFlow: the same flow, awaited; nothing decided twice; the loop never held up.

The contract, fault-injection and resume suites run on both front ends (see those
modules); this one checks what only the async front end has: its methods mirror
SignInFlow's one for one and do nothing but await them, cancellation leaves the flow as
it was, a second task on the same flow is refused, passkey callbacks may be coroutines,
SRP runs wherever it is sent (the worker processes themselves: test_workers.py).
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import textwrap
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from cognitoflow.engine import (
    INLINE,
    AsyncSignInFlow,
    FlowState,
    InvalidInputError,
    SignInFlow,
    StepInProgressError,
)
from cognitoflow.engine.flow import Flow
from cognitoflow.transports.aio import OPERATIONS, AsyncTransport
from cognitoflow.transports.fake import (
    AsyncFakeTransport,
    FakeCognito,
    FakeTransport,
    SoftwareAuthenticator,
)

from helpers import PASSWORD, Pool

PURE = {"get_current_user", "snapshot", "restore"}
"""Public methods that never call Cognito: plain methods on both flows."""


def _public(cls: type) -> dict[str, Any]:
    return {
        name: member
        for name, member in inspect.getmembers(cls)
        if not name.startswith("_") and callable(member) and not isinstance(member, type)
    }


def test_every_public_method_is_there_with_the_same_signature() -> None:
    sync, awaited = _public(SignInFlow), _public(AsyncSignInFlow)
    assert set(sync) == set(awaited)
    for name, method in sync.items():
        mirror = awaited[name]
        if name in PURE:
            assert not inspect.iscoroutinefunction(mirror), name
            continue
        assert inspect.iscoroutinefunction(mirror), f"{name} is not a coroutine"
        ours, theirs = inspect.signature(method), inspect.signature(mirror)
        assert list(ours.parameters.values()) == list(theirs.parameters.values()), name
        assert inspect.signature(mirror).return_annotation == ours.return_annotation, name


def _body(function: Any) -> list[ast.stmt]:
    source = textwrap.dedent(inspect.getsource(function))
    tree = ast.parse(source).body[0]
    assert isinstance(tree, ast.FunctionDef | ast.AsyncFunctionDef)
    statements = tree.body
    if statements and isinstance(statements[0], ast.Expr):  # the docstring
        statements = statements[1:]
    return statements


def test_no_async_method_decides_anything_it_only_awaits_flows_method() -> None:
    """Each coroutine is one statement: await the Flow method of the same name. So no
    decision is implemented twice: editing one here would fail this test."""
    for name, method in _public(AsyncSignInFlow).items():
        if name in PURE:
            continue
        (statement,) = _body(method)
        value = statement.value if isinstance(statement, ast.Return | ast.Expr) else None
        assert isinstance(value, ast.Await), name
        call = value.value
        assert isinstance(call, ast.Call), name
        assert isinstance(call.func, ast.Name), name
        (inner,) = call.args
        assert isinstance(inner, ast.Call), name
        assert isinstance(inner.func, ast.Attribute), name
        assert inner.func.attr == name, name
        assert isinstance(inner.func.value, ast.Call), name
        assert isinstance(inner.func.value.func, ast.Name)
        assert inner.func.value.func.id == "super", name


def test_flows_methods_end_with_their_plan() -> None:
    """What makes awaiting them the whole step: each Flow method that runs a plan returns
    what running it gives, and does nothing after."""
    for name, method in _public(Flow).items():
        if name in PURE:
            continue
        last = _body(method)[-1]
        assert isinstance(last, ast.Return), name
        assert isinstance(last.value, ast.Call), name
        assert isinstance(last.value.func, ast.Attribute), name
        assert last.value.func.attr in ("_run", "_step"), name


def test_every_transport_operation_is_one_cognito_knows() -> None:
    import botocore.session

    model = botocore.session.get_session().get_service_model("cognito-idp")
    assert set(OPERATIONS.values()) <= set(model.operation_names)


@pytest.fixture
def pool() -> Pool:
    return Pool(FakeCognito(), MfaConfiguration="OPTIONAL")


def _flow(pool: Pool, transport: AsyncTransport | None = None, **options: Any) -> AsyncSignInFlow:
    return AsyncSignInFlow(
        transport or AsyncFakeTransport(pool.cognito),
        user_pool_id=pool.pool_id,
        client_id=pool.client_id,
        **options,
    )


def test_a_sync_transport_is_refused_with_what_to_pass(pool: Pool) -> None:
    with pytest.raises(InvalidInputError, match="AsyncTransport") as refused:
        _flow(pool, FakeTransport(pool.cognito))  # type: ignore[arg-type]
    assert "AsyncFakeTransport" in (refused.value.recovery_suggestion or "")
    with pytest.raises(InvalidInputError, match="srp_executor"):
        _flow(pool, srp_executor="threads")  # type: ignore[arg-type]


class _Slow(AsyncTransport):
    """Answers after ``gate`` opens: a call in flight, for cancellation and concurrency."""

    def __init__(self, inner: AsyncTransport) -> None:
        self.inner = inner
        self.gate = asyncio.Event()
        self.started = asyncio.Event()
        self.sent: list[str] = []

    async def call(self, operation: str, request: Any) -> dict[str, Any]:
        self.sent.append(operation)
        self.started.set()
        await self.gate.wait()
        return await self.inner.call(operation, request)


@pytest.mark.anyio
async def test_cancelled_during_a_call_the_flow_is_as_it_was(pool: Pool) -> None:
    pool.user("sam", PASSWORD, mfa=("SMS_MFA",), phone_number="+15555550100")
    flow = _flow(pool, srp_executor=INLINE)
    await flow.sign_in("sam", PASSWORD)
    assert flow.state is FlowState.CONFIRM_SIGN_IN_WITH_SMS_CODE
    before, path = flow.snapshot(), list(flow.path)
    slow = _Slow(AsyncFakeTransport(pool.cognito))
    flow.transport = slow
    task = asyncio.create_task(flow.confirm_sign_in(pool.cognito.outbox.last_code("sam")))
    await slow.started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert flow.snapshot() == before
    assert flow.path == path
    flow.transport = AsyncFakeTransport(pool.cognito)  # and the step still works
    assert (await flow.confirm_sign_in(pool.cognito.outbox.last_code("sam"))).is_signed_in


@pytest.mark.anyio
async def test_a_second_task_on_the_same_flow_is_refused_before_it_sends(pool: Pool) -> None:
    pool.user("kim", PASSWORD)
    slow = _Slow(AsyncFakeTransport(pool.cognito))
    flow = _flow(pool, slow, srp_executor=INLINE)
    first = asyncio.create_task(flow.sign_in("kim", PASSWORD))
    await slow.started.wait()
    with pytest.raises(StepInProgressError):
        await flow.sign_in("kim", PASSWORD)
    assert slow.sent == ["initiate_auth"]
    slow.gate.set()
    assert (await first).is_signed_in


@pytest.mark.anyio
async def test_a_coroutine_passkey_authenticator_is_awaited() -> None:
    cognito = FakeCognito()
    pool = Pool(
        cognito,
        Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}},
        client={"ExplicitAuthFlows": ["ALLOW_USER_AUTH", "ALLOW_USER_SRP_AUTH"]},
    )
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool.pool_id, WebAuthnConfiguration={"RelyingPartyId": "example.com"}
    )
    pool.user("pat", PASSWORD)
    device = SoftwareAuthenticator()

    async def create(options: dict[str, Any]) -> Any:
        await asyncio.sleep(0)
        return device.create(options)

    async def get(options: str) -> str:
        await asyncio.sleep(0)
        return device(options)

    flow = _flow(pool)
    await flow.sign_in("pat", PASSWORD)
    await flow.register_passkey(create)
    again = _flow(pool, passkey_authenticator=get)
    out = await again.sign_in("pat", auth_flow_type="USER_AUTH", preferred_challenge="WEB_AUTHN")
    assert out.is_signed_in


@pytest.mark.anyio
@pytest.mark.parametrize("executor", ["workers", "threads", "inline"])
async def test_srp_runs_wherever_it_is_sent(pool: Pool, executor: str) -> None:
    """The default worker processes, any Executor, or inline: the same sign-in."""
    pool.user("lee", PASSWORD)
    chosen: Any = {"workers": None, "inline": INLINE}.get(executor)
    with ThreadPoolExecutor(1) as threads:
        flow = _flow(pool, srp_executor=chosen or (threads if executor == "threads" else None))
        assert (await flow.sign_in("lee", PASSWORD)).is_signed_in


@pytest.mark.anyio
async def test_botocores_model_is_read_off_the_loop(
    pool: Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The replies' checks need botocore's model of Cognito: read in a thread."""
    from cognitoflow.engine import replies

    pool.user("liv", PASSWORD)
    readers: list[threading.Thread] = []
    read = replies.read_model

    def recorded() -> None:
        readers.append(threading.current_thread())
        read()

    monkeypatch.setattr(replies, "read_model", recorded)
    replies._model.cache_clear()
    assert (await _flow(pool, srp_executor=INLINE).sign_in("liv", PASSWORD)).is_signed_in
    assert readers
    assert threading.current_thread() not in readers


def test_a_sync_snapshot_restores_in_an_async_flow_and_back(pool: Pool) -> None:
    pool.user("ada", PASSWORD, mfa=("SMS_MFA",), phone_number="+15555550100")
    sync = SignInFlow(
        FakeTransport(pool.cognito), user_pool_id=pool.pool_id, client_id=pool.client_id
    )
    sync.sign_in("ada", PASSWORD)
    awaited = AsyncSignInFlow.restore(sync.snapshot(), AsyncFakeTransport(pool.cognito))
    assert awaited.snapshot() == sync.snapshot()
    asyncio.run(awaited.confirm_sign_in(pool.cognito.outbox.last_code("ada")))
    back = SignInFlow.restore(awaited.snapshot(), FakeTransport(pool.cognito))
    assert back.state is FlowState.DONE
    assert back.fetch_auth_session().tokens is not None
