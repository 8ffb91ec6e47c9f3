"""A pool's attribute schema: the standard attributes, and custom ones (``custom:`` names)
declared in ``Schema`` at CreateUserPool or added by AddCustomAttributes (in
:mod:`._pool_admin`).

Every attribute a request writes is checked against it, as Cognito checks it: an
attribute the schema lacks is ``Attribute does not exist in the schema.``; a custom
String's length and a Number's range and form follow its constraints; an immutable
custom attribute is written only when the user is created.
"""

from __future__ import annotations

from typing import Any

from ._model import STANDARD_ATTRIBUTES, UserPool
from ._support import ServiceFault

__all__ = ["check_attributes", "custom_attributes"]

_TYPES = ("String", "Number", "DateTime", "Boolean")


def custom_attributes(schema: list[dict[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """The custom attributes of a ``Schema`` list, by their ``custom:`` name."""
    found: dict[str, dict[str, Any]] = {}
    for entry in schema or []:
        name = str(entry.get("Name", ""))
        if name in STANDARD_ATTRIBUTES:
            continue
        data_type = entry.get("AttributeDataType", "String")
        if not name or data_type not in _TYPES:
            raise ServiceFault(
                "InvalidParameterException",
                f"Invalid schema attribute {name or '(no name)'}: a name and one of "
                f"{', '.join(_TYPES)} are required.",
            )
        if entry.get("Required"):
            raise ServiceFault(
                "InvalidParameterException", f"Custom attribute {name} cannot be required."
            )
        found[f"custom:{name.removeprefix('custom:')}"] = dict(entry, AttributeDataType=data_type)
    return found


def check_attributes(pool: UserPool, attributes: dict[str, str], *, creating: bool) -> None:
    """Refuse what the pool's schema does not allow (``creating``: the user is new)."""
    for name, value in attributes.items():
        if name in STANDARD_ATTRIBUTES:
            continue
        entry = pool.custom_attributes.get(name)
        if entry is None:
            raise ServiceFault(
                "InvalidParameterException",
                f"Attributes did not conform to the schema: {name}: Attribute does not exist "
                "in the schema.",
            )
        if not creating and entry.get("Mutable") is False:
            raise ServiceFault(
                "NotAuthorizedException", f"Cannot modify an immutable attribute {name}"
            )
        _check_value(name, entry, value)


def _check_value(name: str, entry: dict[str, Any], value: str) -> None:
    if entry["AttributeDataType"] == "Number":
        bounds = entry.get("NumberAttributeConstraints") or {}
        try:
            number = float(value)
        except ValueError:
            raise ServiceFault(
                "InvalidParameterException", f"{name}: Number must be a number."
            ) from None
        low, high = bounds.get("MinValue"), bounds.get("MaxValue")
        if (low is not None and number < float(low)) or (high is not None and number > float(high)):
            raise ServiceFault("InvalidParameterException", f"{name}: Number is out of range.")
        return
    bounds = entry.get("StringAttributeConstraints") or {}
    low, high = int(bounds.get("MinLength", 0)), int(bounds.get("MaxLength", 2048))
    if not low <= len(value) <= high:
        raise ServiceFault(
            "InvalidParameterException",
            f"{name}: String must be between {low} and {high} characters long.",
        )
