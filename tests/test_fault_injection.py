"""Faults at every call of every sign-in family: typed errors, no false 'nothing was
sent', and the documented recovery reaches DONE (see ``faults.py``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from faults import (
    FAMILIES,
    KINDS,
    FaultyFakeTransport,
    Injection,
    false_nothing_sent,
    run_case,
    untyped,
)

from cognitoflow.transports import ClientTransport
from cognitoflow.transports.fake import FakeCognito, ManualClock

Transport = Callable[[FakeCognito, Injection], ClientTransport]


def _calls(family: str, transport: Transport) -> int:
    outcome = run_case(FakeCognito(clock=ManualClock()), family, transport, 0, "")
    assert outcome.done, f"{family} does not reach DONE without faults: {outcome}"
    assert not outcome.errors, outcome.errors
    return outcome.calls


def _sweep(family: str, transport: Transport) -> Counter[str]:
    """Every call index, every fault kind, for one family; the tallies."""
    tally: Counter[str] = Counter()
    problems = []
    for index in range(1, _calls(family, transport) + 1):
        for kind in KINDS:
            outcome = run_case(FakeCognito(clock=ManualClock()), family, transport, index, kind)
            tally["cases"] += 1
            tally["recovered"] += outcome.done
            tally["untyped"] += len(untyped(outcome))
            tally["false_nothing_sent"] += len(false_nothing_sent(outcome))
            if not outcome.done or untyped(outcome) or false_nothing_sent(outcome):
                problems.append((index, kind, outcome.actions, outcome.errors))
    assert not problems, "\n".join(map(str, problems))
    return tally


TOTALS: Counter[str] = Counter()


@pytest.mark.parametrize("family", FAMILIES)
def test_every_fault_at_every_call_is_typed_and_recovered(family: str, fast_srp: None) -> None:
    TOTALS.update(_sweep(family, FaultyFakeTransport))
    print(f"\nfault injection, in process, {family}: {dict(TOTALS)}")
