"""One exchange with Cognito inside a sign-in: answer, let the flow answer the automatic
challenges, map the reply, and apply it (pure plans; see :mod:`.plan`).

The automatic challenges are answered wherever they appear, never shown to the caller:
``PASSWORD_VERIFIER`` (the SRP proof, with the password the step holds), ``WEB_AUTHN``
(the caller's passkey authenticator) and ``DEVICE_SRP_AUTH`` (the flow's remembered
device, :mod:`.devices`). Tokens that come with a new device are followed by its
confirmation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from cognitoflow.transports.base import AuthChallengeResponse

from . import srp
from .context import FlowContext, after_outcome, output
from .devices import DeviceForgotten, answer_device_challenge, confirm_new_device
from .errors import PasskeyCeremonyError, ResourceNotFoundException, UnexpectedChallengeError
from .machine import accepts
from .mapping import AUTOMATIC_CHALLENGES, Outcome, map_reply
from .outputs import DeviceSecrets, SignInOutput
from .plan import (
    Call,
    Ceremony,
    CeremonyFailed,
    Commit,
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
from .steps import FlowState

__all__ = [
    "PasskeyFailed",
    "Step",
    "advance",
    "answer_automatic",
    "associate",
    "choose_totp",
    "outcome_of",
    "respond",
]


@attrs.frozen
class Step:
    """An answer to the step a flow waits on, with all a handler needs to decide.

    Attributes:
        answer: the answer, stripped (codes, choices, addresses).
        raw: the answer as given (passwords and custom answers are sent as typed).
    """

    client: AppClient
    state: FlowState
    ctx: FlowContext
    answer: str = attrs.field(repr=False)
    raw: str = attrs.field(repr=False)
    metadata: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    user_attributes: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    device_name: str | None = None
    device: DeviceSecrets | None = attrs.field(default=None, repr=False)
    """The flow's remembered device, for a device challenge."""


class PasskeyFailed(Exception):
    """Inside plans only: the passkey ceremony failed on this WEB_AUTHN reply."""

    def __init__(self, reply: AuthChallengeResponse, reason: str) -> None:
        super().__init__(reason)
        self.reply = reply
        self.reason = reason

    def context(self, ctx: FlowContext) -> FlowContext:
        """Where the flow waits: first-factor selection, on the WEB_AUTHN session."""
        return attrs.evolve(
            ctx,
            session=self.reply.get("Session"),
            challenge_name="WEB_AUTHN",
            challenge_parameters={},
        )

    def error(self) -> PasskeyCeremonyError:
        return PasskeyCeremonyError(
            f"The passkey ceremony failed ({self.reason}).",
            "Answer confirm_sign_in with another factor, or 'WEB_AUTHN' to try again.",
        )


def respond(
    step: Step,
    challenge: str,
    responses: Mapping[str, str],
    *,
    password: str | None = None,
    srp_client: srp.SrpClient | None = None,
    spends_session: bool = False,
) -> Plan[SignInOutput]:
    """Answer the step's challenge, and move to what Cognito says next.

    ``spends_session``: once Cognito has answered, the step's session is used up even if
    the flow has more calls to make; keep that (the session gone) before making them.
    """
    ctx = step.ctx
    answers = {"USERNAME": ctx.username, **responses}
    request = step.client.respond(challenge, answers, ctx.username, ctx.session, step.metadata)
    try:
        reply = yield Call(step.client.respond_operation, request, Scope.STEP, ctx)
        if spends_session and reply.get("ChallengeName") in AUTOMATIC_CHALLENGES:
            yield Commit(attrs.evolve(ctx, session=None))
        reply, proven = yield from answer_automatic(
            step.client, reply, ctx, Scope.STEP, step.metadata, password, srp_client, step.device
        )
    except DeviceForgotten:
        # Cognito asked for the device's proof after this answer, then no longer knew it.
        yield KeepDevice(None)
        yield Move("session_ended", FlowContext())
        raise ResourceNotFoundException(
            "ResourceNotFoundException",
            "Device does not exist.",
            step.client.respond_operation,
            "The flow has forgotten its device: call sign_in again.",
        ) from None
    except PasskeyFailed as failed:
        if not accepts(step.state, "passkey_failed"):
            raise UnexpectedChallengeError(
                "Cognito asked for a passkey where this flow cannot offer another factor.",
                "Sign in again with auth_flow_type='USER_AUTH'.",
            ) from None
        yield Move("passkey_failed", failed.context(ctx))
        raise failed.error() from None
    return (yield from advance(step.state, ctx, outcome_of(reply, proven), client=step.client))


def outcome_of(reply: AuthChallengeResponse, device_proven: bool) -> Outcome:
    """The outcome of a reply; tokens a remembered device's proof earned are the device's."""
    outcome = map_reply(reply)
    if device_proven and outcome.event == "authenticated":
        return attrs.evolve(outcome, event="device_authenticated")
    return outcome


