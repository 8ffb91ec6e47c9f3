"""AioBotocoreTransport: the asyncio transport onto Cognito, through aiobotocore.

Needs the ``async`` extra: ``pip install "cognitoflow[async]"``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from botocore.config import Config

from .aio import OPERATIONS, AsyncClientTransport
from .base import TransportCredentialsError, TransportError
from .retries import (
    SIGNED_OPERATIONS,
    checked_attempts,
    client_config,
    pause_before,
    worth_another_try,
)

try:
    from aiobotocore.config import AioConfig
    from aiobotocore.session import AioSession
except ImportError as missing:  # pragma: no cover - the extra is part of the test set-up
    raise ImportError(
        'AioBotocoreTransport needs aiobotocore: pip install "cognitoflow[async]"'
    ) from missing


def _base_config() -> Config:
    """aiobotocore's settings to start from: botocore's data files (tens of ms to read)
    read in a thread as the client is made, not on the event loop (aiobotocore 3.7 on)."""
    try:
        return AioConfig(warm_up_loader_caches=True)
    except TypeError:  # pragma: no cover - an aiobotocore before 3.7 reads them on the loop
        return AioConfig()


__all__ = ["AioBotocoreTransport"]


class AioBotocoreTransport(AsyncClientTransport):
    """Talks to Cognito through an aiobotocore ``cognito-idp`` client, made on first use.

    It behaves as :class:`~cognitoflow.transports.Boto3Transport` does: calls unsigned,
    except AdminInitiateAuth and AdminRespondToAuthChallenge (signed by a second client,
    made when first needed; no credentials is
    :class:`~cognitoflow.transports.base.TransportCredentialsError` before anything is
    sent), the same timeouts, and the same retries (never botocore's): a call never sent
    or throttled is tried again, one that may have arrived only when it is repeatable.

    Its clients hold connections: ``await transport.aclose()`` when done, or use it as
    ``async with AioBotocoreTransport(...) as transport``.

    Args:
        region: the user pool's region.
        endpoint_url: another endpoint, e.g. the served fake's.
        profile: a named AWS profile.
        config: a botocore ``Config`` (or aiobotocore's ``AioConfig``) merged over the
            transport's defaults.
        client: an aiobotocore ``cognito-idp`` client you built (and close); the other
            arguments must then be left out. Build it with ``retries={"max_attempts": 1}``,
            or botocore may re-send. It sends every call, so it must be signed for
            server-side sign-in.
        max_attempts: tries per call, the first included (at least 1).
        sleep: waits between tries (``asyncio.sleep``; tests pass their own).
    """

    def __init__(
        self,
        region: str | None = None,
        *,
        endpoint_url: str | None = None,
        profile: str | None = None,
        config: Config | None = None,
        client: Any = None,
        max_attempts: int = 4,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(None)
        self.max_attempts = checked_attempts(
            max_attempts, client, region, endpoint_url, profile, config
        )
        self.endpoint_url = endpoint_url
        self._sleep = sleep
        self._profile = profile
        self._config = config
        self._region = region
        self._clients: dict[bool, Any] = {}
        self._closing: dict[bool, contextlib.AsyncExitStack] = {}
        self._making: asyncio.Lock | None = None
        if client is not None:
            self.client = client
            self._clients = {False: client, True: client}

    def __repr__(self) -> str:
        return f"AioBotocoreTransport(endpoint={self.endpoint_url!r})"

    async def _client_for(self, operation: str) -> Any:
        signed = operation in SIGNED_OPERATIONS
        client = self._clients.get(signed)
        if client is not None:
            return client
        if self._making is None:
            self._making = asyncio.Lock()
        async with self._making:  # two tasks' first calls make one client
            if signed not in self._clients:
                self._clients[signed] = await self._make(signed)
        return self._clients[signed]

    async def _make(self, signed: bool) -> Any:
        # A session per client: a signed one looks for credentials afresh each time it
        # is made (after a failure, credentials may have been set).
        session = AioSession(profile=self._profile)
        region = self._region or session.get_config_variable("region") or "us-east-1"
        stack = contextlib.AsyncExitStack()
        client = await stack.enter_async_context(
            session.create_client(
                "cognito-idp",
                region_name=region,
                endpoint_url=self.endpoint_url,
                config=client_config(self._config, signed=signed, base=_base_config()),
            )
        )
        self._closing[signed] = stack
        if not signed:
            self.client = client
        return client

    async def call(self, operation: str, request: Any) -> dict[str, Any]:
        attempt = 1
        while True:
            try:
                return await super().call(operation, request)
            except TransportCredentialsError:
                await self._drop(signed=True)  # look for credentials again next time
                raise
            except TransportError as error:
                repeatable = worth_another_try(OPERATIONS.get(operation, operation), error)
                if attempt >= self.max_attempts or not repeatable:
                    raise
            await self._sleep(pause_before(attempt))
            attempt += 1

    async def _drop(self, *, signed: bool) -> None:
        stack = self._closing.pop(signed, None)
        if stack is None:
            return  # a client given to the transport stays as it is: its maker closes it
        self._clients.pop(signed, None)
        if not signed:
            self.client = None
        await stack.aclose()

    async def aclose(self) -> None:
        """Close the clients (and their connections); a later call makes new ones."""
        for signed in (False, True):
            await self._drop(signed=signed)
