"""Resumable flows: snapshots, restore, sealing, the client-side expiry check, stores."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest

from cognitoflow.engine import (
    SNAPSHOT_VERSION,
    CodeMismatchException,
    FlowNotFoundError,
    FlowState,
    InMemoryFlowStore,
    InvalidInputError,
    InvalidSnapshotError,
    RedisFlowStore,
    SealedSnapshotError,
    SessionExpiredError,
    SignInFlow,
    SnapshotSealer,
    StaleStepError,
    StepInProgressError,
)
from cognitoflow.transports.base import Transport
from cognitoflow.transports.fake import FakeCognito, FakeTransport, ManualClock

from helpers import PASSWORD, Pool, capture_events


@pytest.fixture
def sms_pool(cognito: FakeCognito) -> Pool:
    pool = Pool(cognito, MfaConfiguration="OPTIONAL", client={"GenerateSecret": True})
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool.pool_id, SmsMfaConfiguration={"SmsAuthenticationMessage": "{####}"}
    )
    pool.user("bob", mfa=("SMS_MFA",), phone_number="+15555550100")
    return pool


def _flow(pool: Pool, clock: ManualClock) -> SignInFlow:
    return SignInFlow(
        FakeTransport(pool.cognito),
        user_pool_id=pool.pool_id,
        client_id=pool.client_id,
        client_secret=pool.client_secret,
        clock=clock,
    )


def _restore(pool: Pool, snapshot: Any, clock: ManualClock, **kwargs: Any) -> SignInFlow:
    return SignInFlow.restore(
        snapshot,
        FakeTransport(pool.cognito),
        client_secret=pool.client_secret,
        clock=clock,
        **kwargs,
    )


class CountingTransport(FakeTransport):
    """A fake transport that counts the Cognito calls made through it."""

    def __init__(self, cognito: FakeCognito) -> None:
        super().__init__(cognito)
        self.calls = 0

    def respond_to_auth_challenge(self, request: Any) -> Any:
        self.calls += 1
        return super().respond_to_auth_challenge(request)


# -- snapshot and restore ------------------------------------------------------------


def test_snapshot_is_json_and_restores_to_the_same_flow(sms_pool: Pool, clock: ManualClock) -> None:
    flow = _flow(sms_pool, clock)
    flow.sign_in("bob", PASSWORD)
    snapshot = flow.snapshot()
    text = json.dumps(snapshot)
    assert snapshot["version"] == SNAPSHOT_VERSION
    assert snapshot["step"] == "CONFIRM_SIGN_IN_WITH_SMS_CODE"
    assert snapshot["session_issued_at"] == clock()
    restored = _restore(sms_pool, json.loads(text), clock)
    assert restored.state is flow.state
    assert restored.context == flow.context
    assert restored.next_step == flow.next_step
    assert restored.snapshot() == snapshot
    out = restored.confirm_sign_in(sms_pool.cognito.outbox.last_code("bob"))
    assert out.is_signed_in
    done = _restore(sms_pool, json.loads(json.dumps(restored.snapshot())), clock)
    assert done.tokens == restored.tokens
    assert done.state is FlowState.DONE


def test_a_wrong_code_on_a_restored_flow_keeps_the_step_for_a_retry(
    sms_pool: Pool, clock: ManualClock
) -> None:
    flow = _flow(sms_pool, clock)
    flow.sign_in("bob", PASSWORD)
    code = sms_pool.cognito.outbox.last_code("bob")
    first = _restore(sms_pool, flow.snapshot(), clock)
    with pytest.raises(CodeMismatchException):
        first.confirm_sign_in("000000" if code != "000000" else "111111")
    again = _restore(sms_pool, first.snapshot(), clock)
    assert again.state is FlowState.CONFIRM_SIGN_IN_WITH_SMS_CODE
    assert again.confirm_sign_in(code).is_signed_in


def test_snapshot_repr_and_logs_hold_no_session(sms_pool: Pool, clock: ManualClock) -> None:
    with capture_events() as logs:
        flow = _flow(sms_pool, clock)
        flow.sign_in("bob", PASSWORD)
        snapshot = flow.snapshot()
        restored = _restore(sms_pool, snapshot, clock)
    session = flow.context.session
    assert session
    shown = [repr(snapshot), str(snapshot), repr(restored), repr(restored.context), repr(logs)]
    assert all(session not in text for text in shown)
    assert any(entry["event"] == "cognitoflow.restored" for entry in logs)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda s: s.update(version=2), "version"),
        (lambda s: s.update(version="1"), "version"),
        (lambda s: s.update(format="other"), "format"),
        (lambda s: s.update(step="CONFIRM_SIGN_IN_WITH_FAX"), "step"),
        (lambda s: s.pop("session"), "session"),
        (lambda s: s.pop("step"), "step"),
        (lambda s: s.pop("challenge_parameters"), "challenge_parameters"),
        (lambda s: s.update(session=None), "session"),
        (lambda s: s.update(session_issued_at="yesterday"), "session_issued_at"),
        (lambda s: s.update(mfa_types="SMS"), "mfa_types"),
        (lambda s: s.update(challenge_parameters={"a": 1}), "challenge_parameters"),
        (lambda s: s.update(session_validity=0), "session_validity"),
        (lambda s: s.update(uses_client_secret="yes"), "uses_client_secret"),
        # values outside their sets, and steps that do not fit the context
        (lambda s: s.update(mfa_types=["FAX"]), "mfa_types"),
        (lambda s: s.update(available_challenges=["PIGEON"]), "available_challenges"),
        (lambda s: s.update(password_mode="PLAIN"), "password_mode"),
        (lambda s: s.update(auth_flow_type="ADMIN_NO_SRP_AUTH"), "auth_flow_type"),
        (lambda s: s.update(challenge_name="CUSTOM_CHALLENGE"), "challenge_name"),
        (lambda s: s.update(step="CONTINUE_SIGN_IN_WITH_TOTP_SETUP"), "challenge_name"),
        (lambda s: s.update(tokens={"access_token": "made.up.token"}), "tokens"),
        (lambda s: s.update(extra="x"), "extra"),
        (lambda s: s.update(step="DONE"), "tokens"),
        (lambda s: s.update(code_delivery={"delivery_medium": ["SMS"]}), "code_delivery"),
    ],
)
def test_restore_refuses_a_bad_snapshot_naming_the_field(
    sms_pool: Pool, clock: ManualClock, change: Callable[[dict[str, Any]], Any], field: str
) -> None:
    flow = _flow(sms_pool, clock)
    flow.sign_in("bob", PASSWORD)
    snapshot = dict(flow.snapshot())
    change(snapshot)
    with pytest.raises(InvalidSnapshotError) as caught:
        _restore(sms_pool, snapshot, clock)
    assert caught.value.field == field
    assert "sign" in str(caught.value).lower() or "restore" in str(caught.value).lower()
    assert flow.context.session not in str(caught.value)  # type: ignore[operator]


def test_restore_refuses_what_is_not_a_snapshot(sms_pool: Pool) -> None:
    for thing in (None, [], "snapshot", 3):
        with pytest.raises(InvalidSnapshotError):
            SignInFlow.restore(thing, FakeTransport(sms_pool.cognito))  # type: ignore[arg-type]


def test_restore_needs_the_client_secret_the_flow_was_started_with(
    sms_pool: Pool, clock: ManualClock
) -> None:
    flow = _flow(sms_pool, clock)
    flow.sign_in("bob", PASSWORD)
    with pytest.raises(InvalidInputError) as caught:
        SignInFlow.restore(flow.snapshot(), FakeTransport(sms_pool.cognito))
    assert caught.value.field == "client_secret"


# -- the client-side expiry check ----------------------------------------------------


@pytest.mark.parametrize("restored", [False, True])
def test_an_expired_session_fails_fast_without_calling_cognito(
    sms_pool: Pool, clock: ManualClock, restored: bool
) -> None:
    transport = CountingTransport(sms_pool.cognito)
    flow = SignInFlow(
        transport,
        user_pool_id=sms_pool.pool_id,
        client_id=sms_pool.client_id,
        client_secret=sms_pool.client_secret,
        clock=clock,
    )
    flow.sign_in("bob", PASSWORD)
    code = sms_pool.cognito.outbox.last_code("bob")
    if restored:
        flow = SignInFlow.restore(
            flow.snapshot(), transport, client_secret=sms_pool.client_secret, clock=clock
        )
    clock.advance(180)
    before = transport.calls
    with pytest.raises(SessionExpiredError) as caught:
        flow.confirm_sign_in(code)
    assert transport.calls == before
    assert "sign_in again" in str(caught.value)
    assert flow.state is FlowState.SIGNED_OUT
    assert flow.sign_in("bob", PASSWORD).next_step is not None  # and a new sign-in works


def test_a_session_within_its_validity_is_sent(sms_pool: Pool, clock: ManualClock) -> None:
    flow = _flow(sms_pool, clock)
    flow.sign_in("bob", PASSWORD)
    clock.advance(179)
    assert flow.confirm_sign_in(sms_pool.cognito.outbox.last_code("bob")).is_signed_in


def test_the_pool_validity_is_a_setting(cognito: FakeCognito, clock: ManualClock) -> None:
    pool = Pool(cognito, MfaConfiguration="OPTIONAL", client={"AuthSessionValidity": 10})
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool.pool_id, SmsMfaConfiguration={"SmsAuthenticationMessage": "{####}"}
    )
    pool.user("bob", mfa=("SMS_MFA",), phone_number="+15555550100")
    flow = SignInFlow(
        FakeTransport(cognito),
        user_pool_id=pool.pool_id,
        client_id=pool.client_id,
        session_validity=600,
        clock=clock,
    )
    flow.sign_in("bob", PASSWORD)
    assert flow.session_expires_at == clock() + 600
    clock.advance(300)
    assert flow.confirm_sign_in(cognito.outbox.last_code("bob")).is_signed_in
    with pytest.raises(InvalidInputError):
        SignInFlow(
            FakeTransport(cognito),
            user_pool_id=pool.pool_id,
            client_id=pool.client_id,
            session_validity=0,
        )


# -- sealing ---------------------------------------------------------------------------


def test_sealed_snapshot_round_trip_and_rotation(sms_pool: Pool, clock: ManualClock) -> None:
    flow = _flow(sms_pool, clock)
    flow.sign_in("bob", PASSWORD)
    old, new = SnapshotSealer.generate_key(), SnapshotSealer.generate_key()
    sealed_old = SnapshotSealer([old]).seal(flow.snapshot())
    rotated = SnapshotSealer([new, old])
    assert rotated.unseal(sealed_old) == flow.snapshot()  # old snapshots still open
    sealed_new = rotated.seal(flow.snapshot())
    assert SnapshotSealer([new]).unseal(sealed_new) == flow.snapshot()  # newest key seals
    with pytest.raises(SealedSnapshotError):
        SnapshotSealer([old]).unseal(sealed_new)
    assert flow.context.session not in sealed_new  # type: ignore[operator]
    assert "bob" not in sealed_new
    restored = _restore(sms_pool, rotated.unseal(sealed_new), clock)
    assert restored.confirm_sign_in(sms_pool.cognito.outbox.last_code("bob")).is_signed_in


def test_tampered_or_foreign_sealed_snapshots_are_refused(
    sms_pool: Pool, clock: ManualClock
) -> None:
    flow = _flow(sms_pool, clock)
    flow.sign_in("bob", PASSWORD)
    sealer = SnapshotSealer([SnapshotSealer.generate_key()])
    sealed = sealer.seal(flow.snapshot())
    middle = len(sealed) // 2
    flipped = sealed[:middle] + ("A" if sealed[middle] != "A" else "B") + sealed[middle + 1 :]
    for bad in (flipped, sealed[:-4], sealed + "x", "", "not sealed", "é" * 40):
        with pytest.raises(SealedSnapshotError) as caught:
            sealer.unseal(bad)
        assert bad[:20] not in str(caught.value) or not bad
    foreign = SnapshotSealer([SnapshotSealer.generate_key()]).seal({"format": "x"})
    with pytest.raises(SealedSnapshotError):
        sealer.unseal(foreign)


def test_sealer_checks_its_keys_and_hides_them() -> None:
    key = SnapshotSealer.generate_key()
    assert key not in repr(SnapshotSealer([key]))
    for bad in ([], key, ["short"], [b"\x00" * 32]):
        with pytest.raises(InvalidInputError):
            SnapshotSealer(bad)  # type: ignore[arg-type]


def test_sealer_max_age(sms_pool: Pool, clock: ManualClock, monkeypatch: Any) -> None:
    import time

    sealer = SnapshotSealer([SnapshotSealer.generate_key()], max_age=60)
    flow = _flow(sms_pool, clock)
    flow.sign_in("bob", PASSWORD)
    sealed = sealer.seal(flow.snapshot())
    assert sealer.unseal(sealed)["step"] == "CONFIRM_SIGN_IN_WITH_SMS_CODE"
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 120)
    with pytest.raises(SealedSnapshotError):
        sealer.unseal(sealed)


# -- stores ------------------------------------------------------------------------------


def _store(kind: str, clock: ManualClock, request: pytest.FixtureRequest, **options: Any) -> Any:
    if kind == "memory":
        return InMemoryFlowStore(clock=clock, **options)
    import redis

    client = redis.Redis.from_url(request.getfixturevalue("redis_url"))
    return RedisFlowStore(client, clock=clock, **options)


STORES = ["memory", "redis"]


def _started(store: Any, pool: Pool, clock: ManualClock) -> str:
    """bob's sign-in, at the SMS code, saved in ``store``: its flow id."""
    flow = _flow(pool, clock)
    flow.sign_in("bob", PASSWORD)
    flow_id: str = store.create(flow)
    return flow_id


