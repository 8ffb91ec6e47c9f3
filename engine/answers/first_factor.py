"""Answers of choice-based sign-in (USER_AUTH): the first factor, then the password.

Choosing ``PASSWORD`` or ``PASSWORD_SRP`` needs no call: the flow asks for the password
first, then sends the choice and the password (or the SRP exchange) together.
"""

from __future__ import annotations

import attrs

from .. import srp
from ..checks import choose
from ..exchange import Step, advance, answer_automatic, outcome_of, respond
from ..mapping import Outcome
from ..outputs import SignInOutput
from ..plan import Call, Compute, Plan, Scope
from ..steps import FIRST_FACTORS

__all__ = ["answer_first_factor", "answer_password"]


def answer_first_factor(step: Step) -> Plan[SignInOutput]:
    """CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION."""
    # After a passkey was asked for directly, Cognito sent no list: any factor may be
    # tried, and Cognito decides.
    allowed = step.ctx.available_challenges or FIRST_FACTORS
    choice = choose(step.answer, allowed, "first factor")
    if choice in ("PASSWORD", "PASSWORD_SRP"):
        ctx = attrs.evolve(step.ctx, password_mode=choice)
        return (yield from advance(step.state, ctx, Outcome("password_factor_chosen")))
    return (yield from respond(step, "SELECT_CHALLENGE", {"ANSWER": choice}))


def answer_password(step: Step) -> Plan[SignInOutput]:
    """CONFIRM_SIGN_IN_WITH_PASSWORD: the password for the factor chosen before.

    ``PASSWORD_SRP`` takes two calls (the choice with SRP's ``A``, then the proof). Once
    the first is answered, the selection's session is spent, and the flow keeps that
    fact: if the proof cannot be sent, answering the password again starts the same
    first factor afresh (InitiateAuth with it as the preferred challenge).
    """
    password = step.raw
    srp_client = None
    responses = {"ANSWER": "PASSWORD", "PASSWORD": password}
    if step.ctx.password_mode == "PASSWORD_SRP":
        srp_client = yield Compute(srp.SrpClient, (step.client.pool_name,))
        responses = {"ANSWER": "PASSWORD_SRP", "SRP_A": srp_client.srp_a}
    if step.ctx.session is None:
        return (yield from _start_again(step, responses, password, srp_client))
    return (
        yield from respond(
            step,
            "SELECT_CHALLENGE",
            responses,
            password=password,
            srp_client=srp_client,
            spends_session=srp_client is not None,
        )
    )


def _start_again(
    step: Step, responses: dict[str, str], password: str, srp_client: srp.SrpClient | None
) -> Plan[SignInOutput]:
    """The chosen first factor, from InitiateAuth: the selection's session is spent."""
    ctx = step.ctx
    params = {"USERNAME": ctx.username, "PREFERRED_CHALLENGE": responses["ANSWER"]}
    params.update({k: v for k, v in responses.items() if k != "ANSWER"})
    request = step.client.initiate_auth("USER_AUTH", params, step.metadata)
    reply = yield Call(step.client.initiate_operation, request, Scope.STEP, ctx)
    # No device here: it is presented only when sign_in is given the password.
    reply, proven = yield from answer_automatic(
        step.client, reply, ctx, Scope.STEP, step.metadata, password, srp_client
    )
    return (yield from advance(step.state, ctx, outcome_of(reply, proven), client=step.client))
