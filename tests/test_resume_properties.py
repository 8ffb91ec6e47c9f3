"""Property: a flow snapshotted and restored before every call behaves as one never paused.

Each example makes two twin users (same pool, settings, password, email and phone) and
runs the same random script on both: a sign-in with a random flow type, then random
actions (the right answer, a wrong one, garbage, the clock past the session, a sign-out,
the same sign-in again). Twin A's flow lives in memory from start to end. Twin B's flow
is rebuilt before every call, from its snapshot taken through JSON, a sealed snapshot,
or a flow store (drawn at random each time). After each call the two must agree: the
same next step (secrets and the twin's name aside), the same error type and code, the
same state and flow path; and every restored flow must equal the flow it came from.

The answers come from each twin's own messages, authenticator and set-up secret, so
both get the answer of the same kind. Across all examples, snapshots must have been
taken at every state of the machine.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
from collections import Counter
from collections.abc import Callable
from typing import Any

import attrs
import pyotp
import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from cognitoflow.engine import (
    FIRST_FACTORS,
    INLINE,
    AsyncInMemoryFlowStore,
    AsyncSignInFlow,
    CognitoFlowError,
    FlowState,
    InMemoryFlowStore,
    SignInFlow,
    SnapshotSealer,
)
from cognitoflow.transports.fake import (
    AsyncFakeTransport,
    FakeCognito,
    FakeTransport,
    ManualClock,
)

from helpers import Awaiting, Pool
from worlds import TEMPORARY, world_pool, world_user

PASSWORD = "Twin-pass-1!"
PROFILE = os.environ.get("COGNITOFLOW_HYPOTHESIS_PROFILE", "ci")
EXAMPLES = {"quick": 3, "ci": 14, "long": 150}.get(PROFILE, 14)
SEED = int(os.environ.get("COGNITOFLOW_PROPERTY_SEED", "20261122"))

PERSONAS: dict[str, tuple[str, dict[str, Any]]] = {
    "sms": ("optional", {"mfa": ("SMS_MFA",)}),
    "totp": ("optional", {"mfa": ("SOFTWARE_TOKEN_MFA",)}),
    "email": ("optional", {"mfa": ("EMAIL_OTP",)}),
    "multi": ("optional", {"mfa": ("SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP")}),
    "plain": ("optional", {}),
    "temp": ("optional", {"temporary": True}),
    "setup": ("required", {}),
    "setup_temp": ("required", {"temporary": True}),
    "reset": ("optional", {"reset": True}),
    "unconfirmed": ("optional", {"unconfirmed": True}),
}
FLOW_TYPES = ["USER_SRP_AUTH", "USER_PASSWORD_AUTH", "CUSTOM_WITH_SRP", "CUSTOM_WITHOUT_SRP"]
USER_AUTH = [("USER_AUTH", None), *(("USER_AUTH", p) for p in FIRST_FACTORS if p != "WEB_AUTHN")]
STARTS = [(flow_type, None) for flow_type in FLOW_TYPES] + USER_AUTH
ACTIONS = ["right"] * 6 + ["wrong", "garbage", "expire", "sign_out", "again"]
CHANNELS = ["json", "sealed", "store"]
FRONTS = ["sync", "async"]

SNAPSHOT_STEPS: set[str] = set()
FRONTS_USED: Counter[tuple[str, str]] = Counter()
"""How often a flow of each kind was snapshotted and restored as each front end."""
"""Every state at which a snapshot was taken and restored, over all examples."""
_DONE: set[str] = set()


@attrs.define
class Twin:
    """One of the two users, and what it takes to answer for them."""

    username: str
    password: str
    totp: str | None = None
    flow: SignInFlow | None = None


class World:
    """Pools shared by every example (each example makes fresh twin users)."""

    def __init__(self, portal: Any) -> None:
        self.portal = portal
        self.clock = ManualClock()
        self.cognito = FakeCognito(clock=self.clock)
        self.sealer = SnapshotSealer([SnapshotSealer.generate_key()])
        self.store = InMemoryFlowStore(clock=self.clock, sealer=self.sealer)
        self.async_store = AsyncInMemoryFlowStore(clock=self.clock, sealer=self.sealer)
        self.names = itertools.count()
        self.pools: dict[str, Pool] = {
            name: world_pool(
                self.cognito,
                mfa=mfa,
                first_factors=["PASSWORD", "EMAIL_OTP", "SMS_OTP"],
                flows=[
                    "ALLOW_USER_SRP_AUTH",
                    "ALLOW_USER_PASSWORD_AUTH",
                    "ALLOW_CUSTOM_AUTH",
                    "ALLOW_USER_AUTH",
                ],
                sms=mfa == "OPTIONAL",
                totp=True,
                email=True,
                GenerateSecret=True,
            )
            for name, mfa in (("optional", "OPTIONAL"), ("required", "ON"))
        }

    def twins(self, persona: str) -> tuple[Pool, list[Twin]]:
        pool_name, options = PERSONAS[persona]
        pool = self.pools[pool_name]
        twins = []
        for _ in range(2):
            name = f"{persona}{next(self.names)}"
            if options.get("unconfirmed"):
                flow = self.flow(pool)
                flow.sign_up(name, PASSWORD, user_attributes={"email": "twin@example.com"})
                twins.append(Twin(name, PASSWORD))
                continue
            totp = world_user(
                pool,
                name,
                PASSWORD,
                email="twin@example.com",
                phone="+15555550100",
                mfa=options.get("mfa", ()),
                temporary=bool(options.get("temporary")),
                reset=bool(options.get("reset")),
            )
            twin = Twin(name, TEMPORARY if options.get("temporary") else PASSWORD, totp)
            twins.append(twin)
        return pool, twins

    def flow(self, pool: Pool) -> SignInFlow:
        return SignInFlow(
            FakeTransport(self.cognito),
            user_pool_id=pool.pool_id,
            client_id=pool.client_id,
            client_secret=pool.client_secret,
            clock=self.clock,
        )

    def code(self, username: str, purpose: str | None = None) -> str:
        try:
            return self.cognito.outbox.last_code(username, purpose=purpose)
        except LookupError:
            return "000000"


def resume(
    world: World, pool: Pool, flow: SignInFlow, channel: str, front: str = "sync"
) -> SignInFlow:
    """Flow B between two requests: snapshot, carried through ``channel``, restored as a
    ``front`` flow (an AsyncSignInFlow is run through ``Awaiting``)."""
    snapshot = flow.snapshot()
    SNAPSHOT_STEPS.add(flow.state.value)
    FRONTS_USED[(type(getattr(flow, "flow", flow)).__name__, front)] += 1
    if front == "async":
        kind: Any = AsyncSignInFlow
        transport: Any = AsyncFakeTransport(world.cognito)
        options: dict[str, Any] = {"srp_executor": INLINE}
    else:
        kind, transport, options = SignInFlow, FakeTransport(world.cognito), {}
    secret = pool.client_secret
    if channel == "json":
        carried = json.loads(json.dumps(snapshot))
        restored = kind.restore(
            carried, transport, client_secret=secret, clock=world.clock, **options
        )
    elif channel == "sealed":
        carried = world.sealer.unseal(world.sealer.seal(snapshot))
        restored = kind.restore(
            carried, transport, client_secret=secret, clock=world.clock, **options
        )
    elif front == "async":
        kept = getattr(flow, "flow", flow)
        flow_id = world.portal.call(world.async_store.create, kept)
        load = functools.partial(world.async_store.load, client_secret=secret)
        restored = world.portal.call(load, flow_id, transport)
        world.portal.call(world.async_store.delete, flow_id)
    else:
        flow_id = world.store.create(flow)
        restored = world.store.load(flow_id, transport, client_secret=secret)
        world.store.delete(flow_id)
    if front == "async":
        restored = Awaiting(restored, world.portal)
    assert restored.state is flow.state
    assert restored.context == flow.context
    assert restored.snapshot() == snapshot
    restored.path = list(flow.path)
    return restored


def answer(world: World, twin: Twin, action: str, choice: int, start: tuple[str, Any]) -> Any:
    """Do ``action`` on the twin's flow; gives what happened, twin-neutral."""
    flow = twin.flow
    assert flow is not None
    state, step = flow.state, flow.next_step
    calls: dict[str, Callable[[], Any]] = {}
    if action == "sign_out":
        calls[action] = flow.sign_out
    elif action == "again":
        calls[action] = lambda: start_sign_in(flow, twin, start)
    elif action == "expire":
        calls[action] = lambda: flow.confirm_sign_in("12345678")
    elif action == "garbage":
        calls[action] = lambda: flow.confirm_sign_in(["", "abc", "TOTP", "é" * 5][choice % 4])
    elif state in (
        FlowState.CONFIRM_SIGN_IN_WITH_SMS_CODE,
        FlowState.CONFIRM_SIGN_IN_WITH_EMAIL_CODE,
    ):
        code = world.code(twin.username)
        calls[action] = lambda: flow.confirm_sign_in(code if action == "right" else wrong(code))
    elif state is FlowState.CONFIRM_SIGN_IN_WITH_TOTP_CODE:
        code = pyotp.TOTP(twin.totp or "A" * 32).at(world.clock())  # type: ignore[arg-type]
        calls[action] = lambda: flow.confirm_sign_in(code if action == "right" else wrong(code))
    elif state in (
        FlowState.CONTINUE_SIGN_IN_WITH_MFA_SELECTION,
        FlowState.CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION,
    ):
        allowed = step.allowed_mfa_types or ("SMS",)  # type: ignore[union-attr]
        pick = allowed[choice % len(allowed)] if action == "right" else "FAX"
        calls[action] = lambda: flow.confirm_sign_in(pick)
    elif state is FlowState.CONTINUE_SIGN_IN_WITH_TOTP_SETUP:
        secret = step.totp_setup_details.shared_secret  # type: ignore[union-attr]
        code = pyotp.TOTP(secret).at(world.clock())  # type: ignore[arg-type]

        def setup() -> Any:
            out = flow.confirm_sign_in(code if action == "right" else wrong(code))
            twin.totp = secret
            return out

        calls[action] = setup
    elif state is FlowState.CONTINUE_SIGN_IN_WITH_EMAIL_SETUP:
        address = "twin@example.com" if action == "right" else "not-an-address"
        calls[action] = lambda: flow.confirm_sign_in(address)
    elif state is FlowState.CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION:
        offered = step.available_challenges or ("PASSWORD",)  # type: ignore[union-attr]
        pick = offered[choice % len(offered)] if action == "right" else "PIGEON"
        calls[action] = lambda: flow.confirm_sign_in(pick)
    elif state is FlowState.CONFIRM_SIGN_IN_WITH_PASSWORD:
        given = twin.password if action == "right" else "Wrong-pass-9!"
        calls[action] = lambda: flow.confirm_sign_in(given)
    elif state is FlowState.CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE:
        calls[action] = lambda: flow.confirm_sign_in("42" if action == "right" else "41")
    elif state is FlowState.CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED:
        new = "New-pass-1!" if action == "right" else "weak"

        def new_password() -> Any:
            out = flow.confirm_sign_in(new)
            twin.password = new
            return out

        calls[action] = new_password
    elif state is FlowState.CONFIRM_SIGN_UP:
        code = world.code(twin.username)
        calls[action] = lambda: flow.confirm_sign_up(code if action == "right" else wrong(code))
    elif state is FlowState.RESET_PASSWORD:
        calls[action] = flow.reset_password
    elif state is FlowState.CONFIRM_RESET_PASSWORD_WITH_CODE:
        code = world.code(twin.username, "FORGOT_PASSWORD")
        new = "Reset-pass-1!"

        def confirm_reset() -> Any:
            out = flow.confirm_reset_password(
                new_password=new, confirmation_code=code if action == "right" else wrong(code)
            )
            twin.password = new
            return out

        calls[action] = confirm_reset
    else:  # signed out or signed in: start again
        calls[action] = lambda: start_sign_in(flow, twin, start)
    try:
        result = calls[action]()
    except CognitoFlowError as error:
        outcome: Any = ("error", type(error).__name__, getattr(error, "code", None))
    else:
        outcome = ("ok", neutral(result, twin.username))
    return outcome, flow.state, neutral(flow.next_step, twin.username), list(flow.path)


