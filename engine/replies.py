"""What a reply must hold before the flow acts on it (pure).

A reply without what Cognito always sends (a proxy's page, a wrong ``endpoint_url``, a
broken emulator) is never taken as success: :func:`check_reply` raises
:class:`MalformedReplyError` and the flow is left as it was. The members come from
botocore's cognito-idp service model where it marks them required, and otherwise from
what Cognito sends in every reply of that operation.

ConfirmSignUp, ConfirmForgotPassword and CompleteWebAuthnRegistration answer with an
empty object, and botocore parses a body that is not JSON as one too: for these three an
empty reply is taken as the success it usually is.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from .errors import MalformedReplyError
from .plan import Call

__all__ = ["check_reply"]

_ALWAYS_SENT: Mapping[str, tuple[str, ...]] = {
    "ResendConfirmationCode": ("CodeDeliveryDetails",),
    "ForgotPassword": ("CodeDeliveryDetails",),
    "AssociateSoftwareToken": ("SecretCode",),
    "VerifySoftwareToken": ("Status",),
    "GetTokensFromRefreshToken": ("AuthenticationResult",),
}
"""Members Cognito sends in every reply, where the service model does not mark them."""

_SIGN_IN_OPERATIONS = frozenset(
    {
        "InitiateAuth",
        "RespondToAuthChallenge",
        "AdminInitiateAuth",
        "AdminRespondToAuthChallenge",
    }
)
"""Each answers with tokens, or with a challenge and its session."""

_SESSION_FOLLOWS = frozenset({"AssociateSoftwareToken", "VerifySoftwareToken"})
"""Called with a sign-in session, these answer with the session that replaces it."""


@functools.cache
def _model() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Each transport method's operation name, and the members the model requires."""
    import botocore.session
    from botocore import xform_name

    model = botocore.session.get_session().get_service_model("cognito-idp")
    names = {xform_name(name): name for name in model.operation_names}
    required = {}
    for name in model.operation_names:
        shape = model.operation_model(name).output_shape
        required[name] = tuple(shape.required_members) if shape is not None else ()
    return names, required


def model_read() -> bool:
    """Whether botocore's model of Cognito has been read: the first :func:`check_reply`
    reads it otherwise (a few tens of ms, once per process)."""
    return _model.cache_info().currsize > 0


def read_model() -> None:
    """Read botocore's model of Cognito now (an async flow does it in a thread)."""
    _model()


def check_reply(call: Call, reply: Mapping[str, Any]) -> None:
    """Raise :class:`MalformedReplyError` unless ``reply`` holds what Cognito always sends."""
    names, required = _model()
    operation = names.get(call.operation, call.operation)
    wanted = [*required.get(operation, ()), *_ALWAYS_SENT.get(operation, ())]
    if operation in _SESSION_FOLLOWS and call.request.get("Session"):
        wanted.append("Session")
    if operation in _SIGN_IN_OPERATIONS:
        result = reply.get("AuthenticationResult")
        if result is not None:
            wanted = [] if _present(result, "AccessToken") else ["AuthenticationResult.AccessToken"]
        else:
            wanted = ["ChallengeName", "Session"]
    missing = [member for member in wanted if not _present(reply, member)]
    if missing:
        raise MalformedReplyError(
            operation,
            f"The reply to {operation} lacks {', '.join(missing)}, which Cognito always "
            "sends: the endpoint may not be Cognito (a proxy's page, a wrong endpoint_url). "
            "The flow is as it was before the call.",
            "Check the transport's endpoint and any proxy in between, then call again.",
        )


def _present(reply: Mapping[str, Any], member: str) -> bool:
    value = reply.get(member)
    return value is not None and value != ""
