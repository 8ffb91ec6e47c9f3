"""The sign-in machine: states and transitions only, no I/O.

States are :class:`FlowState` members (Amplify's step names, plus ``SIGNED_OUT`` and the
reset-password step). Events are named after what Cognito answered
(``sms_mfa_required``, ``authenticated``, ``code_mismatch``, ...) or, for the few local
moves that need no call, after the user's choice (``totp_setup_chosen``), so the diagram
reads as the protocol. Retries are visible self-transitions. Guards are pure functions
of the event's data. An event the current state does not accept raises
:class:`~cognitoflow.engine.errors.IllegalTransitionError` and leaves the state as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from statemachine import State, StateChart
from statemachine.exceptions import TransitionNotAllowed
from statemachine.states import States
from statemachine.transition_list import TransitionList

from .errors import IllegalTransitionError
from .steps import FlowState

__all__ = [
    "ACCEPTED_EVENTS",
    "CHALLENGE_STATES",
    "TRANSITIONS",
    "SignInMachine",
    "accepts",
    "next_state",
]


def _into(sources: Iterable[State], target: State, **options: Any) -> TransitionList:
    """One transition from each source to ``target``."""
    result: TransitionList | None = None
    for source in sources:
        transition = source.to(target, **options)
        result = transition if result is None else result | transition
    assert result is not None
    return result


def _retry(states: Iterable[State]) -> TransitionList:
    """A visible self-transition on each state."""
    result: TransitionList | None = None
    for state in states:
        transition = state.to.itself()  # type: ignore[no-untyped-call]
        result = transition if result is None else result | transition
    assert result is not None
    return result


class SignInMachine(StateChart):  # type: ignore[type-arg]
    """Amplify's multi-step sign-in, as states and guarded transitions."""

    allow_event_without_transition = False
    catch_errors_as_events = False

    s = States.from_enum(FlowState, initial=FlowState.SIGNED_OUT, use_enum_instance=False)

    _signed_out = s.SIGNED_OUT
    _sms = s.CONFIRM_SIGN_IN_WITH_SMS_CODE
    _email = s.CONFIRM_SIGN_IN_WITH_EMAIL_CODE
    _totp = s.CONFIRM_SIGN_IN_WITH_TOTP_CODE
    _mfa_selection = s.CONTINUE_SIGN_IN_WITH_MFA_SELECTION
    _setup_selection = s.CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION
    _totp_setup = s.CONTINUE_SIGN_IN_WITH_TOTP_SETUP
    _email_setup = s.CONTINUE_SIGN_IN_WITH_EMAIL_SETUP
    _first_factor = s.CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION
    _password = s.CONFIRM_SIGN_IN_WITH_PASSWORD
    _custom = s.CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE
    _new_password = s.CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED
    _confirm_sign_up = s.CONFIRM_SIGN_UP
    _reset = s.RESET_PASSWORD
    _confirm_reset = s.CONFIRM_RESET_PASSWORD_WITH_CODE
    _done = s.DONE

    # Where a password (or custom) first factor can lead: the states Cognito may answer
    # from after the password was checked.
    _after_first_factor = (_signed_out, _new_password, _custom, _password)

    # -- Cognito's answers ---------------------------------------------------------
    authenticated = _into(
        (
            _signed_out,
            _sms,
            _email,
            _totp,
            _new_password,
            _totp_setup,
            _custom,
            _password,
            _first_factor,
        ),
        _done,
    )
    # A remembered device proved itself (DEVICE_SRP_AUTH) and stood in for MFA.
    device_authenticated = _into((_signed_out, _new_password), _done)
    new_password_required = _into((_signed_out, _custom, _password), _new_password)
    sms_mfa_required = _into((*_after_first_factor, _mfa_selection), _sms)
    totp_required = _into((*_after_first_factor, _mfa_selection), _totp)
    email_otp_required = _into(
        (*_after_first_factor, _mfa_selection, _email_setup, _first_factor), _email
    )
    sms_otp_required = _into((_signed_out, _first_factor), _sms)
    mfa_selection_required = _into(_after_first_factor, _mfa_selection)
    # With TOTP on offer the flow waits at the selection first, even with TOTP alone: the
    # authenticator secret is then fetched as its TOTP choice (totp_setup_chosen), a call
    # of its own, so a fault there leaves a step that can be answered again.
    mfa_setup_required = _into(_after_first_factor, _setup_selection, cond="offers_totp") | _into(
        _after_first_factor, _email_setup, cond="offers_email_only"
    )
    custom_challenge = _into((_signed_out, _custom), _custom)
    first_factor_selection_required = _signed_out.to(_first_factor)
    # Cognito refuses an unconfirmed user at InitiateAuth, before any password step.
    user_not_confirmed = _signed_out.to(_confirm_sign_up)
    password_reset_required = _into((_signed_out, _password), _reset)

    # The new device Cognito named with the tokens is confirmed (ConfirmDevice).
    device_confirmed = _done.to.itself()

    # -- the user's choices that need no call to Cognito ---------------------------
    totp_setup_chosen = _setup_selection.to(_totp_setup)
    email_setup_chosen = _setup_selection.to(_email_setup)
    password_factor_chosen = _first_factor.to(_password)

    # The passkey authenticator failed: keep Cognito's session and offer the factors.
    passkey_failed = _signed_out.to(_first_factor) | _retry((_first_factor,))

    # -- retries: Cognito said no, the step stays ----------------------------------
    code_mismatch = _retry((_sms, _email, _totp, _totp_setup, _confirm_sign_up, _confirm_reset))
    password_rejected = _retry((_new_password, _confirm_reset))

    # -- the Cognito session is gone -----------------------------------------------
    session_ended = _into(
        (
            _sms,
            _email,
            _totp,
            _mfa_selection,
            _setup_selection,
            _totp_setup,
            _email_setup,
            _first_factor,
            _password,
            _custom,
            _new_password,
        ),
        _signed_out,
    )

    # -- sign-up and password reset ------------------------------------------------
    sign_up_code_sent = _into((_signed_out, _confirm_sign_up), _confirm_sign_up)
    sign_up_confirmed = _into((_signed_out, _confirm_sign_up), _signed_out)
    reset_code_sent = _into((_signed_out, _reset, _confirm_reset), _confirm_reset)
    password_reset = _confirm_reset.to(_signed_out)

    # -- leaving -------------------------------------------------------------------
    sign_out = _into(
        (
            _sms,
            _email,
            _totp,
            _mfa_selection,
            _setup_selection,
            _totp_setup,
            _email_setup,
            _first_factor,
            _password,
            _custom,
            _new_password,
            _confirm_sign_up,
            _reset,
            _confirm_reset,
            _done,
        ),
        _signed_out,
    )

    # The short names above are for this declaration only: the metaclass must see each
    # state once, under its enum name.
    del _signed_out, _sms, _email, _totp, _mfa_selection, _setup_selection, _totp_setup
    del _email_setup, _first_factor, _password, _custom, _new_password, _confirm_sign_up
    del _reset, _confirm_reset, _done, _after_first_factor

    def send(self, event: str, *args: Any, **kwargs: Any) -> Any:
        """Send ``event``; an event the current state does not declare raises our typed error."""
        state = str(self.current_state_value)
        try:
            return super().send(event, *args, **kwargs)
        except TransitionNotAllowed:
            raise IllegalTransitionError(event, state) from None

    # -- guards (pure functions of the event data) ---------------------------------
    def offers_totp(self, setup_types: Sequence[str] = ()) -> bool:
        return "TOTP" in setup_types

    def offers_email_only(self, setup_types: Sequence[str] = ()) -> bool:
        return "EMAIL" in setup_types and "TOTP" not in setup_types


