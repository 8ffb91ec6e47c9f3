"""A pool's users, found by username or by an alias attribute without a scan.

Cognito finds a user by email, phone number or preferred username when they sign in with
it, and the fake used to read every user of the pool to do the same: 0.7 ms per look-up at
10,000 users. :class:`UserTable` keeps an index of those attributes beside the users,
built on the first look-up and kept current by :class:`Attributes`, the dict a user's
attributes live in, which reports each change to the table holding the user. Neither adds
anything to the state file: both are written and read as plain dicts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

from ._tracked import Tracked

__all__ = ["ALIAS_ATTRIBUTES", "Attributes", "UserTable", "as_attributes", "as_user_table"]

ALIAS_ATTRIBUTES = ("email", "phone_number", "preferred_username")
"""The attributes a user can sign in with in place of the username."""

_Key = tuple[str, str]


class _Person(Protocol):
    attributes: Attributes


_U = TypeVar("_U", bound=_Person)


class Attributes(dict[str, str]):
    """A user's attributes: a dict that reports changes to an alias to its watcher."""

    __slots__ = ("watcher",)

    def __init__(self, *args: Any, **kwargs: str) -> None:
        super().__init__(*args, **kwargs)
        self.watcher: Callable[[], None] | None = None

    def _changed(self) -> None:
        if self.watcher is not None:
            self.watcher()

    def __setitem__(self, name: str, value: str) -> None:
        super().__setitem__(name, value)
        if name in ALIAS_ATTRIBUTES:
            self._changed()

    def __delitem__(self, name: str) -> None:
        super().__delitem__(name)
        if name in ALIAS_ATTRIBUTES:
            self._changed()

    def update(self, *args: Any, **kwargs: str) -> None:
        super().update(*args, **kwargs)
        self._changed()

    def __ior__(self, other: Any) -> Attributes:  # type: ignore[override,misc]
        self.update(other)
        return self

    def pop(self, name: str, *default: Any) -> Any:
        value = super().pop(name, *default)
        if name in ALIAS_ATTRIBUTES:
            self._changed()
        return value

    def popitem(self) -> tuple[str, str]:
        item = super().popitem()
        self._changed()
        return item

    def setdefault(self, name: str, default: str = "") -> str:
        value = super().setdefault(name, default)
        if name in ALIAS_ATTRIBUTES:
            self._changed()
        return value

    def clear(self) -> None:
        super().clear()
        self._changed()


def as_attributes(value: dict[str, str]) -> Attributes:
    """The attrs converter of ``User.attributes``."""
    return value if isinstance(value, Attributes) else Attributes(value)


class UserTable(Tracked[str, _U]):
    """The users of a pool by their key, with an index of their alias attributes."""

    __slots__ = ("_index", "_indexed")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._index: dict[_Key, dict[str, None]] | None = None
        self._indexed: dict[str, tuple[_Key, ...]] = {}

    def with_alias(self, attribute: str, value: str) -> Iterator[_U]:
        """The users whose ``attribute`` is ``value``, ignoring case (the caller compares
        as the pool does), in the order they were indexed."""
        if self._index is None:
            self._index = {}
            for key, user in self.raw_items():
                self._add(key, user)
        for key in tuple(self._index.get((attribute, value.lower()), ())):
            yield self[key]

    def _add(self, key: str, user: _U) -> None:
        user.attributes.watcher = lambda: self._reindex(key)
        self._reindex(key)

    def _reindex(self, key: str) -> None:
        index = self._index
        if index is None:
            return
        for old in self._indexed.pop(key, ()):
            holders = index.get(old)
            if holders is not None:
                holders.pop(key, None)
                if not holders:
                    del index[old]
        user = self.raw(key)
        if user is None:
            return
        keys = tuple(
            (name, value.lower())
            for name in ALIAS_ATTRIBUTES
            if (value := user.attributes.get(name)) is not None
        )
        for entry in keys:
            index.setdefault(entry, {})[key] = None
        self._indexed[key] = keys

    def __setitem__(self, key: str, user: _U) -> None:
        old = self.raw(key)
        if old is not None and old is not user:
            old.attributes.watcher = None
        super().__setitem__(key, user)
        if self._index is not None:
            self._add(key, user)

    def __delitem__(self, key: str) -> None:
        user = self[key]
        super().__delitem__(key)
        user.attributes.watcher = None
        self._reindex(key)

    def pop(self, key: str, *default: Any) -> Any:
        if key not in self:
            return super().pop(key, *default)
        user = self[key]
        del self[key]
        return user

    def popitem(self) -> tuple[str, _U]:
        key = next(reversed(self))
        return key, self.pop(key)

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]

    def clear(self) -> None:
        for user in self.values():
            user.attributes.watcher = None
        super().clear()
        self._index = None
        self._indexed = {}

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, user in dict(*args, **kwargs).items():
            self[key] = user


def as_user_table(value: dict[str, Any] | Iterable[tuple[str, Any]]) -> UserTable[Any]:
    """The attrs converter of ``UserPool.users``."""
    return value if isinstance(value, UserTable) else UserTable(value)
