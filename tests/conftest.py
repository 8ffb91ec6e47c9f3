"""Shared fixtures: a fake Cognito on a manual clock, pools, users and flows."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pyotp
import pytest
import structlog

from cognitoflow.engine import SignInFlow
from cognitoflow.transports.fake import FakeCognito, FakeTransport, ManualClock

PASSWORD = "Correct-horse-1"


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


@pytest.fixture(autouse=True)
def _structlog_defaults() -> Iterator[None]:
    """The CLI configures structlog for its process; no test may leak that into another."""
    yield
    structlog.reset_defaults()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def cognito(clock: ManualClock) -> FakeCognito:
    return FakeCognito(clock=clock)


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
        self.cognito.admin_create_user(
            UserPoolId=self.pool_id,
            Username=username,
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()],
        )
        self.cognito.admin_set_user_password(
            UserPoolId=self.pool_id, Username=username, Password=password, Permanent=True
        )
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


@pytest.fixture
def make_pool(cognito: FakeCognito) -> Callable[..., Pool]:
    def make(**pool_args: Any) -> Pool:
        return Pool(cognito, **pool_args)

    return make
