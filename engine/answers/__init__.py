"""How the flow answers each step a sign-in can wait on: one handler per challenge state.

Each handler takes the :class:`~cognitoflow.engine.exchange.Step` (the answer and the
flow's context) and returns a plan: it checks the answer, says what to send, and applies
Cognito's reply. :data:`ANSWERS` is checked at import against the machine: every state
that holds a Cognito session has exactly one handler.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ..exchange import Step
from ..machine import CHALLENGE_STATES
from ..outputs import SignInOutput
from ..plan import Plan
from ..steps import FlowState
from .custom import answer_custom_challenge
from .first_factor import answer_first_factor, answer_password
from .mfa import answer_code, answer_mfa_selection, answer_totp
from .mfa_setup import answer_email_setup, answer_setup_selection, answer_totp_setup
from .new_password import answer_new_password

__all__ = ["ANSWERS", "Handler"]

Handler = Callable[[Step], Plan[SignInOutput]]

ANSWERS: Mapping[FlowState, Handler] = {
    FlowState.CONFIRM_SIGN_IN_WITH_SMS_CODE: answer_code,
    FlowState.CONFIRM_SIGN_IN_WITH_EMAIL_CODE: answer_code,
    FlowState.CONFIRM_SIGN_IN_WITH_TOTP_CODE: answer_totp,
    FlowState.CONTINUE_SIGN_IN_WITH_MFA_SELECTION: answer_mfa_selection,
    FlowState.CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION: answer_setup_selection,
    FlowState.CONTINUE_SIGN_IN_WITH_TOTP_SETUP: answer_totp_setup,
    FlowState.CONTINUE_SIGN_IN_WITH_EMAIL_SETUP: answer_email_setup,
    FlowState.CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION: answer_first_factor,
    FlowState.CONFIRM_SIGN_IN_WITH_PASSWORD: answer_password,
    FlowState.CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE: answer_custom_challenge,
    FlowState.CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED: answer_new_password,
}
"""The handler of each step that waits on an answer."""

if set(ANSWERS) != CHALLENGE_STATES:  # pragma: no cover - fails at import, by design
    raise RuntimeError(
        "Every challenge state needs exactly one answer handler; out of step: "
        + ", ".join(sorted(s.value for s in set(ANSWERS) ^ CHALLENGE_STATES))
    )
