"""Flow stores for asyncio: :class:`AsyncSignInFlow`\\ s kept between requests.

The same rules as :mod:`.store` (one step at a time per flow, flows expiring with their
Cognito session, snapshots sealed at rest), with the storage awaited::

    store = AsyncRedisFlowStore(redis.asyncio.Redis.from_url(url), sealer=sealer)
    flow_id = await store.create(flow)
    async with store.step(flow_id, transport) as flow:
        out = await flow.confirm_sign_in(code)

What is stored is what :class:`~cognitoflow.engine.FlowStore` stores: a flow saved by one
kind of store can be loaded by the other.
"""

from __future__ import annotations

import secrets
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from cognitoflow.transports.aio import AsyncTransport

from .async_flow import AsyncSignInFlow
from .driver import PasskeyAuthenticator
from .store import InMemoryFlowStore, RedisFlowStore, StoreRules

__all__ = ["AsyncFlowStore", "AsyncInMemoryFlowStore", "AsyncRedisFlowStore"]


class AsyncFlowStore(StoreRules, ABC):
    """Where async flows wait between requests; subclasses supply awaited storage and a
    lock. Arguments as :class:`~cognitoflow.engine.FlowStore`."""

    async def create(self, flow: AsyncSignInFlow) -> str:
        """Save a flow under a new random id, and give the id (safe to put in a cookie)."""
        flow_id = secrets.token_urlsafe(24)
        await self.save(flow_id, flow)
        return flow_id

    async def save(self, flow_id: str, flow: AsyncSignInFlow) -> None:
        """Keep the flow's snapshot under ``flow_id``, until its session expires."""
        await self._write(self._checked(flow_id), *self._stored(flow))

    async def load(
        self,
        flow_id: str,
        transport: AsyncTransport,
        *,
        client_secret: str | None = None,
        passkey_authenticator: PasskeyAuthenticator | None = None,
    ) -> AsyncSignInFlow:
        """The flow saved under ``flow_id``, to look at (use :meth:`step` to move it).

        Raises:
            FlowNotFoundError: no such flow (never saved, deleted, or expired).
            InvalidSnapshotError: what is stored cannot be restored.
        """
        flow_id = self._checked(flow_id)
        data = await self._read(flow_id)
        return self._restored(
            AsyncSignInFlow, flow_id, data, transport, client_secret, passkey_authenticator
        )

    async def delete(self, flow_id: str) -> None:
        """Forget a flow."""
        await self._remove(self._checked(flow_id))

    @asynccontextmanager
    async def step(
        self,
        flow_id: str,
        transport: AsyncTransport,
        *,
        client_secret: str | None = None,
        passkey_authenticator: PasskeyAuthenticator | None = None,
    ) -> AsyncIterator[AsyncSignInFlow]:
        """As :meth:`FlowStore.step <cognitoflow.engine.FlowStore.step>`:
        ``async with store.step(flow_id, transport) as flow``.

        Raises:
            StepInProgressError: another request holds this flow's lock; nothing changed.
            StaleStepError: the step outlived its lock; its result was not saved.
            FlowNotFoundError: no such flow.
        """
        flow_id = self._checked(flow_id)
        token = await self._try_lock(flow_id, self.lock_ttl)
        if token is None:
            raise self._in_progress()
        try:
            flow = await self.load(
                flow_id,
                transport,
                client_secret=client_secret,
                passkey_authenticator=passkey_authenticator,
            )
            try:
                yield flow
            finally:
                data, ttl = self._stored(flow)
                if not await self._write_locked(flow_id, token, data, ttl):
                    raise self._stale()
        finally:
            await self._unlock(flow_id, token)

    # == storage, for subclasses ======================================================

    @abstractmethod
    async def _write(self, flow_id: str, data: str, ttl: float) -> None: ...

    @abstractmethod
    async def _read(self, flow_id: str) -> str | None: ...

    @abstractmethod
    async def _remove(self, flow_id: str) -> None: ...

    @abstractmethod
    async def _try_lock(self, flow_id: str, ttl: float) -> str | None: ...

    @abstractmethod
    async def _unlock(self, flow_id: str, token: str) -> bool: ...

    @abstractmethod
    async def _write_locked(self, flow_id: str, token: str, data: str, ttl: float) -> bool: ...


class AsyncInMemoryFlowStore(AsyncFlowStore):
    """A store in this process's memory, for one process and for tests: the storage of
    :class:`~cognitoflow.engine.InMemoryFlowStore`, which never waits."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._memory = InMemoryFlowStore(**options)

    async def _write(self, flow_id: str, data: str, ttl: float) -> None:
        self._memory._write(flow_id, data, ttl)

    async def _read(self, flow_id: str) -> str | None:
        return self._memory._read(flow_id)

    async def _remove(self, flow_id: str) -> None:
        self._memory._remove(flow_id)

    async def _try_lock(self, flow_id: str, ttl: float) -> str | None:
        return self._memory._try_lock(flow_id, ttl)

    async def _unlock(self, flow_id: str, token: str) -> bool:
        return self._memory._unlock(flow_id, token)

    async def _write_locked(self, flow_id: str, token: str, data: str, ttl: float) -> bool:
        return self._memory._write_locked(flow_id, token, data, ttl)


class AsyncRedisFlowStore(AsyncFlowStore):
    """A store in Redis through redis-py's asyncio client, shared by every worker process;
    the keys and scripts of :class:`~cognitoflow.engine.RedisFlowStore`, so both kinds of
    store can share one Redis.

    Args:
        client: a ``redis.asyncio.Redis`` client (``redis.asyncio.Redis.from_url(...)``).
        prefix: put before every key.
        **options: as :class:`~cognitoflow.engine.FlowStore`.
    """

    def __init__(self, client: Any, *, prefix: str = "cognitoflow:flow:", **options: Any) -> None:
        super().__init__(**options)
        self.client = client
        self.prefix = prefix
        self._unlock_script = client.register_script(RedisFlowStore.UNLOCK)
        self._write_locked_script = client.register_script(RedisFlowStore.WRITE_LOCKED)

    def _key(self, flow_id: str) -> str:
        return self.prefix + flow_id

    async def _write(self, flow_id: str, data: str, ttl: float) -> None:
        await self.client.set(self._key(flow_id), data, px=int(ttl * 1000))

    async def _read(self, flow_id: str) -> str | None:
        return RedisFlowStore.text(await self.client.get(self._key(flow_id)))

    async def _remove(self, flow_id: str) -> None:
        await self.client.delete(self._key(flow_id))

    async def _try_lock(self, flow_id: str, ttl: float) -> str | None:
        token = secrets.token_hex(16)
        lock = self._key(flow_id) + ":lock"
        taken = await self.client.set(lock, token, nx=True, px=int(ttl * 1000))
        return token if taken else None

    async def _unlock(self, flow_id: str, token: str) -> bool:
        return bool(await self._unlock_script(keys=[self._key(flow_id) + ":lock"], args=[token]))

    async def _write_locked(self, flow_id: str, token: str, data: str, ttl: float) -> bool:
        key = self._key(flow_id)
        written = await self._write_locked_script(
            keys=[key + ":lock", key], args=[token, data, int(ttl * 1000)]
        )
        return bool(written)
