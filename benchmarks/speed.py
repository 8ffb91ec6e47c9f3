"""Benchmark: cognitoflow beside pycognito and moto, interleaved rounds, medians and spread.

    python benchmarks/speed.py [--rounds N] [--short] [--table PATH]

Measures, in one run on this machine, and writes as a Markdown table (``--table``, by
default ``benchmarks/results.md``) with each goal of the performance work met or not:

- an SRP sign-in against moto in process (``mock_aws``): pycognito with built-in ``pow``
  and with the fast backend, cognitoflow with its default arithmetic (gmpy2 when the
  ``fast`` extra is installed) and forced to built-in ``pow``;
- making a transport: ``Boto3Transport()`` against a cognito-idp client from boto3's
  default session;
- ``import cognitoflow.engine`` against ``import pycognito`` (fresh interpreters);
- the engine alone (:mod:`engine_only`): a whole SRP + TOTP flow with Cognito and SRP's
  arithmetic taken away, a restore from a sealed snapshot, a suspended flow's memory;
- the fake served over HTTP (:mod:`served`): SRP sign-ins per second against moto's
  server, and its CPU per request with 100 users and with 10,000, with and without
  ``--state``.

Each set is measured in alternation, round after round, so a busy machine slows all
alike; the table gives medians, the spread (lowest to highest), the ratios and the load
average. It asserts no time: the test suite runs it with ``--rounds 2 --short`` to check
that every part runs and reports.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

PASSWORD = "Bench-pass-1!"
Part = tuple[dict[str, list[float]], dict[str, float], list[str]]
"""What each part of the benchmark gives: times per round by name, figures, notes."""


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


def sign_ins(rounds: int) -> Part:
    import boto3
    import pycognito.aws_srp
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

        def theirs_fast() -> None:
            # pycognito's module calls pow(); a module-level name stands in for the builtin
            pycognito.aws_srp.pow = srp.modpow
            try:
                theirs()
            finally:
                del pycognito.aws_srp.pow

        backend = srp.backend()
        actions = {
            "pycognito, built-in pow": theirs,
            f"cognitoflow, {backend}": ours,
            "cognitoflow, built-in pow": ours_with_pow,
        }
        if backend != "python":
            actions[f"pycognito, {backend}"] = theirs_fast
        times = _interleaved(rounds, **actions)
    base = statistics.median(times["pycognito, built-in pow"])
    fast = statistics.median(times[f"cognitoflow, {backend}"])
    slow = statistics.median(times["cognitoflow, built-in pow"])
    figures = {"srp_vs_pow": base / fast, "srp_pow_vs_pow": base / slow}
    notes = [
        f"SRP sign-in: cognitoflow ({backend}) is {base / fast:.2f}x pycognito (pow); "
        f"with pow itself {base / slow:.2f}x",
    ]
    if backend != "python":
        same = statistics.median(times[f"pycognito, {backend}"])
        figures["srp_vs_same"] = same / fast
        notes.append(f"SRP sign-in: cognitoflow is {same / fast:.2f}x pycognito, both {backend}")
    return times, figures, notes


def transports(rounds: int) -> Part:
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
    note = f"Boto3Transport() costs {ratio:.2f}x a client from the default session"
    return times, {"transport": ratio}, [note]


def imports(rounds: int) -> Part:
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
    note = f"import cognitoflow.engine takes {ours / theirs:.2f}x import pycognito"
    return times, {"import": ours / theirs}, [note]


def engine(rounds: int) -> Part:
    from engine_only import engine_only

    return engine_only(rounds)


def served_throughput(rounds: int, short: bool) -> Part:
    from served import throughput

    return throughput(rounds, batch=5 if short else 40)


def served_scale(rounds: int, short: bool) -> Part:
    from served import scale

    return scale(rounds, batch=5 if short else 40, many=300 if short else 10_000)


GOALS: list[tuple[str, str, Callable[[dict[str, float]], bool]]] = [
    ("1", "SRP sign-in vs pycognito (pow) >= 5x", lambda f: f["srp_vs_pow"] >= 5),
    (
        "1",
        "SRP sign-in vs pycognito, same fast backend >= 1.1x",
        lambda f: f.get("srp_vs_same", 0) >= 1.1,
    ),
    ("2", "engine SRP+TOTP flow <= 0.3 ms", lambda f: f["flow_ms"] <= 0.3),
    ("2", "restore from a sealed snapshot <= 0.25 ms", lambda f: f["restore_ms"] <= 0.25),
    ("2", "suspended flow <= 8 KiB", lambda f: f["suspended_kib"] <= 8),
    ("3", "Boto3Transport() <= 1.5x boto3.client", lambda f: f["transport"] <= 1.5),
    ("3", "import cognitoflow.engine <= 0.7x pycognito", lambda f: f["import"] <= 0.7),
    ("4", "served fake SRP sign-ins/s >= moto server", lambda f: f["served_vs_moto"] >= 1),
    ("4", "CPU/request, many vs 100 users <= 1.2x", lambda f: f["scale"] <= 1.2),
    ("4", "same with --state <= 1.2x", lambda f: f["scale_state"] <= 1.2),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument(
        "--short", action="store_true", help="small batches and pools: checks that it runs"
    )
    parser.add_argument(
        "--table", default=str(Path(__file__).with_name("results.md")), help="where to write"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).parent))
    load_before = os.getloadavg()[0]
    rows = ["| what | median | spread |", "|---|---|---|"]
    figures: dict[str, float] = {}
    notes: list[str] = []
    parts: list[Callable[[], Part]] = [
        lambda: sign_ins(args.rounds),
        lambda: transports(args.rounds),
        lambda: imports(args.rounds),
        lambda: engine(args.rounds),
        lambda: served_throughput(max(2, args.rounds // 3), args.short),
        lambda: served_scale(max(2, args.rounds // 3), args.short),
    ]
    for part in parts:
        times, found, said = part()
        rows += [_row(name, samples) for name, samples in times.items()]
        figures.update(found)
        notes += said
    goals = ["| goal | target | figure | met |", "|---|---|---|---|"]
    for number, target, met in GOALS:
        try:
            verdict = "met" if met(figures) else "not met"
        except KeyError:
            verdict = "not measured"
        goals.append(f"| {number} | {target} | {_figure(target, figures)} | {verdict} |")
    load_after = os.getloadavg()[0]
    text = "\n".join(
        [
            f"# cognitoflow benchmark ({args.rounds} rounds{', short' if args.short else ''})",
            "",
            f"Python {sys.version.split()[0]}, SRP arithmetic: {_backend()}, "
            f"load average {load_before:.2f} before and {load_after:.2f} after, "
            f"{os.cpu_count()} CPUs.",
            "",
            *rows,
            "",
            *goals,
            "",
            *(f"- {note}" for note in notes),
            "",
        ]
    )
    print(f"load average before: {load_before:.2f}")
    print(text)
    print(f"load average after: {load_after:.2f}")
    Path(args.table).write_text(text)


_FIGURE_OF = {
    "pycognito (pow)": "srp_vs_pow",
    "same fast backend": "srp_vs_same",
    "TOTP flow": "flow_ms",
    "restore": "restore_ms",
    "suspended": "suspended_kib",
    "Boto3Transport": "transport",
    "import": "import",
    "sign-ins/s": "served_vs_moto",
    "many vs 100": "scale",
    "--state": "scale_state",
}


def _figure(target: str, figures: dict[str, float]) -> str:
    for words, name in _FIGURE_OF.items():
        if words in target and name in figures:
            return f"{figures[name]:.3g}"
    return "-"


def _backend() -> str:
    from cognitoflow.engine import srp

    return srp.backend()


if __name__ == "__main__":
    main()
