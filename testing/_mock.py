"""``mock_cognito``: botocore's cognito-idp requests answered by an in-process fake.

It hooks botocore's own ``before-send`` event, as moto does, so any client in the
process reaches the fake: one made while the mock is active, from any session, and one
made earlier from boto3's default session. The request goes through the same WSGI
application as the served fake, so what a client sees is what it would see on the wire.
"""

from __future__ import annotations

import functools
import io
import os
from collections.abc import Callable, Iterator
from contextlib import ContextDecorator
from typing import Any

from werkzeug.test import Client

__all__ = ["mock_cognito"]

_EVENT = "before-send.cognito-idp"
_DEFAULTS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


class _Body(io.BytesIO):
    """A response body as botocore reads one (``stream``)."""

    def stream(self, **_: Any) -> Iterator[bytes]:
        chunk = self.read()
        while chunk:
            yield chunk
            chunk = self.read()


class mock_cognito(ContextDecorator):  # noqa: N801 - named like moto's mock_aws
    """Route every cognito-idp client to an in-process fake while active.

    Use it as a context manager (``with mock_cognito() as cognito:``, ``cognito`` being
    the :class:`~cognitoflow.transports.fake.FakeCognito`) or as a decorator. Dummy AWS
    credentials and a region are set for its duration where none are configured, so no
    client looks for real ones.

    Args:
        cognito: the fake to route to (a new one by default).
    """

    def __init__(self, cognito: Any = None) -> None:
        self._given = cognito
        self.cognito: Any = None
        self._undo: list[Callable[[], None]] = []

    def __enter__(self) -> Any:
        import botocore.handlers

        from cognitoflow.transports.fake import FakeCognito
        from cognitoflow.transports.fake._http import FakeCognitoApp

        self.cognito = self._given if self._given is not None else FakeCognito()
        client = Client(FakeCognitoApp(self.cognito))
        # Sessions made while the mock is active keep the handler; once the mock ends it
        # answers nothing, and requests go where they would have gone.
        active = [True]
        self._undo.append(lambda: active.clear())
        handler = functools.partial(_answer, client, active)
        entry = (_EVENT, handler)
        botocore.handlers.BUILTIN_HANDLERS.insert(0, entry)  # sessions made from now on
        self._undo.append(lambda: botocore.handlers.BUILTIN_HANDLERS.remove(entry))
        # Clients made later from sessions that exist already: boto3's default session,
        # and the ones Boto3Transport shares.
        for session in _existing_sessions():
            events = session.get_component("event_emitter")
            unique = f"cognitoflow-{id(self)}"
            events.register_first(_EVENT, handler, unique_id=unique)
            self._undo.append(functools.partial(events.unregister, _EVENT, unique_id=unique))
        for name, value in _DEFAULTS.items():
            if name not in os.environ:
                os.environ[name] = value
                self._undo.append(functools.partial(_unset, name))
        return self.cognito

    def __exit__(self, *_: Any) -> None:
        while self._undo:
            self._undo.pop()()


def _unset(name: str) -> None:
    os.environ.pop(name, None)


def _existing_sessions() -> list[Any]:
    """The botocore sessions that exist already and make clients later: boto3's default
    session, and the ones :class:`~cognitoflow.transports.Boto3Transport` shares."""
    import boto3

    from cognitoflow.transports import aws

    found = [s._session for s in aws._sessions.values()]
    if boto3.DEFAULT_SESSION is not None:
        found.append(boto3.DEFAULT_SESSION._session)
    return found


def _answer(client: Client, active: list[bool], request: Any, **_: Any) -> Any:
    """The fake's answer to one prepared botocore request, as botocore's response (None
    once the mock has ended: botocore then sends the request itself)."""
    from botocore.awsrequest import AWSResponse

    if not active:
        return None
    body = request.body
    if hasattr(body, "read"):
        body = body.read()
    headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
    reply = client.post("/", data=body or b"", headers=headers)
    return AWSResponse(request.url, reply.status_code, dict(reply.headers), _Body(reply.get_data()))
