"""Dicts that note which of their records an operation reached, for the state journal.

The fake keeps its state in dicts of records (pools, users, sessions, refresh tokens...).
A :class:`Tracked` dict behaves as a dict; while a :class:`Recorder` is recording (an
operation of a service whose state is kept in a file is running), it also notes each key
read, written or deleted, and "every record" when its values are iterated. After the
operation, the journal writes just those records that changed, instead of the whole
state. With no recorder, a ``Tracked`` dict costs one context-variable read per access.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _collections_abc import dict_items, dict_values

__all__ = ["Recorder", "Tracked", "as_tracked", "recording"]

_K = TypeVar("_K")
_V = TypeVar("_V")


class Recorder:
    """The records one operation reached: for each dict, the keys it read, wrote or
    deleted (each with whether it held a record when first reached), and whether it
    iterated the values (then any record may have changed)."""

    def __init__(self) -> None:
        self.reached: dict[int, tuple[Tracked[Any, Any], dict[Any, bool], list[bool]]] = {}

    def _entry(
        self, table: Tracked[Any, Any]
    ) -> tuple[Tracked[Any, Any], dict[Any, bool], list[bool]]:
        entry = self.reached.get(id(table))
        if entry is None:
            entry = self.reached[id(table)] = (table, {}, [False])
        return entry

    def note(self, table: Tracked[Any, Any], key: Any) -> None:
        keys = self._entry(table)[1]
        if key not in keys:
            keys[key] = dict.__contains__(table, key)

    def note_every(self, table: Tracked[Any, Any]) -> None:
        self._entry(table)[2][0] = True

    def keys(self) -> Iterator[tuple[Tracked[Any, Any], dict[Any, bool]]]:
        """Each dict reached, with the keys to look at again (and whether each held a
        record when first reached): those noted, and every key of a dict whose values
        were iterated."""
        for table, keys, every in self.reached.values():
            if every[0]:
                keys = {**dict.fromkeys(table.raw_keys(), True), **keys}
            yield table, keys


_RECORDER: ContextVar[Recorder | None] = ContextVar("cognitoflow_fake_recorder", default=None)


@contextmanager
def recording() -> Iterator[Recorder | None]:
    """Record what the enclosed code reaches; yields the new recorder, or None when an
    outer ``recording`` already records (the outermost one owns the records)."""
    if _RECORDER.get() is not None:
        yield None
        return
    recorder = Recorder()
    token = _RECORDER.set(recorder)
    try:
        yield recorder
    finally:
        _RECORDER.reset(token)


class Tracked(dict[_K, _V]):
    """A dict whose reads and writes a running :func:`recording` notes."""

    __slots__ = ()

    def _note(self, key: Any) -> None:
        recorder = _RECORDER.get()
        if recorder is not None:
            recorder.note(self, key)

    def _note_every(self) -> None:
        recorder = _RECORDER.get()
        if recorder is not None:
            recorder.note_every(self)

    def __getitem__(self, key: _K) -> _V:
        self._note(key)
        return super().__getitem__(key)

    def get(self, key: _K, default: _V | None = None) -> _V | None:  # type: ignore[override]
        self._note(key)
        return super().get(key, default)

    def __setitem__(self, key: _K, value: _V) -> None:
        self._note(key)
        super().__setitem__(key, value)

    def __delitem__(self, key: _K) -> None:
        self._note(key)
        super().__delitem__(key)

    def pop(self, key: _K, *default: Any) -> Any:
        self._note(key)
        return super().pop(key, *default)

    def popitem(self) -> tuple[_K, _V]:
        key, value = super().popitem()
        self._note(key)
        return key, value

    def setdefault(self, key: _K, default: Any = None) -> Any:
        self._note(key)
        return super().setdefault(key, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def clear(self) -> None:
        for key in self.raw_keys():
            self._note(key)
        super().clear()

    def values(self) -> dict_values[_K, _V]:
        self._note_every()
        return super().values()

    def items(self) -> dict_items[_K, _V]:
        self._note_every()
        return super().items()

    def drop_where(self, expired: Callable[[_V], bool]) -> None:
        """Delete each record ``expired`` says is, noting only those."""
        for key in [key for key, value in super().items() if expired(value)]:
            del self[key]

    def raw(self, key: _K) -> _V | None:
        """The record at ``key`` (or None), without noting it: for the journal itself."""
        return super().get(key)

    def raw_keys(self) -> list[_K]:
        """Every key, without noting any: for the journal itself."""
        return list(super().keys())

    def raw_items(self) -> dict_items[_K, _V]:
        """Every record, without noting any: for the journal itself."""
        return super().items()


def as_tracked(value: Any) -> Tracked[Any, Any]:
    """An attrs converter: ``value`` as a :class:`Tracked` dict (itself if it is one)."""
    return value if isinstance(value, Tracked) else Tracked(value)
