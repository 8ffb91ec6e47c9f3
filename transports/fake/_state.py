"""The fake's whole state as versioned JSON: readable, safe to load, written atomically.

``{"format": "cognitoflow-fake-state", "version": 1, ...}`` holds the pools (their
clients, users, groups and devices), the signing keys, the sessions and refresh tokens
still in use, the revocations, and the outbox. Records are written as objects with a
``"__record"`` name (one of the fake's own types, nothing else is ever built from a
file), bytes as ``{"__bytes": base64}`` and tuples as ``{"__tuple": [...]}``. A custom-auth
trigger given as a Python callable cannot be written: name a ready-made trigger instead.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from . import _model
from ._support import Message
from ._tokens import TokenSigner
from ._tracked import Tracked

JOURNAL_SUFFIX = ".journal"
"""The journal of changes since the state file was written sits beside it, with this
suffix (see :mod:`._journal`)."""
_POOL_TABLES = ("users", "groups", "clients")
"""A pool's members kept as records of their own, apart from the pool's settings."""

__all__ = [
    "JOURNAL_SUFFIX",
    "STATE_FORMAT",
    "StateFileError",
    "apply",
    "dump",
    "journal_path",
    "load",
    "read",
    "record",
    "tables",
    "write",
]

STATE_FORMAT = "cognitoflow-fake-state"
_VERSION = 1
_RECORDS: Mapping[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        _model.PendingCode,
        _model.Passkey,
        _model.Device,
        _model.User,
        _model.AppClient,
        _model.Group,
        _model.UserPool,
        _model.CustomAuth,
        _model.AuthSession,
        _model.SrpExchange,
        _model.RefreshGrant,
        _model.FakeSettings,
        Message,
    )
}


class StateFileError(ValueError):
    """A state file this release cannot read (another format, version, or damaged)."""


def _encode(value: Any) -> Any:
    if attrs.has(type(value)):
        name = type(value).__name__
        if name not in _RECORDS:
            raise ValueError(f"{name} cannot be written to a state file.")
        fields = {f.name: _encode(getattr(value, f.name)) for f in attrs.fields(type(value))}
        return {"__record": name, **fields}
    if isinstance(value, bytes):
        return {"__bytes": base64.b64encode(value).decode()}
    if isinstance(value, tuple):
        return {"__tuple": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise ValueError(
        f"A {type(value).__name__} cannot be written to a state file (a trigger given as a "
        "Python callable?): use ready-made trigger names."
    )


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "__bytes" in value:
        return base64.b64decode(value["__bytes"])
    if "__tuple" in value:
        return tuple(_decode(v) for v in value["__tuple"])
    if "__record" in value:
        cls = _RECORDS[value["__record"]]  # KeyError: not one of ours
        members = {f.alias: _decode(value[f.name]) for f in attrs.fields(cls) if f.name in value}
        return cls(**members)
    return {k: _decode(v) for k, v in value.items()}


def _signer(signer: TokenSigner) -> dict[str, Any]:
    state = signer.__getstate__()
    return {"issuer": state["issuer"], "keys": _encode(state["keys"])}


def _unsigner(state: dict[str, Any]) -> TokenSigner:
    signer = TokenSigner.__new__(TokenSigner)
    signer.__setstate__({"issuer": state["issuer"], "keys": _decode(state["keys"])})
    return signer


def dump(cognito: Any) -> dict[str, Any]:
    """The service's state as JSON-ready data."""
    signers = {pool_id: _signer(signer) for pool_id, signer in cognito._signers.items()}
    return {
        "format": STATE_FORMAT,
        "version": _VERSION,
        "settings": _encode(cognito.settings),
        "pools": _encode(cognito._pools),
        "signers": signers,
        "sessions": _encode(cognito._sessions),
        "srp": _encode(cognito._srp),
        "refresh": _encode(cognito._refresh),
        "revoked_origins": cognito._revoked_origins,
        "outbox": _encode(list(cognito.outbox)),
    }


def load(data: Any, cognito: Any) -> Any:
    """Fill a new service ``cognito`` from :func:`dump`'s data."""
    if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
        raise StateFileError("not a cognitoflow fake state file")
    if data.get("version") != _VERSION:
        raise StateFileError(f"state file version {data.get('version')!r} is not supported")
    try:
        cognito.settings = _decode(data["settings"])
        cognito._pools = Tracked(_decode(data["pools"]))
        cognito._clients = Tracked(
            {
                client_id: client
                for pool in cognito._pools.values()
                for client_id, client in pool.clients.items()
            }
        )
        cognito._signers = Tracked(
            {pool_id: _unsigner(state) for pool_id, state in data["signers"].items()}
        )
        cognito._sessions = Tracked(_decode(data["sessions"]))
        cognito._srp = Tracked(_decode(data["srp"]))
        cognito._refresh = Tracked(_decode(data["refresh"]))
        cognito._revoked_origins = Tracked(data["revoked_origins"])
        for message in _decode(data["outbox"]):
            cognito.outbox.append(message)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise StateFileError(f"the state file is damaged ({type(error).__name__})") from None
    return cognito


