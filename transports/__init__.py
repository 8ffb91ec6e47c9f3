"""How the engine reaches Cognito: the transport interface and its implementations."""

from .base import CognitoError, Transport, translate_client_errors

__all__ = ["CognitoError", "Transport", "translate_client_errors"]
