"""FakeCognitoServer: the fake's WSGI application (:mod:`._http`) on a socket.

Served by waitress, which keeps HTTP/1.1 connections open between requests as Cognito
does, so a client (boto3, aiobotocore, Amplify JS) reuses its connections here as it
would there instead of opening one per call.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from waitress import wasyncore
from waitress.server import create_server

from ._http import TARGET_PREFIX, FakeCognitoApp
from ._journal import StateJournal
from ._service import FakeCognito

__all__ = ["FakeCognitoServer"]

_requests = logging.getLogger("cognitoflow.fake.requests")

logging.getLogger("waitress").addHandler(logging.NullHandler())
"""waitress says when requests queue for a thread; a test server need not print that."""

THREADS = 8
"""Requests handled at once; more wait their turn (the fake runs one operation at a time
anyway)."""


class FakeCognitoServer:
    """The fake served over HTTP in a background thread.

    Use it in tests (``with FakeCognitoServer() as server: ... server.url``); the CLI's
    ``cognitoflow fake-cognito serve`` runs the same application in the foreground.

    Args:
        cognito: the service to serve (a new one by default).
        host: where to listen; keep the default loopback address.
        port: 0 picks a free port.
        state_file: if given, the pool state is loaded from it when it exists, and kept in
            it as it changes: each request appends what it changed to ``state_file.journal``
            (see :mod:`._journal`).
        quiet: do not log each request. Otherwise each is logged at INFO on the
            ``cognitoflow.fake.requests`` logger: the client's address, the method and
            path, the operation and the status (never a body).
        seed: pools, clients, groups and users to start with (:mod:`._seed`'s format),
            and what ``POST /_fake/reset`` goes back to.
    """

    def __init__(
        self,
        cognito: FakeCognito | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        state_file: str | Path | None = None,
        quiet: bool = True,
        seed: Mapping[str, Any] | None = None,
    ) -> None:
        from ._seed import seeded

        self.state_file = Path(state_file) if state_file else None

        def fresh() -> FakeCognito:
            return seeded(seed) if seed is not None else FakeCognito()

        if cognito is None:
            exists = self.state_file is not None and self.state_file.exists()
            cognito = FakeCognito.load(self.state_file) if exists else fresh()  # type: ignore[arg-type]
        journal = None
        if self.state_file is not None:
            journal = StateJournal(self.state_file)
            journal.attach(cognito)
        self.app = FakeCognitoApp(cognito, journal=journal, reset=fresh)
        served = self.app if quiet else _logged(self.app)
        self._server: Any = create_server(
            served, host=host, port=port, threads=THREADS, ident="cognitoflow-fake"
        )
        self._stopping = threading.Event()
        self._serving = threading.Event()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def cognito(self) -> FakeCognito:
        """The service served (a new one after ``/_fake/reset``)."""
        return self.app.cognito

    @property
    def outbox(self) -> Any:
        """The codes the served fake sent (its ``cognito.outbox``)."""
        return self.cognito.outbox

    @property
    def url(self) -> str:
        """The endpoint to give boto3 (``endpoint_url``) or Amplify (``userPoolEndpoint``)."""
        return f"http://{self._server.effective_host}:{self._server.effective_port}"

    def start(self) -> FakeCognitoServer:
        """Serve in a daemon thread."""
        self._thread = threading.Thread(
            target=self.serve_forever, name="cognitoflow-fake", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until :meth:`stop` (from any thread) or an interrupt."""
        self._serving.set()
        try:
            while not self._stopping.is_set():
                wasyncore.loop(timeout=1.0, use_poll=True, map=self._server._map, count=1)
        finally:
            self._close()
            self._done.set()

    def stop(self) -> None:
        """Stop serving, close every connection and the socket, and leave the state file
        whole."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._server.pull_trigger()  # wake a serving loop, wherever it runs, to stop
        if self._thread is not None:
            self._thread.join(timeout=5)
        elif self._serving.is_set():  # serve_forever runs in a thread of the caller's
            self._done.wait(timeout=5)
        else:  # never served: only the socket to close
            self._close()
        if self.app.journal is not None:  # leave one whole state file behind
            with self.cognito._lock:
                self.app.journal.compact()
            self.app.journal.close()

    def _close(self) -> None:
        wasyncore.close_all(self._server._map)  # the connections and the listening socket
        self._server.task_dispatcher.shutdown()

    def __enter__(self) -> FakeCognitoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _logged(app: FakeCognitoApp) -> Callable[..., Iterable[bytes]]:
    """``app``, each request logged once answered (the line werkzeug's server printed,
    with the operation)."""

    def logged(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        status: list[str] = []

        def starting(code: str, headers: Any, *info: Any) -> Any:
            status.append(code)
            return start_response(code, headers, *info)

        answer = app(environ, starting)
        target = str(environ.get("HTTP_X_AMZ_TARGET", "")).removeprefix(TARGET_PREFIX)
        _requests.info(
            '%s "%s %s" %s%s',
            environ.get("REMOTE_ADDR", "-"),
            environ.get("REQUEST_METHOD"),
            environ.get("PATH_INFO"),
            status[0].split(" ", 1)[0] if status else "-",
            f" {target}" if target else "",
        )
        return answer

    return logged
