"""Starting a sign-in and answering its steps, decided as plans (see :mod:`.plan`).

``sign_in`` checks the arguments, picks Cognito's flow and parameters (starting an SRP
exchange where the flow needs one), and applies what InitiateAuth answered.
``confirm_sign_in`` checks that a step is waiting and that its session is still valid,
then hands the answer to that step's handler (:data:`.answers.ANSWERS`).
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from cognitoflow.transports.sensitive import conceal

from . import srp
from .account import auto_sign_in_request
from .answers import ANSWERS
from .checks import optional, require, text_map
from .context import FlowContext
from .devices import DeviceForgotten
from .errors import (
    InvalidAnswerError,
    InvalidInputError,
    InvalidStateError,
    SessionExpiredError,
    UserAlreadyAuthenticatedError,
)
from .exchange import PasskeyFailed, Step, advance, answer_automatic, outcome_of
from .machine import CHALLENGE_STATES
from .outputs import DeviceSecrets, SignInOutput
from .plan import (
    SESSION_HINT,
    Call,
    Compute,
    KeepDevice,
    Move,
    Plan,
    Refused,
    Scope,
    device_forgotten,
    restart,
)
from .requests import AppClient
from .steps import AUTH_FLOW_TYPES, FIRST_FACTORS, FlowState

__all__ = ["AUTH_FLOW_TYPES", "auto_sign_in", "confirm_sign_in", "sign_in"]

_COGNITO_FLOWS = {
    "USER_AUTH": "USER_AUTH",
    "ADMIN_USER_PASSWORD_AUTH": "ADMIN_USER_PASSWORD_AUTH",
    "USER_SRP_AUTH": "USER_SRP_AUTH",
    "USER_PASSWORD_AUTH": "USER_PASSWORD_AUTH",
    "CUSTOM_WITH_SRP": "CUSTOM_AUTH",
    "CUSTOM_WITHOUT_SRP": "CUSTOM_AUTH",
}


def sign_in(
    client: AppClient,
    state: FlowState,
    username: str,
    password: str | None,
    auth_flow_type: str,
    client_metadata: Mapping[str, str] | None,
    preferred_challenge: str | None,
    session: str | None = None,
    device: DeviceSecrets | None = None,
) -> Plan[SignInOutput]:
    """Start a sign-in; a flow at another step is replaced only if this one succeeds.

    ``session``: ConfirmSignUp's session, which signs a USER_AUTH sign-in in with the
    confirmation code (an auto sign-in). ``device``: the flow's remembered device, which
    password sign-ins present (``DEVICE_KEY``); one Cognito no longer knows is dropped,
    and the sign-in tried once more without it, as Amplify does."""
    username = require("username", username, "A username")
    auth_flow_type = optional("auth_flow_type", auth_flow_type, max_length=64) or ""
    if auth_flow_type not in AUTH_FLOW_TYPES:
        raise InvalidInputError(
            "auth_flow_type",
            f"auth_flow_type {auth_flow_type!r} is not supported.",
            f"Use one of: {', '.join(AUTH_FLOW_TYPES)}.",
        )
    _check_api(client, auth_flow_type)
    client_metadata = text_map("client_metadata", client_metadata)
    preferred = _preferred(auth_flow_type, optional("preferred_challenge", preferred_challenge))
    password = _password(auth_flow_type, preferred, optional("password", password))
    if state is FlowState.DONE:
        raise UserAlreadyAuthenticatedError(
            "There is already a signed-in user.", "Call sign_out before calling sign_in again."
        )
    start = _Start(
        client, state, username, password, auth_flow_type, client_metadata, preferred, session
    )
    presented = device if _presents_device(auth_flow_type, preferred) else None
    try:
        return (yield from _initiate(start, presented))
    except DeviceForgotten:
        yield KeepDevice(None)
        return (yield from _initiate(start, None))


@attrs.frozen
class _Start:
    """A sign-in's checked arguments."""

    client: AppClient
    state: FlowState
    username: str
    password: str | None = attrs.field(repr=False)
    auth_flow_type: str
    client_metadata: Mapping[str, str] = attrs.field(repr=False)
    preferred: str | None
    session: str | None = attrs.field(default=None, repr=False)


