"""The answer to a custom challenge: sent as given, for the pool's Lambda triggers to judge."""

from __future__ import annotations

from ..exchange import Step, respond
from ..outputs import SignInOutput
from ..plan import Plan

__all__ = ["answer_custom_challenge"]


def answer_custom_challenge(step: Step) -> Plan[SignInOutput]:
    """CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE."""
    return (yield from respond(step, "CUSTOM_CHALLENGE", {"ANSWER": step.raw}))
