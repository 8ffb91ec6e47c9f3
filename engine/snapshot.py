"""Snapshots: a flow between two requests, as a versioned, JSON-safe record.

A web backend runs one step of a sign-in per HTTP request, maybe in another process
each time. :meth:`SignInFlow.snapshot` writes down everything the flow needs to go on
(its step, the login id as typed, Cognito's username, the session and when it was
issued, the challenge parameters, the flow type, the MFA types it may offer...), and
:meth:`SignInFlow.restore` checks that record field by field before it rebuilds the
flow, so a snapshot that is old, cut short or hand-made fails with
:class:`InvalidSnapshotError` naming the field, never later with a confusing error.

A snapshot holds a Cognito session (and at ``DONE`` the tokens): treat it as a secret.
Its repr shows no value, and :mod:`cognitoflow.engine.sealing` seals it for a cookie.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import attrs

from .errors import InvalidSnapshotError
from .machine import CHALLENGE_STATES
from .outputs import AuthTokens, CodeDeliveryDetails, DeviceSecrets, PendingAutoSignIn
from .steps import AUTH_FLOW_TYPES, FIRST_FACTORS, MFA_TYPES, FlowState

__all__ = ["SNAPSHOT_FORMAT", "SNAPSHOT_VERSION", "Snapshot", "session_expires_at"]

SNAPSHOT_FORMAT = "cognitoflow.snapshot"
"""The ``format`` member of every snapshot."""
SNAPSHOT_VERSION = 1
"""The version this library writes, and the only one it reads."""

_HINT = "Call sign_in again to start a new sign-in."


class Snapshot(dict[str, Any]):
    """A flow's snapshot: a plain ``dict`` of JSON types (``json.dumps`` takes it as is).

    Its repr names the version and the step only: a snapshot holds a Cognito session.
    """

    def __repr__(self) -> str:
        return f"Snapshot(version={self.get('version')!r}, step={self.get('step')!r}, ...)"

    __str__ = __repr__

    @property
    def step(self) -> str:
        """The step the flow was at."""
        return str(self.get("step", ""))


# -- field readers: each checks one field's JSON type and gives the Python value ----


def _fail(field: str, problem: str) -> InvalidSnapshotError:
    return InvalidSnapshotError(field, f"The snapshot's {field!r} {problem}.", _HINT)


def _text(field: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _fail(field, "must be a string")
    return value


def _optional_text(field: str, value: Any) -> str | None:
    return None if value is None else _text(field, value)


def _texts(field: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(field, "must be a list of strings")
    return tuple(value)


def _text_map(field: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise _fail(field, "must be an object of strings")
    return dict(value)


def _optional_time(field: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(field, "must be a number of seconds since the epoch")
    return float(value)


def _flag(field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _fail(field, "must be true or false")
    return value


def _positive(field: str, value: Any) -> float:
    number = _optional_time(field, value)
    if number is None or number <= 0:
        raise _fail(field, "must be a positive number of seconds")
    return number


def _record(cls: type[Any], field: str, value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _fail(field, "must be an object")
    names = {f.name: f for f in attrs.fields(cls)}
    unknown = sorted(set(value) - set(names))
    if unknown:
        raise _fail(field, f"has unknown members {unknown}")
    kwargs = {}
    for name, spec in names.items():
        member = value.get(name, spec.default)
        if member is attrs.NOTHING:
            raise _fail(field, f"lacks its member {name!r}")
        plain = member is None or (isinstance(member, str | int) and not isinstance(member, bool))
        if not plain:
            raise _fail(field, f"member {name!r} must be a string or a number")
        kwargs[name] = member
    return cls(**kwargs)


_CONTEXT_READERS: dict[str, Callable[[str, Any], Any]] = {
    "login_id": _text,
    "username": _text,
    "auth_flow_type": _text,
    "session": _optional_text,
    "session_issued_at": _optional_time,
    "challenge_name": _optional_text,
    "challenge_parameters": _text_map,
    "mfa_types": _texts,
    "missing_attributes": _texts,
    "available_challenges": _texts,
    "totp_secret": _optional_text,
    "password_mode": _optional_text,
    "code_delivery": partial(_record, CodeDeliveryDetails),
    "tokens": partial(_record, AuthTokens),
    "auto_sign_in": partial(_record, PendingAutoSignIn),
}
_ADDED_FIELDS: Mapping[str, Any] = {
    "auto_sign_in": None,
    "admin": False,
    "device": None,
    "device_name": None,
}
"""Fields added to version 1 since it was first written, with the value they take in a
snapshot written before them."""
_FLOW_READERS: dict[str, Callable[[str, Any], Any]] = {
    "user_pool_id": _text,
    "client_id": _text,
    "uses_client_secret": _flag,
    "session_validity": _positive,
    "admin": _flag,
    "device": partial(_record, DeviceSecrets),
    "device_name": _optional_text,
}
_HEADER = ("format", "version", "step")


def check_context_fields(context_type: type[Any]) -> None:
    """Fail at import when FlowContext gains a field the snapshot would not carry."""
    names = {f.name for f in attrs.fields(context_type)}
    if names != set(_CONTEXT_READERS):
        raise RuntimeError(f"snapshot fields out of date: {sorted(names ^ set(_CONTEXT_READERS))}")


# -- writing and reading -------------------------------------------------------------


def _json(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_json(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _json(v) for k, v in value.items()}
    if attrs.has(type(value)):
        return {f.name: _json(getattr(value, f.name)) for f in attrs.fields(type(value))}
    return value


def write(step: FlowState, flow_settings: Mapping[str, Any], context: Any) -> Snapshot:
    """The snapshot of a flow: header, flow settings, then every context field."""
    record = Snapshot(format=SNAPSHOT_FORMAT, version=SNAPSHOT_VERSION, step=step.value)
    record.update({name: _json(value) for name, value in flow_settings.items()})
    for name in _CONTEXT_READERS:
        record[name] = _json(getattr(context, name))
    return record


def read(record: Any) -> tuple[FlowState, dict[str, Any], dict[str, Any]]:
    """Check a snapshot; give its step, its flow settings and its context fields.

    Raises:
        InvalidSnapshotError: naming the first field at fault.
    """
    if not isinstance(record, Mapping):
        raise InvalidSnapshotError(
            "snapshot", "A snapshot must be a JSON object (a dict).", "Pass flow.snapshot()."
        )
    if record.get("format") != SNAPSHOT_FORMAT:
        raise _fail("format", f"must be {SNAPSHOT_FORMAT!r}: this is not a cognitoflow snapshot")
    version = record.get("version")
    if version != SNAPSHOT_VERSION or isinstance(version, bool):
        raise InvalidSnapshotError(
            "version",
            f"Snapshot version {version!r} is not supported; this library reads version "
            f"{SNAPSHOT_VERSION}.",
            "Restore it with the cognitoflow release that wrote it, or sign in again.",
        )
    readers = {**_FLOW_READERS, **_CONTEXT_READERS}
    record = {**_ADDED_FIELDS, **record}
    missing = [name for name in ("step", *readers) if name not in record]
    if missing:
        raise _fail(missing[0], "is missing")
    unknown = sorted(set(record) - set(readers) - set(_HEADER))
    if unknown:
        raise _fail(unknown[0], "is not a field of this snapshot version")
    try:
        step = FlowState(record["step"])
    except ValueError:
        raise _fail("step", "is not a known step") from None
    settings = {name: read_field(name, record[name]) for name, read_field in _FLOW_READERS.items()}
    context = {
        name: read_field(name, record[name]) for name, read_field in _CONTEXT_READERS.items()
    }
    # At the password step, a spent session is kept as none (the step then starts again).
    needs_session = CHALLENGE_STATES - {FlowState.CONFIRM_SIGN_IN_WITH_PASSWORD}
    if step in needs_session and not context["session"]:
        raise _fail("session", f"is required at the step {step.value}")
    if context["session"] and context["session_issued_at"] is None:
        raise _fail("session_issued_at", "is required with a session")
    if step is FlowState.DONE and context["tokens"] is None:
        raise _fail("tokens", "is required at the step DONE")
    _check_fits(step, context)
    return step, settings, context


_CHALLENGES: Mapping[FlowState, tuple[str, ...]] = {
    FlowState.CONFIRM_SIGN_IN_WITH_SMS_CODE: ("SMS_MFA", "SMS_OTP"),
    FlowState.CONFIRM_SIGN_IN_WITH_EMAIL_CODE: ("EMAIL_OTP",),
    FlowState.CONFIRM_SIGN_IN_WITH_TOTP_CODE: ("SOFTWARE_TOKEN_MFA",),
    FlowState.CONTINUE_SIGN_IN_WITH_MFA_SELECTION: ("SELECT_MFA_TYPE",),
    FlowState.CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION: ("MFA_SETUP",),
    FlowState.CONTINUE_SIGN_IN_WITH_TOTP_SETUP: ("MFA_SETUP",),
    FlowState.CONTINUE_SIGN_IN_WITH_EMAIL_SETUP: ("MFA_SETUP",),
    FlowState.CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION: ("SELECT_CHALLENGE", "WEB_AUTHN"),
    FlowState.CONFIRM_SIGN_IN_WITH_PASSWORD: ("SELECT_CHALLENGE", "WEB_AUTHN"),
    FlowState.CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE: ("CUSTOM_CHALLENGE",),
    FlowState.CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED: ("NEW_PASSWORD_REQUIRED",),
}
"""The Cognito challenge a flow holds at each step that waits on an answer."""


def _check_fits(step: FlowState, context: Mapping[str, Any]) -> None:
    """Every value from its known set, and the step fitting the context: a snapshot that
    was altered fails here, not later in a confusing way."""
    if context["auth_flow_type"] not in ("", *AUTH_FLOW_TYPES):
        raise _fail("auth_flow_type", "is not a flow type this library signs in with")
    if not set(context["mfa_types"]) <= set(MFA_TYPES):
        raise _fail("mfa_types", f"may hold only {', '.join(MFA_TYPES)}")
    if not set(context["available_challenges"]) <= set(FIRST_FACTORS):
        raise _fail("available_challenges", f"may hold only {', '.join(FIRST_FACTORS)}")
    if context["password_mode"] not in (None, "PASSWORD", "PASSWORD_SRP"):
        raise _fail("password_mode", "must be PASSWORD or PASSWORD_SRP")
    expected = _CHALLENGES.get(step)
    if expected is not None and context["challenge_name"] not in expected:
        raise _fail("challenge_name", f"does not fit the step {step.value}")
    needs = {
        FlowState.CONTINUE_SIGN_IN_WITH_MFA_SELECTION: "mfa_types",
        FlowState.CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION: "mfa_types",
        FlowState.CONTINUE_SIGN_IN_WITH_TOTP_SETUP: "totp_secret",
        FlowState.CONFIRM_SIGN_IN_WITH_PASSWORD: "password_mode",
    }.get(step)
    if needs and not context[needs]:
        raise _fail(needs, f"is required at the step {step.value}")
    if (
        step is FlowState.CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION
        and "SMS" in context["mfa_types"]
    ):
        raise _fail("mfa_types", "can offer only TOTP and EMAIL to set up")
    if step is not FlowState.DONE and context["tokens"] is not None:
        raise _fail("tokens", "are held only at the step DONE")
    pending = context["auto_sign_in"]
    if pending is not None:
        if step not in (FlowState.SIGNED_OUT, FlowState.CONFIRM_SIGN_UP):
            raise _fail("auto_sign_in", "is held only while signed out or confirming a sign-up")
        if pending.auth_flow_type not in AUTH_FLOW_TYPES:
            raise _fail("auto_sign_in", "names a flow type this library does not sign in with")


def session_expires_at(record: Mapping[str, Any]) -> float | None:
    """When the snapshot's Cognito session expires (epoch seconds), or None without one."""
    issued, validity = record.get("session_issued_at"), record.get("session_validity")
    if not record.get("session") or issued is None or validity is None:
        return None
    return float(issued) + float(validity)