def start_sign_in(flow: SignInFlow, twin: Twin, start: tuple[str, Any]) -> Any:
    flow_type, preferred = start
    needs_password = flow_type not in ("CUSTOM_WITHOUT_SRP", "USER_AUTH") or preferred in (
        "PASSWORD",
        "PASSWORD_SRP",
    )
    password = twin.password if needs_password else None
    return flow.sign_in(
        twin.username, password, auth_flow_type=flow_type, preferred_challenge=preferred
    )


def wrong(code: str) -> str:
    return "0" * len(code) if code != "0" * len(code) else "1" * len(code)


def neutral(value: Any, username: str) -> str:
    """A result as text without secrets (tokens, TOTP secrets) or the twin's name."""

    def strip(item: Any) -> Any:
        if attrs.has(type(item)):
            fields = {f.name: strip(getattr(item, f.name)) for f in attrs.fields(type(item))}
            for secret in ("tokens", "shared_secret", "user_sub"):
                fields.pop(secret, None)
            return {"type": type(item).__name__, **fields}
        if isinstance(item, list | tuple):
            return [strip(i) for i in item]
        if isinstance(item, dict):
            return {k: strip(v) for k, v in item.items()}
        return item

    return json.dumps(strip(value), sort_keys=True, default=str).replace(username, "<user>")


