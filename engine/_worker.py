"""An SRP worker process (see :mod:`.workers`): reads a pickled ``(function, args)`` at a
time on its standard input, answers ``(True, result)`` or ``(False, error)`` on its
standard output, and ends at the end of its input.

``python -m cognitoflow.engine._worker [NICE]``: it first lowers its CPU priority by NICE
(where the system has priorities)."""

from __future__ import annotations

import os
import pickle
import sys

from .workers import read_frame, write_frame


def main() -> None:
    nice = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    if nice and hasattr(os, "nice"):
        os.nice(nice)
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print must not be an answer
    requests = sys.stdin.buffer
    while True:
        frame = read_frame(requests)
        if frame is None:
            return
        try:
            function, args = pickle.loads(frame)  # noqa: S301 - from the process that started us
            answer = pickle.dumps((True, function(*args)))
        except Exception as error:
            try:
                answer = pickle.dumps((False, error))
            except Exception:  # an error that cannot travel: its type says enough
                answer = pickle.dumps((False, RuntimeError(type(error).__name__)))
        write_frame(answers, answer)


if __name__ == "__main__":
    main()
