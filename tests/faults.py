"""Fault injection for sign-in flows: one fault at one call, then the documented recovery.

A *family* is a kind of sign-in (SRP, SMS MFA, a new password with TOTP set-up,
passwordless, sign-up, reset...). :func:`run_case` runs one family on a fresh pool, with
one fault injected at the k-th Cognito call, and then does what an application following
the flow's ``next_step`` and each error's ``recovery_suggestion`` would do, until DONE or
a bound. It records every error the flow raised, so the test can check that each was
typed and that no error claimed "nothing was sent" for a call Cognito had carried out.

Fault kinds, at the transport boundary (``ClientTransport._call``), or below it in a
boto3 client (``BotocoreFaults``) so Boto3Transport's translation and retries are in
the path:

- ``unreachable`` / ``connect_timeout``: the request never leaves (not processed);
- ``internal_error`` (HTTP 500) and ``throttling``: Cognito refuses it unprocessed;
- ``read_timeout_after_processing``: Cognito carries it out, the answer is lost;
- ``empty_reply``: a 200 with an empty body, from something that is not Cognito.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import attrs
import pyotp
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from cognitoflow.engine import (
    CognitoFlowError,
    ConnectionFailedError,
    ExpiredCodeException,
    FlowState,
    NotAuthorizedException,
    SignInFlow,
    UsernameExistsException,
)
from cognitoflow.transports import (
    CognitoError,
    TransportConnectionError,
    TransportOutcomeUnknownError,
)
from cognitoflow.transports.aio import OPERATIONS
from cognitoflow.transports.fake import AsyncFakeTransport, FakeCognito, FakeTransport

from helpers import QUESTION_TRIGGERS, Pool

KINDS = (
    "unreachable",
    "connect_timeout",
    "internal_error",
    "throttling",
    "read_timeout_after_processing",
    "empty_reply",
)
PROCESSED = frozenset({"read_timeout_after_processing"})
PASSWORD = "Fault-pass-1!"
NEW_PASSWORD = "Fault-pass-2!"
EMAIL = "fay@example.com"


@attrs.define
class Injection:
    """Which call to fault and how; what happened to it."""

    index: int = 0
    kind: str = ""
    calls: int = 0
    processed_at: list[int] = attrs.Factory(list)

    def due(self) -> bool:
        self.calls += 1
        return self.calls == self.index


def _raise_or_pass(injection: Injection, call: Callable[[], Any], operation: str) -> Any:
    """Transport-level faults (the boundary's own error types)."""
    if not injection.due():
        return call()
    kind = injection.kind
    if kind in ("unreachable", "connect_timeout"):
        raise TransportConnectionError(f"injected {kind}", operation)
    if kind == "internal_error":
        raise CognitoError("InternalErrorException", "injected", operation, 500)
    if kind == "throttling":
        raise CognitoError("TooManyRequestsException", "injected", operation, 400)
    if kind == "empty_reply":
        return {}
    call()
    injection.processed_at.append(injection.calls)
    raise TransportOutcomeUnknownError("injected read timeout", operation)


class FaultyFakeTransport(FakeTransport):
    """The fake in process, with one injected fault at the transport boundary."""

    def __init__(self, cognito: FakeCognito, injection: Injection) -> None:
        super().__init__(cognito)
        self.injection = injection

    def _call(self, operation: str, method: str, request: Any) -> Any:
        parent = super()._call
        return _raise_or_pass(self.injection, lambda: parent(operation, method, request), operation)


class BotocoreFaults:
    """A boto3 cognito-idp client with one botocore-level fault: what Boto3Transport
    translates and retries (or not), over HTTP to the served fake."""

    def __init__(self, client: Any, injection: Injection) -> None:
        self.client = client
        self.injection = injection
        self.meta = client.meta

    def __getattr__(self, method: str) -> Callable[..., Any]:
        real = getattr(self.client, method)

        def call(**request: Any) -> Any:
            if not self.injection.due():
                return real(**request)
            if self.injection.kind == "read_timeout_after_processing":
                real(**request)
                return self._lost()
            return self._fault(method)

        return call

    def _fault(self, method: str) -> Any:
        """The injected fault that stops a request before Cognito (or fakes its answer)."""
        kind, url = self.injection.kind, "http://127.0.0.1"
        if kind == "unreachable":
            raise EndpointConnectionError(endpoint_url=url)
        if kind == "connect_timeout":
            raise ConnectTimeoutError(endpoint_url=url)
        if kind in ("internal_error", "throttling"):
            code, status = (
                ("InternalErrorException", 500)
                if kind == "internal_error"
                else ("TooManyRequestsException", 400)
            )
            error = {"Code": code, "Message": "injected"}
            raise ClientError(
                {"Error": error, "ResponseMetadata": {"HTTPStatusCode": status}}, method
            )
        return {"ResponseMetadata": {"HTTPStatusCode": 200}}  # empty_reply

    def _lost(self) -> Any:
        """Cognito carried the request out; its answer is lost."""
        self.injection.processed_at.append(self.injection.calls)
        raise ReadTimeoutError(endpoint_url="http://127.0.0.1")


@attrs.define
class Outcome:
    """What one case did: DONE or not, each error the flow raised, the calls made."""

    done: bool
    errors: list[tuple[BaseException, bool]]
    """Each error, with whether the faulted call had been carried out by then."""
    calls: int
    actions: list[str]


@attrs.define
class World:
    """One family's pool and user, and what the driver knows (like an app would)."""

    cognito: FakeCognito
    pool: Pool
    family: str
    username: str = "fay"
    passwords: list[str] = attrs.Factory(lambda: [PASSWORD])
    flow_type: str = "USER_SRP_AUTH"
    preferred: str | None = None
    totp: str | None = None
    last_error: BaseException | None = None

    def messages(self) -> list[Any]:
        """What this world's pool sent (a served fake holds many worlds)."""
        return [m for m in self.cognito.outbox if m.user_pool_id == self.pool.pool_id]

    def code(self) -> str:
        sent = [m for m in self.messages() if m.username == self.username]
        return sent[-1].code if sent else "000000"

    def status(self) -> str | None:
        try:
            user = self.cognito.admin_get_user(UserPoolId=self.pool.pool_id, Username=self.username)
        except self.cognito.exceptions.UserNotFoundException:
            return None
        return str(user["UserStatus"])


def _pool(cognito: FakeCognito, family: str) -> Pool:
    flows = [
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_CUSTOM_AUTH",
        "ALLOW_USER_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    ]
    mfa = {
        "sms_mfa": "OPTIONAL",
        "totp_mfa": "OPTIONAL",
        "new_password_totp": "ON",
        "email_setup": "ON",
    }.get(family, "OFF")
    pool = Pool(
        cognito,
        MfaConfiguration=mfa,
        AutoVerifiedAttributes=["email"],
        Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}},
        LambdaConfig=QUESTION_TRIGGERS,
        client={"ExplicitAuthFlows": flows},
    )
    config: dict[str, Any] = {}
    if family == "sms_mfa":
        config = {"SmsMfaConfiguration": {"SmsAuthenticationMessage": "{####}"}}
    elif family in ("totp_mfa", "new_password_totp"):
        config = {"SoftwareTokenMfaConfiguration": {"Enabled": True}}
    elif family == "email_setup":
        config = {"EmailMfaConfiguration": {"Message": "{####}", "Subject": "Code"}}
    if config:
        cognito.set_user_pool_mfa_config(UserPoolId=pool.pool_id, MfaConfiguration=mfa, **config)
    return pool


