"""Benchmark: cognitoflow beside pycognito, interleaved rounds, medians and spread.

    python benchmarks/speed.py [--rounds N]

Measures, in one run on this machine:

- an SRP sign-in against moto in process (``mock_aws``): pycognito (built-in ``pow``),
  cognitoflow with its default arithmetic (gmpy2 when the ``fast`` extra is installed),
  and cognitoflow forced to built-in ``pow``;
- making a transport: ``Boto3Transport()`` against a cognito-idp client from boto3's
  default session;
- ``import cognitoflow.engine`` against ``import pycognito`` (fresh interpreters);
- the engine alone: restoring a flow from its snapshot (at an SMS step, on the in-process
  fake) and making one move, with no Cognito call.

Each pair is measured in alternation, round after round, so a busy machine slows both
alike; the table gives medians, the spread (lowest to highest) and the ratios, with the
load average. It asserts no time: the test suite runs it with ``--rounds 2`` to check
that it runs and prints its table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

PASSWORD = "Bench-pass-1!"


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _interleaved(rounds: int, **actions: Callable[[], object]) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(rounds):
        for name, action in actions.items():
            times[name].append(_timed(action))
    return times


def _row(name: str, samples: list[float]) -> str:
    median = statistics.median(samples)
    return (
        f"| {name} | {median * 1000:.1f} ms | {min(samples) * 1000:.1f} to "
        f"{max(samples) * 1000:.1f} ms |"
    )


def sign_ins(rounds: int) -> tuple[dict[str, list[float]], list[str]]:
    import boto3
    from moto import mock_aws
    from pycognito import Cognito

    from cognitoflow.engine import SignInFlow, srp
    from cognitoflow.transports import Boto3Transport

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        admin = boto3.client("cognito-idp", region_name="us-east-1")
        pool = admin.create_user_pool(PoolName="bench")["UserPool"]["Id"]
        client = admin.create_user_pool_client(UserPoolId=pool, ClientName="b")["UserPoolClient"][
            "ClientId"
        ]
        admin.admin_create_user(UserPoolId=pool, Username="ben", MessageAction="SUPPRESS")
        admin.admin_set_user_password(
            UserPoolId=pool, Username="ben", Password=PASSWORD, Permanent=True
        )
        transport = Boto3Transport(region="us-east-1")

        def ours() -> None:
            flow = SignInFlow(transport, user_pool_id=pool, client_id=client)
            assert flow.sign_in("ben", PASSWORD).is_signed_in

        def ours_with_pow() -> None:
            srp.set_modpow(pow)
            try:
                ours()
            finally:
                srp.set_modpow(None)

        def theirs() -> None:
            Cognito(pool, client, user_pool_region="us-east-1", username="ben").authenticate(
                password=PASSWORD
            )

        backend = srp.backend()
        times = _interleaved(
            rounds,
            **{
                "pycognito, built-in pow": theirs,
                f"cognitoflow, {backend}": ours,
                "cognitoflow, built-in pow": ours_with_pow,
            },
        )
    base = statistics.median(times["pycognito, built-in pow"])
    fast = statistics.median(times[f"cognitoflow, {backend}"])
    slow = statistics.median(times["cognitoflow, built-in pow"])
    notes = [
        f"SRP sign-in: cognitoflow ({backend}) is {base / fast:.2f}x pycognito (pow); "
        f"with pow itself {base / slow:.2f}x",
    ]
    return times, notes


def transports(rounds: int) -> tuple[dict[str, list[float]], list[str]]:
    import boto3

    from cognitoflow.transports import Boto3Transport

    times = _interleaved(
        rounds,
        **{
            "boto3.client (default session)": lambda: boto3.client(
                "cognito-idp", region_name="us-east-1"
            ),
            "Boto3Transport()": lambda: Boto3Transport(region="us-east-1"),
        },
    )
    ratio = statistics.median(times["Boto3Transport()"]) / statistics.median(
        times["boto3.client (default session)"]
    )
    return times, [f"Boto3Transport() costs {ratio:.2f}x a client from the default session"]


def imports(rounds: int) -> tuple[dict[str, list[float]], list[str]]:
    def importing(module: str) -> Callable[[], object]:
        return lambda: subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
            [sys.executable, "-c", f"import {module}"], check=True, capture_output=True
        )

    times = _interleaved(
        rounds,
        **{
            "import pycognito": importing("pycognito"),
            "import cognitoflow.engine": importing("cognitoflow.engine"),
            "python -c pass": importing("sys"),
        },
    )
    bare = statistics.median(times["python -c pass"])
    ours = statistics.median(times["import cognitoflow.engine"]) - bare
    theirs = statistics.median(times["import pycognito"]) - bare
    return times, [f"import cognitoflow.engine takes {ours / theirs:.2f}x import pycognito"]


def engine(rounds: int) -> tuple[dict[str, list[float]], list[str]]:
    from cognitoflow.engine import SignInFlow
    from cognitoflow.transports.fake import FakeCognito, FakeTransport

    cognito = FakeCognito()
    pool = cognito.create_user_pool(PoolName="bench", MfaConfiguration="ON")["UserPool"]["Id"]
    client = cognito.create_user_pool_client(UserPoolId=pool, ClientName="b")["UserPoolClient"][
        "ClientId"
    ]
    cognito.add_user(pool, "ben", PASSWORD, phone_number="+15555550100")
    transport = FakeTransport(cognito)
    flow = SignInFlow(transport, user_pool_id=pool, client_id=client)
    flow.sign_in("ben", PASSWORD)
    snapshot = flow.snapshot()

    def hundred() -> None:
        for _ in range(100):
            SignInFlow.restore(snapshot, transport).sign_out()  # sign_out: a move, no call

    times = _interleaved(rounds, **{"restore + one move, x100": hundred})
    per = statistics.median(times["restore + one move, x100"]) / 100
    return times, [f"restore + one move: {per * 1000:.3f} ms each"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print("| what | median | spread |")
    print("|---|---|---|")
    notes: list[str] = []
    for part in (sign_ins, transports, imports, engine):
        times, found = part(args.rounds)
        for name, samples in times.items():
            print(_row(name, samples))
        notes += found
    for note in notes:
        print(note)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
