"""Benchmark part: the engine's own cost, with Cognito and the SRP arithmetic taken away.

An SRP sign-in with a TOTP code is recorded once against the in-process fake; then it is
replayed, round after round, by a transport that answers each call with the recorded
reply at no cost, while SRP's modular exponentiation is replaced by a constant (the replay
checks no proof). What is left is the engine: validation, plans, the machine's moves,
outputs, snapshots. Also measured: restoring a flow from its sealed snapshot (unseal,
check, rebuild), and the memory a flow suspended at its TOTP step holds.
"""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

PASSWORD = "Bench-pass-1!"
FLOWS = 100


class _Recorder:
    """A boto3-shaped client that passes calls to ``inner`` and keeps each reply."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.replies: list[tuple[str, Any]] = []

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self.inner, name)

        def call(**request: Any) -> Any:
            reply = method(**request)
            self.replies.append((name, reply))
            return reply

        return call


class _Replay:
    """A boto3-shaped client that answers with recorded replies, in order, at no cost."""

    def __init__(self, replies: list[tuple[str, Any]]) -> None:
        self.replies = replies
        self.next = 0

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def call(**_: Any) -> Any:
            expected, reply = self.replies[self.next]
            if expected != name:
                raise RuntimeError(f"the replay expected {expected}, not {name}")
            self.next += 1
            return reply

        return call


def _recorded() -> tuple[list[tuple[str, Any]], str, str]:
    """The replies of one SRP + TOTP sign-in on the in-process fake; pool and client ids."""
    import pyotp

    from cognitoflow.engine import SignInFlow
    from cognitoflow.transports.fake import FakeCognito, FakeTransport

    cognito = FakeCognito()
    pool = cognito.create_user_pool(PoolName="bench", MfaConfiguration="OPTIONAL")["UserPool"]["Id"]
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool,
        MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    client = cognito.create_user_pool_client(UserPoolId=pool, ClientName="b")["UserPoolClient"][
        "ClientId"
    ]
    cognito.add_user(pool, "ben", PASSWORD)
    flow = SignInFlow(FakeTransport(cognito), user_pool_id=pool, client_id=client)
    flow.sign_in("ben", PASSWORD)
    tokens = flow.fetch_auth_session().tokens
    assert tokens is not None
    access = str(tokens.access_token)
    secret = cognito.associate_software_token(AccessToken=access)["SecretCode"]
    cognito.verify_software_token(AccessToken=access, UserCode=pyotp.TOTP(secret).now())
    cognito.set_user_mfa_preference(
        AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    recorder = _Recorder(cognito)
    flow = SignInFlow(FakeTransport(recorder), user_pool_id=pool, client_id=client)  # type: ignore[arg-type]
    flow.sign_in("ben", PASSWORD)
    if not flow.confirm_sign_in(pyotp.TOTP(secret).now()).is_signed_in:
        raise RuntimeError("the recorded sign-in did not finish")
    return recorder.replies, pool, client


def engine_only(rounds: int) -> tuple[dict[str, list[float]], dict[str, float], list[str]]:
    """(times per round, figures, notes): a whole flow, a restore, a suspended flow's size."""
    from cognitoflow.engine import SignInFlow, SnapshotSealer, srp
    from cognitoflow.transports import ClientTransport

    replies, pool, client = _recorded()
    at_totp = replies[:2]

    def flow_at_totp() -> Any:
        flow = SignInFlow(ClientTransport(_Replay(at_totp)), user_pool_id=pool, client_id=client)
        flow.sign_in("ben", PASSWORD)
        return flow

    def whole_flows() -> None:
        for _ in range(FLOWS):
            transport = ClientTransport(_Replay(replies))
            flow = SignInFlow(transport, user_pool_id=pool, client_id=client)
            flow.sign_in("ben", PASSWORD)
            flow.confirm_sign_in("123456")

    sealer = SnapshotSealer([SnapshotSealer.generate_key()])
    srp.set_modpow(lambda base, exp, mod: 5)  # SRP's arithmetic taken away
    try:
        sealed = sealer.seal(flow_at_totp().snapshot())
        idle = ClientTransport(_Replay([]))

        def restores() -> None:
            for _ in range(FLOWS):
                SignInFlow.restore(sealer.unseal(sealed), idle)

        whole_flows()  # warm up
        times: dict[str, list[float]] = {"SRP+TOTP flow, engine only, x100": []}
        times["restore from a sealed snapshot, x100"] = []
        for _ in range(rounds):
            for name, action in zip(times, (whole_flows, restores), strict=True):
                started = time.perf_counter()
                action()
                times[name].append(time.perf_counter() - started)
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.take_snapshot()
        kept = [flow_at_totp() for _ in range(FLOWS)]
        gc.collect()
        after = tracemalloc.take_snapshot()
        tracemalloc.stop()
    finally:
        srp.set_modpow(None)
    size = sum(stat.size_diff for stat in after.compare_to(before, "filename")) / len(kept)
    figures = {
        "flow_ms": statistics.median(times["SRP+TOTP flow, engine only, x100"]) / FLOWS * 1000,
        "restore_ms": statistics.median(times["restore from a sealed snapshot, x100"])
        / FLOWS
        * 1000,
        "suspended_kib": size / 1024,
    }
    notes = [
        f"engine only: SRP+TOTP flow {figures['flow_ms']:.3f} ms, restore from a sealed "
        f"snapshot {figures['restore_ms']:.3f} ms, a flow suspended at TOTP holds "
        f"{figures['suspended_kib']:.1f} KiB",
    ]
    return times, figures, notes
