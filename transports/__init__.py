"""How the engine reaches Cognito: the transport interface and its implementations.

- :class:`~cognitoflow.transports.aws.Boto3Transport`: real Cognito through boto3.
- :class:`~cognitoflow.transports.fake.FakeTransport`: the fake user pool in this process.
"""

from .aws import Boto3Transport
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
