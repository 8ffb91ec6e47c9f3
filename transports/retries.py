"""What the AWS transports (boto3's and aiobotocore's) decide alike: which client a call
goes through, how the client is configured, and when a failed call is tried again."""

from __future__ import annotations

import random

from botocore import UNSIGNED
from botocore.config import Config

from .base import (
    CognitoError,
    TransportConnectionError,
    TransportError,
    TransportOutcomeUnknownError,
)

__all__ = [
    "REPEATABLE_OPERATIONS",
    "SIGNED_OPERATIONS",
    "THROTTLING_CODES",
    "checked_attempts",
    "client_config",
    "pause_before",
    "worth_another_try",
]

REPEATABLE_OPERATIONS = frozenset(
    {
        "InitiateAuth",
        "AdminInitiateAuth",
        "ResendConfirmationCode",
        "ForgotPassword",
        "StartWebAuthnRegistration",
        "GetTokensFromRefreshToken",
        "RevokeToken",
        "GlobalSignOut",
        "UpdateDeviceStatus",
        "ListDevices",
    }
)
"""Operations that may be sent twice without harm: a second one only starts (or sends)
again. Every other operation changes something once (an answer uses up a session, a
code is taken, a user is created), so it is never re-sent after it may have arrived."""

SIGNED_OPERATIONS = frozenset({"AdminInitiateAuth", "AdminRespondToAuthChallenge"})
"""Operations Cognito serves only to a caller with AWS credentials (IAM-authorized)."""

THROTTLING_CODES = frozenset({"TooManyRequestsException", "ThrottlingException"})
"""Refusals Cognito makes before doing anything: safe to retry for every operation."""


def checked_attempts(max_attempts: int, client: object, *building: object) -> int:
    """A transport's ``max_attempts`` (a whole number, 1 or more), once it is given either a
    client or the arguments ``building`` one, not both."""
    if not (isinstance(max_attempts, int) and max_attempts >= 1):
        raise ValueError("max_attempts must be a whole number, 1 or more.")
    if client is not None and any(building):
        raise ValueError("Pass either client=, or the arguments to build one, not both.")
    return max_attempts


def client_config(config: Config | None, *, signed: bool, base: Config | None = None) -> Config:
    """The client's botocore settings: short timeouts, ``config`` over them, and never
    botocore's own retries (they would re-send an answer after a read timeout); unsigned
    unless the client is for :data:`SIGNED_OPERATIONS`.

    ``base`` is what to start from, and its class is the result's: aiobotocore's
    transport passes an ``AioConfig``, so that one given as ``config`` keeps its own
    options."""
    settings = (base or Config()).merge(Config(connect_timeout=5, read_timeout=15))
    if config is not None:
        settings = settings.merge(config)
    settings = settings.merge(Config(retries={"mode": "standard", "max_attempts": 1}))
    return settings if signed else settings.merge(Config(signature_version=UNSIGNED))


def worth_another_try(operation: str, error: TransportError) -> bool:
    """Whether a failed ``operation`` is tried again: never sent, throttled, or (for
    :data:`REPEATABLE_OPERATIONS` only) lost or failed inside Cognito."""
    if isinstance(error, TransportConnectionError):
        return True  # never sent
    if isinstance(error, CognitoError):
        if error.code in THROTTLING_CODES:
            return True  # refused before anything was done
        return error.status >= 500 and operation in REPEATABLE_OPERATIONS
    return isinstance(error, TransportOutcomeUnknownError) and operation in REPEATABLE_OPERATIONS


def pause_before(attempt: int) -> float:
    """Seconds to wait before try ``attempt + 1``: full jitter, as botocore's standard mode
    (up to 1, 2, 4... seconds, at most 20)."""
    return random.random() * min(20.0, 2.0 ** (attempt - 1))
