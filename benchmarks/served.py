"""Benchmark parts for the fake served over HTTP (``cognitoflow fake-cognito serve``).

- SRP sign-ins per second through one client (cognitoflow over ``Boto3Transport``) against
  the served fake and against moto's server, in alternating batches; with the server's CPU
  per sign-in, read from ``/proc``. The fake checks the client's proof; moto does not.
- The fake's CPU per request with 100 users and with many, with and without ``--state``:
  each round signs a user in by email (an alias) and reads another with AdminGetUser by
  email, so looking users up by an attribute is part of what is measured.

Servers run in their own processes, on 127.0.0.1 and a free port, and are stopped after.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

PASSWORD = "Bench-pass-1!"
POOL_ID = "us-east-1_Bench"
CLIENT_ID = "bench-client"
_TICK = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float:
    """Seconds of CPU (user and system) the process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def _seed(path: Path, users: int) -> None:
    """One pool (email as an alias), one client, ``users`` users ``u00000``..."""
    path.write_text(
        json.dumps(
            {
                "format": "cognitoflow-seed",
                "version": 1,
                "pools": [
                    {
                        "Id": POOL_ID,
                        "PoolName": "bench",
                        "AliasAttributes": ["email"],
                        "Clients": [{"ClientId": CLIENT_ID, "ClientName": "bench"}],
                        "Users": [
                            {
                                "Username": f"u{n:05d}",
                                "Password": PASSWORD,
                                "Attributes": {
                                    "email": f"u{n:05d}@example.com",
                                    "email_verified": "true",
                                },
                            }
                            for n in range(users)
                        ],
                    }
                ],
            }
        )
    )


def _fake(seed: Path, state: Path | None) -> AbstractContextManager[Any]:
    """The served fake, started from ``seed`` (and kept in ``state``)."""
    from cognitoflow.testing import serving

    options = ["--quiet", "--seed", str(seed)]
    if state is not None:
        options += ["--state", str(state)]
    return serving(*options, timeout=600)


def _clients(url: str) -> tuple[Any, Any]:
    """A flow transport and an admin boto3 client, both for ``url``."""
    import boto3

    from cognitoflow.transports import Boto3Transport

    admin = boto3.client(
        "cognito-idp",
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )
    return Boto3Transport(region="us-east-1", endpoint_url=url), admin


def _sign_in(transport: Any, pool: str, client: str, login: str) -> None:
    from cognitoflow.engine import SignInFlow

    flow = SignInFlow(transport, user_pool_id=pool, client_id=client)
    if not flow.sign_in(login, PASSWORD).is_signed_in:
        raise RuntimeError(f"{login} was not signed in")


Part = tuple[dict[str, list[float]], dict[str, float], list[str]]


