"""Sign-up, its confirmation, password reset and passkey registration, decided as plans.

Each is one Cognito call (two for a passkey), with the machine's move that follows.
A refusal moves nothing, except that a wrong code or a refused password keeps the
confirmation step (:data:`.plan.Scope.ACCOUNT`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from cognitoflow.transports.sensitive import conceal

from .checks import CODE, optional, require, require_state, text_map
from .context import FlowContext, delivery
from .errors import InvalidAnswerError, InvalidInputError, InvalidStateError, PasskeyCeremonyError
from .outputs import (
    AuthTokens,
    CodeDeliveryDetails,
    CompleteAutoSignIn,
    ConfirmResetPasswordWithCode,
    ConfirmSignUp,
    Done,
    PendingAutoSignIn,
    ResetPasswordDone,
    ResetPasswordOutput,
    SignUpOutput,
)
from .plan import Call, CeremonyFailed, CreatePasskey, Move, Plan, Scope
from .requests import AppClient
from .steps import AUTH_FLOW_TYPES, FlowState

__all__ = [
    "auto_sign_in_request",
    "confirm_reset_password",
    "confirm_sign_up",
    "register_passkey",
    "resend_sign_up_code",
    "reset_password",
    "sign_up",
]

_SIGN_UP_STATES = (FlowState.SIGNED_OUT, FlowState.CONFIRM_SIGN_UP)
_RESET_STATES = (
    FlowState.SIGNED_OUT,
    FlowState.RESET_PASSWORD,
    FlowState.CONFIRM_RESET_PASSWORD_WITH_CODE,
)


def _user(username: str | None, ctx: FlowContext) -> str:
    """The username given, or else the one this flow signed up or signed in."""
    return require("username", optional("username", username) or ctx.login_id, "A username")


def _code(value: str, kind: str) -> str:
    code = conceal(require("confirmation_code", value, "A confirmation code").strip())
    if not CODE.match(code):
        raise InvalidAnswerError(
            "confirmation_code",
            f"{kind} is made of digits only.",
            "Enter the code from the message.",
        )
    return code


def _send_code(
    client: AppClient,
    ctx: FlowContext,
    operation: str,
    event: str,
    username: str | None,
    metadata: Mapping[str, str] | None,
) -> Plan[CodeDeliveryDetails]:
    """ResendConfirmationCode or ForgotPassword: a code sent, and the flow waits on it."""
    username = _user(username, ctx)
    reply = yield Call(
        operation,
        client.user_request(username, text_map("client_metadata", metadata)),
        Scope.ACCOUNT,
        ctx,
    )
    details = delivery(reply.get("CodeDeliveryDetails"))
    yield Move(event, FlowContext(login_id=username, username=username, code_delivery=details))
    return details


def _armed(auto_sign_in: bool | str, password: str) -> PendingAutoSignIn | None:
    """The auto sign-in ``sign_up(auto_sign_in=...)`` asks for: ``True`` signs in with the
    password (SRP), a flow type names the flow; ``USER_AUTH`` uses ConfirmSignUp's session
    instead of the password (no second code)."""
    if auto_sign_in is False:
        return None
    if auto_sign_in is True:
        return PendingAutoSignIn("USER_SRP_AUTH", password=password)
    flow = optional("auto_sign_in", auto_sign_in, max_length=64)
    flows = [t for t in AUTH_FLOW_TYPES if t != "CUSTOM_WITHOUT_SRP"]  # that one takes no password
    if flow not in flows:
        raise InvalidInputError(
            "auto_sign_in",
            "auto_sign_in must be True, False or the flow type to sign in with.",
            f"Use True, or one of: {', '.join(flows)}.",
        )
    if flow == "USER_AUTH":
        return PendingAutoSignIn(flow)
    return PendingAutoSignIn(flow, password=password)


def sign_up(
    client: AppClient,
    state: FlowState,
    username: str,
    password: str,
    user_attributes: Mapping[str, str] | None,
    metadata: Mapping[str, str] | None,
    auto_sign_in: bool | str = False,
) -> Plan[SignUpOutput]:
    """SignUp; unless Cognito confirmed the user at once, the flow waits on the code.

    With ``auto_sign_in`` the flow keeps what it needs to sign the user in once the
    sign-up is confirmed (:func:`auto_sign_in`)."""
    username = require("username", username, "A username")
    password = require("password", password, "A password")
    require_state("sign_up", state, *_SIGN_UP_STATES)
    pending = _armed(auto_sign_in, password)
    attributes = [
        {"Name": k, "Value": v} for k, v in text_map("user_attributes", user_attributes).items()
    ]
    request = client.user_request(
        username,
        text_map("client_metadata", metadata),
        Password=password,
        UserAttributes=attributes,
    )
    reply = yield Call("sign_up", request, Scope.ACCOUNT, FlowContext())
    if reply.get("UserConfirmed"):
        if pending is None:
            return SignUpOutput(True, Done(), reply.get("UserSub"))
        pending = attrs.evolve(pending, session=reply.get("Session"))
        yield Move("sign_up_confirmed", _confirmed(username, pending))
        return SignUpOutput(True, CompleteAutoSignIn(), reply.get("UserSub"))
    details = delivery(reply["CodeDeliveryDetails"]) if reply.get("CodeDeliveryDetails") else None
    ctx = FlowContext(
        login_id=username, username=username, code_delivery=details, auto_sign_in=pending
    )
    yield Move("sign_up_code_sent", ctx)
    return SignUpOutput(False, ConfirmSignUp(details), reply.get("UserSub"))


def _confirmed(username: str, pending: PendingAutoSignIn) -> FlowContext:
    return FlowContext(login_id=username, username=username, auto_sign_in=pending)


def confirm_sign_up(
    client: AppClient,
    state: FlowState,
    ctx: FlowContext,
    confirmation_code: str,
    username: str | None,
    metadata: Mapping[str, str] | None,
) -> Plan[SignUpOutput]:
    """ConfirmSignUp; the flow is then signed out, ready for ``sign_in``, or, with an auto
    sign-in armed for this very username, for ``auto_sign_in``."""
    require_state("confirm_sign_up", state, *_SIGN_UP_STATES)
    username = _user(username, ctx)
    code = _code(confirmation_code, "A confirmation code")
    request = client.user_request(
        username, text_map("client_metadata", metadata), ConfirmationCode=code
    )
    # Confirmed already (by an earlier attempt whose answer was lost): that is success.
    already = ("NotAuthorizedException", "Current status is CONFIRMED")
    reply = yield Call("confirm_sign_up", request, Scope.ACCOUNT, ctx, done_if=already)
    pending = ctx.auto_sign_in
    if pending is None or username != ctx.username:
        yield Move("sign_up_confirmed", FlowContext(login_id=username))
        return SignUpOutput(True, Done())
    pending = attrs.evolve(pending, session=reply.get("Session"))
    yield Move("sign_up_confirmed", _confirmed(username, pending))
    return SignUpOutput(True, CompleteAutoSignIn())


def resend_sign_up_code(
    client: AppClient,
    state: FlowState,
    ctx: FlowContext,
    username: str | None,
    metadata: Mapping[str, str] | None,
) -> Plan[CodeDeliveryDetails]:
    """ResendConfirmationCode; the flow waits on the new code."""
    require_state("resend_sign_up_code", state, *_SIGN_UP_STATES)
    return (
        yield from _send_code(
            client, ctx, "resend_confirmation_code", "sign_up_code_sent", username, metadata
        )
    )


def reset_password(
    client: AppClient,
    state: FlowState,
    ctx: FlowContext,
    username: str | None,
    metadata: Mapping[str, str] | None,
) -> Plan[ResetPasswordOutput]:
    """ForgotPassword; the flow waits on the reset code."""
    require_state("reset_password", state, *_RESET_STATES)
    details = yield from _send_code(
        client, ctx, "forgot_password", "reset_code_sent", username, metadata
    )
    return ResetPasswordOutput(False, ConfirmResetPasswordWithCode(details))


def confirm_reset_password(
    client: AppClient,
    state: FlowState,
    ctx: FlowContext,
    new_password: str,
    confirmation_code: str,
    username: str | None,
    metadata: Mapping[str, str] | None,
) -> Plan[ResetPasswordOutput]:
    """ConfirmForgotPassword; the flow is then signed out, ready for ``sign_in``."""
    require_state("confirm_reset_password", state, FlowState.CONFIRM_RESET_PASSWORD_WITH_CODE)
    username = _user(username, ctx)
    new_password = require("new_password", new_password, "A new password")
    code = _code(confirmation_code, "A reset code")
    request = client.user_request(
        username,
        text_map("client_metadata", metadata),
        ConfirmationCode=code,
        Password=new_password,
    )
    yield Call("confirm_forgot_password", request, Scope.ACCOUNT, ctx)
    yield Move("password_reset", FlowContext(login_id=username))
    return ResetPasswordOutput(True, ResetPasswordDone())


def register_passkey(
    tokens: AuthTokens | None, create_credential: Callable[[dict[str, Any]], Any]
) -> Plan[None]:
    """Start/CompleteWebAuthnRegistration for the signed-in user."""
    if not callable(create_credential):
        raise InvalidInputError(
            "create_credential",
            f"create_credential must be callable, not {type(create_credential).__name__}.",
            "Pass a function that runs the passkey ceremony (navigator.credentials.create).",
        )
    if tokens is None:
        raise InvalidStateError(
            "Registering a passkey needs a signed-in user.", "Sign in first, then register."
        )
    access = {"AccessToken": conceal(tokens.access_token)}
    started = yield Call("start_web_authn_registration", access, Scope.ACCOUNT, FlowContext())
    credential = yield CreatePasskey(create_credential, started["CredentialCreationOptions"])
    if isinstance(credential, CeremonyFailed):
        raise PasskeyCeremonyError(
            f"The passkey registration ceremony failed ({credential.reason}).",
            "Call register_passkey again, or sign in without a passkey.",
        )
    credential = _credential(credential)
    yield Call(
        "complete_web_authn_registration",
        {**access, "Credential": credential},
        Scope.ACCOUNT,
        FlowContext(),
    )


def _credential(value: Any) -> dict[str, Any]:
    """The RegistrationResponseJSON a ceremony returned, as a dict, or InvalidInputError."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = None
    if not isinstance(value, dict):
        raise InvalidInputError(
            "create_credential",
            "create_credential must return the credential: a JSON object, as text or a dict.",
            "Return what navigator.credentials.create gives, as JSON.",
        )
    return value


def auto_sign_in_request(state: FlowState, ctx: FlowContext) -> tuple[str, PendingAutoSignIn]:
    """The user and the armed auto sign-in that ``auto_sign_in()`` signs in with."""
    pending = ctx.auto_sign_in
    if state is not FlowState.SIGNED_OUT or pending is None:
        if state is FlowState.CONFIRM_SIGN_UP and pending is not None:
            raise InvalidStateError(
                "The sign-up is not confirmed yet.",
                "Call confirm_sign_up with the code sent, then auto_sign_in.",
            )
        raise InvalidStateError(
            "No auto sign-in is waiting: it was not asked for, or it was used or replaced "
            "by another sign-in.",
            "Call sign_in.",
        )
    if pending.auth_flow_type == "USER_AUTH" and not pending.session:
        raise InvalidStateError(
            "Cognito gave no session to sign in with after the confirmation.",
            "Call sign_in.",
        )
    return ctx.username, pending
