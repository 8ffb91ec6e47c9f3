"""What tests share besides fixtures: a pool with users, free ports, system tools, the example.

Fixtures live in ``conftest.py``; everything a test module imports by name lives here.
"""

from __future__ import annotations

import functools
import importlib.util
import inspect
import logging
import os
import shutil
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pyotp
import pytest

from cognitoflow.engine import SignInFlow
from cognitoflow.transports import TransportConnectionError
from cognitoflow.transports.fake import FakeCognito, FakeTransport

PASSWORD = "Correct-horse-1"
QUESTION_TRIGGERS = {
    kind: "cognitoflow:question"
    for kind in ("DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse")
}
"""A pool's LambdaConfig for the fake's built-in quiz (the answer is 42)."""


class _Collect(logging.Handler):
    def __init__(self, events: list[dict[str, Any]]) -> None:
        super().__init__(logging.DEBUG)
        self.events = events

    def emit(self, record: logging.LogRecord) -> None:
        fields = getattr(record, "cognitoflow_fields", {})
        event = getattr(record, "cognitoflow_event", record.getMessage())
        self.events.append({"event": event, "log_level": record.levelname.lower(), **fields})


@contextmanager
def capture_events() -> Iterator[list[dict[str, Any]]]:
    """The library's log events while the block runs, at every level, as dicts of
    ``event``, ``log_level`` and the event's fields."""
    logger = logging.getLogger("cognitoflow")
    events: list[dict[str, Any]] = []
    handler, level = _Collect(events), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield events
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def admin_client(url: str) -> Any:
    """A boto3 cognito-idp client for a local endpoint; admin calls are signed, so it gets
    dummy credentials (and never looks further for real ones)."""
    return boto3.client(
        "cognito-idp",
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


ROOT = Path(__file__).resolve().parent.parent


def load_example(module: str = "app") -> ModuleType:
    """examples/signin_page/<module>.py as a module (the examples are not a package; their
    folder goes on ``sys.path``, as when they are run, for the ``demo`` they share)."""
    name = f"cognitoflow_example_signin_page_{module}"
    if name in sys.modules:
        return sys.modules[name]
    folder = ROOT / "examples/signin_page"
    if str(folder) not in sys.path:
        sys.path.append(str(folder))
    spec = importlib.util.spec_from_file_location(name, folder / f"{module}.py")
    assert spec is not None
    assert spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[name] = loaded
    spec.loader.exec_module(loaded)
    return loaded


def system_tool(name: str, package: str) -> str:
    """The path of a program from a Debian package the tests need.

    ``.ci/run`` installs them and sets ``COGNITOFLOW_REQUIRE_SYSTEM_TOOLS=1``, so in CI a
    missing one fails the test. Elsewhere the test is skipped, saying what to install.
    """
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed: apt-get install -y {package} (.ci/run does)"
        if os.environ.get("COGNITOFLOW_REQUIRE_SYSTEM_TOOLS"):
            pytest.fail(message)
        pytest.skip(message)
    return path


class Pool:
    """A pool and an app client in the fake, with helpers to add users and open flows."""

    def __init__(self, cognito: FakeCognito, **pool_args: Any) -> None:
        client_args = pool_args.pop("client", {})
        self.cognito = cognito
        self.pool_id = cognito.create_user_pool(PoolName="test", **pool_args)["UserPool"]["Id"]
        client = cognito.create_user_pool_client(
            UserPoolId=self.pool_id, ClientName="app", **client_args
        )["UserPoolClient"]
        self.client_id: str = client["ClientId"]
        self.client_secret: str | None = client.get("ClientSecret")

    def user(
        self,
        username: str,
        password: str = PASSWORD,
        *,
        mfa: tuple[str, ...] = (),
        preferred: str | None = None,
        **attributes: str,
    ) -> str | None:
        """A CONFIRMED user; returns the TOTP secret when TOTP MFA is enabled."""
        self.cognito.add_user(self.pool_id, username, password, **attributes)
        secret = None
        if "SOFTWARE_TOKEN_MFA" in mfa:
            secret = self.setup_totp(username, password)
        settings = {
            "SMS_MFA": "SMSMfaSettings",
            "SOFTWARE_TOKEN_MFA": "SoftwareTokenMfaSettings",
            "EMAIL_OTP": "EmailMfaSettings",
        }
        if mfa:
            self.cognito.admin_set_user_mfa_preference(
                UserPoolId=self.pool_id,
                Username=username,
                **{
                    settings[name]: {"Enabled": True, "PreferredMfa": name == preferred}
                    for name in mfa
                },
            )
        return secret

    def setup_totp(self, username: str, password: str) -> str:
        """Give a user an authenticator app as an app would: with the access token, or
        through the MFA_SETUP challenge when the pool requires MFA."""
        reply = self.cognito.initiate_auth(
            AuthFlow="USER_PASSWORD_AUTH",
            ClientId=self.password_client(),
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
        if "AuthenticationResult" in reply:
            access = reply["AuthenticationResult"]["AccessToken"]
            secret: str = self.cognito.associate_software_token(AccessToken=access)["SecretCode"]
            self.cognito.verify_software_token(
                AccessToken=access, UserCode=pyotp.TOTP(secret).now()
            )
            return secret
        assert reply["ChallengeName"] == "MFA_SETUP"
        associated = self.cognito.associate_software_token(Session=reply["Session"])
        secret = associated["SecretCode"]
        verified = self.cognito.verify_software_token(
            Session=associated["Session"], UserCode=pyotp.TOTP(secret).now()
        )
        done = self.cognito.respond_to_auth_challenge(
            ClientId=self.password_client(),
            ChallengeName="MFA_SETUP",
            Session=verified["Session"],
            ChallengeResponses={"USERNAME": username},
        )
        assert "AuthenticationResult" in done
        return secret

    def password_client(self) -> str:
        if not hasattr(self, "_password_client"):
            self._password_client: str = self.cognito.create_user_pool_client(
                UserPoolId=self.pool_id,
                ClientName="setup",
                ExplicitAuthFlows=[
                    "ALLOW_USER_PASSWORD_AUTH",
                    "ALLOW_USER_SRP_AUTH",
                    "ALLOW_REFRESH_TOKEN_AUTH",
                ],
            )["UserPoolClient"]["ClientId"]
        return self._password_client

    def flow(self, *, secret: bool = True) -> SignInFlow:
        return SignInFlow(
            FakeTransport(self.cognito),
            user_pool_id=self.pool_id,
            client_id=self.client_id,
            client_secret=self.client_secret if secret else None,
        )


class RecordingTransport(FakeTransport):
    """Records the Cognito operations called through it; can be made unreachable."""

    def __init__(self, cognito: FakeCognito) -> None:
        super().__init__(cognito)
        self.calls: list[str] = []
        self.unreachable = False

    def _call(self, operation: str, method: str, request: Any) -> Any:
        self.calls.append(operation)
        if self.unreachable:
            raise TransportConnectionError("refused", operation)
        return super()._call(operation, method, request)


def pool_with_sms_user(
    admin: Any, username: str, password: str, **pool_args: Any
) -> tuple[str, str]:
    """Through a boto3 admin client: a pool (``pool_args``), an app client, and a confirmed
    user with a verified phone number. Returns the pool id and the client id."""
    pool_id = admin.create_user_pool(PoolName="sms", **pool_args)["UserPool"]["Id"]
    client_id = admin.create_user_pool_client(UserPoolId=pool_id, ClientName="app")[
        "UserPoolClient"
    ]["ClientId"]
    admin.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "phone_number", "Value": "+15555550100"},
            {"Name": "phone_number_verified", "Value": "true"},
        ],
    )
    admin.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=password, Permanent=True
    )
    return pool_id, client_id


class Awaiting:
    """An :class:`AsyncSignInFlow` seen as a :class:`SignInFlow`: each coroutine method is
    run to its end on a portal's event loop, everything else is the flow's own. It lets a
    suite written for the sync flow run unchanged on the async one."""

    def __init__(self, flow: Any, portal: Any) -> None:
        object.__setattr__(self, "flow", flow)
        object.__setattr__(self, "_portal", portal)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.flow, name, value)

    def __getattr__(self, name: str) -> Any:
        member = getattr(self.flow, name)
        if not inspect.iscoroutinefunction(member):
            return member

        def run(*args: Any, **kwargs: Any) -> Any:
            return self._portal.call(functools.partial(member, *args, **kwargs))

        return run

    def __repr__(self) -> str:
        return f"Awaiting({self.flow!r})"
