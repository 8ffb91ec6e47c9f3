"""FakeTransport: the engine's transport, backed by a FakeCognito in this process."""

from __future__ import annotations

from typing import Any

from cognitoflow.transports.base import ClientTransport
from cognitoflow.transports.sensitive import reveal_all

from ._service import FakeCognito

__all__ = ["FakeTransport"]


class FakeTransport(ClientTransport):
    """Talks to a :class:`FakeCognito` directly, as boto3 would talk to Cognito.

    The fake raises botocore ``ClientError`` errors exactly as boto3 does, so this transport
    shares the boto3 transport's translation boundary.
    """

    def __init__(self, cognito: FakeCognito) -> None:
        super().__init__(cognito)
        self.cognito = cognito

    def __repr__(self) -> str:
        return f"FakeTransport({self.cognito!r})"

    def _call(self, operation: str, method: str, request: Any) -> Any:
        # The fake gets plain values, as it would once JSON had carried the request.
        return super()._call(operation, method, reveal_all(request))
