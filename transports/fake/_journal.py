"""The fake's state kept in a file as it changes, writing only what changed.

``cognitoflow fake-cognito serve --state FILE`` keeps two files: ``FILE``, the whole state
as :meth:`FakeCognito.save` writes it, and ``FILE.journal`` beside it, one JSON line per
record changed since. After each operation, the records it reached (the
:class:`~._tracked.Tracked` dicts note them) are encoded and compared with what was last
written for them; only those that differ are appended. A request therefore costs in
proportion to what it touched, not to the number of users.

When the journal has grown past twice the size of ``FILE`` (and 1 MiB), ``FILE`` is
rewritten and the journal emptied: the cost of that rewrite, spread over the requests that
grew the journal, is a constant per byte they wrote. Reading (:meth:`FakeCognito.load`)
applies the journal to ``FILE``; a last line cut short by a crash is left out.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import _state
from ._tracked import Recorder, recording

if TYPE_CHECKING:
    from ._service import FakeCognito

__all__ = ["StateJournal", "journaled"]

_GONE = object()
"""What was last written for a record that is deleted."""
_MIN_COMPACT_BYTES = 1 << 20


class StateJournal:
    """Keeps one service's state in ``path`` and ``path.journal`` (see the module).

    Args:
        path: the state file.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.journal_path = _state.journal_path(self.path)
        self.cognito: FakeCognito | None = None
        self._written: dict[tuple[Any, ...], object] = {}
        self._base_bytes = 0
        self._journal_bytes = 0
        self._settings = ""
        self._outbox = (0, 0)
        """(times the outbox was cleared, messages written since)."""
        self._file: Any = None

    def __repr__(self) -> str:
        return f"StateJournal({os.fspath(self.path)!r})"

    def attach(self, cognito: FakeCognito) -> None:
        """Keep ``cognito``'s state from now on (rewriting the state file at once)."""
        if self.cognito is not None:
            self.cognito._journal = None
        self.cognito = cognito
        cognito._journal = self
        with cognito._lock:
            self.compact()

    def close(self) -> None:
        """Stop keeping the state; the files stay as they are."""
        if self.cognito is not None:
            self.cognito._journal = None
            self.cognito = None
        if self._file is not None:
            self._file.close()
            self._file = None

    def compact(self) -> None:
        """Rewrite the state file whole and empty the journal."""
        assert self.cognito is not None
        _state.write(self.cognito, self.path)
        # Emptied only after the new state file is in place: replaying an old journal over
        # it gives the same state, since each record's last entry is its state now.
        if self._file is not None:
            self._file.close()
        self._file = self.journal_path.open("wb")
        self._base_bytes = self.path.stat().st_size
        self._journal_bytes = 0
        self._written.clear()
        self._settings = json.dumps(_state.record(("settings",), self.cognito.settings))
        self._outbox = (self.cognito.outbox.clears, len(self.cognito.outbox))

    def flush(self, recorder: Recorder) -> None:
        """Append the records ``recorder`` saw that changed; compact when it is time."""
        cognito = self.cognito
        assert cognito is not None
        where = _state.tables(cognito)
        lines: list[bytes] = []
        reached = sorted(recorder.keys(), key=lambda item: where.get(id(item[0])) != ("pools",))
        for table, keys in reached:
            place = where.get(id(table))
            if place is None:  # a deleted pool's own dicts: its deletion says it all
                continue
            for key, existed in keys.items():
                value = table.raw(key)
                if value is None and not existed:
                    continue  # looked for and not there, before as after
                if place == ("_clients",):  # the index of clients: the pool's record
                    if value is None:
                        continue
                    self._put(lines, ("clients", value.pool_id), key, value)
                else:
                    self._put(lines, place, key, value)
        settings = json.dumps(_state.record(("settings",), cognito.settings))
        if settings != self._settings:
            lines.append(b'{"settings":' + settings.encode() + b"}")
            self._settings = settings
        self._outbox_lines(lines)
        if lines:
            data = b"\n".join(lines) + b"\n"
            self._file.write(data)
            self._file.flush()
            self._journal_bytes += len(data)
            if self._journal_bytes > max(2 * self._base_bytes, _MIN_COMPACT_BYTES):
                self.compact()

    def _put(self, lines: list[bytes], place: tuple[str, ...], key: Any, value: Any) -> None:
        name = (*place, key)
        if value is None:
            if self._written.get(name) is not _GONE:
                lines.append(json.dumps({"delete": name}).encode())
                self._written[name] = _GONE
            return
        text = json.dumps(_state.record(place, value), separators=(",", ":")).encode()
        digest = hashlib.blake2b(text, digest_size=16).digest()
        if self._written.get(name) != digest:
            lines.append(b'{"set":' + json.dumps(name).encode() + b',"value":' + text + b"}")
            self._written[name] = digest

    def _outbox_lines(self, lines: list[bytes]) -> None:
        assert self.cognito is not None
        outbox = self.cognito.outbox
        clears, written = self._outbox
        if outbox.clears != clears:
            lines.append(b'{"outbox":"cleared"}')
            written = 0
        for index in range(written, len(outbox)):
            message = json.dumps(_state.record(("outbox",), outbox[index])).encode()
            lines.append(b'{"message":' + message + b"}")
        self._outbox = (outbox.clears, len(outbox))


@contextmanager
def journaled(cognito: FakeCognito) -> Iterator[None]:
    """Run a change to ``cognito``'s state (holding its lock); where the state is kept in a
    file, the records it changed are written to the journal afterwards, whether it
    succeeded or failed. Every operation runs in one; so does a change made outside an
    operation that must be kept (``/_fake/reset``, the outbox cleared, new keys)."""
    journal = cognito._journal
    if journal is None:
        yield
        return
    recorder = None
    try:
        with recording() as recorder:
            yield
    finally:
        if recorder is not None:  # None: an enclosing change writes them
            journal.flush(recorder)
