"""One contract suite of sign-in flows, run on every transport.

Backends: ``fake`` (FakeTransport, in process), ``fake-http`` (Boto3Transport onto the fake
served on loopback HTTP), ``moto`` (Boto3Transport onto moto's server). moto checks no SRP
proof and sends no codes, so it runs only the flows it serves faithfully: SRP sign-in, new
password, TOTP MFA, refresh (through REFRESH_TOKEN_AUTH: moto lacks
GetTokensFromRefreshToken), global sign-out and server-side sign-in. Flows a backend
cannot serve are not generated for it (not skipped).
Each test creates its own pool, so the servers are shared by the session.

Every case runs on both front ends: ``SignInFlow`` over the sync transports, and
``AsyncSignInFlow`` over ``AsyncFakeTransport`` and ``AioBotocoreTransport`` (run on one
event loop through ``helpers.Awaiting``), with the same flows and assertions.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest

from cognitoflow.engine import (
    AsyncSignInFlow,
    CodeMismatchException,
    FlowState,
    NotAuthorizedException,
    ServiceError,
    SignInFlow,
    SignInStep,
)
from cognitoflow.transports import (
    AioBotocoreTransport,
    AsyncTransport,
    Boto3Transport,
    CognitoError,
    Transport,
)
from cognitoflow.transports.fake import (
    AsyncFakeTransport,
    FakeCognito,
    FakeCognitoServer,
    FakeTransport,
)

from helpers import Awaiting, admin_client, free_port

PASSWORD = "Contract-pass-1"


@attrs.define
class Backend:
    """How a contract test reaches one backend, through one front end."""

    name: str
    admin: Any  # boto3's cognito-idp client, or a FakeCognito (same methods)
    transport: Transport | AsyncTransport
    code: Callable[[str, str], str] | None = None  # (username, purpose) -> last code sent
    portal: Any = None  # the event loop of the async front end; None: the sync one

    def pool(self, **pool_args: Any) -> tuple[str, str, str | None]:
        client_args = pool_args.pop("client", {})
        pool_id = self.admin.create_user_pool(PoolName="contract", **pool_args)["UserPool"]["Id"]
        client = self.admin.create_user_pool_client(
            UserPoolId=pool_id, ClientName="app", **client_args
        )["UserPoolClient"]
        return pool_id, client["ClientId"], client.get("ClientSecret")

    def send(self, operation: str, request: dict[str, Any]) -> Any:
        """One call through the backend's transport, whichever front end it serves."""
        if self.portal is None:
            return getattr(self.transport, operation)(request)
        return self.portal.call(self.transport.call, operation, request)  # type: ignore[union-attr]

    def user(self, pool_id: str, username: str, **attributes: str) -> None:
        self.admin.admin_create_user(
            UserPoolId=pool_id,
            Username=username,
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()],
        )
        self.admin.admin_set_user_password(
            UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True
        )

    def flow(
        self, pool_id: str, client_id: str, secret: str | None = None, *, admin: bool = False
    ) -> SignInFlow:
        if self.portal is None:
            return SignInFlow(
                self.transport,  # type: ignore[arg-type]
                user_pool_id=pool_id,
                client_id=client_id,
                client_secret=secret,
                admin=admin,
            )
        flow = AsyncSignInFlow(
            self.transport,  # type: ignore[arg-type]
            user_pool_id=pool_id,
            client_id=client_id,
            client_secret=secret,
            admin=admin,
        )
        return Awaiting(flow, self.portal)  # type: ignore[return-value]


