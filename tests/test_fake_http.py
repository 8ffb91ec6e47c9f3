"""The fake on the wire: the JSON protocol, errors, JWKS, outbox, persistence, the CLI."""

from __future__ import annotations

import http.client
import json
import logging
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.request import urlopen

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from werkzeug.test import Client

from cognitoflow.engine import SignInFlow
from cognitoflow.transports import Boto3Transport
from cognitoflow.transports.fake import FakeCognito, FakeCognitoApp, FakeCognitoServer

from helpers import admin_client

ROOT = Path(__file__).resolve().parent.parent
TARGET = "AWSCognitoIdentityProviderService."


@pytest.fixture
def wire() -> tuple[FakeCognito, Client]:
    cognito = FakeCognito()
    return cognito, Client(FakeCognitoApp(cognito))


def _post(client: Client, operation: str, body: object) -> tuple[int, dict[str, str], object]:
    response = client.post(
        "/",
        data=json.dumps(body),
        headers={
            "X-Amz-Target": TARGET + operation,
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    return response.status_code, dict(response.headers), json.loads(response.get_data())


def test_errors_come_back_as_cognito_sends_them(wire: tuple[FakeCognito, Client]) -> None:
    """HTTP 400, a JSON body with __type and message, and the x-amzn error headers."""
    _, client = wire
    status, headers, body = _post(client, "DescribeUserPool", {"UserPoolId": "us-east-1_none"})
    assert status == 400
    assert body == {
        "__type": "ResourceNotFoundException",
        "message": "User pool us-east-1_none does not exist.",
    }
    assert headers["Content-Type"] == "application/x-amz-json-1.1"
    assert headers["x-amzn-ErrorType"] == "ResourceNotFoundException:"
    assert headers["x-amzn-ErrorMessage"] == "User pool us-east-1_none does not exist."
    assert re.fullmatch(r"[0-9a-f-]{36}", headers["x-amzn-RequestId"])


def test_every_operation_is_served(wire: tuple[FakeCognito, Client]) -> None:
    """Each FakeCognito operation has its Cognito name on the wire."""
    cognito, client = wire
    app = FakeCognitoApp(cognito)
    assert {"InitiateAuth", "RespondToAuthChallenge", "AdminCreateUser", "SignUp"} <= set(
        app.operations
    )
    for operation in app.operations:
        status, _, body = _post(client, operation, {})
        assert status == 400
        assert body["__type"] != "UnknownOperationException"  # type: ignore[index]


@pytest.mark.parametrize(
    ("target", "data", "code"),
    [
        (TARGET + "NoSuchOperation", "{}", "UnknownOperationException"),
        ("Other.InitiateAuth", "{}", "UnknownOperationException"),
        (TARGET + "InitiateAuth", "not json", "SerializationException"),
        (TARGET + "InitiateAuth", "[1]", "SerializationException"),
        # A member Cognito does not know is ignored, as AWS does: AuthFlow is then missing.
        (TARGET + "InitiateAuth", '{"Nope": 1}', "InvalidParameterException"),
        (TARGET + "InitiateAuth", '{"AuthFlow": 1, "ClientId": "c"}', "SerializationException"),
        (
            TARGET + "InitiateAuth",
            '{"AuthFlow": "USER_SRP_AUTH", "ClientId": ""}',
            "InvalidParameterException",
        ),
    ],
)
def test_bad_requests(wire: tuple[FakeCognito, Client], target: str, data: str, code: str) -> None:
    """Unknown operations and malformed bodies are 400s with a clear __type."""
    _, client = wire
    response = client.post("/", data=data, headers={"X-Amz-Target": target})
    assert response.status_code == 400
    assert json.loads(response.get_data())["__type"] == code


def test_cors_for_browsers(wire: tuple[FakeCognito, Client]) -> None:
    """Amplify JS in a browser gets its preflight answered and the error headers exposed."""
    _, client = wire
    response = client.options("/", headers={"Origin": "http://localhost:3000"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert "x-amz-target" in response.headers["Access-Control-Allow-Headers"]
    assert "x-amzn-ErrorType" in response.headers["Access-Control-Expose-Headers"]


def test_jwks_and_outbox(wire: tuple[FakeCognito, Client]) -> None:
    """The JWKS of a pool, and the test-only outbox (filtered, then emptied)."""
    cognito, client = wire
    pool = cognito.create_user_pool(PoolName="p", AutoVerifiedAttributes=["email"])["UserPool"]
    app_client = cognito.create_user_pool_client(UserPoolId=pool["Id"], ClientName="c")
    cognito.sign_up(
        ClientId=app_client["UserPoolClient"]["ClientId"],
        Username="amy",
        Password="Amys-pass-1",
        UserAttributes=[{"Name": "email", "Value": "amy@example.com"}],
    )
    keys = json.loads(client.get(f"/{pool['Id']}/.well-known/jwks.json").get_data())["keys"]
    assert {key["alg"] for key in keys} == {"RS256"}
    assert len({key["kid"] for key in keys}) == 2
    assert client.get("/us-east-1_none/.well-known/jwks.json").status_code == 400
    messages = json.loads(client.get("/_fake/outbox?username=amy").get_data())["Messages"]
    assert [(m["Purpose"], m["Destination"]) for m in messages] == [("SIGN_UP", "amy@example.com")]
    assert messages[0]["Code"] == cognito.outbox.last_code("amy")
    assert json.loads(client.get("/_fake/outbox?purpose=MFA").get_data())["Messages"] == []
    client.delete("/_fake/outbox")
    assert len(cognito.outbox) == 0


def _call(connection: http.client.HTTPConnection, operation: str, body: object) -> Any:
    connection.request(
        "POST",
        "/",
        body=json.dumps(body),
        headers={"X-Amz-Target": TARGET + operation, "Content-Type": "application/x-amz-json-1.1"},
    )
    return connection.getresponse()


def test_connections_stay_open_between_requests_as_cognito_keeps_them() -> None:
    """HTTP/1.1 keep-alive: two calls on one connection, none answered 'Connection: close';
    stopping the server closes the connection still open."""
    with FakeCognitoServer() as server:
        connection = http.client.HTTPConnection(*server.url.removeprefix("http://").split(":"))
        first = _call(connection, "CreateUserPool", {"PoolName": "kept"})
        pool = json.loads(first.read())["UserPool"]["Id"]
        assert first.getheader("Connection", "").lower() != "close"
        socket_used = connection.sock
        second = _call(connection, "DescribeUserPool", {"UserPoolId": pool})
        assert json.loads(second.read())["UserPool"]["Name"] == "kept"
        assert connection.sock is socket_used  # the same connection, not a new one
    assert connection.sock.recv(1) == b""  # closed by the server as it stopped
    connection.close()


def test_stop_ends_serve_forever_in_whichever_thread_it_runs() -> None:
    server = FakeCognitoServer()
    runner = threading.Thread(target=server.serve_forever)
    runner.start()
    with urlopen(f"{server.url}/_fake/outbox") as answer:
        assert json.loads(answer.read()) == {"Messages": []}
    server.stop()
    runner.join(timeout=10)
    assert not runner.is_alive()


def test_a_server_never_started_stops_and_frees_its_port() -> None:
    server = FakeCognitoServer()
    port = int(server.url.rsplit(":", 1)[1])
    server.stop()
    FakeCognitoServer(port=port).stop()  # the port is free again


def test_requests_are_logged_only_when_asked_and_never_their_bodies(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="cognitoflow.fake.requests")
    secret = "Never-logged-1!"
    for quiet in (True, False):
        with FakeCognitoServer(quiet=quiet) as server:
            connection = http.client.HTTPConnection(*server.url.removeprefix("http://").split(":"))
            body = {"ClientId": "none", "AuthFlow": "USER_PASSWORD_AUTH"}
            body["AuthParameters"] = {"USERNAME": "ann", "PASSWORD": secret}
            _call(connection, "InitiateAuth", body).read()
            connection.close()
    lines = [r.getMessage() for r in caplog.records if r.name == "cognitoflow.fake.requests"]
    assert lines == ['127.0.0.1 "POST /" 400 InitiateAuth']
    assert secret not in caplog.text


def test_state_survives_a_restart(tmp_path: Path) -> None:
    """With a state file, a restarted server keeps its pools, users and signing keys."""
    state = tmp_path / "pools.json"
    with FakeCognitoServer(state_file=state) as server:
        admin = admin_client(server.url)
        pool_id = admin.create_user_pool(PoolName="kept")["UserPool"]["Id"]
        client_id = admin.create_user_pool_client(UserPoolId=pool_id, ClientName="c")[
            "UserPoolClient"
        ]["ClientId"]
        admin.admin_create_user(UserPoolId=pool_id, Username="kim", MessageAction="SUPPRESS")
        admin.admin_set_user_password(
            UserPoolId=pool_id, Username="kim", Password="Kims-pass-1", Permanent=True
        )
        before = SignInFlow(
            Boto3Transport(endpoint_url=server.url), user_pool_id=pool_id, client_id=client_id
        ).sign_in("kim", "Kims-pass-1")
        assert before.tokens is not None
    assert state.exists()
    with FakeCognitoServer(state_file=state) as server:
        flow = SignInFlow(
            Boto3Transport(endpoint_url=server.url), user_pool_id=pool_id, client_id=client_id
        )
        assert flow.sign_in("kim", "Kims-pass-1").is_signed_in
        with urlopen(f"{server.url}/{pool_id}/.well-known/jwks.json") as reply:
            keys = KeySet.import_key_set(json.load(reply))
        assert jwt.decode(before.tokens.access_token, keys).claims["username"] == "kim"
    saved = json.loads(state.read_text())  # readable, versioned JSON
    assert (saved["format"], saved["version"]) == ("cognitoflow-fake-state", 1)


def test_a_callable_trigger_cannot_be_saved(tmp_path: Path) -> None:
    """Saving a pool whose trigger is a lambda says what to use instead."""
    cognito = FakeCognito()
    cognito.create_user_pool(PoolName="p", LambdaConfig={"DefineAuthChallenge": lambda e: e})
    with pytest.raises(ValueError, match="trigger names"):
        cognito.save(tmp_path / "x.bin")


def test_the_docs_boto3_script_against_the_served_fake(served: str, tmp_path: Path) -> None:
    """docs/real-cognito.md's boto3 script, as a new user would write it, works against the
    CLI server."""
    page = (ROOT / "docs" / "real-cognito.md").read_text()
    match = re.search(r"<!-- not run: [^>]*boto3-script[^>]*-->\n```python\n(.*?)```", page, re.S)
    assert match is not None, "docs/real-cognito.md has no boto3 script"
    script = tmp_path / "script.py"
    script.write_text(match.group(1).replace("http://127.0.0.1:9229", served))
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "signed in: True" in done.stdout
