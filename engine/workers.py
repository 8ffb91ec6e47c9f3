"""Worker processes for SRP's arithmetic, so an event loop never waits for it.

A modular exponentiation on 3,072-bit numbers holds the GIL for its whole length (gmpy2's
as Python's own), so a thread does not free the event loop: measured with 20 sign-ins at
once, a 1 ms heartbeat waited up to 147 ms behind one worker thread, against 5 ms behind
worker processes. :class:`SrpWorkers` runs functions in worker processes started with
``python -m cognitoflow.engine._worker``. Unlike a ``multiprocessing`` pool, the workers
never import the program's main module, so an unguarded script runs once, not once per
worker.

Two things keep the event loop's own thread free:

- :meth:`SrpWorkers.run`, the coroutine :class:`~cognitoflow.engine.AsyncSignInFlow`
  awaits, talks to a worker from the loop itself: it writes the request (a few KiB, far
  below a pipe's buffer, so the write never waits) and reads the answer when the loop sees
  the pipe readable. No thread of the program is involved, so none competes with the loop
  for the GIL. (:meth:`SrpWorkers.submit`, the ``Executor`` method, waits in threads.)
- The workers lower their own CPU priority (``nice``, 10 by default). Where the machine
  has fewer free cores than busy processes, the kernel then runs the event loop, whose
  work is short and someone is waiting for, before more arithmetic; the arithmetic still
  gets every cycle nobody else wants.
"""

from __future__ import annotations

import asyncio
import atexit
import collections
import os
import pickle
import struct
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import IO, Any

__all__ = ["SrpWorkers", "WorkerError", "read_frame", "shared_workers", "write_frame"]

_LENGTH = struct.Struct("!I")

_Waiter = Callable[[], bool]
"""Told that a worker may be free: True if the news reached someone who will look."""


class WorkerError(RuntimeError):
    """A worker process stopped, or sent back what cannot be read."""


def write_frame(stream: IO[bytes], data: bytes) -> None:
    """One message: its length, then its bytes (an unbuffered pipe may take them in
    pieces)."""
    rest = memoryview(_LENGTH.pack(len(data)) + data)
    while rest:
        rest = rest[stream.write(rest) :]
    stream.flush()


def read_frame(stream: IO[bytes]) -> bytes | None:
    """The next message, or None at the end of the stream."""
    head = _read_exactly(stream, _LENGTH.size)
    if head is None:
        return None
    (size,) = _LENGTH.unpack(head)
    return _read_exactly(stream, size)


def _read_exactly(stream: IO[bytes], size: int) -> bytes | None:
    """``size`` bytes (a pipe may hand them over in pieces), or None at the end."""
    data = b""
    while len(data) < size:
        piece = stream.read(size - len(data))
        if not piece:
            return None
        data += piece
    return data


def _complete_frame(buffer: bytearray) -> bytes | None:
    """The message ``buffer`` holds, once it holds all of it."""
    if len(buffer) < _LENGTH.size:
        return None
    (size,) = _LENGTH.unpack_from(buffer)
    if len(buffer) < _LENGTH.size + size:
        return None
    return bytes(buffer[_LENGTH.size : _LENGTH.size + size])