@pytest.mark.parametrize("kind", STORES)
@pytest.mark.parametrize("sealed", [False, True])
def test_store_runs_a_sign_in_step_by_step(
    sms_pool: Pool, clock: ManualClock, request: pytest.FixtureRequest, kind: str, sealed: bool
) -> None:
    sealer = SnapshotSealer([SnapshotSealer.generate_key()]) if sealed else None
    store = _store(kind, clock, request, sealer=sealer)
    transport = FakeTransport(sms_pool.cognito)
    flow_id = _started(store, sms_pool, clock)
    code = sms_pool.cognito.outbox.last_code("bob")
    with (
        pytest.raises(CodeMismatchException),
        store.step(flow_id, transport, client_secret=sms_pool.client_secret) as step,
    ):
        step.confirm_sign_in("000000" if code != "000000" else "111111")
    with store.step(flow_id, transport, client_secret=sms_pool.client_secret) as step:
        assert step.state is FlowState.CONFIRM_SIGN_IN_WITH_SMS_CODE  # kept for a retry
        assert step.confirm_sign_in(code).is_signed_in
    done = store.load(flow_id, transport, client_secret=sms_pool.client_secret)
    assert done.state is FlowState.DONE
    assert done.tokens is not None
    store.delete(flow_id)
    with pytest.raises(FlowNotFoundError):
        store.load(flow_id, transport)
    with pytest.raises(FlowNotFoundError), store.step("no-such-flow", transport):
        pass


