"""AioBotocoreTransport: Boto3Transport's error translation and retry rules, awaited; and
the real network failures aiobotocore meets, translated at the same boundary."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import (
    NoCredentialsError,
)

from cognitoflow.engine import AsyncSignInFlow, ConnectionFailedError, CredentialsMissingError
from cognitoflow.transports import (
    AioBotocoreTransport,
    CognitoError,
    TransportConnectionError,
    TransportCredentialsError,
    TransportOutcomeUnknownError,
)

from faults import LOST_ANSWER, NEVER_SENT, AsyncScriptedClient, refusal
from helpers import free_port


async def _no_pause(seconds: float) -> None:
    return None


def _transport(client: AsyncScriptedClient, attempts: int = 4) -> AioBotocoreTransport:
    return AioBotocoreTransport(client=client, max_attempts=attempts, sleep=_no_pause)


@pytest.mark.anyio
@pytest.mark.parametrize("fault", NEVER_SENT, ids=lambda f: type(f).__name__)
async def test_never_sent_is_retried_for_every_operation(fault: Exception) -> None:
    client = AsyncScriptedClient(fault, fault)
    assert await _transport(client).call("respond_to_auth_challenge", {}) == {"ok": True}
    assert client.calls == 3


@pytest.mark.anyio
@pytest.mark.parametrize("fault", LOST_ANSWER, ids=lambda f: type(f).__name__)
async def test_a_lost_answer_is_resent_only_where_safe(fault: Exception) -> None:
    answer = AsyncScriptedClient(fault)
    with pytest.raises(TransportOutcomeUnknownError):
        await _transport(answer).call("respond_to_auth_challenge", {})
    assert answer.calls == 1
    start = AsyncScriptedClient(fault)
    assert await _transport(start).call("initiate_auth", {}) == {"ok": True}
    assert start.calls == 2


@pytest.mark.anyio
async def test_throttling_is_retried_a_5xx_only_where_repeatable_and_tries_are_bounded() -> None:
    throttled = AsyncScriptedClient(refusal("TooManyRequestsException", 400))
    await _transport(throttled).call("confirm_sign_up", {})
    assert throttled.calls == 2
    failed = AsyncScriptedClient(refusal("InternalErrorException", 500))
    with pytest.raises(CognitoError) as caught:
        await _transport(failed).call("confirm_sign_up", {})
    assert (caught.value.status, failed.calls) == (500, 1)
    unreachable = AsyncScriptedClient(*NEVER_SENT * 5)
    with pytest.raises(TransportConnectionError):
        await _transport(unreachable, attempts=3).call("initiate_auth", {})
    assert unreachable.calls == 3


@pytest.mark.anyio
async def test_no_credentials_for_a_signed_call_is_its_own_error() -> None:
    client = AsyncScriptedClient(NoCredentialsError())
    with pytest.raises(TransportCredentialsError):
        await _transport(client).call("admin_initiate_auth", {})
    assert client.calls == 1


@pytest.mark.anyio
async def test_an_operation_a_flow_never_uses_is_refused() -> None:
    with pytest.raises(ValueError, match="not an operation"):
        await _transport(AsyncScriptedClient()).call("delete_user_pool", {})


@pytest.mark.anyio
async def test_a_closed_port_is_never_sent_and_the_flow_says_so() -> None:
    transport = AioBotocoreTransport(
        region="us-east-1",
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        max_attempts=2,
        sleep=_no_pause,
    )
    async with transport:
        flow = AsyncSignInFlow(transport, user_pool_id="us-east-1_x", client_id="c")
        with pytest.raises(ConnectionFailedError, match="Nothing was sent"):
            await flow.sign_in("ann", "Pass-word-1", auth_flow_type="USER_PASSWORD_AUTH")


@pytest.fixture
def silent() -> Iterator[str]:
    """A server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(5)
    for connection in held:
        connection.close()
    server.close()


@pytest.mark.anyio
async def test_an_answer_that_never_comes_is_an_unknown_outcome(silent: str) -> None:
    transport = AioBotocoreTransport(
        region="us-east-1",
        endpoint_url=silent,
        config=Config(read_timeout=0.5, connect_timeout=1),
        max_attempts=1,
    )
    async with transport:
        with pytest.raises(TransportOutcomeUnknownError):
            await transport.call(
                "respond_to_auth_challenge", {"ClientId": "c", "ChallengeName": "SMS_MFA"}
            )


@pytest.mark.anyio
async def test_a_server_side_flow_without_credentials_sends_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    async with AioBotocoreTransport(
        region="us-east-1", endpoint_url=f"http://127.0.0.1:{free_port()}"
    ) as transport:
        flow = AsyncSignInFlow(transport, user_pool_id="us-east-1_x", client_id="c", admin=True)
        with pytest.raises(CredentialsMissingError):
            await flow.sign_in("ann", "Pass-word-1", auth_flow_type="ADMIN_USER_PASSWORD_AUTH")


@pytest.mark.anyio
async def test_aiobotocores_own_settings_are_taken_and_its_data_read_off_the_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An ``AioConfig`` (with options botocore's Config lacks) is merged, not refused; and
    botocore's data files are read in a thread as the client is made."""
    from aiobotocore.config import AioConfig
    from aiobotocore.session import AioSession

    readers: list[threading.Thread] = []
    warm_up = AioSession.warm_up_loader_caches

    def recorded(self: AioSession, *args: Any) -> None:
        readers.append(threading.current_thread())
        warm_up(self, *args)

    monkeypatch.setattr(AioSession, "warm_up_loader_caches", recorded)
    transport = AioBotocoreTransport(
        region="us-east-1",
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        config=AioConfig(connector_args={"keepalive_timeout": 7}),
        max_attempts=1,
    )
    async with transport:
        with pytest.raises(TransportConnectionError):
            await transport.call("initiate_auth", {"ClientId": "c", "AuthFlow": "USER_SRP_AUTH"})
        assert transport.client.meta.config.connector_args["keepalive_timeout"] == 7
    assert readers
    assert threading.main_thread() not in readers
