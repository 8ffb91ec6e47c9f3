"""Shared fixtures: a fake Cognito on a manual clock, pools, a Redis server, fast SRP.

What tests import by name (``Pool``, ``PASSWORD``, ``free_port``...) is in ``helpers.py``.
"""

from __future__ import annotations

import itertools
import logging
import subprocess
import time
from collections.abc import Callable, Iterator
from typing import Any

import gmpy2
import pytest
from joserfc.jwk import RSAKey

from cognitoflow.engine import srp
from cognitoflow.testing import serving
from cognitoflow.transports.fake import FakeCognito, ManualClock

from helpers import Pool, free_port, system_tool


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server of this test session, on 127.0.0.1 and a free port."""
    server = system_tool("redis-server", "redis-server")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    options = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder)]
    process = subprocess.Popen(
        [server, "--port", str(port), *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        import redis

        client = redis.Redis.from_url(url)
        for _ in range(200):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        else:
            pytest.fail("redis-server did not start")
        client.close()
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(autouse=True)
def _library_logger_as_found() -> Iterator[None]:
    """The CLI's --debug sets up the library's logger for its process; no test may leak that."""
    logger = logging.getLogger("cognitoflow")
    handlers, level = list(logger.handlers), logger.level
    yield
    logger.handlers[:] = handlers
    logger.setLevel(level)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def cognito(clock: ManualClock) -> FakeCognito:
    return FakeCognito(clock=clock)


@pytest.fixture
def make_pool(cognito: FakeCognito) -> Callable[..., Pool]:
    def make(**pool_args: Any) -> Pool:
        return Pool(cognito, **pool_args)

    return make


@pytest.fixture
def fast_srp(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Speed for hundreds of random worlds, without changing what is tested.

    gmpy2 for SRP's modular exponentiation (the pluggable backend, 8x faster here), and
    RSA key material made once and reused under a fresh key id for each pool's signing
    keys (generation was a third of the run; every pool still has its own kid and issuer).
    """
    srp.set_modpow(lambda base, exp, mod: int(gmpy2.powmod(base, exp, mod)))
    generate = RSAKey.generate_key
    materials = [generate(2048, private=True).as_pem(private=True) for _ in range(2)]
    calls = itertools.count()

    def reuse(*args: Any, **kwargs: Any) -> RSAKey:
        pem = materials[next(calls) % 2]  # id and access keys of a pool still differ
        return RSAKey.import_key(pem, parameters=kwargs.get("parameters"))

    monkeypatch.setattr(RSAKey, "generate_key", reuse)
    yield
    srp.set_modpow(None)


@pytest.fixture
def served() -> Iterator[str]:
    """`cognitoflow fake-cognito serve` in a subprocess, on a free loopback port."""
    with serving() as fake:
        yield fake.url


@pytest.fixture(scope="session")
def portal() -> Iterator[Any]:
    """An event loop in a thread of its own, for the whole session: suites written for
    SignInFlow run AsyncSignInFlow's coroutines on it (``helpers.Awaiting``)."""
    from anyio.from_thread import start_blocking_portal

    with start_blocking_portal() as running:
        yield running


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio (the loop AsyncSignInFlow and aiobotocore are built for)."""
    return "asyncio"
