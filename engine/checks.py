"""Checks of the caller's arguments, made before anything is sent (pure)."""

from __future__ import annotations

import re

from .errors import InvalidAnswerError, InvalidInputError, InvalidStateError
from .steps import FlowState

__all__ = ["CODE", "TOTP_CODE", "choose", "require", "require_state", "totp_code"]

CODE = re.compile(r"^[0-9]{4,10}$")
"""A code Cognito sent by SMS or email (MFA, one-time, sign-up and reset codes)."""
TOTP_CODE = re.compile(r"^[0-9]{6}$")
"""An authenticator-app code."""


def require(field: str, value: str | None, what: str) -> str:
    """``value`` as a string, or :class:`InvalidInputError` when it is missing or blank."""
    if value is None or not str(value).strip():
        raise InvalidInputError(field, f"{what} is required.", f"Pass a non-empty {field}.")
    return str(value)


def totp_code(answer: str, suggestion: str) -> str:
    """``answer`` as an authenticator-app code, or :class:`InvalidAnswerError`."""
    if not TOTP_CODE.match(answer):
        raise InvalidAnswerError(
            "challenge_response", "An authenticator-app code is exactly six digits.", suggestion
        )
    return answer


def choose(answer: str, allowed: tuple[str, ...], what: str) -> str:
    """``answer`` (any case) as one of ``allowed``, or :class:`InvalidAnswerError`."""
    choice = answer.upper()
    if choice not in allowed:
        raise InvalidAnswerError(
            "challenge_response",
            f"The answer is not an allowed {what}.",
            f"Answer with one of: {', '.join(allowed)}.",
        )
    return choice


def require_state(call: str, state: FlowState, *allowed: FlowState) -> None:
    """:class:`InvalidStateError` unless the flow is at one of ``allowed``."""
    if state not in allowed:
        raise InvalidStateError(
            f"{call} is not possible while the flow is at {state.value}.",
            "Call sign_out first to start over.",
        )
