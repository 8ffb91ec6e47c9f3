"""Requests checked as Cognito checks them, against Cognito's own API description.

botocore ships the cognito-idp service model; every request to the fake is validated
against its operation's input shape before the fake looks at it, in process and on the
wire alike:

- a member of the wrong type is ``SerializationException`` naming the member;
- a missing required member, or one too short or out of range, is
  ``InvalidParameterException`` in Cognito's "1 validation error detected" form;
- a member the model does not know is ignored, as AWS's JSON services ignore it;
- a member the model knows but the fake does not model is ``InvalidParameterException``
  naming it, so a set-up script learns at once what the fake cannot do.

Messages never quote the value given (it may be a password or a code).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from ._support import ServiceFault

__all__ = ["check_request", "model_operations"]


@functools.cache
def _model() -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model("cognito-idp")


def model_operations() -> list[str]:
    """Every operation of Cognito's user-pool API, by name."""
    return list(_model().operation_names)


@functools.cache
def _input(operation: str) -> Any:
    return _model().operation_model(operation).input_shape


@functools.cache
def _accepted(method: Callable[..., Any]) -> frozenset[str] | None:
    """The members ``method`` takes (None: any, it passes them on with ``**``)."""
    parameters = inspect.signature(method).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return None
    return frozenset(p.name for p in parameters) - {"self"}


def _plain(value: Any) -> Any:
    """``value`` for validation: a trigger given as a Python callable counts as its name."""
    if callable(value):
        return "python:callable-trigger-function"  # as long as an ARN may be
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _constraint(member: str, rule: str) -> ServiceFault:
    return ServiceFault(
        "InvalidParameterException",
        f"1 validation error detected: Value at '{member}' failed to satisfy constraint: {rule}",
    )


def _fault(kind: str, path: str, details: Mapping[str, Any]) -> ServiceFault:
    member = path.lstrip(".") or "(request)"
    if kind == "missing required field":
        member = (
            f"{member}.{details['required_name']}".lstrip(".") if path else details["required_name"]
        )
        return ServiceFault(
            "InvalidParameterException",
            f"1 validation error detected: Value null at '{member}' failed to satisfy "
            "constraint: Member must not be null",
        )
    if kind == "invalid length":
        return _constraint(
            member, f"Member must have length greater than or equal to {details['min_allowed']}"
        )
    if kind == "invalid range":
        return _constraint(
            member, f"Member must have value greater than or equal to {details['min_allowed']}"
        )
    if kind == "invalid type":
        wanted = ", ".join(
            str(t).removeprefix("<class '").removesuffix("'>") for t in details["valid_types"]
        )
        return ServiceFault(
            "SerializationException", f"The member {member} must be of type {wanted}."
        )
    return ServiceFault("SerializationException", f"The member {member} cannot be read ({kind}).")


def check_request(
    operation: str, method: Callable[..., Any], params: Mapping[str, Any]
) -> dict[str, Any]:
    """The members of ``params`` the fake takes, once checked against Cognito's model.

    Raises:
        ServiceFault: the request is not one Cognito would take, or asks for something
            the fake does not model.
    """
    from botocore.validate import ParamValidator

    shape = _input(operation)
    known = set(shape.members) if shape is not None else set()
    given = {name: value for name, value in params.items() if name in known}
    if shape is not None:
        report = ParamValidator().validate(_plain(given), shape)
        if report.has_errors():
            errors = getattr(report, "_errors", None) or [("unreadable", "", {})]
            kind, path, details = errors[0]
            raise _fault(kind, path, details)
    accepted = _accepted(method)
    unmodelled = sorted(set(given) - accepted) if accepted is not None else []
    if unmodelled:
        raise ServiceFault(
            "InvalidParameterException",
            f"{operation}: the fake user pool does not model the member {unmodelled[0]}; "
            "leave it out.",
        )
    return given