def _totp(secret: str, step: int = 0) -> str:
    """RFC 6238 code of ``secret`` now (+ ``step`` periods), as an authenticator app shows it.

    Written out here because moto's fixed secret is shorter than pyotp accepts.
    """
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    counter = int(time.time() // 30) + step
    digest = hmac.new(key, counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


@pytest.fixture(scope="session")
def fake_http() -> Iterator[FakeCognitoServer]:
    with FakeCognitoServer() as server:
        yield server


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    os.environ["MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP"] = "true"
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def _outbox_over_http(url: str) -> Callable[[str, str], str]:
    def code(username: str, purpose: str) -> str:
        query = urllib.parse.urlencode({"username": username, "purpose": purpose})
        with urllib.request.urlopen(f"{url}/_fake/outbox?{query}") as response:
            messages = json.load(response)["Messages"]
        return str(messages[-1]["Code"])

    return code


@pytest.fixture
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Backend]:
    front, name = request.param
    # Server-side sign-in signs its calls: dummy credentials, never looked for elsewhere.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    portal = request.getfixturevalue("portal") if front == "async" else None
    if name == "fake":
        cognito = FakeCognito()
        yield Backend(
            name,
            cognito,
            FakeTransport(cognito) if portal is None else AsyncFakeTransport(cognito),
            lambda user, purpose: cognito.outbox.last_code(user, purpose=purpose),
            portal,
        )
        return
    if name == "fake-http":
        server: FakeCognitoServer = request.getfixturevalue("fake_http")
        url, code = server.url, _outbox_over_http(server.url)
    else:
        url, code = request.getfixturevalue("moto_url"), None
    if portal is None:
        yield Backend(name, admin_client(url), Boto3Transport(endpoint_url=url), code)
        return
    transport = AioBotocoreTransport(region="us-east-1", endpoint_url=url)
    yield Backend(name, admin_client(url), transport, code, portal)
    portal.call(transport.aclose)


# -- the flows ---------------------------------------------------------------------


def srp_sign_in(backend: Backend) -> None:
    """SRP sign-in of a confirmed user → DONE with tokens."""
    pool_id, client_id, _ = backend.pool()
    backend.user(pool_id, "ann")
    out = backend.flow(pool_id, client_id).sign_in("ann", PASSWORD)
    assert out.is_signed_in
    assert out.tokens is not None
    assert out.tokens.access_token


def new_password(backend: Backend) -> None:
    """Temporary password → NEW_PASSWORD_REQUIRED → new password → DONE, then sign in with it."""
    pool_id, client_id, _ = backend.pool()
    backend.admin.admin_create_user(
        UserPoolId=pool_id, Username="ben", TemporaryPassword="Temp-pass-1!"
    )
    flow = backend.flow(pool_id, client_id)
    out = flow.sign_in("ben", "Temp-pass-1!")
    assert out.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED
    assert flow.confirm_sign_in(PASSWORD).is_signed_in
    _sign_out(backend, flow)
    assert flow.sign_in("ben", PASSWORD).is_signed_in


def _sign_out(backend: Backend, flow: SignInFlow) -> None:
    """Sign-out revokes the refresh token. moto's server has no RevokeToken (it answers
    500): the error is reported after the flow has signed out."""
    if backend.name == "moto":
        with pytest.raises(ServiceError):
            flow.sign_out()
    else:
        flow.sign_out()
    assert flow.state is FlowState.SIGNED_OUT


def totp_mfa(backend: Backend) -> None:
    """A user who set up TOTP with the access token is asked for it; wrong code, then right."""
    pool_id, client_id, _ = backend.pool(
        MfaConfiguration="OFF",
        client={"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"]},
    )
    backend.admin.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        SoftwareTokenMfaConfiguration={"Enabled": True},
        MfaConfiguration="OPTIONAL",
    )
    backend.user(pool_id, "cid")
    first = backend.flow(pool_id, client_id).sign_in("cid", PASSWORD)
    assert first.tokens is not None
    access = first.tokens.access_token
    secret = backend.admin.associate_software_token(AccessToken=access)["SecretCode"]
    backend.admin.verify_software_token(AccessToken=access, UserCode=_totp(secret))
    backend.admin.set_user_mfa_preference(
        AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    flow = backend.flow(pool_id, client_id)
    out = flow.sign_in("cid", PASSWORD)
    assert out.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_TOTP_CODE
    near = {_totp(secret, step) for step in (-1, 0, 1)}
    wrong = next(c for c in ("000000", "111111", "222222", "333333") if c not in near)
    with pytest.raises(CodeMismatchException):
        flow.confirm_sign_in(wrong)
    assert flow.state is FlowState.CONFIRM_SIGN_IN_WITH_TOTP_CODE
    assert flow.confirm_sign_in(_totp(secret)).is_signed_in


def wrong_password(backend: Backend) -> None:
    """A wrong password is NotAuthorizedException and the flow stays SIGNED_OUT."""
    pool_id, client_id, _ = backend.pool()
    backend.user(pool_id, "dee")
    flow = backend.flow(pool_id, client_id)
    with pytest.raises(NotAuthorizedException):
        flow.sign_in("dee", "Wrong-pass-9")
    assert flow.state is FlowState.SIGNED_OUT


def sms_mfa_with_secret(backend: Backend) -> None:
    """An app client with a secret, SMS MFA, the code from the outbox → DONE."""
    assert backend.code is not None
    pool_id, client_id, secret = backend.pool(
        MfaConfiguration="ON", client={"GenerateSecret": True}
    )
    backend.user(pool_id, "eve", phone_number="+15555550123")
    flow = backend.flow(pool_id, client_id, secret)
    out = flow.sign_in("eve", PASSWORD)
    assert out.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_SMS_CODE
    assert flow.confirm_sign_in(backend.code("eve", "MFA")).is_signed_in


def sign_up_and_confirm(backend: Backend) -> None:
    """Sign-up → CONFIRM_SIGN_UP with the emailed code → sign in."""
    assert backend.code is not None
    pool_id, client_id, _ = backend.pool(AutoVerifiedAttributes=["email"])
    flow = backend.flow(pool_id, client_id)
    up = flow.sign_up("fay", PASSWORD, user_attributes={"email": "fay@example.com"})
    assert up.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_UP
    flow.confirm_sign_up(backend.code("fay", "SIGN_UP"))
    assert flow.sign_in("fay", PASSWORD).is_signed_in


def custom_challenge(backend: Backend) -> None:
    """A custom challenge through a ready-made trigger named in LambdaConfig."""
    name = "cognitoflow:question"
    pool_id, client_id, _ = backend.pool(
        LambdaConfig={
            kind: name
            for kind in (
                "DefineAuthChallenge",
                "CreateAuthChallenge",
                "VerifyAuthChallengeResponse",
            )
        }
    )
    backend.user(pool_id, "gus")
    flow = backend.flow(pool_id, client_id)
    out = flow.sign_in("gus", PASSWORD, auth_flow_type="CUSTOM_WITH_SRP")
    assert out.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE
    assert flow.confirm_sign_in("42").is_signed_in


def passwordless_email(backend: Backend) -> None:
    """USER_AUTH with a one-time code by email."""
    assert backend.code is not None
    pool_id, client_id, _ = backend.pool(
        Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}},
        client={"ExplicitAuthFlows": ["ALLOW_USER_AUTH"]},
    )
    backend.user(pool_id, "hal", email="hal@example.com", email_verified="true")
    flow = backend.flow(pool_id, client_id)
    flow.sign_in("hal", auth_flow_type="USER_AUTH", preferred_challenge="EMAIL_OTP")
    assert flow.confirm_sign_in(backend.code("hal", "SIGN_IN")).is_signed_in


