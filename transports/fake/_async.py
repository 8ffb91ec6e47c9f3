"""AsyncFakeTransport: the asyncio transport onto a FakeCognito in this process."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from cognitoflow.transports.aio import OPERATIONS, AsyncTransport

from ._service import FakeCognito
from ._transport import FakeTransport

__all__ = ["AsyncFakeTransport"]


class AsyncFakeTransport(AsyncTransport):
    """Talks to a :class:`FakeCognito` in this process, for an
    :class:`~cognitoflow.engine.AsyncSignInFlow`.

    Each call first gives the event loop a turn (as a request over the network would),
    so other tasks run and a cancellation lands there, then runs the fake's operation,
    translated as :class:`FakeTransport` translates it.
    """

    def __init__(self, cognito: FakeCognito) -> None:
        self.cognito = cognito
        self._calls = FakeTransport(cognito)

    def __repr__(self) -> str:
        return f"AsyncFakeTransport({self.cognito!r})"

    async def call(self, operation: str, request: Mapping[str, Any]) -> dict[str, Any]:
        if operation not in OPERATIONS:
            raise ValueError(f"{operation!r} is not an operation a flow uses.")
        await asyncio.sleep(0)
        reply: dict[str, Any] = getattr(self._calls, operation)(request)
        return reply