FAMILIES = (
    "srp",
    "password",
    "sms_mfa",
    "totp_mfa",
    "new_password_totp",
    "email_setup",
    "custom",
    "email_otp",
    "password_srp_choice",
    "sign_up",
    "reset",
)


def make_world(cognito: FakeCognito, family: str) -> World:
    """A fresh pool with the family's user, set up without faults."""
    pool = _pool(cognito, family)
    world = World(cognito, pool, family)
    attributes = {"email": EMAIL, "email_verified": "true"}
    if family == "sms_mfa":
        pool.user("fay", PASSWORD, mfa=("SMS_MFA",), phone_number="+15555550100", **attributes)
    elif family == "totp_mfa":
        world.totp = pool.user("fay", PASSWORD, mfa=("SOFTWARE_TOKEN_MFA",), **attributes)
    elif family != "sign_up":
        pool.user("fay", PASSWORD, **attributes)
    if family in ("new_password_totp", "email_setup"):
        cognito.admin_set_user_password(
            UserPoolId=pool.pool_id, Username="fay", Password=PASSWORD, Permanent=False
        )
    if family == "reset":
        cognito.admin_reset_user_password(UserPoolId=pool.pool_id, Username="fay")
    world.flow_type = {
        "password": "USER_PASSWORD_AUTH",
        "custom": "CUSTOM_WITHOUT_SRP",
        "email_otp": "USER_AUTH",
        "password_srp_choice": "USER_AUTH",
    }.get(family, "USER_SRP_AUTH")
    world.preferred = "EMAIL_OTP" if family == "email_otp" else None
    return world


