"""FakeTransport: the engine's transport, backed by a FakeCognito in this process."""

from __future__ import annotations

from cognitoflow.transports.base import ClientTransport

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
