"""Answers to MFA: an SMS or email code, an authenticator-app code, the MFA type to use.

The SMS and email code steps also carry USER_AUTH's passwordless codes (``SMS_OTP``,
``EMAIL_OTP``): the challenge name the flow holds says which one Cognito asked for.
"""

from __future__ import annotations

from ..checks import CODE, choose, totp_code
from ..errors import InvalidAnswerError
from ..exchange import Step, respond
from ..mapping import MFA_TO_COGNITO
from ..outputs import SignInOutput
from ..plan import Plan

__all__ = ["answer_code", "answer_mfa_selection", "answer_totp"]

_CODE_KEYS = {"SMS_MFA": "SMS_MFA_CODE", "SMS_OTP": "SMS_OTP_CODE"}


def answer_code(step: Step) -> Plan[SignInOutput]:
    """CONFIRM_SIGN_IN_WITH_SMS_CODE and CONFIRM_SIGN_IN_WITH_EMAIL_CODE."""
    if not CODE.match(step.answer):
        raise InvalidAnswerError(
            "challenge_response",
            "The code must be digits only.",
            "Enter the code from the message, without spaces or letters.",
        )
    name = step.ctx.challenge_name or "SMS_MFA"
    key = _CODE_KEYS.get(name, "EMAIL_OTP_CODE")
    return (yield from respond(step, name, {key: step.answer}))


def answer_totp(step: Step) -> Plan[SignInOutput]:
    """CONFIRM_SIGN_IN_WITH_TOTP_CODE."""
    code = totp_code(step.answer, "Enter the current code shown by the app.")
    return (yield from respond(step, "SOFTWARE_TOKEN_MFA", {"SOFTWARE_TOKEN_MFA_CODE": code}))


def answer_mfa_selection(step: Step) -> Plan[SignInOutput]:
    """CONTINUE_SIGN_IN_WITH_MFA_SELECTION: ``SMS``, ``TOTP`` or ``EMAIL``."""
    choice = choose(step.answer, step.ctx.mfa_types, "MFA type")
    return (yield from respond(step, "SELECT_MFA_TYPE", {"ANSWER": MFA_TO_COGNITO[choice]}))
