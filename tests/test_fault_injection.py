"""Faults at every call of every sign-in family: typed errors, no false 'nothing was
sent', and the documented recovery reaches DONE (see ``faults.py``). Each sweep runs on
both front ends: SignInFlow, and AsyncSignInFlow (on one event loop, ``helpers.Awaiting``)
over AsyncFakeTransport in process and AioBotocoreTransport over HTTP."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AsyncExitStack
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from cognitoflow.engine import AsyncSignInFlow, SignInFlow
from cognitoflow.transports import AioBotocoreTransport, Boto3Transport
from cognitoflow.transports.fake import FakeCognito, FakeCognitoServer, ManualClock

from faults import (
    FAMILIES,
    KINDS,
    AsyncBotocoreFaults,
    BotocoreFaults,
    FaultyAsyncFakeTransport,
    FaultyFakeTransport,
    Injection,
    false_nothing_sent,
    run_case,
    untyped,
)
from helpers import Awaiting

Transport = Callable[[FakeCognito, Injection], Any]
Front = Callable[..., SignInFlow]


def _async_front(portal: Any) -> Front:
    def front(transport: Any, **settings: Any) -> SignInFlow:
        return Awaiting(AsyncSignInFlow(transport, **settings), portal)  # type: ignore[return-value]

    return front


def _calls(
    family: str, transport: Transport, cognito: Callable[[], FakeCognito], front: Front
) -> int:
    outcome = run_case(cognito(), family, transport, 0, "", front=front)
    assert outcome.done, f"{family} does not reach DONE without faults: {outcome}"
    assert not outcome.errors, outcome.errors
    return outcome.calls


def _sweep(
    family: str,
    transport: Transport,
    cognito: Callable[[], FakeCognito],
    front: Front = SignInFlow,
) -> Counter[str]:
    """Every call index, every fault kind, for one family; the tallies."""
    tally: Counter[str] = Counter()
    problems = []
    for index in range(1, _calls(family, transport, cognito, front) + 1):
        for kind in KINDS:
            outcome = run_case(cognito(), family, transport, index, kind, front=front)
            tally["cases"] += 1
            tally["recovered"] += outcome.done
            tally["untyped"] += len(untyped(outcome))
            tally["false_nothing_sent"] += len(false_nothing_sent(outcome))
            if not outcome.done or untyped(outcome) or false_nothing_sent(outcome):
                problems.append((index, kind, outcome.actions, outcome.errors))
    assert not problems, "\n".join(map(str, problems))
    return tally


TOTALS: dict[str, Counter[str]] = {}
FRONTS = ("sync", "async")


@pytest.mark.parametrize("front", FRONTS)
@pytest.mark.parametrize("family", FAMILIES)
def test_every_fault_at_every_call_is_typed_and_recovered(
    family: str, front: str, fast_srp: None, request: pytest.FixtureRequest
) -> None:
    """The fake in process, faults at the transport boundary."""
    if front == "sync":
        transport: Transport = FaultyFakeTransport
        make: Front = SignInFlow
    else:
        transport, make = FaultyAsyncFakeTransport, _async_front(request.getfixturevalue("portal"))
    tally = _sweep(family, transport, lambda: FakeCognito(clock=ManualClock()), make)
    total = TOTALS.setdefault(f"{front}, in process", Counter())
    total.update(tally)
    print(f"\nfault injection ({front}, in process) after {family}: {dict(total)}")


@pytest.fixture(scope="module")
def served() -> Iterator[FakeCognitoServer]:
    with FakeCognitoServer() as server:
        yield server


@pytest.fixture(scope="module")
def aio_client(served: FakeCognitoServer, portal: Any) -> Iterator[Any]:
    """An aiobotocore client for the served fake, on the portal's loop, for the module."""
    from aiobotocore.session import AioSession

    stack = AsyncExitStack()
    made = AioSession().create_client(
        "cognito-idp",
        region_name="us-east-1",
        endpoint_url=served.url,
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
    )
    client = portal.call(stack.enter_async_context, made)
    yield client
    portal.call(stack.aclose)


@pytest.mark.parametrize("front", FRONTS)
@pytest.mark.parametrize("family", FAMILIES)
def test_every_fault_over_http_is_typed_and_recovered(
    family: str,
    front: str,
    fast_srp: None,
    served: FakeCognitoServer,
    request: pytest.FixtureRequest,
) -> None:
    """The AWS transports to the fake on the wire, faults inside the botocore client: what
    the transport translates and retries (or does not) is in the path."""
    if front == "sync":
        client = boto3.client(
            "cognito-idp",
            region_name="us-east-1",
            endpoint_url=served.url,
            config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
        )

        def transport(cognito: FakeCognito, injection: Injection) -> Any:
            return Boto3Transport(client=BotocoreFaults(client, injection), sleep=lambda s: None)

        make: Front = SignInFlow
    else:
        aio = request.getfixturevalue("aio_client")

        async def no_pause(seconds: float) -> None:
            return None

        def transport(cognito: FakeCognito, injection: Injection) -> Any:
            faulty = AsyncBotocoreFaults(aio, injection)
            return AioBotocoreTransport(client=faulty, sleep=no_pause)

        make = _async_front(request.getfixturevalue("portal"))
    tally = _sweep(family, transport, lambda: served.cognito, make)
    total = TOTALS.setdefault(f"{front}, over HTTP", Counter())
    total.update(tally)
    print(f"\nfault injection ({front}, over HTTP) after {family}: {dict(total)}")
