"""How the engine reaches Cognito: the transport interface and its implementations.

- :class:`~cognitoflow.transports.aws.Boto3Transport`: real Cognito through boto3.
- :class:`~cognitoflow.transports.fake.FakeTransport`: the fake user pool in this process.
- For asyncio (:class:`~cognitoflow.engine.AsyncSignInFlow`): :class:`AsyncTransport`,
  :class:`~cognitoflow.transports.aws_async.AioBotocoreTransport` (the ``async`` extra)
  and :class:`~cognitoflow.transports.fake.AsyncFakeTransport`.
"""

import typing

from .aio import AsyncClientTransport, AsyncTransport
from .base import (
    ClientTransport,
    CognitoError,
    Transport,
    TransportConnectionError,
    TransportCredentialsError,
    TransportError,
    TransportOutcomeUnknownError,
    translate_client_errors,
)

if typing.TYPE_CHECKING:
    from .aws import Boto3Transport
    from .aws_async import AioBotocoreTransport


def __getattr__(name: str) -> typing.Any:
    """``Boto3Transport`` and ``AioBotocoreTransport`` are imported on first use: importing
    boto3 takes a third of a second, which users of the fake alone never need to pay, and
    aiobotocore is an extra."""
    if name == "Boto3Transport":
        from .aws import Boto3Transport

        return Boto3Transport
    if name == "AioBotocoreTransport":
        from .aws_async import AioBotocoreTransport

        return AioBotocoreTransport
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AioBotocoreTransport",
    "AsyncClientTransport",
    "AsyncTransport",
    "Boto3Transport",
    "ClientTransport",
    "CognitoError",
    "Transport",
    "TransportConnectionError",
    "TransportCredentialsError",
    "TransportError",
    "TransportOutcomeUnknownError",
    "translate_client_errors",
]
