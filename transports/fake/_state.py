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

__all__ = ["STATE_FORMAT", "StateFileError", "dump", "load", "read", "write"]

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


def dump(cognito: Any) -> dict[str, Any]:
    """The service's state as JSON-ready data."""
    signers = {}
    for pool_id, signer in cognito._signers.items():
        state = signer.__getstate__()
        signers[pool_id] = {"issuer": state["issuer"], "keys": _encode(state["keys"])}
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
        cognito._pools = _decode(data["pools"])
        cognito._clients = {
            client_id: client
            for pool in cognito._pools.values()
            for client_id, client in pool.clients.items()
        }
        cognito._signers = {}
        for pool_id, state in data["signers"].items():
            signer = TokenSigner.__new__(TokenSigner)
            signer.__setstate__({"issuer": state["issuer"], "keys": _decode(state["keys"])})
            cognito._signers[pool_id] = signer
        cognito._sessions = _decode(data["sessions"])
        cognito._srp = _decode(data["srp"])
        cognito._refresh = _decode(data["refresh"])
        cognito._revoked_origins = dict(data["revoked_origins"])
        for message in _decode(data["outbox"]):
            cognito.outbox.append(message)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise StateFileError(f"the state file is damaged ({type(error).__name__})") from None
    return cognito


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
    return load(data, cognito)
