"""The fake checks requests against Cognito's own API description (botocore's model).

The model walk sends, for every operation the fake serves and every member of its input,
a request with that member of the wrong type, over the wire as raw JSON (boto3 would
refuse to send it): each must be answered 400 with JSON ``__type`` and ``message``,
never a 500, an HTML page or a hang, and never be taken.
"""

from __future__ import annotations

import json
import time
from typing import Any

import botocore.session
import pytest
from werkzeug.test import Client

from cognitoflow.transports.fake import FakeCognito
from cognitoflow.transports.fake._http import TARGET_PREFIX, FakeCognitoApp

from helpers import PASSWORD, Pool

MODEL = botocore.session.get_session().get_service_model("cognito-idp")
WRONG = {
    "string": 12345,
    "integer": "twelve",
    "long": "twelve",
    "boolean": "yes",
    "structure": "not an object",
    "map": ["not", "an", "object"],
    "list": "not a list",
    "blob": 12345,
    "timestamp": {"not": "a time"},
    "double": "x",
    "float": "x",
}


@pytest.fixture
def wire() -> tuple[FakeCognito, FakeCognitoApp, Client]:
    cognito = FakeCognito()
    app = FakeCognitoApp(cognito)
    return cognito, app, Client(app)


def _post(client: Client, operation: str, body: Any) -> tuple[int, dict[str, Any], float]:
    started = time.perf_counter()
    response = client.post(
        "/",
        data=json.dumps(body),
        headers={"X-Amz-Target": TARGET_PREFIX + operation},
        content_type="application/x-amz-json-1.1",
    )
    elapsed = time.perf_counter() - started
    assert response.content_type.startswith("application/x-amz-json"), response.get_data()[:200]
    return response.status_code, json.loads(response.get_data()), elapsed


def test_every_ill_typed_member_of_every_operation_is_refused(
    wire: tuple[FakeCognito, FakeCognitoApp, Client],
) -> None:
    cognito, app, client = wire
    pool = Pool(cognito)
    pool.user("amy")
    before = repr(cognito.admin_get_user(UserPoolId=pool.pool_id, Username="amy"))
    sent = refused = 0
    for operation in app.operations:
        shape = MODEL.operation_model(operation).input_shape
        for member, member_shape in shape.members.items():
            wrong = WRONG[member_shape.type_name]
            # The other members as a caller would give them, so only this one is wrong.
            body = {"UserPoolId": pool.pool_id, "ClientId": pool.client_id, "Username": "amy"}
            body = {k: v for k, v in body.items() if k in shape.members}
            body[member] = wrong
            status, reply, _ = _post(client, operation, body)
            sent += 1
            assert status == 400, (operation, member, status, reply)
            assert reply["__type"] in ("SerializationException", "InvalidParameterException")
            assert reply["message"]
            refused += 1
    members = sum(len(MODEL.operation_model(op).input_shape.members) for op in app.operations)
    assert sent == refused == members  # every member of every served operation
    print(f"\nmodel walk: {sent} ill-typed requests over {len(app.operations)} operations")
    # Nothing was taken: the user is as it was.
    assert repr(cognito.admin_get_user(UserPoolId=pool.pool_id, Username="amy")) == before


def test_a_refusal_names_the_member_and_never_quotes_the_value(
    wire: tuple[FakeCognito, FakeCognitoApp, Client],
) -> None:
    cognito, _, client = wire
    pool = Pool(cognito)
    status, reply, _ = _post(
        client,
        "AdminSetUserPassword",
        {"UserPoolId": pool.pool_id, "Username": "amy", "Password": ["Secret-pass-1"]},
    )
    assert status == 400
    assert "Password" in reply["message"]
    assert "Secret-pass-1" not in reply["message"]


def test_a_member_the_fake_does_not_model_is_named(
    wire: tuple[FakeCognito, FakeCognitoApp, Client],
) -> None:
    cognito, _, client = wire
    pool = Pool(cognito)
    status, reply, _ = _post(
        client,
        "CreateUserPoolClient",
        {"UserPoolId": pool.pool_id, "ClientName": "web", "AnalyticsConfiguration": {}},
    )
    assert status == 400
    assert reply["__type"] == "InvalidParameterException"
    assert "AnalyticsConfiguration" in reply["message"]


def test_a_non_latin_1_message_is_answered_at_once(
    wire: tuple[FakeCognito, FakeCognitoApp, Client],
) -> None:
    """A refusal that quotes a name in another script still gets its reply (the header
    carries it escaped; the body as it is)."""
    _, _, client = wire
    status, reply, elapsed = _post(
        client, "InitiateAuth", {"AuthFlow": "USER_SRP_AUTH", "ClientId": "客户端"}
    )
    assert status == 400
    assert "客户端" in reply["message"]
    assert elapsed < 5  # a bound, not a benchmark: the old server never answered


def test_in_process_calls_are_checked_too() -> None:
    cognito = FakeCognito()
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="PoolName"):
        cognito.create_user_pool()
    with pytest.raises(Exception, match="SerializationException"):
        cognito.create_user_pool(PoolName=5)
    pool = Pool(cognito)
    assert pool.user("zed") is None  # a valid call still works
    assert cognito.admin_get_user(UserPoolId=pool.pool_id, Username="zed")["Username"] == "zed"
    assert PASSWORD


def test_an_operation_the_fake_does_not_serve_is_named(
    wire: tuple[FakeCognito, FakeCognitoApp, Client],
) -> None:
    cognito, _, client = wire
    with pytest.raises(Exception, match="does not serve CreateIdentityProvider"):
        cognito.create_identity_provider(UserPoolId="eu-west-1_x")
    status, reply, _ = _post(client, "CreateIdentityProvider", {})
    assert status == 400
    assert reply["__type"] == "UnknownOperationException"
    assert "CreateIdentityProvider" in reply["message"]
