"""The answer to a forced new password: the password, with the attributes Cognito needs."""

from __future__ import annotations

from ..errors import InvalidAnswerError
from ..exchange import Step, respond
from ..outputs import SignInOutput
from ..plan import Plan

__all__ = ["answer_new_password"]


def answer_new_password(step: Step) -> Plan[SignInOutput]:
    """CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED."""
    attributes = step.user_attributes
    missing = [name for name in step.ctx.missing_attributes if not attributes.get(name)]
    if missing:
        raise InvalidAnswerError(
            "user_attributes",
            f"Cognito needs these attributes with the new password: {', '.join(missing)}.",
            "Pass them as user_attributes={...} to confirm_sign_in.",
        )
    responses = {"NEW_PASSWORD": step.raw}
    responses.update({f"userAttributes.{k}": v for k, v in attributes.items() if v})
    return (yield from respond(step, "NEW_PASSWORD_REQUIRED", responses))