def answer_automatic(
    client: AppClient,
    reply: AuthChallengeResponse,
    ctx: FlowContext,
    scope: Scope,
    metadata: Mapping[str, str] | None,
    password: str | None,
    srp_client: srp.SrpClient | None,
    device: DeviceSecrets | None = None,
) -> Plan[tuple[AuthChallengeResponse, bool]]:
    """Answer PASSWORD_VERIFIER, WEB_AUTHN and the device challenge wherever they appear;
    the reply that needs the caller comes back, and whether the device proved itself."""
    proven = False
    while reply.get("ChallengeName") in AUTOMATIC_CHALLENGES:
        name = reply.get("ChallengeName")
        params = reply.get("ChallengeParameters") or {}
        if name == "WEB_AUTHN":
            reply = yield from _passkey_ceremony(client, reply, ctx, scope)
            continue
        if name == "DEVICE_SRP_AUTH":
            reply = yield from answer_device_challenge(client, reply, ctx, scope, metadata, device)
            proven = True
            continue
        if name != "PASSWORD_VERIFIER":
            raise UnexpectedChallengeError(
                f"Cognito asked for {name} where no device challenge was answered.",
                "Sign in again.",
            )
        if srp_client is None or password is None:
            raise UnexpectedChallengeError(
                "Cognito asked for PASSWORD_VERIFIER where no SRP exchange was started.",
                "Sign in again with auth_flow_type='USER_SRP_AUTH'.",
            )
        if not params.get("USER_ID_FOR_SRP"):
            raise UnexpectedChallengeError(
                "USER_ID_FOR_SRP was not found in the PASSWORD_VERIFIER challenge.",
                "Sign in again.",
            )
        answers = yield Compute(srp_client.answer_password_verifier, (dict(params), password))
        presenting = device is not None and scope is Scope.SIGN_IN
        if presenting:
            assert device is not None
            answers["DEVICE_KEY"] = device.device_key
        srp_client = None  # one proof per exchange
        request = client.respond(
            "PASSWORD_VERIFIER", answers, answers["USERNAME"], reply.get("Session"), metadata
        )
        answered = yield Call(
            client.respond_operation,
            request,
            scope,
            ctx,
            fallback_if=device_forgotten if presenting else None,
        )
        if isinstance(answered, Refused):
            raise DeviceForgotten
        reply = answered
    return reply, proven


def _passkey_ceremony(
    client: AppClient, reply: AuthChallengeResponse, ctx: FlowContext, scope: Scope
) -> Plan[AuthChallengeResponse]:
    """Answer WEB_AUTHN with the caller's authenticator; its failure keeps the session."""
    params = reply.get("ChallengeParameters") or {}
    username = params.get("USERNAME") or params.get("USER_ID_FOR_SRP") or ctx.username
    credential: str | CeremonyFailed = yield Ceremony(
        params.get("CREDENTIAL_REQUEST_OPTIONS", "{}")
    )
    if isinstance(credential, CeremonyFailed):
        raise PasskeyFailed(reply, credential.reason)
    answers = {"USERNAME": username, "CREDENTIAL": credential}
    # Like Amplify, no ClientMetadata on the passkey answer.
    request = client.respond("WEB_AUTHN", answers, username, reply.get("Session"), None)
    answered: AuthChallengeResponse = yield Call(client.respond_operation, request, scope, ctx)
    return answered


def associate(ctx: FlowContext) -> Plan[FlowContext]:
    """AssociateSoftwareToken with the session: the TOTP secret to set up, and the new
    session Cognito hands back with it."""
    reply: dict[str, Any] = yield Call(
        "associate_software_token", {"Session": ctx.session or ""}, Scope.STEP, ctx
    )
    return attrs.evolve(
        ctx, session=reply.get("Session") or ctx.session, totp_secret=reply.get("SecretCode")
    )


def advance(
    state: FlowState,
    ctx: FlowContext,
    outcome: Outcome,
    *,
    client: AppClient | None = None,
    restarting: bool = False,
) -> Plan[SignInOutput]:
    """Apply an outcome: the new context, the machine's move, and the step it reached.

    ``restarting``: the outcome starts a new sign-in, so a flow elsewhere signs out first.
    ``client``: the app client, whose new device (tokens with ``NewDeviceMetadata``) is
    confirmed once signed in.
    """
    new = after_outcome(ctx, outcome)
    move = Move(outcome.event, new, outcome.mfa_types)
    reached = state
    for each in restart(state, move) if restarting else (move,):
        reached = yield each
    if reached is FlowState.DONE and new.tokens is not None and client is not None:
        device = yield from confirm_new_device(new.tokens, client.device_name)
        if device is not None:
            yield Move("device_confirmed", new)
    if reached is FlowState.CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION and new.mfa_types == (
        "TOTP",
    ):
        # Nothing to choose: TOTP is chosen at once. What Cognito answered so far is kept,
        # so a fault while fetching the secret leaves this step, to answer 'TOTP' again.
        return (yield from choose_totp(new))
    return output(reached, new)


def choose_totp(ctx: FlowContext) -> Plan[SignInOutput]:
    """TOTP chosen at the MFA set-up selection: fetch the secret, then show it to set up."""
    ctx = yield from associate(ctx)
    reached = yield Move("totp_setup_chosen", ctx)
    return output(reached, ctx)
