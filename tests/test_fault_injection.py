"""Faults at every call of every sign-in family: typed errors, no false 'nothing was
sent', and the documented recovery reaches DONE (see ``faults.py``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from cognitoflow.transports import Boto3Transport, ClientTransport
from cognitoflow.transports.fake import FakeCognito, FakeCognitoServer, ManualClock

from faults import (
    FAMILIES,
    KINDS,
    BotocoreFaults,
    FaultyFakeTransport,
    Injection,
    false_nothing_sent,
    run_case,
    untyped,
)

Transport = Callable[[FakeCognito, Injection], ClientTransport]


def _calls(family: str, transport: Transport, cognito: Callable[[], FakeCognito]) -> int:
    outcome = run_case(cognito(), family, transport, 0, "")
    assert outcome.done, f"{family} does not reach DONE without faults: {outcome}"
    assert not outcome.errors, outcome.errors
    return outcome.calls


def _sweep(family: str, transport: Transport, cognito: Callable[[], FakeCognito]) -> Counter[str]:
    """Every call index, every fault kind, for one family; the tallies."""
    tally: Counter[str] = Counter()
    problems = []
    for index in range(1, _calls(family, transport, cognito) + 1):
        for kind in KINDS:
            outcome = run_case(cognito(), family, transport, index, kind)
            tally["cases"] += 1
            tally["recovered"] += outcome.done
            tally["untyped"] += len(untyped(outcome))
            tally["false_nothing_sent"] += len(false_nothing_sent(outcome))
            if not outcome.done or untyped(outcome) or false_nothing_sent(outcome):
                problems.append((index, kind, outcome.actions, outcome.errors))
    assert not problems, "\n".join(map(str, problems))
    return tally


TOTALS: dict[str, Counter[str]] = {"in process": Counter(), "over HTTP": Counter()}


@pytest.mark.parametrize("family", FAMILIES)
def test_every_fault_at_every_call_is_typed_and_recovered(family: str, fast_srp: None) -> None:
    """FakeTransport, faults at the transport boundary."""
    TOTALS["in process"].update(
        _sweep(family, FaultyFakeTransport, lambda: FakeCognito(clock=ManualClock()))
    )
    print(f"\nfault injection in process after {family}: {dict(TOTALS['in process'])}")


@pytest.fixture(scope="module")
def served() -> Iterator[FakeCognitoServer]:
    with FakeCognitoServer() as server:
        yield server


@pytest.mark.parametrize("family", FAMILIES)
def test_every_fault_over_http_is_typed_and_recovered(
    family: str, fast_srp: None, served: FakeCognitoServer
) -> None:
    """Boto3Transport to the fake on the wire, faults inside the botocore client: what
    the transport translates and retries (or does not) is in the path."""
    client = boto3.client(
        "cognito-idp",
        region_name="us-east-1",
        endpoint_url=served.url,
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
    )

    def transport(cognito: FakeCognito, injection: Injection) -> ClientTransport:
        return Boto3Transport(client=BotocoreFaults(client, injection), sleep=lambda s: None)

    TOTALS["over HTTP"].update(_sweep(family, transport, lambda: served.cognito))
    print(f"\nfault injection over HTTP after {family}: {dict(TOTALS['over HTTP'])}")
