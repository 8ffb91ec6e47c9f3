"""The fake (or another server) in a child process, on a free loopback port, for as long
as a ``with`` block lasts."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import attrs

__all__ = ["FAKE_COGNITO", "Served", "serving"]

FAKE_COGNITO = (sys.executable, "-m", "cognitoflow.engine.cli", "fake-cognito", "serve")
"""``cognitoflow fake-cognito serve``, run by this interpreter."""


@attrs.frozen
class Served:
    """A server :func:`serving` started: where it answers, and its process id."""

    url: str
    port: int
    pid: int


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(
    *options: str,
    command: Sequence[str] = FAKE_COGNITO,
    port_option: str = "--port",
    timeout: float = 60.0,
) -> Iterator[Served]:
    """Run ``command`` with ``options`` and ``port_option <a free port>`` until the port
    answers on 127.0.0.1; stop it when the block ends.

    By default the command is ``cognitoflow fake-cognito serve``: a test suite that needs
    the fake in its own process (a front end's, or one measuring the server) writes
    ``with serving("--seed", "seed.json") as fake: ... fake.url``.

    Raises:
        RuntimeError: the server stopped, or did not answer within ``timeout`` seconds
            (its output is in the message).
    """
    port = _free_port()
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(  # noqa: S603 - the caller's own command
            [*command, *options, port_option, str(port)], stdout=output, stderr=output
        )
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        output.seek(0)
                        said = output.read().decode(errors="replace")
                        raise RuntimeError(f"the server did not start: {said}") from None
                    time.sleep(0.05)
            yield Served(url=f"http://127.0.0.1:{port}", port=port, pid=process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)