def _sign_in(flow: SignInFlow, world: World) -> Any:
    password = None
    if world.flow_type not in ("CUSTOM_WITHOUT_SRP", "USER_AUTH"):
        password = world.passwords[0]
    try:
        return flow.sign_in(
            world.username,
            password,
            auth_flow_type=world.flow_type,
            preferred_challenge=world.preferred,
        )
    except NotAuthorizedException as error:
        if "Incorrect username or password" in error.message and len(world.passwords) > 1:
            world.passwords.reverse()  # a lost answer may have set the other one already
        raise


def next_action(flow: SignInFlow, world: World) -> tuple[str, Callable[[], Any]]:
    """What an app does next at the flow's step (and after the last error)."""
    state, step = flow.state, flow.next_step
    if state is FlowState.SIGNED_OUT:
        status = world.status()
        if status is None:
            return "sign_up", lambda: flow.sign_up(
                world.username, PASSWORD, user_attributes={"email": EMAIL}
            )
        if status == "UNCONFIRMED":
            sent = any(m.purpose == "SIGN_UP" for m in world.messages())
            if isinstance(world.last_error, ExpiredCodeException) or not sent:
                return "resend", lambda: flow.resend_sign_up_code(world.username)
            return "confirm_sign_up", lambda: flow.confirm_sign_up(
                world.code(), username=world.username
            )
        return "sign_in", lambda: _sign_in(flow, world)
    if state is FlowState.CONFIRM_SIGN_UP:
        if isinstance(world.last_error, ExpiredCodeException):
            return "resend", flow.resend_sign_up_code
        return "confirm_sign_up", lambda: flow.confirm_sign_up(world.code())
    if state is FlowState.RESET_PASSWORD:
        return "reset_password", flow.reset_password
    if state is FlowState.CONFIRM_RESET_PASSWORD_WITH_CODE:
        if isinstance(world.last_error, ExpiredCodeException):
            return "reset_password", flow.reset_password
        world.passwords = [NEW_PASSWORD, PASSWORD]

        return "confirm_reset", lambda: flow.confirm_reset_password(
            new_password=NEW_PASSWORD, confirmation_code=world.code()
        )
    if state in (
        FlowState.CONFIRM_SIGN_IN_WITH_SMS_CODE,
        FlowState.CONFIRM_SIGN_IN_WITH_EMAIL_CODE,
    ):
        return "code", lambda: flow.confirm_sign_in(world.code())
    if state is FlowState.CONFIRM_SIGN_IN_WITH_TOTP_CODE:
        secret = world.totp or ""
        return "totp", lambda: flow.confirm_sign_in(pyotp.TOTP(secret).now())
    if state is FlowState.CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION:
        return "choose", lambda: flow.confirm_sign_in(step.allowed_mfa_types[0])  # type: ignore[union-attr]
    if state is FlowState.CONTINUE_SIGN_IN_WITH_TOTP_SETUP:
        secret = step.totp_setup_details.shared_secret  # type: ignore[union-attr]
        world.totp = secret  # now in the user's authenticator app
        return "totp_setup", lambda: flow.confirm_sign_in(pyotp.TOTP(secret).now())
    if state is FlowState.CONTINUE_SIGN_IN_WITH_EMAIL_SETUP:
        return "email_setup", lambda: flow.confirm_sign_in(EMAIL)
    if state is FlowState.CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED:
        world.passwords = [NEW_PASSWORD, PASSWORD]
        return "new_password", lambda: flow.confirm_sign_in(NEW_PASSWORD)
    if state is FlowState.CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION:
        return "first_factor", lambda: flow.confirm_sign_in("PASSWORD_SRP")
    if state is FlowState.CONFIRM_SIGN_IN_WITH_PASSWORD:
        return "password", lambda: flow.confirm_sign_in(world.passwords[0])
    if state is FlowState.CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE:
        return "custom", lambda: flow.confirm_sign_in("42")
    raise AssertionError(f"no action for {state.value}")