CHALLENGE_STATES = frozenset(
    {
        FlowState.CONFIRM_SIGN_IN_WITH_SMS_CODE,
        FlowState.CONFIRM_SIGN_IN_WITH_EMAIL_CODE,
        FlowState.CONFIRM_SIGN_IN_WITH_TOTP_CODE,
        FlowState.CONTINUE_SIGN_IN_WITH_MFA_SELECTION,
        FlowState.CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION,
        FlowState.CONTINUE_SIGN_IN_WITH_TOTP_SETUP,
        FlowState.CONTINUE_SIGN_IN_WITH_EMAIL_SETUP,
        FlowState.CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION,
        FlowState.CONFIRM_SIGN_IN_WITH_PASSWORD,
        FlowState.CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE,
        FlowState.CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED,
    }
)
"""The states that hold a Cognito session."""


ACCEPTED_EVENTS: Mapping[FlowState, frozenset[str]] = {
    FlowState(state.id): frozenset(t.event for t in state.transitions)
    for state in SignInMachine.states
}
"""The events each state declares (read from the declaration above, once)."""


def accepts(state: FlowState, event: str) -> bool:
    """Whether ``state`` declares a transition on ``event`` (guards aside)."""
    return event in ACCEPTED_EVENTS[state]


_Targets = tuple[tuple[FlowState, tuple[str, ...]], ...]
TRANSITIONS: Mapping[tuple[FlowState, str], _Targets] = {}
"""Each (state, event) the machine declares, and its targets with their guards, in the
declaration's order: read from the machine once, at import."""
for _state in SignInMachine.states:
    for _transition in _state.transitions:
        _key = (FlowState(_state.id), str(_transition.event))
        _guards = tuple(str(spec.func) for spec in _transition.cond)
        TRANSITIONS[_key] = (  # type: ignore[index]
            *TRANSITIONS.get(_key, ()),
            (FlowState(_transition.target.id), _guards),
        )
del _state, _transition, _key, _guards


def next_state(state: FlowState, event: str, setup_types: Sequence[str] = ()) -> FlowState:
    """Where ``event`` takes a flow at ``state``: what ``SignInMachine.send`` decides,
    without making a machine (one per flow cost more than the rest of the engine).

    Raises:
        IllegalTransitionError: ``state`` declares no transition on ``event`` whose guards
            hold.
    """
    for target, guards in TRANSITIONS.get((state, event), ()):
        if all(getattr(SignInMachine, guard)(None, setup_types) for guard in guards):
            return target
    raise IllegalTransitionError(event, state.value)
