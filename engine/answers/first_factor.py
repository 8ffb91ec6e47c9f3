"""Answers of choice-based sign-in (USER_AUTH): the first factor, then the password.

Choosing ``PASSWORD`` or ``PASSWORD_SRP`` needs no call: the flow asks for the password
first, then sends the choice and the password (or the SRP exchange) together.
"""

from __future__ import annotations

import attrs

from .. import srp
from ..checks import choose
from ..exchange import Step, advance, respond
from ..mapping import Outcome
from ..outputs import SignInOutput
from ..plan import Plan, Scope

__all__ = ["FIRST_FACTORS", "answer_first_factor", "answer_password"]

FIRST_FACTORS = ("PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")
"""The first factors of ``USER_AUTH`` (``preferred_challenge`` and the selection step)."""


def answer_first_factor(step: Step) -> Plan[SignInOutput]:
    """CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION."""
    # After a passkey was asked for directly, Cognito sent no list: any factor may be
    # tried, and Cognito decides.
    allowed = step.ctx.available_challenges or FIRST_FACTORS
    choice = choose(step.answer, allowed, "first factor")
    if choice in ("PASSWORD", "PASSWORD_SRP"):
        ctx = attrs.evolve(step.ctx, password_mode=choice)
        return (yield from advance(step.state, ctx, Outcome("password_factor_chosen"), Scope.STEP))
    return (yield from respond(step, "SELECT_CHALLENGE", {"ANSWER": choice}))


def answer_password(step: Step) -> Plan[SignInOutput]:
    """CONFIRM_SIGN_IN_WITH_PASSWORD: the password for the factor chosen before."""
    password = step.raw
    if step.ctx.password_mode == "PASSWORD_SRP":
        client = srp.SrpClient(step.client.pool_name)
        responses = {"ANSWER": "PASSWORD_SRP", "SRP_A": client.srp_a}
        return (
            yield from respond(
                step, "SELECT_CHALLENGE", responses, password=password, srp_client=client
            )
        )
    responses = {"ANSWER": "PASSWORD", "PASSWORD": password}
    return (yield from respond(step, "SELECT_CHALLENGE", responses))
