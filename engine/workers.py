"""Worker processes for SRP's arithmetic, so an event loop never waits for it.

A modular exponentiation on 3,072-bit numbers holds the GIL for its whole length (gmpy2's
as Python's own), so a thread does not free the event loop: measured with 20 sign-ins at
once, a 1 ms heartbeat waited up to 147 ms behind one worker thread, against 5 ms behind
worker processes. :class:`SrpWorkers` is a ``concurrent.futures.Executor`` over worker
processes started with ``python -m cognitoflow.engine._worker``, each fed by a thread
that waits on its pipe (a wait that does release the GIL). Unlike a ``multiprocessing``
pool, the workers never import the program's main module, so an unguarded script runs
once, not once per worker.
"""

from __future__ import annotations

import atexit
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import IO, Any

__all__ = ["SrpWorkers", "WorkerError", "read_frame", "shared_workers", "write_frame"]

_LENGTH = struct.Struct("!I")
_Work = tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]


class WorkerError(RuntimeError):
    """A worker process stopped, or sent back what cannot be read."""


def write_frame(stream: IO[bytes], data: bytes) -> None:
    """One message: its length, then its bytes."""
    stream.write(_LENGTH.pack(len(data)) + data)
    stream.flush()


def read_frame(stream: IO[bytes]) -> bytes | None:
    """The next message, or None at the end of the stream."""
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (size,) = _LENGTH.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        return None
    return data


class SrpWorkers(Executor):
    """Runs functions in ``workers`` worker processes (started when first needed, and
    again if one stops). Functions and arguments are pickled: module functions, bound
    methods of plain objects."""

    def __init__(self, workers: int = 2) -> None:
        if not (isinstance(workers, int) and workers >= 1):
            raise ValueError("workers must be a whole number, 1 or more.")
        self.workers = workers
        self._queue: queue.SimpleQueue[
            tuple[Future[Any], Callable[..., Any], tuple[Any, ...]] | None
        ]
        self._queue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._stopped = False

    def __repr__(self) -> str:
        return f"SrpWorkers(workers={self.workers})"

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        if kwargs:
            raise TypeError("SrpWorkers takes positional arguments only.")
        with self._lock:
            if self._stopped:
                raise RuntimeError("SrpWorkers was shut down.")
            while len(self._threads) < self.workers:
                thread = threading.Thread(target=self._feed, name="cognitoflow-srp", daemon=True)
                thread.start()
                self._threads.append(thread)
        future: Future[Any] = Future()
        self._queue.put((future, fn, args))
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            threads = list(self._threads)
        if cancel_futures:
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    item[0].cancel()
        for _ in threads:
            self._queue.put(None)
        if wait:
            for thread in threads:
                thread.join()

    @staticmethod
    def _start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "cognitoflow.engine._worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def _feed(self) -> None:
        """One worker process, fed one function at a time from the queue."""
        process: subprocess.Popen[bytes] | None = None
        try:
            while True:
                item = self._queue.get()
                if item is None:
                    return
                future, fn, args = item
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    if process is None or process.poll() is not None:
                        process = self._start()
                    assert process.stdin is not None
                    assert process.stdout is not None
                    write_frame(process.stdin, pickle.dumps((fn, args)))
                    answer = read_frame(process.stdout)
                    if answer is None:
                        raise WorkerError("An SRP worker process stopped.")
                    ok, value = pickle.loads(answer)  # noqa: S301 - our own worker's answer
                except Exception as error:
                    if process is not None:
                        _stop(process, kill=True)
                    process = None
                    future.set_exception(error)
                    continue
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)
        finally:
            if process is not None:
                _stop(process, kill=False)


def _stop(process: subprocess.Popen[bytes], *, kill: bool) -> None:
    """End a worker (at the end of its input, or killed) and close its pipes."""
    if kill:
        process.kill()
    for pipe in (process.stdin, process.stdout):
        if pipe is not None:
            pipe.close()  # the worker ends at the end of its input
    process.wait()


_shared: SrpWorkers | None = None
_shared_lock = threading.Lock()


def shared_workers() -> SrpWorkers:
    """The process-wide workers an :class:`~cognitoflow.engine.AsyncSignInFlow` uses by
    default: as many as there are CPUs, up to 4; stopped when the interpreter exits."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = SrpWorkers(min(4, os.cpu_count() or 1))
            atexit.register(_shared.shutdown)
        return _shared
