"""How the engine reaches Cognito: the transport interface and its implementations.

- :class:`~cognitoflow.transports.aws.Boto3Transport`: real Cognito through boto3.
- :class:`~cognitoflow.transports.fake.FakeTransport`: the fake user pool in this process.
"""

import typing

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


def __getattr__(name: str) -> typing.Any:
    """``Boto3Transport`` is imported on first use: importing boto3 takes a third of a
    second, which users of the fake alone never need to pay."""
    if name == "Boto3Transport":
        from .aws import Boto3Transport

        return Boto3Transport
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
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
