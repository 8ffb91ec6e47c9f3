"""Answers while setting up MFA during sign-in: which type, the first TOTP code, the address
for email codes.

Choosing TOTP needs one call (AssociateSoftwareToken, for the secret to show); the first
TOTP code needs two (VerifySoftwareToken, then RespondToAuthChallenge ``MFA_SETUP`` with
the session the first one returned, which the flow keeps as soon as it has it).
"""

from __future__ import annotations

import attrs

from ..checks import choose, totp_code
from ..errors import InvalidAnswerError
from ..exchange import Step, advance, choose_totp, respond
from ..mapping import Outcome
from ..outputs import SignInOutput
from ..plan import Call, Commit, Plan, Scope

__all__ = ["answer_email_setup", "answer_setup_selection", "answer_totp_setup"]


def answer_setup_selection(step: Step) -> Plan[SignInOutput]:
    """CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION: ``TOTP`` or ``EMAIL``."""
    choice = choose(step.answer, step.ctx.mfa_types, "MFA type to set up")
    if choice == "EMAIL":
        return (yield from advance(step.state, step.ctx, Outcome("email_setup_chosen")))
    return (yield from choose_totp(step.ctx))


def answer_totp_setup(step: Step) -> Plan[SignInOutput]:
    """CONTINUE_SIGN_IN_WITH_TOTP_SETUP: the first code the authenticator app shows."""
    code = totp_code(step.answer, "Add the secret to the app, then enter the code it shows.")
    request = {"UserCode": code, "Session": step.ctx.session or ""}
    if step.device_name:
        request["FriendlyDeviceName"] = step.device_name
    reply = yield Call("verify_software_token", request, Scope.STEP, step.ctx)
    ctx = attrs.evolve(step.ctx, session=reply.get("Session") or step.ctx.session)
    yield Commit(ctx)  # the verify session replaces the old one, whatever happens next
    return (yield from respond(attrs.evolve(step, ctx=ctx), "MFA_SETUP", {}))


def answer_email_setup(step: Step) -> Plan[SignInOutput]:
    """CONTINUE_SIGN_IN_WITH_EMAIL_SETUP: the address that should receive MFA codes."""
    answer = step.answer
    if "@" not in answer or answer.startswith("@") or answer.endswith("@"):
        raise InvalidAnswerError(
            "challenge_response",
            "The answer must be an email address.",
            "Enter the address that should receive MFA codes.",
        )
    return (yield from respond(step, "MFA_SETUP", {"EMAIL": answer}))