def refresh(backend: Backend) -> None:
    """fetch_auth_session(force_refresh=True): new access token, same user, still DONE.
    moto lacks GetTokensFromRefreshToken: the flow falls back to REFRESH_TOKEN_AUTH."""
    pool_id, client_id, secret = backend.pool(client={"GenerateSecret": True})
    backend.user(pool_id, "ida")
    flow = backend.flow(pool_id, client_id, secret)
    before = flow.sign_in("ida", PASSWORD).tokens
    assert before is not None
    session = flow.fetch_auth_session(force_refresh=True)
    assert session.tokens is not None
    assert session.tokens.access_token != before.access_token
    assert session.tokens.refresh_token == before.refresh_token
    assert flow.get_current_user().username == "ida"
    assert flow.state is FlowState.DONE


def revoke(backend: Backend) -> None:
    """sign_out revokes the refresh token: Cognito then refuses it, and the access token."""
    pool_id, client_id, _ = backend.pool()
    backend.user(pool_id, "jo")
    flow = backend.flow(pool_id, client_id)
    tokens = flow.sign_in("jo", PASSWORD).tokens
    assert tokens is not None
    flow.sign_out()
    with pytest.raises(CognitoError) as refused:
        backend.send(
            "get_tokens_from_refresh_token",
            {"RefreshToken": tokens.refresh_token, "ClientId": client_id},
        )
    assert refused.value.code == "NotAuthorizedException"
    with pytest.raises(CognitoError, match="revoked"):
        backend.send("global_sign_out", {"AccessToken": tokens.access_token})


def global_sign_out(backend: Backend) -> None:
    """sign_out(global_sign_out=True): every sign-in of the user ends, this one's access
    token included."""
    pool_id, client_id, _ = backend.pool()
    backend.user(pool_id, "kit")
    flow = backend.flow(pool_id, client_id)
    tokens = flow.sign_in("kit", PASSWORD).tokens
    assert tokens is not None
    flow.sign_out(global_sign_out=True)
    assert flow.state is FlowState.SIGNED_OUT
    with pytest.raises(Exception, match="NotAuthorizedException"):
        backend.admin.get_user(AccessToken=tokens.access_token)


def admin_sign_in(backend: Backend) -> None:
    """Server-side sign-in: AdminInitiateAuth with ADMIN_USER_PASSWORD_AUTH, signed."""
    pool_id, client_id, _ = backend.pool(
        client={"ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}
    )
    backend.user(pool_id, "lou")
    flow = backend.flow(pool_id, client_id, admin=True)
    out = flow.sign_in("lou", PASSWORD, auth_flow_type="ADMIN_USER_PASSWORD_AUTH")
    assert out.is_signed_in
    assert flow.get_current_user().username == "lou"


FAITHFUL = {"fake", "fake-http", "moto"}
OURS = {"fake", "fake-http"}
FLOWS: dict[Callable[[Backend], None], set[str]] = {
    srp_sign_in: FAITHFUL,
    new_password: FAITHFUL,
    totp_mfa: FAITHFUL,
    wrong_password: OURS,
    sms_mfa_with_secret: OURS,
    sign_up_and_confirm: OURS,
    custom_challenge: OURS,
    passwordless_email: OURS,
    refresh: FAITHFUL,
    revoke: OURS,  # moto has no RevokeToken
    global_sign_out: FAITHFUL,
    admin_sign_in: FAITHFUL,
}
FRONTS = ("sync", "async")
CASES = [
    pytest.param((front, name), flow, id=f"{front}-{name}-{flow.__name__}")
    for flow, names in FLOWS.items()
    for name in sorted(names)
    for front in FRONTS
]


@pytest.mark.parametrize(("backend", "flow"), CASES, indirect=["backend"])
def test_contract(backend: Backend, flow: Callable[[Backend], None]) -> None:
    """Each contract flow behaves the same on every backend that serves it."""
    flow(backend)


def test_every_backend_runs_the_core_flows() -> None:
    """The suite really covers all three transports for SRP, new password and TOTP."""
    for flow in (srp_sign_in, new_password, totp_mfa):
        assert FLOWS[flow] == FAITHFUL