def throughput(rounds: int, batch: int) -> Part:
    """SRP sign-ins per second, served fake against moto's server, same client."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    from cognitoflow.testing import serving

    moto = serving(
        "-H", "127.0.0.1", command=[sys.executable, "-m", "moto.server"], port_option="-p"
    )
    with tempfile.TemporaryDirectory() as scratch:
        seed = Path(scratch, "seed.json")
        _seed(seed, 1)
        with _fake(seed, None) as fake_server, moto as moto_server:
            fake_pid, moto_pid = fake_server.pid, moto_server.pid
            fake, _ = _clients(fake_server.url)
            moto_transport, moto_admin = _clients(moto_server.url)
            pool = moto_admin.create_user_pool(PoolName="bench")["UserPool"]["Id"]
            client = moto_admin.create_user_pool_client(UserPoolId=pool, ClientName="b")
            client_id = client["UserPoolClient"]["ClientId"]
            moto_admin.admin_create_user(
                UserPoolId=pool, Username="u00000", MessageAction="SUPPRESS"
            )
            moto_admin.admin_set_user_password(
                UserPoolId=pool, Username="u00000", Password=PASSWORD, Permanent=True
            )
            targets = {
                "served fake": (fake, POOL_ID, CLIENT_ID, fake_pid),
                "moto server": (moto_transport, pool, client_id, moto_pid),
            }
            rates: dict[str, list[float]] = {name: [] for name in targets}
            cpu: dict[str, list[float]] = {name: [] for name in targets}
            for transport, pool_id, client_id, _ in targets.values():
                _sign_in(transport, pool_id, client_id, "u00000")  # warm both up
            for _ in range(rounds):
                for name, (transport, pool_id, client_id, pid) in targets.items():
                    used, started = _cpu(pid), time.perf_counter()
                    for _ in range(batch):
                        _sign_in(transport, pool_id, client_id, "u00000")
                    elapsed = time.perf_counter() - started
                    rates[name].append(batch / elapsed)
                    cpu[name].append((_cpu(pid) - used) / batch)
    fake_rate = statistics.median(rates["served fake"])
    moto_rate = statistics.median(rates["moto server"])
    notes = [
        f"SRP sign-ins/s over HTTP: served fake {fake_rate:.1f}, moto server {moto_rate:.1f} "
        f"({fake_rate / moto_rate:.2f}x); server CPU per sign-in: fake "
        f"{statistics.median(cpu['served fake']) * 1000:.1f} ms, moto "
        f"{statistics.median(cpu['moto server']) * 1000:.1f} ms",
    ]
    times = {f"{name}, s per sign-in": [1 / rate for rate in rates[name]] for name in rates}
    return times, {"served_vs_moto": fake_rate / moto_rate}, notes


def scale(rounds: int, batch: int, many: int) -> Part:
    """The served fake's CPU per request with 100 users and with ``many``, with and without
    ``--state``."""
    cases = [(users, kept) for kept in (False, True) for users in (100, many)]
    cpu: dict[tuple[int, bool], list[float]] = {case: [] for case in cases}
    with tempfile.TemporaryDirectory() as scratch:
        servers = []
        for users, kept in cases:
            seed = Path(scratch, f"seed-{users}.json")
            if not seed.exists():
                _seed(seed, users)
            state = Path(scratch, f"state-{users}.json") if kept else None
            servers.append(_fake(seed, state))
        running = [server.__enter__() for server in servers]
        try:
            clients = {
                case: (*_clients(served.url), served.pid)
                for case, served in zip(cases, running, strict=True)
            }
            for round_number in range(rounds + 1):
                for case, (transport, admin, pid) in clients.items():
                    users = case[0]
                    used = _cpu(pid)
                    for n in range(batch):
                        who = (round_number * batch + n) * 7919 % users
                        _sign_in(transport, POOL_ID, CLIENT_ID, f"u{who:05d}@example.com")
                        other = (who + users // 2) % users
                        admin.admin_get_user(
                            UserPoolId=POOL_ID, Username=f"u{other:05d}@example.com"
                        )
                    if round_number:  # the first round warms up
                        cpu[case].append((_cpu(pid) - used) / (3 * batch))
            journal = _journal_path(Path(scratch, f"state-{many}.json"))
            journal_bytes = journal.stat().st_size if journal.exists() else 0
        finally:
            for server in reversed(servers):
                server.__exit__(None, None, None)
        requests = 3 * batch * (rounds + 1)
        folding = _folding(Path(scratch, f"state-{many}.json"), journal_bytes / requests)
    times = {
        f"fake CPU per request, {users} users{', --state' if kept else ''}": samples
        for (users, kept), samples in cpu.items()
    }
    figures = {}
    notes = []
    for kept in (False, True):
        small = statistics.median(cpu[(100, kept)])
        large = statistics.median(cpu[(many, kept)])
        figures["scale_state" if kept else "scale"] = large / small
        notes.append(
            f"served fake{' with --state' if kept else ''}: CPU per request at {many} users "
            f"is {large / small:.2f}x that at 100 ({large * 1000:.2f} ms vs {small * 1000:.2f} ms)"
        )
    notes.append(folding)
    return times, figures, notes


def _journal_path(state: Path) -> Path:
    from cognitoflow.transports.fake._state import journal_path

    return journal_path(state)


def _folding(state: Path, per_request: float) -> str:
    """What folding the journal into the state file costs, spread over the requests that
    grow the journal to the size that triggers it (twice the file's)."""
    from cognitoflow.transports.fake import FakeCognito

    cognito = FakeCognito.load(state)
    cognito.save(state)  # the journal folded in: the file's size when it is folded next
    base = state.stat().st_size
    per_request = max(per_request, 1.0)
    started = time.perf_counter()
    cognito.save(Path(state.parent, "folded.json"))
    took = time.perf_counter() - started
    spread = took * per_request / (2 * base)
    return (
        f"--state at {base // 1024} KiB: folding the journal in takes {took * 1000:.0f} ms, "
        f"every {2 * base / per_request:.0f} requests ({per_request:.0f} bytes each): "
        f"{spread * 1000:.3f} ms per request"
    )
