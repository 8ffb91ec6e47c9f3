"""Checks of the caller's arguments, made before anything is sent (pure).

Every argument is checked for what it is, never coerced: text must be a ``str`` (not
``bytes``, a number or ``None`` where one is needed), valid Unicode without NUL, and no
longer than Cognito accepts; mappings must map text to text. A bad one raises
:class:`InvalidInputError` naming the argument; the message never quotes the value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from .errors import InvalidAnswerError, InvalidInputError, InvalidStateError
from .steps import FlowState

__all__ = [
    "CODE",
    "MAX_TEXT",
    "TOTP_CODE",
    "callable_or_none",
    "choose",
    "optional",
    "positive",
    "require",
    "require_state",
    "text_map",
    "totp_code",
]

CODE = re.compile(r"^[0-9]{4,10}$")
"""A code Cognito sent by SMS or email (MFA, one-time, sign-up and reset codes)."""
TOTP_CODE = re.compile(r"^[0-9]{6}$")
"""An authenticator-app code."""
MAX_TEXT = 2048
"""The longest text argument taken where Cognito sets no smaller limit."""
LIMITS = {"username": 128, "password": 256, "new_password": 256, "client_id": 128}
"""Cognito's own limits for some arguments (Username, Password, ClientId)."""


def optional(field: str, value: Any, *, max_length: int | None = None) -> str | None:
    """``value`` as text, or None: :class:`InvalidInputError` for anything but a ``str``
    of valid Unicode without NUL, no longer than the field allows."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInputError(
            field,
            f"{field} must be text (a str), not {type(value).__name__}.",
            f"Pass {field} as a str"
            + (" (decode bytes first)." if isinstance(value, bytes) else "."),
        )
    limit = max_length or LIMITS.get(field, MAX_TEXT)
    if len(value) > limit:
        raise InvalidInputError(
            field, f"{field} is longer than {limit} characters.", f"Pass a shorter {field}."
        )
    if "\x00" in value:
        raise InvalidInputError(field, f"{field} contains a NUL character.", "Remove it.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInputError(
            field,
            f"{field} is not valid Unicode text (it holds a lone surrogate).",
            f"Pass {field} as proper text.",
        ) from None
    return value


def require(field: str, value: Any, what: str, *, max_length: int | None = None) -> str:
    """``value`` as non-blank text, or :class:`InvalidInputError`."""
    checked = optional(field, value, max_length=max_length)
    if checked is None or not checked.strip():
        raise InvalidInputError(field, f"{what} is required.", f"Pass a non-empty {field}.")
    return checked


def text_map(field: str, value: Any) -> dict[str, str]:
    """``value`` (a mapping of text to text, or None) as a dict, or :class:`InvalidInputError`."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidInputError(
            field,
            f"{field} must be a mapping of text to text, not {type(value).__name__}.",
            f"Pass {field} as a dict of str to str.",
        )
    checked = {}
    for key, item in value.items():
        name = require(field, key, f"Each key of {field}", max_length=256)
        if item is None:
            raise InvalidInputError(
                field, f"{field} holds None as a value.", f"Give every key of {field} a str."
            )
        checked[name] = optional(field, item) or ""
    return checked


def positive(field: str, value: Any) -> float:
    """``value`` as a positive, finite number of seconds (not a bool), or
    :class:`InvalidInputError`."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInputError(
            field, f"{field} must be a number of seconds.", f"Pass {field} as an int or float."
        )
    if not value > 0:
        raise InvalidInputError(
            field, f"{field} must be a positive number of seconds.", f"Pass {field} above 0."
        )
    return float(value)


def callable_or_none(field: str, value: Any) -> None:
    """:class:`InvalidInputError` unless ``value`` is None or callable."""
    if value is not None and not callable(value):
        raise InvalidInputError(
            field, f"{field} must be callable, not {type(value).__name__}.", "Pass a function."
        )


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
