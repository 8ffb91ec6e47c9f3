"""Benchmark: AsyncSignInFlow under load, on the fake served over HTTP.

    python benchmarks/async_load.py [--sign-ins N] [--rounds R]

- Event-loop lag, per round: the largest gap between the ticks of a 1 ms heartbeat task
  while N SRP sign-ins (AsyncSignInFlow over AioBotocoreTransport) run concurrently, with SRP's
  arithmetic in cognitoflow's worker processes and inline on the loop, each with gmpy2
  and with Python's ``pow`` (``COGNITOFLOW_SRP=python``, in a fresh interpreter).
- Throughput: N concurrent sign-ins through AsyncSignInFlow against N threads each
  running SignInFlow over Boto3Transport, in alternating rounds (medians).

The fake runs in its own process (``cognitoflow.testing.serving``); every figure is
printed with the load average. It asserts no time: the test suite runs it with
``--sign-ins 3 --rounds 1`` to check that it runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

PASSWORD = "Load-pass-1!"
POOL_ID = "us-east-1_Load"
CLIENT_ID = "load-client"


def _seed(path: Path, users: int) -> None:
    users_declared = [{"Username": f"u{n}", "Password": PASSWORD} for n in range(users)]
    pool = {"Id": POOL_ID, "PoolName": "load", "Users": users_declared}
    pool["Clients"] = [{"ClientId": CLIENT_ID, "ClientName": "load"}]
    path.write_text(json.dumps({"format": "cognitoflow-seed", "version": 1, "pools": [pool]}))


async def _heartbeat(stop: asyncio.Event, gaps: list[float]) -> None:
    last = time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(0.001)
        now = time.perf_counter()
        gaps.append(now - last)
        last = now


async def _lag(url: str, sign_ins: int, executor: str | None) -> tuple[float, float]:
    """(largest heartbeat gap, seconds) for ``sign_ins`` concurrent SRP sign-ins."""
    from cognitoflow.engine import AsyncSignInFlow
    from cognitoflow.transports import AioBotocoreTransport

    async with AioBotocoreTransport(region="us-east-1", endpoint_url=url) as transport:

        async def one(n: int) -> None:
            flow = AsyncSignInFlow(
                transport,
                user_pool_id=POOL_ID,
                client_id=CLIENT_ID,
                srp_executor=executor,  # type: ignore[arg-type]
            )
            if not (await flow.sign_in(f"u{n}", PASSWORD)).is_signed_in:
                raise RuntimeError("not signed in")

        await asyncio.gather(*(one(n) for n in range(sign_ins)))  # warm: clients, workers
        stop, gaps = asyncio.Event(), list[float]()
        beat = asyncio.create_task(_heartbeat(stop, gaps))
        await asyncio.sleep(0.02)
        gaps.clear()
        started = time.perf_counter()
        await asyncio.gather(*(one(n) for n in range(sign_ins)))
        took = time.perf_counter() - started
        stop.set()
        await beat
    return max(gaps), took


def lag_child(url: str, sign_ins: int, executor: str | None) -> None:
    """Run in a fresh interpreter (so ``COGNITOFLOW_SRP`` is read at the start)."""
    gap, took = asyncio.run(_lag(url, sign_ins, executor))
    print(json.dumps({"gap": gap, "took": took}))


def _lag_in_child(url: str, sign_ins: int, executor: str | None, backend: str) -> dict[str, Any]:
    env = dict(os.environ)
    env.pop("COGNITOFLOW_SRP", None)
    if backend == "python":
        env["COGNITOFLOW_SRP"] = "python"
    code = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import async_load; "
        f"async_load.lag_child({url!r}, {sign_ins}, {executor!r})"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    figures: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return figures


async def _async_round(url: str, sign_ins: int) -> float:
    from cognitoflow.engine import AsyncSignInFlow
    from cognitoflow.transports import AioBotocoreTransport

    async with AioBotocoreTransport(region="us-east-1", endpoint_url=url) as transport:

        async def one(n: int) -> None:
            flow = AsyncSignInFlow(transport, user_pool_id=POOL_ID, client_id=CLIENT_ID)
            await flow.sign_in(f"u{n}", PASSWORD)

        await one(0)
        started = time.perf_counter()
        await asyncio.gather(*(one(n) for n in range(sign_ins)))
        return sign_ins / (time.perf_counter() - started)


def _threads_round(url: str, sign_ins: int) -> float:
    from cognitoflow.engine import SignInFlow
    from cognitoflow.transports import Boto3Transport

    transport = Boto3Transport(region="us-east-1", endpoint_url=url)

    def one(n: int) -> None:
        SignInFlow(transport, user_pool_id=POOL_ID, client_id=CLIENT_ID).sign_in(f"u{n}", PASSWORD)

    one(0)
    threads = [threading.Thread(target=one, args=(n,)) for n in range(sign_ins)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sign_ins / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sign-ins", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).parent))
    from cognitoflow.testing import serving

    print(f"load average before: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as scratch:
        seed = Path(scratch, "seed.json")
        _seed(seed, args.sign_ins)
        with serving("--quiet", "--seed", str(seed), timeout=300) as fake:
            print(
                "| SRP arithmetic | where | largest heartbeat gap (median of rounds, worst) "
                "| all sign-ins took (median) |"
            )
            print("|---|---|---|---|")
            for backend in ("gmpy2", "python"):
                for executor in (None, "inline"):
                    where = "worker processes" if executor is None else "inline, on the loop"
                    runs = [
                        _lag_in_child(fake.url, args.sign_ins, executor, backend)
                        for _ in range(args.rounds)
                    ]
                    gaps = [run["gap"] * 1000 for run in runs]
                    took = statistics.median(run["took"] for run in runs) * 1000
                    print(
                        f"| {backend} | {where} | {statistics.median(gaps):.1f} ms, "
                        f"{max(gaps):.1f} ms | {took:.0f} ms |"
                    )
            rates: dict[str, list[float]] = {
                "AsyncSignInFlow, tasks": [],
                "SignInFlow, threads": [],
            }
            for _ in range(args.rounds):
                rates["AsyncSignInFlow, tasks"].append(
                    asyncio.run(_async_round(fake.url, args.sign_ins))
                )
                rates["SignInFlow, threads"].append(_threads_round(fake.url, args.sign_ins))
    print()
    print(f"| {args.sign_ins} concurrent SRP sign-ins | sign-ins/s (median) | spread |")
    print("|---|---|---|")
    for name, samples in rates.items():
        print(
            f"| {name} | {statistics.median(samples):.1f} | "
            f"{min(samples):.1f} to {max(samples):.1f} |"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