@pytest.mark.parametrize("kind", STORES)
def test_store_refuses_a_second_step_while_one_runs(
    sms_pool: Pool, clock: ManualClock, request: pytest.FixtureRequest, kind: str
) -> None:
    store = _store(kind, clock, request)
    transport = FakeTransport(sms_pool.cognito)
    flow_id = _started(store, sms_pool, clock)
    secret = sms_pool.client_secret
    with store.step(flow_id, transport, client_secret=secret):
        with (
            pytest.raises(StepInProgressError) as caught,
            store.step(flow_id, transport, client_secret=secret),
        ):
            pass  # pragma: no cover - never entered
        assert "another request" in str(caught.value).lower()
    # released: the next step goes ahead
    with store.step(flow_id, transport, client_secret=sms_pool.client_secret) as step:
        assert step.confirm_sign_in(sms_pool.cognito.outbox.last_code("bob")).is_signed_in


class GatedTransport(FakeTransport):
    """Holds RespondToAuthChallenge until released: two requests overlap for sure."""

    def __init__(self, cognito: FakeCognito) -> None:
        super().__init__(cognito)
        self.entered = threading.Event()
        self.release = threading.Event()
        self.calls = 0

    def respond_to_auth_challenge(self, request: Any) -> Any:
        self.calls += 1
        self.entered.set()
        assert self.release.wait(10)
        return super().respond_to_auth_challenge(request)


