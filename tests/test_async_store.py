"""The async flow stores: one step at a time, saved however the step ends, shared with the
sync stores (a flow saved by one kind loads in the other)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from cognitoflow.engine import (
    AsyncFlowStore,
    AsyncInMemoryFlowStore,
    AsyncRedisFlowStore,
    AsyncSignInFlow,
    CodeMismatchException,
    FlowNotFoundError,
    FlowState,
    RedisFlowStore,
    SignInFlow,
    SnapshotSealer,
    StaleStepError,
    StepInProgressError,
)
from cognitoflow.transports.fake import AsyncFakeTransport, FakeCognito, FakeTransport, ManualClock

from helpers import PASSWORD, Pool

SEALER = SnapshotSealer([SnapshotSealer.generate_key()])


@pytest.fixture
def pool() -> Pool:
    made = Pool(FakeCognito(clock=ManualClock()), MfaConfiguration="OPTIONAL")
    made.user("ann", PASSWORD, mfa=("SMS_MFA",), phone_number="+15555550100")
    return made


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest, pool: Pool) -> AsyncIterator[AsyncFlowStore]:
    if request.param == "memory":
        yield AsyncInMemoryFlowStore(sealer=SEALER, clock=pool.cognito.clock)
        return
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(request.getfixturevalue("redis_url"))
    yield AsyncRedisFlowStore(client, sealer=SEALER, clock=pool.cognito.clock)
    await client.aclose()


async def _at_sms(pool: Pool) -> AsyncSignInFlow:
    flow = AsyncSignInFlow(
        AsyncFakeTransport(pool.cognito),
        user_pool_id=pool.pool_id,
        client_id=pool.client_id,
        clock=pool.cognito.clock,
    )
    await flow.sign_in("ann", PASSWORD)
    assert flow.state is FlowState.CONFIRM_SIGN_IN_WITH_SMS_CODE
    return flow


@pytest.mark.anyio
async def test_a_step_is_saved_however_it_ends(store: AsyncFlowStore, pool: Pool) -> None:
    transport = AsyncFakeTransport(pool.cognito)
    flow_id = await store.create(await _at_sms(pool))
    with pytest.raises(CodeMismatchException):
        async with store.step(flow_id, transport) as flow:
            await flow.confirm_sign_in("000000")
    kept = await store.load(flow_id, transport)
    assert kept.state is FlowState.CONFIRM_SIGN_IN_WITH_SMS_CODE  # kept for a retry
    async with store.step(flow_id, transport) as flow:
        await flow.confirm_sign_in(pool.cognito.outbox.last_code("ann"))
    assert (await store.load(flow_id, transport)).state is FlowState.DONE
    await store.delete(flow_id)
    with pytest.raises(FlowNotFoundError):
        await store.load(flow_id, transport)


@pytest.mark.anyio
async def test_a_second_step_at_once_is_refused_and_changes_nothing(
    store: AsyncFlowStore, pool: Pool
) -> None:
    transport = AsyncFakeTransport(pool.cognito)
    flow_id = await store.create(await _at_sms(pool))
    inside, leave = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with store.step(flow_id, transport):
            inside.set()
            await leave.wait()

    task = asyncio.create_task(first())
    await inside.wait()
    with pytest.raises(StepInProgressError):
        async with store.step(flow_id, transport):
            pass
    leave.set()
    await task
    async with store.step(flow_id, transport) as flow:  # free again
        assert flow.state is FlowState.CONFIRM_SIGN_IN_WITH_SMS_CODE


@pytest.mark.anyio
async def test_a_step_that_outlives_its_lock_is_not_saved(pool: Pool) -> None:
    clock: Any = pool.cognito.clock
    store = AsyncInMemoryFlowStore(sealer=SEALER, clock=clock, lock_ttl=5)
    transport = AsyncFakeTransport(pool.cognito)
    flow_id = await store.create(await _at_sms(pool))

    async def too_slow() -> None:
        async with store.step(flow_id, transport) as flow:
            clock.advance(6)
            await flow.confirm_sign_in(pool.cognito.outbox.last_code("ann"))

    with pytest.raises(StaleStepError):
        await too_slow()
    assert (await store.load(flow_id, transport)).state is FlowState.CONFIRM_SIGN_IN_WITH_SMS_CODE


@pytest.mark.anyio
async def test_sync_and_async_redis_stores_share_their_flows(pool: Pool, redis_url: str) -> None:
    import redis
    import redis.asyncio

    sync_client = redis.Redis.from_url(redis_url)
    async_client = redis.asyncio.Redis.from_url(redis_url)
    try:
        sync_store = RedisFlowStore(sync_client, sealer=SEALER, clock=pool.cognito.clock)
        async_store = AsyncRedisFlowStore(async_client, sealer=SEALER, clock=pool.cognito.clock)
        flow = SignInFlow(
            FakeTransport(pool.cognito),
            user_pool_id=pool.pool_id,
            client_id=pool.client_id,
            clock=pool.cognito.clock,
        )
        flow.sign_in("ann", PASSWORD)
        flow_id = sync_store.create(flow)
        async with async_store.step(flow_id, AsyncFakeTransport(pool.cognito)) as awaited:
            await awaited.confirm_sign_in(pool.cognito.outbox.last_code("ann"))
        back = sync_store.load(flow_id, FakeTransport(pool.cognito))
        assert back.state is FlowState.DONE
        with sync_store.step(flow_id, FakeTransport(pool.cognito)):
            held = async_store.step(flow_id, AsyncFakeTransport(pool.cognito))
            with pytest.raises(StepInProgressError):  # one lock for both kinds of store
                await held.__aenter__()
    finally:
        sync_client.close()
        await async_client.aclose()