class _Process:
    """One worker process: a request in, its answer out, one at a time."""

    def __init__(self, nice: int) -> None:
        self._popen = subprocess.Popen(  # noqa: S603 - this interpreter, our own module
            [sys.executable, "-m", "cognitoflow.engine._worker", str(nice)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
        )
        assert self._popen.stdin is not None
        assert self._popen.stdout is not None
        self._requests: IO[bytes] = self._popen.stdin
        self._answers: IO[bytes] = self._popen.stdout

    def send(self, request: bytes) -> None:
        try:
            write_frame(self._requests, request)
        except OSError as error:  # the worker is gone: its end of the pipe closed
            raise WorkerError("An SRP worker process stopped.") from error

    def receive(self) -> bytes | None:
        """The answer, waited for in this thread; None if the worker stopped."""
        return read_frame(self._answers)

    async def received(self) -> bytes | None:
        """The answer, read by the running loop when it arrives; None if the worker
        stopped."""
        loop = asyncio.get_running_loop()
        fd = self._answers.fileno()
        arrived: asyncio.Future[bytes | None] = loop.create_future()
        buffer = bytearray()

        def readable() -> None:
            if arrived.done():
                return
            try:
                piece = os.read(fd, 1 << 16)
            except OSError:
                piece = b""
            buffer.extend(piece)
            frame = _complete_frame(buffer)
            if frame is not None or not piece:
                arrived.set_result(frame)

        try:
            loop.add_reader(fd, readable)
        except NotImplementedError:  # a loop that cannot watch pipes (Windows' proactor)
            return await loop.run_in_executor(None, self.receive)
        try:
            return await arrived
        finally:
            loop.remove_reader(fd)

    def stop(self, *, kill: bool) -> None:
        """End the worker (at the end of its input, or killed) and close its pipes."""
        if kill:
            self._popen.kill()
        self._requests.close()  # the worker ends at the end of its input
        self._answers.close()
        self._popen.wait()


class SrpWorkers(Executor):
    """Runs functions in up to ``workers`` worker processes, started when first needed
    (and again if one stops), at CPU priority ``nice`` (added to this process's; 0 keeps
    it). Functions and arguments are pickled: module functions, bound methods of plain
    objects.

    Await :meth:`run` on an event loop; :meth:`submit` (the ``Executor`` method) waits in
    threads of its own. Both share the processes.
    """

    def __init__(self, workers: int = 2, *, nice: int = 10) -> None:
        if not (isinstance(workers, int) and workers >= 1):
            raise ValueError("workers must be a whole number, 1 or more.")
        if not (isinstance(nice, int) and 0 <= nice <= 19):
            raise ValueError("nice must be a whole number from 0 to 19.")
        self.workers = workers
        self.nice = nice
        self._lock = threading.Lock()
        self._idle: list[_Process] = []
        self._live = 0  # processes started and not yet stopped, idle or at work
        self._waiting: collections.deque[_Waiter] = collections.deque()
        self._threads: ThreadPoolExecutor | None = None
        self._stopped = False

    def __repr__(self) -> str:
        return f"SrpWorkers(workers={self.workers}, nice={self.nice})"

    async def run(self, fn: Callable[..., Any], /, *args: Any) -> Any:
        """``fn(*args)`` in a worker process, awaited without a thread.

        Cancelled, it stops the worker doing the work (a new one starts when needed).
        """
        request = pickle.dumps((fn, args))
        loop = asyncio.get_running_loop()
        while True:
            woken: asyncio.Future[None] = loop.create_future()
            process = self._take(_waking(loop, woken))
            if process is not None:
                break
            try:
                await woken
            except asyncio.CancelledError:
                self._pass_on()  # the news this waiter may have had is someone else's
                raise
        try:
            process.send(request)
            answer = await process.received()
        except BaseException:
            self._drop(process)
            raise
        return self._settle(process, answer)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        if kwargs:
            raise TypeError("SrpWorkers takes positional arguments only.")
        with self._lock:
            if self._stopped:
                raise RuntimeError("SrpWorkers was shut down.")
            if self._threads is None:
                self._threads = ThreadPoolExecutor(self.workers, "cognitoflow-srp")
            threads = self._threads
        return threads.submit(self._run_here, pickle.dumps((fn, args)))

    def _run_here(self, request: bytes) -> Any:
        """One function, waited for in this thread."""
        while True:
            woken = threading.Event()
            process = self._take(_setting(woken))
            if process is not None:
                break
            woken.wait()
        try:
            process.send(request)
            answer = process.receive()
        except BaseException:
            self._drop(process)
            raise
        return self._settle(process, answer)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            idle, self._idle = self._idle, []
            threads = self._threads
        for process in idle:
            process.stop(kill=False)
        self._pass_on(everyone=True)  # whoever waits for a worker learns there is none
        if threads is not None:
            threads.shutdown(wait, cancel_futures=cancel_futures)

    def _take(self, waiter: _Waiter) -> _Process | None:
        """An idle worker, a new one if there is room, or None: ``waiter`` is then told
        when one may be free."""
        with self._lock:
            if self._stopped:
                raise RuntimeError("SrpWorkers was shut down.")
            if self._idle:
                return self._idle.pop()
            if self._live >= self.workers:
                self._waiting.append(waiter)
                return None
            self._live += 1
        try:
            return _Process(self.nice)
        except BaseException:
            self._give_back(None)
            raise

    def _settle(self, process: _Process, answer: bytes | None) -> Any:
        """The function's result (or its error), the worker given back for the next."""
        if answer is None:
            self._drop(process)
            raise WorkerError("An SRP worker process stopped.")
        self._give_back(process)
        try:
            ok, value = pickle.loads(answer)  # noqa: S301 - our own worker's answer
        except Exception as error:
            raise WorkerError("An SRP worker's answer could not be read.") from error
        if ok:
            return value
        raise value

    def _drop(self, process: _Process) -> None:
        """A worker interrupted mid-work, or stopped: end it and free its place."""
        process.stop(kill=True)
        self._give_back(None)

    def _give_back(self, process: _Process | None) -> None:
        """Return ``process`` to the idle ones (None: its place is free), and tell the
        next waiter."""
        with self._lock:
            if process is None or self._stopped:
                self._live -= 1
            else:
                self._idle.append(process)
                process = None
        if process is not None:
            process.stop(kill=False)
        self._pass_on()

    def _pass_on(self, *, everyone: bool = False) -> None:
        """Tell waiters, in order, until one hears it (or ``everyone``), that a worker
        may be free: each looks again."""
        while True:
            with self._lock:
                if not self._waiting:
                    return
                waiter = self._waiting.popleft()
            if waiter() and not everyone:
                return


def _setting(event: threading.Event) -> _Waiter:
    def wake() -> bool:
        event.set()
        return True

    return wake


def _waking(loop: asyncio.AbstractEventLoop, woken: asyncio.Future[None]) -> _Waiter:
    def wake() -> bool:
        if woken.done():  # cancelled: its task has passed the news on itself
            return False
        try:
            loop.call_soon_threadsafe(_resolve, woken)
        except RuntimeError:  # the loop has closed
            return False
        return True

    return wake


def _resolve(woken: asyncio.Future[None]) -> None:
    if not woken.done():
        woken.set_result(None)


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
