"""Secrets that hide themselves: a ``str`` whose repr and str never show the value.

A traceback rendered with its frames' locals (structlog's ``dict_tracebacks``, rich's
``show_locals``) prints every local and every value in a dict by its repr. So inside
cognitoflow, passwords, codes, sessions, tokens and SRP proofs travel as :class:`Secret`:
the real text for everything that reads it as text (``json.dumps``, ``.encode()``,
``hmac``, boto3), ``'<secret>'`` for anything that prints it. Turn one back into a plain
``str`` with :meth:`Secret.reveal` only where the value leaves for the application.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

__all__ = [
    "SECRET_MEMBERS",
    "Secret",
    "conceal",
    "conceal_reply",
    "conceal_text",
    "reveal_all",
]

_T = TypeVar("_T")

SECRET_MEMBERS = frozenset(
    {
        "Session",
        "AccessToken",
        "IdToken",
        "RefreshToken",
        "SecretCode",
        "SECRET_BLOCK",
        "PASSWORD_CLAIM_SIGNATURE",
        "PASSWORD_CLAIM_SECRET_BLOCK",
    }
)
"""Members of Cognito's replies whose values are secrets."""


class Secret(str):
    """Text that is a secret: usable as text, never shown by ``repr`` or ``str``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'<secret>'"

    def __str__(self) -> str:
        return "<secret>"

    def reveal(self) -> str:
        """The value, as a plain ``str`` (for the application, never for a log)."""
        return str.__str__(self)


def conceal(value: _T) -> _T:
    """``value`` as a :class:`Secret` if it is text; anything else unchanged."""
    if isinstance(value, str) and not isinstance(value, Secret):
        return Secret(value)  # type: ignore[return-value]
    return value


def conceal_text(value: str | None) -> str | None:
    """Text as a :class:`Secret` (None stays None): a converter for record fields."""
    return conceal(value)


def conceal_reply(reply: _T) -> _T:
    """A reply with every :data:`SECRET_MEMBERS` value concealed, at any depth."""
    if isinstance(reply, Mapping):
        return {  # type: ignore[return-value]
            key: conceal(value) if key in SECRET_MEMBERS else conceal_reply(value)
            for key, value in reply.items()
        }
    if isinstance(reply, list):
        return [conceal_reply(item) for item in reply]  # type: ignore[return-value]
    return reply


def reveal_all(value: _T) -> _T:
    """``value`` with every :class:`Secret` in it, at any depth, a plain ``str`` again:
    what a request is once it has gone through JSON on the wire."""
    if isinstance(value, Secret):
        return value.reveal()  # type: ignore[return-value]
    if isinstance(value, Mapping):
        return {key: reveal_all(item) for key, item in value.items()}  # type: ignore[return-value]
    if isinstance(value, list):
        return [reveal_all(item) for item in value]  # type: ignore[return-value]
    return value