def run_case(
    cognito: FakeCognito,
    family: str,
    transport: Callable[[FakeCognito, Injection], Any],
    index: int,
    kind: str,
    max_actions: int = 14,
    front: Callable[..., SignInFlow] = SignInFlow,
) -> Outcome:
    """``family`` with ``kind`` injected at call ``index`` (0: no fault), then recovery,
    through ``front`` (``SignInFlow``, or an ``AsyncSignInFlow`` seen through
    ``helpers.Awaiting``)."""
    world = make_world(cognito, family)
    injection = Injection(index, kind)
    flow = front(
        transport(cognito, injection),
        user_pool_id=world.pool.pool_id,
        client_id=world.pool.client_id,
    )
    errors: list[tuple[BaseException, bool]] = []
    actions: list[str] = []
    for _ in range(max_actions):
        if flow.state is FlowState.DONE:
            break
        name, act = next_action(flow, world)
        actions.append(name)
        processed = len(injection.processed_at)
        try:
            act()
            world.last_error = None
        except UsernameExistsException as error:  # sign_up's answer was lost, yet it ran
            errors.append((error, False))
            world.last_error = error
        except Exception as error:  # recorded, then checked by the test
            errors.append((error, len(injection.processed_at) > processed))
            world.last_error = error
            if not isinstance(error, CognitoFlowError):
                break
    return Outcome(flow.state is FlowState.DONE, errors, injection.calls, actions)


def false_nothing_sent(outcome: Outcome) -> list[BaseException]:
    """Errors that said nothing was sent for a call Cognito had carried out."""
    return [
        error
        for error, processed in outcome.errors
        if processed and isinstance(error, ConnectionFailedError)
    ]


def untyped(outcome: Outcome) -> list[BaseException]:
    return [error for error, _ in outcome.errors if not isinstance(error, CognitoFlowError)]


class FaultyAsyncFakeTransport(AsyncFakeTransport):
    """The fake in process for AsyncSignInFlow, with one injected fault at the boundary."""

    def __init__(self, cognito: FakeCognito, injection: Injection) -> None:
        super().__init__(cognito)
        self.injection = injection

    async def call(self, operation: str, request: Any) -> Any:
        await asyncio.sleep(0)
        sync = FakeTransport(self.cognito)
        return _raise_or_pass(
            self.injection, lambda: getattr(sync, operation)(request), OPERATIONS[operation]
        )


class AsyncBotocoreFaults(BotocoreFaults):
    """An aiobotocore cognito-idp client with one botocore-level fault: what
    AioBotocoreTransport translates and retries (or not)."""

    def __getattr__(self, method: str) -> Callable[..., Any]:
        real = getattr(self.client, method)

        async def call(**request: Any) -> Any:
            if not self.injection.due():
                return await real(**request)
            if self.injection.kind == "read_timeout_after_processing":
                await real(**request)
                return self._lost()
            return self._fault(method)

        return call


# -- scripted botocore faults, for the transports' own tests ---------------------------

NEVER_SENT = [
    EndpointConnectionError(endpoint_url="http://x"),
    ConnectTimeoutError(endpoint_url="x"),
]
LOST_ANSWER = [ReadTimeoutError(endpoint_url="http://x"), ConnectionClosedError(endpoint_url="x")]


def refusal(code: str, status: int) -> ClientError:
    """Cognito's refusal ``code`` with HTTP ``status``, as botocore raises it."""
    return ClientError(
        {"Error": {"Code": code, "Message": "no"}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "Op",
    )


class ScriptedClient:
    """A cognito-idp client whose every method raises the scripted faults, then answers."""

    def __init__(self, *faults: Exception) -> None:
        self.faults = list(faults)
        self.calls = 0

    def _answer(self) -> dict[str, Any]:
        self.calls += 1
        if self.faults:
            raise self.faults.pop(0)
        return {"ok": True}

    def __getattr__(self, name: str) -> Callable[..., Any]:
        return lambda **request: self._answer()


class AsyncScriptedClient(ScriptedClient):
    """The same, shaped as aiobotocore's client: every method is a coroutine."""

    def __getattr__(self, name: str) -> Callable[..., Any]:
        async def call(**request: Any) -> dict[str, Any]:
            return self._answer()

        return call