@pytest.mark.parametrize("kind", STORES)
def test_two_simultaneous_confirmations_one_is_refused_nothing_lost(
    sms_pool: Pool, clock: ManualClock, request: pytest.FixtureRequest, kind: str
) -> None:
    """Two requests confirm the same flow at once: one signs in, the other is refused
    with StepInProgressError before using the session; the saved flow is DONE."""
    store = _store(kind, clock, request)
    gated = GatedTransport(sms_pool.cognito)
    flow_id = _started(store, sms_pool, clock)
    code = sms_pool.cognito.outbox.last_code("bob")
    results: dict[str, Any] = {}

    def confirm(name: str, transport: Transport) -> None:
        try:
            with store.step(flow_id, transport, client_secret=sms_pool.client_secret) as step:
                results[name] = step.confirm_sign_in(code)
        except Exception as error:
            results[name] = error

    first = threading.Thread(target=confirm, args=("first", gated))
    first.start()
    assert gated.entered.wait(10)  # the first request is inside Cognito, holding the lock
    second = threading.Thread(target=confirm, args=("second", gated))
    second.start()
    second.join(10)
    gated.release.set()
    first.join(10)
    assert gated.calls == 1  # the session was used once
    assert isinstance(results["second"], StepInProgressError)
    assert results["first"].is_signed_in
    saved = store.load(flow_id, FakeTransport(sms_pool.cognito), client_secret="x")
    assert saved.state is FlowState.DONE  # nothing lost: the retry sees the result


