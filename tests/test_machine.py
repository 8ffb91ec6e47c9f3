"""The machine declaration: its states, and that undeclared events change nothing."""

from __future__ import annotations

import pytest

from cognitoflow.engine import FlowState, IllegalTransitionError, SignInMachine, SignInStep


def _declared() -> set[tuple[str, str]]:
    return {(state.id, t.event) for state in SignInMachine.states for t in state.transitions}


def test_every_amplify_step_is_a_state() -> None:
    """All 14 Amplify steps, SIGNED_OUT and the reset step are declared states."""
    ids = {state.id for state in SignInMachine.states}
    assert {step.value for step in SignInStep} <= ids
    assert ids == {state.value for state in FlowState}
    assert len(list(SignInStep)) == 14
    assert SignInMachine().current_state_value == "SIGNED_OUT"


def test_flutter_names_are_aliases() -> None:
    """Flutter's step names resolve to the same members as the JS names."""
    assert SignInStep.confirmSignInWithTotpMfaCode is SignInStep.CONFIRM_SIGN_IN_WITH_TOTP_CODE
    assert SignInStep.confirmSignInWithNewPassword is (
        SignInStep.CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED
    )
    assert SignInStep["done"] is SignInStep.DONE


EVENTS = sorted({event for _, event in _declared()})


@pytest.mark.parametrize("state", [s.value for s in FlowState])
def test_undeclared_events_raise_and_leave_the_state(state: str) -> None:
    """Every (state, event) pair not declared raises and leaves the state as it was."""
    declared = _declared()
    for event in EVENTS:
        if (state, event) in declared:
            continue
        machine = SignInMachine(start_value=state)
        with pytest.raises(IllegalTransitionError) as caught:
            machine.send(event, setup_types=("TOTP",))
        assert (caught.value.event, caught.value.state) == (event, state)
        assert machine.current_state_value == state


@pytest.mark.parametrize(
    ("types", "target"),
    [
        (("TOTP", "EMAIL"), "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION"),
        (("TOTP",), "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION"),  # the flow then picks TOTP
        (("EMAIL",), "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP"),
    ],
)
def test_mfa_setup_guards(types: tuple[str, ...], target: str) -> None:
    """The MFA set-up step depends only on the types offered."""
    machine = SignInMachine()
    machine.send("mfa_setup_required", setup_types=types)
    assert machine.current_state_value == target


def test_unknown_event_raises() -> None:
    """Unknown events are not ignored."""
    machine = SignInMachine()
    with pytest.raises(IllegalTransitionError):
        machine.send("no_such_event")
    assert machine.current_state_value == "SIGNED_OUT"


def test_next_state_decides_as_the_machine_does() -> None:
    """Flows move by the table read from the declaration (no machine per flow): for every
    state, event and set-up offer, it agrees with python-statemachine's own send."""
    from cognitoflow.engine.errors import IllegalTransitionError
    from cognitoflow.engine.machine import TRANSITIONS, next_state

    events = {event for _, event in TRANSITIONS}
    offers = [(), ("TOTP",), ("EMAIL",), ("TOTP", "EMAIL")]
    checked = 0
    for state in FlowState:
        for event in sorted(events):
            for offer in offers:
                machine = SignInMachine(start_value=state.value)
                try:
                    machine.send(event, setup_types=offer)
                    expected: FlowState | None = FlowState(machine.current_state_value)
                except IllegalTransitionError:
                    expected = None
                try:
                    got: FlowState | None = next_state(state, event, offer)
                except IllegalTransitionError:
                    got = None
                assert got == expected, (state, event, offer)
                checked += 1
    assert checked == len(FlowState) * len(events) * len(offers)
