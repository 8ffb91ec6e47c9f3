"""Benchmark: the size of a sealed snapshot at each step, and the time to restore one.

    python benchmarks/snapshot_size.py [--runs N]

Sign-ins on the embedded fake reach every step; at each, the flow's snapshot is measured
as JSON and sealed (what a cookie holds), and restoring it (unseal + check + rebuild the
flow) is timed, best and median of ``--runs`` runs. The fake's sessions are shorter than
Cognito's, so a last column shows the sealed size with a 1,024-character session in its
place (sessions from Cognito have been about 900 to 1,000 characters).
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import time
from collections.abc import Callable
from typing import Any

import pyotp

from cognitoflow.engine import FlowState, SignInFlow, Snapshot, SnapshotSealer
from cognitoflow.transports.fake import FakeCognito, FakeTransport

PASSWORD = "Bench-pass-1!"
QUIZ = {
    kind: "cognitoflow:question"
    for kind in ("DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse")
}


def world() -> tuple[FakeCognito, dict[str, tuple[str, str]]]:
    """Two pools (MFA optional and required) and one user per journey."""
    cognito = FakeCognito()
    pools = {}
    for name, mfa in (("optional", "OPTIONAL"), ("required", "ON")):
        pool_id = cognito.create_user_pool(
            PoolName=name,
            MfaConfiguration=mfa,
            LambdaConfig=QUIZ,
            AutoVerifiedAttributes=["email"],
            Schema=[{"Name": "name", "Required": True}],
            Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}},
        )["UserPool"]["Id"]
        cognito.set_user_pool_mfa_config(
            UserPoolId=pool_id,
            MfaConfiguration=mfa,
            SmsMfaConfiguration={"SmsAuthenticationMessage": "{####}"},
            SoftwareTokenMfaConfiguration={"Enabled": True},
            EmailMfaConfiguration={"Message": "{####}", "Subject": "Code"},
        )
        client_id = cognito.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="bench",
            ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_AUTH", "ALLOW_CUSTOM_AUTH"],
        )["UserPoolClient"]["ClientId"]
        pools[name] = (pool_id, client_id)
    users = {
        "sms": ("optional", {"phone_number": "+15555550100"}),
        "email": ("optional", {"email": "email@example.com"}),
        "plain": ("optional", {"email": "plain@example.com"}),
        "setup": ("required", {}),
        "setup2": ("required", {}),
        "multi": ("optional", {"phone_number": "+15555550100", "email": "multi@example.com"}),
    }
    for username, (pool, attributes) in users.items():
        cognito.add_user(pools[pool][0], username, PASSWORD, name=username, **attributes)
    for username, kind in (("sms", "SMSMfaSettings"), ("email", "EmailMfaSettings")):
        cognito.admin_set_user_mfa_preference(
            UserPoolId=pools["optional"][0],
            Username=username,
            **{kind: {"Enabled": True, "PreferredMfa": True}},
        )
    cognito.admin_set_user_mfa_preference(
        UserPoolId=pools["optional"][0],
        Username="multi",
        SMSMfaSettings={"Enabled": True, "PreferredMfa": False},
        EmailMfaSettings={"Enabled": True, "PreferredMfa": False},
    )
    cognito.admin_create_user(
        UserPoolId=pools["optional"][0], Username="temp", TemporaryPassword=PASSWORD
    )
    cognito.add_user(
        pools["optional"][0],
        "reset",
        PASSWORD,
        email="reset@example.com",
        email_verified="true",
        name="R",
    )
    cognito.admin_reset_user_password(UserPoolId=pools["optional"][0], Username="reset")
    return cognito, pools


def journeys(cognito: FakeCognito) -> list[tuple[str, str, dict[str, Any], list[Any]]]:
    """(user, pool, sign_in options, answers); an answer may be a function of the flow."""

    def code(user: str, purpose: str = "MFA") -> Callable[[SignInFlow], str]:
        return lambda flow: cognito.outbox.last_code(user, purpose=purpose)

    kept: dict[str, str] = {}

    def totp(flow: SignInFlow) -> str:
        secret = flow.next_step.totp_setup_details.shared_secret  # type: ignore[union-attr]
        kept["setup"] = secret
        return pyotp.TOTP(secret).now()

    def totp_again(flow: SignInFlow) -> str:
        return pyotp.TOTP(kept["setup"]).now()

    return [
        ("sms", "optional", {}, [code("sms")]),
        ("email", "optional", {}, [code("email")]),
        ("temp", "optional", {}, [("A-new-pass-2!", {"name": "T"})]),
        ("setup", "required", {}, ["TOTP", totp]),
        ("setup", "required", {}, [totp_again]),
        ("setup2", "required", {}, ["EMAIL", "setup2@example.com", code("setup2")]),
        ("multi", "optional", {}, ["EMAIL", code("multi")]),
        ("joiner", "optional", {"sign_up": True}, [code("joiner", "SIGN_UP")]),
        ("plain", "optional", {"auth_flow_type": "USER_AUTH", "password": None}, ["PASSWORD"]),
        ("plain", "optional", {"auth_flow_type": "CUSTOM_WITHOUT_SRP", "password": None}, ["42"]),
        ("reset", "optional", {}, ["reset", ("confirm_reset", code("reset", "FORGOT_PASSWORD"))]),
    ]


def measure(runs: int) -> dict[str, tuple[int, int, int, float, float]]:
    """For each step: JSON bytes, sealed bytes, sealed bytes with a Cognito-sized session,
    best and median restore time in microseconds."""
    cognito, pools = world()
    sealer = SnapshotSealer([SnapshotSealer.generate_key()])
    transport = FakeTransport(cognito)
    results: dict[str, tuple[int, int, int, float, float]] = {}

    def record(flow: SignInFlow) -> None:
        state = flow.state.value
        if state in results:
            return
        snapshot = flow.snapshot()
        sealed = sealer.seal(snapshot)
        long_session = Snapshot(snapshot)
        if long_session.get("session"):
            long_session["session"] = secrets.token_urlsafe(768)  # 1,024 characters
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            SignInFlow.restore(sealer.unseal(sealed), transport)
            times.append((time.perf_counter() - start) * 1e6)
        results[state] = (
            len(json.dumps(snapshot).encode()),
            len(sealed),
            len(sealer.seal(long_session)),
            min(times),
            statistics.median(times),
        )

    for user, pool, options, answers in journeys(cognito):
        pool_id, client_id = pools[pool]
        flow = SignInFlow(transport, user_pool_id=pool_id, client_id=client_id)
        record(flow)
        options = dict(options)
        password = options.pop("password", PASSWORD)
        if options.pop("sign_up", False):
            flow.sign_up(
                user, PASSWORD, user_attributes={"name": user, "email": f"{user}@example.com"}
            )
        else:
            flow.sign_in(user, password, **options)
        record(flow)
        for answer in answers:
            if flow.state is FlowState.CONFIRM_SIGN_UP:
                flow.confirm_sign_up(answer(flow))
            elif answer == "reset":
                flow.reset_password()
            elif isinstance(answer, tuple) and answer[0] == "confirm_reset":
                flow.confirm_reset_password(
                    new_password=PASSWORD, confirmation_code=answer[1](flow)
                )
            elif isinstance(answer, tuple):
                flow.confirm_sign_in(answer[0], user_attributes=answer[1])
            else:
                flow.confirm_sign_in(answer(flow) if callable(answer) else answer)
            record(flow)
            if flow.state is FlowState.CONFIRM_SIGN_IN_WITH_SMS_CODE:
                flow.confirm_sign_in(cognito.outbox.last_code(user))
                record(flow)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000, help="restores timed per step")
    args = parser.parse_args()
    results = measure(max(1, args.runs))
    print(f"{'step':<46}{'json B':>8}{'sealed B':>10}{'1K-session B':>14}  {'restore µs':>22}")
    for state in FlowState:
        if state.value not in results:
            print(f"{state.value:<46}{'(not reached)':>20}")
            continue
        size, sealed, long_sealed, best, median = results[state.value]
        timing = f"{best:.0f} best / {median:.0f} median"
        print(f"{state.value:<46}{size:>8}{sealed:>10}{long_sealed:>14}  {timing:>22}")


if __name__ == "__main__":
    main()