@pytest.mark.parametrize("kind", STORES)
def test_store_keeps_a_flow_as_long_as_its_session(
    sms_pool: Pool, clock: ManualClock, request: pytest.FixtureRequest, kind: str
) -> None:
    store = _store(kind, clock, request, grace=30)
    flow_id = _started(store, sms_pool, clock)
    if kind == "redis":
        ttl_ms = store.client.pttl(store.prefix + flow_id)
        assert 200_000 < ttl_ms <= 210_000  # 180 s of session + 30 s of grace
        return
    clock.advance(200)
    expired = store.load(flow_id, FakeTransport(sms_pool.cognito), client_secret="x")
    with pytest.raises(SessionExpiredError):  # within the grace: the flow says so itself
        expired.confirm_sign_in("123456")
    clock.advance(20)
    with pytest.raises(FlowNotFoundError):
        store.load(flow_id, FakeTransport(sms_pool.cognito))


def test_store_settings_are_checked() -> None:
    with pytest.raises(InvalidInputError):
        InMemoryFlowStore(lock_ttl=0)
    store = InMemoryFlowStore()
    with pytest.raises(InvalidInputError):
        store.load("", FakeTransport(FakeCognito()))
    assert "sealed=False" in repr(store)


TRIALS = 10


def _stale_step(store: Any, pool: Pool, clock: ManualClock, kind: str) -> list[str]:
    """Worker A's step outlives its lock while worker B signs bob in; the log events."""
    secret = pool.client_secret
    flow_id = _started(store, pool, clock)
    transport = FakeTransport(pool.cognito)
    code = pool.cognito.outbox.last_code("bob")
    with capture_events() as logs:
        try:
            with store.step(flow_id, transport, client_secret=secret) as stale:
                clock.advance(1)  # the in-memory store's lock runs on the clock
                if kind == "redis":
                    store.client.delete(store.prefix + flow_id + ":lock")  # as if it expired
                with store.step(flow_id, transport, client_secret=secret) as fresh:
                    assert fresh.confirm_sign_in(code).is_signed_in
                stale.sign_out()  # A's own, older result: it must not be saved
        except StaleStepError:
            pass
        else:
            raise AssertionError("the stale step was saved")
    assert store.load(flow_id, transport, client_secret=secret).state is FlowState.DONE
    return [entry["event"] for entry in logs]


@pytest.mark.parametrize("kind", STORES)
def test_a_stale_step_never_overwrites_a_later_one(
    sms_pool: Pool, clock: ManualClock, request: pytest.FixtureRequest, kind: str
) -> None:
    """A step that outlived its lock is refused at its save (StaleStepError, logged), and
    the store keeps the DONE a later step saved: in every trial."""
    for _ in range(TRIALS):
        store = _store(kind, clock, request, lock_ttl=0.2)
        events = _stale_step(store, sms_pool, clock, kind)
        assert events.count("cognitoflow.lock_lost") == 1


def _two_threads(pool: Pool, clock: ManualClock) -> None:
    started = _flow(pool, clock)
    started.sign_in("bob", PASSWORD)
    gated = GatedTransport(pool.cognito)  # holds the answer to the SMS code
    flow = SignInFlow.restore(
        started.snapshot(), gated, client_secret=pool.client_secret, clock=clock
    )
    code = pool.cognito.outbox.last_code("bob")
    results: dict[str, Any] = {}
    first = threading.Thread(target=lambda: results.update(first=flow.confirm_sign_in(code)))
    first.start()
    assert gated.entered.wait(10)  # the first call is inside Cognito
    with pytest.raises(StepInProgressError):
        flow.confirm_sign_in(code)
    with pytest.raises(StepInProgressError):
        flow.sign_out()
    gated.release.set()
    first.join(10)
    assert gated.calls == 1
    assert results["first"].is_signed_in
    assert flow.state is FlowState.DONE


def test_a_flow_shared_by_threads_sends_one_confirmation(
    sms_pool: Pool, clock: ManualClock
) -> None:
    """Two threads confirm one SignInFlow at once: the second is refused before it sends
    anything, so Cognito sees one call, and the first signs in: in every trial."""
    for _ in range(TRIALS):
        _two_threads(sms_pool, clock)