def _presents_device(auth_flow_type: str, preferred: str | None) -> bool:
    """The flows whose password step presents the remembered device (custom and
    passwordless flows sign in as a new device)."""
    if auth_flow_type == "USER_AUTH":
        return preferred in ("PASSWORD", "PASSWORD_SRP")
    return auth_flow_type in ("USER_SRP_AUTH", "USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH")


def _initiate(start: _Start, device: DeviceSecrets | None) -> Plan[SignInOutput]:
    """InitiateAuth, the automatic challenges, and the step Cognito answered."""
    client, state, username, password = start.client, start.state, start.username, start.password
    auth_flow_type, preferred, client_metadata = (
        start.auth_flow_type,
        start.preferred,
        start.client_metadata,
    )
    params = {"USERNAME": username}
    if preferred:
        params["PREFERRED_CHALLENGE"] = preferred
    srp_client: srp.SrpClient | None = None
    if auth_flow_type in ("USER_SRP_AUTH", "CUSTOM_WITH_SRP") or preferred == "PASSWORD_SRP":
        srp_client = yield Compute(srp.SrpClient, (client.pool_name,))
        params["SRP_A"] = srp_client.srp_a
    if auth_flow_type == "CUSTOM_WITH_SRP":
        params["CHALLENGE_NAME"] = "SRP_A"
    plain = auth_flow_type in ("USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH")
    if (plain or preferred == "PASSWORD") and password:
        params["PASSWORD"] = password
        if device is not None:
            params["DEVICE_KEY"] = device.device_key
    request = client.initiate_auth(_COGNITO_FLOWS[auth_flow_type], params, client_metadata)
    if start.session:
        request["Session"] = start.session
    ctx = FlowContext(login_id=username, username=username, auth_flow_type=auth_flow_type)
    forgotten = device_forgotten if device is not None else None
    try:
        reply = yield Call(
            client.initiate_operation, request, Scope.SIGN_IN, ctx, fallback_if=forgotten
        )
        if isinstance(reply, Refused):
            raise DeviceForgotten
        challenge = reply.get("ChallengeParameters") or {}
        active = challenge.get("USERNAME") or challenge.get("USER_ID_FOR_SRP") or username
        ctx = attrs.evolve(ctx, username=active)
        reply, proven = yield from answer_automatic(
            client, reply, ctx, Scope.SIGN_IN, client_metadata, password, srp_client, device
        )
    except PasskeyFailed as failed:
        # Not ``yield from``: a tuple cannot be sent the state each move reaches.
        for move in restart(state, Move("passkey_failed", failed.context(ctx))):  # noqa: UP028
            yield move
        raise failed.error() from None
    outcome = outcome_of(reply, proven)
    return (yield from advance(state, ctx, outcome, client=client, restarting=True))


def auto_sign_in(client: AppClient, state: FlowState, ctx: FlowContext) -> Plan[SignInOutput]:
    """The sign-in that ``sign_up(auto_sign_in=...)`` armed, once the sign-up is confirmed."""
    username, pending = auto_sign_in_request(state, ctx)
    return (
        yield from sign_in(
            client,
            state,
            username,
            pending.password,
            pending.auth_flow_type,
            None,
            None,
            session=pending.session if pending.auth_flow_type == "USER_AUTH" else None,
        )
    )


