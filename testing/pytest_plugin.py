"""The pytest plugin installed with cognitoflow: fixtures for testing your app.

- ``fake_cognito``: a fresh in-process :class:`~cognitoflow.transports.fake.FakeCognito`
  per test (boto3's method names and shapes).
- ``fake_cognito_server``: the fake served on 127.0.0.1 on a free port for the test
  (``.url`` for boto3's ``endpoint_url`` or Amplify's ``userPoolEndpoint``, ``.cognito``
  for the service behind it, ``.outbox`` for the codes it sent).
- ``fake_outbox``: ``fake_outbox(username, purpose=None)`` is the last code sent to a user
  by the test's fake (the in-process one, or the served one if the test uses it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest


@pytest.fixture
def fake_cognito() -> Any:
    """A fresh fake Cognito user-pool service, in process."""
    from cognitoflow.transports.fake import FakeCognito

    return FakeCognito()


@pytest.fixture
def fake_cognito_server() -> Iterator[Any]:
    """The fake served over HTTP on a free loopback port, for one test."""
    from cognitoflow.transports.fake import FakeCognitoServer

    with FakeCognitoServer() as server:
        yield server


@pytest.fixture
def fake_outbox(request: pytest.FixtureRequest) -> Callable[..., str]:
    """The last code the test's fake sent to a user (``purpose``: MFA, SIGN_UP, ...)."""

    def last_code(username: str, purpose: str | None = None) -> str:
        names = request.fixturenames
        if "fake_cognito_server" in names:
            cognito = request.getfixturevalue("fake_cognito_server").cognito
        else:
            cognito = request.getfixturevalue("fake_cognito")
        code: str = cognito.outbox.last_code(username, purpose=purpose)
        return code

    return last_code
