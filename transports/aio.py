"""The transport interface for asyncio: the same operations, awaited.

:class:`AsyncTransport` has one coroutine, :meth:`~AsyncTransport.call`, taking the
operation by the name :class:`~cognitoflow.transports.base.Transport` gives its method
(``initiate_auth``...) and Cognito's request dict; it returns Cognito's reply dict and
raises the same :class:`~cognitoflow.transports.base.TransportError`\\ s. Foreign errors
are translated at the same one boundary,
:func:`~cognitoflow.transports.base.translate_client_errors`.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from .base import Transport, translate_client_errors
from .sensitive import conceal_reply

__all__ = ["OPERATIONS", "AsyncClientTransport", "AsyncTransport"]

OPERATIONS: Mapping[str, str] = {
    name: name.title().replace("_", "") for name in sorted(Transport.__abstractmethods__)
}
"""The operations a flow uses: each :class:`Transport` method name, and Cognito's name
for it (``initiate_auth``: ``InitiateAuth``)."""


class AsyncTransport(abc.ABC):
    """How an :class:`~cognitoflow.engine.AsyncSignInFlow` reaches Cognito.

    Contract for every implementation, as for :class:`Transport`: take the request dict
    exactly as boto3's cognito-idp client would, return Cognito's reply dict unchanged,
    raise :class:`~cognitoflow.transports.base.CognitoError` for every error Cognito
    reports, and never log a request or a reply. A transport that holds connections
    closes them in :meth:`aclose` (or ``async with``).
    """

    @abc.abstractmethod
    async def call(self, operation: str, request: Mapping[str, Any]) -> dict[str, Any]:
        """Send ``operation`` (a key of :data:`OPERATIONS`) and return Cognito's reply."""

    async def aclose(self) -> None:  # noqa: B027 - most transports hold nothing open
        """Close what the transport holds open (nothing, unless it says otherwise)."""

    async def __aenter__(self) -> AsyncTransport:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.aclose()


class AsyncClientTransport(AsyncTransport):
    """A transport over any object with aiobotocore's ``cognito-idp`` coroutines.

    That is an aiobotocore client (:class:`~cognitoflow.transports.AioBotocoreTransport`
    builds one). Its errors are botocore's, translated at the same boundary as boto3's.
    """

    def __init__(self, client: Any) -> None:
        self.client = client

    async def _client_for(self, operation: str) -> Any:
        """The client that sends ``operation`` (Cognito's name for it)."""
        return self.client

    async def call(self, operation: str, request: Mapping[str, Any]) -> dict[str, Any]:
        name = OPERATIONS.get(operation)
        if name is None:
            raise ValueError(f"{operation!r} is not an operation a flow uses.")
        client = await self._client_for(name)
        with translate_client_errors(name):
            reply = conceal_reply(dict(await getattr(client, operation)(**request)))
        reply.pop("ResponseMetadata", None)
        return reply