def _check_api(client: AppClient, auth_flow_type: str) -> None:
    """The password flow of each API: InitiateAuth's, or AdminInitiateAuth's."""
    if auth_flow_type == "ADMIN_USER_PASSWORD_AUTH" and not client.admin:
        raise InvalidInputError(
            "auth_flow_type",
            "ADMIN_USER_PASSWORD_AUTH is a server-side sign-in (AdminInitiateAuth).",
            "Create the flow with admin=True (it needs AWS credentials), or use "
            "auth_flow_type='USER_PASSWORD_AUTH'.",
        )
    if auth_flow_type == "USER_PASSWORD_AUTH" and client.admin:
        raise InvalidInputError(
            "auth_flow_type",
            "A server-side sign-in (admin=True) does not take USER_PASSWORD_AUTH.",
            "Use auth_flow_type='ADMIN_USER_PASSWORD_AUTH'.",
        )


def _preferred(auth_flow_type: str, preferred: str | None) -> str | None:
    if preferred is None:
        return None
    if auth_flow_type != "USER_AUTH":
        raise InvalidInputError(
            "preferred_challenge",
            "preferred_challenge is only used with auth_flow_type='USER_AUTH'.",
            "Leave it out, or sign in with USER_AUTH.",
        )
    choice = preferred.strip().upper()
    if choice not in FIRST_FACTORS:
        raise InvalidInputError(
            "preferred_challenge",
            "preferred_challenge is not a first factor.",
            f"Use one of: {', '.join(FIRST_FACTORS)}.",
        )
    return choice


def _password(auth_flow_type: str, preferred: str | None, password: str | None) -> str | None:
    """The password, where the flow type needs one; refused where it would be ignored."""
    if auth_flow_type == "USER_AUTH" and preferred not in ("PASSWORD", "PASSWORD_SRP"):
        if password:
            raise InvalidInputError(
                "password",
                "USER_AUTH uses the password only with preferred_challenge PASSWORD or "
                "PASSWORD_SRP.",
                "Leave the password out, or name one of those as preferred_challenge.",
            )
        return password
    if auth_flow_type == "CUSTOM_WITHOUT_SRP":
        if password:
            raise InvalidInputError(
                "password",
                "A password is not needed when signing in with CUSTOM_WITHOUT_SRP.",
                "Leave the password out, or use auth_flow_type='CUSTOM_WITH_SRP'.",
            )
        return password
    return require("password", password, f"A password (for {auth_flow_type})")


def confirm_sign_in(
    client: AppClient,
    state: FlowState,
    ctx: FlowContext,
    challenge_response: str,
    *,
    session_expired: bool,
    metadata: Mapping[str, str] | None,
    user_attributes: Mapping[str, str] | None,
    device_name: str | None,
    device: DeviceSecrets | None = None,
) -> Plan[SignInOutput]:
    """Answer the step the flow waits on (``session_expired``: its session is past the
    app client's validity, so the sign-in ends here without a call)."""
    if state not in CHALLENGE_STATES:
        if state is FlowState.DONE:
            raise InvalidStateError(
                "The user is already signed in; there is nothing to confirm.",
                "Call sign_out, then sign_in, to start again.",
            )
        raise InvalidStateError(
            f"No sign-in is waiting for an answer (the flow is at {state.value}).",
            "Call sign_in first, then confirm_sign_in with the answer to its next step.",
        )
    if session_expired:
        yield Move("session_ended", FlowContext())
        raise SessionExpiredError(
            "NotAuthorizedException",
            "Invalid session for the user, session is expired.",
            "",
            SESSION_HINT,
        )
    answer = optional("challenge_response", challenge_response)
    if answer is None or not answer.strip():
        raise InvalidAnswerError(
            "challenge_response",
            "challenge_response is required to confirm_sign_in.",
            f"Answer the step {state.value}.",
        )
    step = Step(
        client=client,
        state=state,
        ctx=ctx,
        answer=conceal(answer.strip()),
        raw=conceal(answer),
        metadata=text_map("client_metadata", metadata),
        user_attributes=text_map("user_attributes", user_attributes),
        device_name=optional("friendly_device_name", device_name, max_length=256),
        device=device,
    )
    return (yield from ANSWERS[state](step))
