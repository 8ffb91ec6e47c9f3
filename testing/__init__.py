"""Test your own app against the fake user pool.

- :func:`mock_cognito`: every boto3/botocore ``cognito-idp`` client made while it is
  active talks to an in-process :class:`~cognitoflow.transports.fake.FakeCognito`, with no
  network and no credentials; other AWS services are untouched (moto's ``mock_aws`` may
  serve them at the same time).
- The pytest plugin (installed with cognitoflow): the fixtures ``fake_cognito`` (a fresh
  fake per test), ``fake_cognito_server`` (the fake on the wire on a free port) and
  ``fake_outbox`` (the last code sent to a user).
- :func:`serving`: ``cognitoflow fake-cognito serve`` (or any server command) in a child
  process on a free loopback port, for a ``with`` block.
"""

from __future__ import annotations

from ._mock import mock_cognito
from ._serving import Served, serving

__all__ = ["Served", "mock_cognito", "serving"]
