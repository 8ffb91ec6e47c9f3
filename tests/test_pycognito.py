"""pycognito, an independent Python client, against the fake: in process through
``mock_cognito()``, and over the wire with ``endpoint_url``. It signs in (SRP), renews
its tokens (REFRESH_TOKEN_AUTH), reads the user, and checks its tokens against the
pool's keys (given to it in ``COGNITO_JWKS``, pycognito's own setting, so it never
fetches them from AWS)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pycognito import Cognito

from cognitoflow.testing import mock_cognito
from cognitoflow.transports.fake import FakeCognito, FakeCognitoServer

PASSWORD = "Pyco-pass-1!"


def _pool(cognito: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    pool_id = cognito.create_user_pool(PoolName="pyco")["UserPool"]["Id"]
    monkeypatch.setenv("COGNITO_JWKS", json.dumps(cognito.jwks(pool_id)))
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app")[
        "UserPoolClient"
    ]["ClientId"]
    cognito.add_user(pool_id, "pia", PASSWORD, email="pia@example.com")
    return pool_id, client_id


def _session(user: Cognito) -> None:
    user.authenticate(password=PASSWORD)
    first = user.access_token
    assert user.get_user().username == "pia"
    user.renew_access_token()
    assert user.access_token != first
    assert user.get_user().email == "pia@example.com"


def test_pycognito_under_mock_cognito(monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_cognito() as cognito:
        pool_id, client_id = _pool(cognito, monkeypatch)
        _session(Cognito(pool_id, client_id, user_pool_region="us-east-1", username="pia"))


def test_pycognito_over_the_wire(monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeCognitoServer() as server:
        pool_id, client_id = _pool(server.cognito, monkeypatch)
        user = Cognito(
            pool_id,
            client_id,
            user_pool_region="us-east-1",
            username="pia",
            boto3_client_kwargs={
                "endpoint_url": server.url,
                "aws_access_key_id": "x",
                "aws_secret_access_key": "x",
            },
        )
        # pycognito takes a custom endpoint for cognito-local, whose issuer is the endpoint;
        # the fake issues tokens as Cognito does, under Cognito's own issuer URL.
        user.pool_domain_url = None
        _session(user)
    assert isinstance(server.cognito, FakeCognito)
