"""Small parts of the fake user pool: clock, outbox, errors, masks, password policy."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any, Protocol

import attrs
from botocore.exceptions import ClientError

__all__ = [
    "PAGE_SIZE",
    "Clock",
    "ManualClock",
    "Message",
    "Outbox",
    "ServiceFault",
    "SystemClock",
    "client_error",
    "exception_class",
    "mask_destination",
    "paginate",
    "password_policy_violation",
]


# -- clock -------------------------------------------------------------------------


class Clock(Protocol):
    """Anything that tells the time in epoch seconds."""

    def __call__(self) -> float: ...


class SystemClock:
    """The real time."""

    def __call__(self) -> float:
        return time.time()


class ManualClock:
    """A clock that moves only when told, for tests of expiry.

    It starts at the real time (so SRP timestamps made from the wall clock agree
    with it) unless ``start`` is given.
    """

    def __init__(self, start: float | None = None) -> None:
        self.now = time.time() if start is None else start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.now += seconds


# -- outbox ------------------------------------------------------------------------


@attrs.frozen
class Message:
    """A message the pool "sent": a code to a phone or an email address.

    ``purpose`` says why: ``SIGN_UP``, ``MFA``, ``FORGOT_PASSWORD``,
    ``TEMPORARY_PASSWORD``, ``VERIFY_ATTRIBUTE``. The code is left out of the repr.
    """

    user_pool_id: str
    username: str
    medium: str
    destination: str
    purpose: str
    code: str = attrs.field(repr=False)
    sent_at: float = 0.0


class Outbox:
    """Every message a :class:`FakeCognito` has sent, oldest first."""

    def __init__(self) -> None:
        self._messages: list[Message] = []
        self.clears = 0
        """How many times the outbox was cleared (the state journal watches it)."""

    def __iter__(self) -> Iterator[Message]:
        return iter(list(self._messages))

    def __len__(self) -> int:
        return len(self._messages)

    def __getitem__(self, index: int) -> Message:
        return self._messages[index]

    def __repr__(self) -> str:
        return f"Outbox({len(self._messages)} messages)"

    def append(self, message: Message) -> None:
        self._messages.append(message)

    def clear(self) -> None:
        """Forget every message."""
        self._messages.clear()
        self.clears += 1

    def last(self, username: str | None = None, *, purpose: str | None = None) -> Message:
        """The newest message, optionally for one user (username or destination) and purpose.

        Raises:
            LookupError: no such message was sent.
        """
        for message in reversed(self._messages):
            if username is not None and username not in (message.username, message.destination):
                continue
            if purpose is not None and message.purpose != purpose:
                continue
            return message
        raise LookupError(f"no message for username={username!r} purpose={purpose!r}")

    def last_code(self, username: str | None = None, *, purpose: str | None = None) -> str:
        """The code of :meth:`last`."""
        return self.last(username, purpose=purpose).code


# -- errors ------------------------------------------------------------------------


class ServiceFault(Exception):
    """Raised inside the fake; turned into a botocore ``ClientError`` at the API edge."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message


_classes: dict[str, type[ClientError]] = {}


def exception_class(code: str) -> type[ClientError]:
    """The ``ClientError`` subclass for a Cognito error code, like ``client.exceptions.X``."""
    cls = _classes.get(code)
    if cls is None:
        cls = type(code, (ClientError,), {"__module__": "cognitoflow.transports.fake"})
        _classes[code] = cls
    return cls


def client_error(fault: ServiceFault, operation: str) -> ClientError:
    """The error boto3 would raise for this fault."""
    response: Any = {
        "Error": {"Code": fault.code, "Message": fault.message},
        "ResponseMetadata": {
            "HTTPStatusCode": 500 if fault.code == "InternalErrorException" else 400
        },
        "message": fault.message,
    }
    return exception_class(fault.code)(response, operation)


# -- masks -------------------------------------------------------------------------


def mask_destination(value: str) -> str:
    """Mask a phone number (``+*******1234``) or an email address (``j***@e***.com``)."""
    if "@" in value:
        local, _, domain = value.partition("@")
        labels = domain.split(".")
        tail = "." + labels[-1] if len(labels) > 1 else ""
        return f"{local[:1]}***@{domain[:1]}***{tail}"
    digits = [c for c in value if c.isdigit()]
    return "+" + "*" * max(len(digits) - 4, 0) + "".join(digits[-4:])


# -- password policy ---------------------------------------------------------------

_SYMBOLS = set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")


def password_policy_violation(password: str, policy: dict[str, Any]) -> str | None:
    """The first rule of the pool's password policy that ``password`` breaks, or None."""
    if len(password) < int(policy.get("MinimumLength", 8)):
        return "Password not long enough"
    if policy.get("RequireUppercase", True) and not re.search(r"[A-Z]", password):
        return "Password must have uppercase characters"
    if policy.get("RequireLowercase", True) and not re.search(r"[a-z]", password):
        return "Password must have lowercase characters"
    if policy.get("RequireNumbers", True) and not re.search(r"[0-9]", password):
        return "Password must have numeric characters"
    if policy.get("RequireSymbols", True) and not any(c in _SYMBOLS for c in password):
        return "Password must have symbol characters"
    return None


PAGE_SIZE = 60
"""The most items a listing answers at once (Cognito's limit for every list operation)."""


def paginate(items: list[Any], size: int, token: str | None) -> tuple[list[Any], str | None]:
    """One page of ``items`` from ``token`` (an offset, as text), and the next page's token
    (None after the last page)."""
    start = int(token) if token and token.isdigit() else 0
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)
