"""What a flow carries between steps, and the pure functions that update and show it.

:class:`FlowContext` is immutable: every step makes a new one from the old and from
Cognito's reply (:func:`after_outcome`), and the flow commits it only when the machine
has moved. :func:`next_step` turns a state and its context into the step the caller sees.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from cognitoflow.transports.sensitive import conceal_text

from . import snapshot
from .mapping import Outcome, reveal
from .outputs import (
    AuthTokens,
    CodeDeliveryDetails,
    ConfirmSignInWithCustomChallenge,
    ConfirmSignInWithEmailCode,
    ConfirmSignInWithNewPasswordRequired,
    ConfirmSignInWithPassword,
    ConfirmSignInWithSmsCode,
    ConfirmSignInWithTotpCode,
    ConfirmSignUp,
    ContinueSignInWithEmailSetup,
    ContinueSignInWithFirstFactorSelection,
    ContinueSignInWithMfaSelection,
    ContinueSignInWithMfaSetupSelection,
    ContinueSignInWithTotpSetup,
    Done,
    NextStep,
    PendingAutoSignIn,
    ResetPassword,
    SignInOutput,
    TotpSetupDetails,
)
from .steps import FlowState

__all__ = ["FlowContext", "after_outcome", "delivery", "identity", "next_step", "output"]


@attrs.frozen
class FlowContext:
    """What a flow knows between steps. Secrets are kept out of the repr."""

    login_id: str = ""
    username: str = ""
    auth_flow_type: str = ""
    session: str | None = attrs.field(default=None, repr=False, converter=conceal_text)
    session_issued_at: float | None = attrs.field(default=None, repr=False)
    """When this flow received ``session`` (its clock's seconds since the epoch). Left out
    of the repr with the session it dates (and its digits would only be noise there)."""
    challenge_name: str | None = None
    challenge_parameters: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    mfa_types: tuple[str, ...] = ()
    missing_attributes: tuple[str, ...] = ()
    available_challenges: tuple[str, ...] = ()
    totp_secret: str | None = attrs.field(default=None, repr=False, converter=conceal_text)
    password_mode: str | None = None
    code_delivery: CodeDeliveryDetails | None = None
    tokens: AuthTokens | None = attrs.field(default=None, repr=False)
    auto_sign_in: PendingAutoSignIn | None = None


snapshot.check_context_fields(FlowContext)


def identity(ctx: FlowContext) -> FlowContext:
    """Who is signing in, and how, without anything of the step they were at."""
    return FlowContext(
        login_id=ctx.login_id, username=ctx.username, auth_flow_type=ctx.auth_flow_type
    )


def after_outcome(ctx: FlowContext, outcome: Outcome) -> FlowContext:
    """The context once the machine has taken ``outcome``'s event."""
    if outcome.event in ("email_setup_chosen", "totp_setup_chosen", "password_factor_chosen"):
        return ctx
    if outcome.event in ("authenticated", "device_authenticated"):
        return attrs.evolve(
            ctx,
            session=None,
            challenge_name=None,
            challenge_parameters={},
            totp_secret=None,
            tokens=outcome.tokens,
        )
    return attrs.evolve(
        ctx,
        session=outcome.session,
        challenge_name=outcome.challenge_name,
        challenge_parameters=dict(outcome.parameters),
        mfa_types=outcome.mfa_types,
        missing_attributes=outcome.missing_attributes,
        available_challenges=outcome.available_challenges or ctx.available_challenges,
        totp_secret=None,
    )


def delivery(details: Mapping[str, Any] | None) -> CodeDeliveryDetails:
    """A ``CodeDeliveryDetails`` member of a Cognito reply, as the output type."""
    details = details or {}
    return CodeDeliveryDetails(
        delivery_medium=details.get("DeliveryMedium"),
        destination=details.get("Destination"),
        attribute_name=details.get("AttributeName"),
    )


def _challenge_delivery(ctx: FlowContext) -> CodeDeliveryDetails:
    params = ctx.challenge_parameters
    return CodeDeliveryDetails(
        delivery_medium=params.get("CODE_DELIVERY_DELIVERY_MEDIUM"),
        destination=params.get("CODE_DELIVERY_DESTINATION"),
    )


_STEPS: Mapping[FlowState, Callable[[FlowContext], NextStep]] = {
    FlowState.CONFIRM_SIGN_IN_WITH_SMS_CODE: lambda c: ConfirmSignInWithSmsCode(
        _challenge_delivery(c)
    ),
    FlowState.CONFIRM_SIGN_IN_WITH_EMAIL_CODE: lambda c: ConfirmSignInWithEmailCode(
        _challenge_delivery(c)
    ),
    FlowState.CONFIRM_SIGN_IN_WITH_TOTP_CODE: lambda c: ConfirmSignInWithTotpCode(
        c.challenge_parameters.get("FRIENDLY_DEVICE_NAME")
    ),
    FlowState.CONTINUE_SIGN_IN_WITH_MFA_SELECTION: lambda c: ContinueSignInWithMfaSelection(
        c.mfa_types
    ),
    FlowState.CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION: lambda c: (
        ContinueSignInWithMfaSetupSelection(c.mfa_types)
    ),
    FlowState.CONTINUE_SIGN_IN_WITH_TOTP_SETUP: lambda c: ContinueSignInWithTotpSetup(
        TotpSetupDetails(reveal(c.totp_secret) or "", c.login_id)
    ),
    FlowState.CONTINUE_SIGN_IN_WITH_EMAIL_SETUP: lambda c: ContinueSignInWithEmailSetup(),
    FlowState.CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION: lambda c: (
        ContinueSignInWithFirstFactorSelection(c.available_challenges)
    ),
    FlowState.CONFIRM_SIGN_IN_WITH_PASSWORD: lambda c: ConfirmSignInWithPassword(),
    FlowState.CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE: lambda c: ConfirmSignInWithCustomChallenge(
        dict(c.challenge_parameters)
    ),
    FlowState.CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED: lambda c: (
        ConfirmSignInWithNewPasswordRequired(c.missing_attributes)
    ),
    FlowState.CONFIRM_SIGN_UP: lambda c: ConfirmSignUp(c.code_delivery),
    FlowState.RESET_PASSWORD: lambda c: ResetPassword(),
    FlowState.DONE: lambda c: Done(),
}


def next_step(state: FlowState, ctx: FlowContext) -> NextStep | None:
    """The step a flow at ``state`` waits on (None when signed out or resetting a password)."""
    build = _STEPS.get(state)
    return build(ctx) if build else None


def output(state: FlowState, ctx: FlowContext) -> SignInOutput:
    """What ``sign_in`` and ``confirm_sign_in`` return for a flow at ``state``."""
    step = next_step(state, ctx)
    assert step is not None, f"{state.value} is not a step of a sign-in"
    done = state is FlowState.DONE
    return SignInOutput(is_signed_in=done, next_step=step, tokens=ctx.tokens if done else None)