@st.composite
def scripts(draw: st.DrawFn) -> tuple[tuple[str, Any], list[tuple[str, int, str, str]]]:
    start = draw(st.sampled_from(STARTS))
    steps = draw(
        st.lists(
            st.tuples(
                st.sampled_from(ACTIONS),
                st.integers(0, 5),
                st.sampled_from(CHANNELS),
                st.sampled_from(FRONTS),
            ),
            min_size=1,
            max_size=9,
        )
    )
    return start, steps


def run_twins(world: World, persona: str, start: tuple[str, Any], steps: list[Any]) -> None:
    pool, (a, b) = world.twins(persona)
    for twin in (a, b):
        twin.flow = world.flow(pool)
    first = [answer(world, twin, "right", 0, start) for twin in (a, b)]
    assert first[0] == first[1], f"{persona} {start}: the first step differs: {first}"
    for number, (action, choice, channel, front) in enumerate(steps):
        assert b.flow is not None
        b.flow = resume(world, pool, b.flow, channel, front)
        if action == "expire":
            world.clock.advance(181)
        results = [answer(world, twin, action, choice, start) for twin in (a, b)]
        assert results[0] == results[1], (
            f"{persona} {start}, step {number} ({action}, via {channel}, {front}): "
            f"uninterrupted {results[0]} != restored {results[1]}"
        )
    assert b.flow is not None
    resume(world, pool, b.flow, "json")  # the last state too