# -- records, for the journal ------------------------------------------------------------


def tables(cognito: Any) -> dict[int, tuple[str, ...]]:
    """Where each dict of records of the service is kept, by the dict's ``id``: a name and,
    for a pool's own dicts, the pool's id. ``("_clients",)`` is the service's index of every
    pool's clients, whose records are the pools' ``clients``."""
    where: dict[int, tuple[str, ...]] = {
        id(cognito._pools): ("pools",),
        id(cognito._clients): ("_clients",),
        id(cognito._signers): ("signers",),
        id(cognito._sessions): ("sessions",),
        id(cognito._srp): ("srp",),
        id(cognito._refresh): ("refresh",),
        id(cognito._revoked_origins): ("revoked_origins",),
    }
    for pool_id, pool in cognito._pools.raw_items():
        for name in _POOL_TABLES:
            where[id(getattr(pool, name))] = (name, pool_id)
    return where


def record(where: tuple[str, ...], value: Any) -> Any:
    """One record as JSON-ready data: a pool without its users, groups and clients (each a
    record of its own), a signer's keys, or any other record as :func:`dump` writes it."""
    if where == ("pools",):
        return {
            f.name: _encode(getattr(value, f.name))
            for f in attrs.fields(_model.UserPool)
            if f.name not in _POOL_TABLES
        }
    if where == ("signers",):
        return _signer(value)
    return _encode(value)


def apply(cognito: Any, entry: dict[str, Any]) -> None:
    """Apply one journal entry: ``{"set": [where..., key], "value": ...}`` or
    ``{"delete": [where..., key]}``, ``{"settings": ...}``, ``{"message": ...}`` (one more
    in the outbox) or ``{"outbox": "cleared"}``."""
    if "settings" in entry:
        cognito.settings = _decode(entry["settings"])
        return
    if "message" in entry:
        cognito.outbox.append(_decode(entry["message"]))
        return
    if entry.get("outbox") == "cleared":
        cognito.outbox.clear()
        return
    deleting = "delete" in entry
    *where, key = entry["delete"] if deleting else entry["set"]
    name = where[0]
    if name == "pools":
        _apply_pool(cognito, key, None if deleting else entry["value"])
        return
    if name in _POOL_TABLES:
        table = getattr(cognito._pools[where[1]], name)
    else:
        table = getattr(cognito, f"_{name}")
    if deleting:
        table.pop(key, None)
        if name == "clients":
            cognito._clients.pop(key, None)
        return
    value = entry["value"]
    table[key] = _unsigner(value) if name == "signers" else _decode(value)
    if name == "clients":
        cognito._clients[key] = table[key]


def _apply_pool(cognito: Any, pool_id: str, fields: dict[str, Any] | None) -> None:
    old = cognito._pools.get(pool_id)
    if fields is None:
        if old is not None:
            for client_id in old.clients:
                cognito._clients.pop(client_id, None)
            del cognito._pools[pool_id]
        return
    members: dict[str, Any] = {
        str(f.alias): _decode(fields[f.name])
        for f in attrs.fields(_model.UserPool)
        if f.name in fields
    }
    if old is not None:
        members.update({name: getattr(old, name) for name in _POOL_TABLES})
    cognito._pools[pool_id] = _model.UserPool(**members)


def journal_path(path: str | os.PathLike[str]) -> Path:
    """The journal beside the state file ``path``."""
    return Path(f"{os.fspath(path)}{JOURNAL_SUFFIX}")


def write(cognito: Any, path: str | os.PathLike[str]) -> None:
    """Write the state as JSON, atomically (a crash never leaves half a file)."""
    text = json.dumps(dump(cognito), separators=(",", ":"))
    temporary = Path(f"{os.fspath(path)}.tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


def read(path: str | os.PathLike[str], cognito: Any) -> Any:
    """Read a state file :func:`write` wrote into the new service ``cognito``."""
    try:
        data = json.loads(Path(path).read_text())
    except (UnicodeDecodeError, ValueError):
        raise StateFileError("not a cognitoflow fake state file (not JSON)") from None
    load(data, cognito)
    journal = journal_path(path)
    if journal.exists():
        _replay(journal, cognito)
    return cognito


def _replay(journal: Path, cognito: Any) -> None:
    """Apply the journal's entries in order. A last line cut short (the process stopped
    while writing it) is left out, as the change it began was never answered."""
    lines = journal.read_bytes().split(b"\n")
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            if number == len(lines):
                return
            raise StateFileError(f"the state journal is damaged (line {number})") from None
        try:
            apply(cognito, entry)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise StateFileError(
                f"the state journal is damaged (line {number}: {type(error).__name__})"
            ) from None