def _run_persona(persona: str, portal: Any) -> None:
    world = World(portal)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(script=scripts())
    def check(script: tuple[tuple[str, Any], list[tuple[str, int, str, str]]]) -> None:
        start, steps = script
        run_twins(world, persona, start, steps)

    if PROFILE != "long":
        check = seed(SEED + sorted(PERSONAS).index(persona))(check)
    check()
    _DONE.add(persona)


@pytest.mark.parametrize("persona", PERSONAS)
def test_restored_flows_continue_as_uninterrupted_ones(
    fast_srp: None, persona: str, portal: Any
) -> None:
    """Snapshot → restore before every call of random scripts changes no result."""
    _run_persona(persona, portal)


def test_snapshots_were_taken_at_every_state(fast_srp: None, portal: Any) -> None:
    """The property above met every state of the machine (else it proves less)."""
    for persona in PERSONAS:
        if persona not in _DONE:  # this test was run on its own
            _run_persona(persona, portal)
    states = {state.value for state in FlowState}
    missing = sorted(states - SNAPSHOT_STEPS)
    print(f"\nsnapshot steps: {len(states & SNAPSHOT_STEPS)} of {len(states)} states")
    assert not missing, f"no snapshot was restored at: {missing}"
    print(f"snapshots carried from one front end to another: {dict(FRONTS_USED)}")
    for sync_or_async in ("SignInFlow", "AsyncSignInFlow"):  # into each, from each
        for front in FRONTS:
            assert FRONTS_USED[(sync_or_async, front)] > 0, FRONTS_USED
