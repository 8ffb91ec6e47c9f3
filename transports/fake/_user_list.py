"""ListUsers, with Cognito's filter: ``attribute = "value"`` (exact) or ``^=`` (prefix).

The attributes Cognito filters on: ``username``, ``email``, ``phone_number``, ``name``,
``given_name``, ``family_name``, ``preferred_username``, ``cognito:user_status``,
``status`` (``Enabled``/``Disabled``) and ``sub``. A filter on any other attribute, or
one that does not parse, is ``InvalidParameterException``, as in Cognito.
"""

from __future__ import annotations

import re
from typing import Any

from ._core import ServiceCore, attr_list, fail, operation
from ._model import User
from ._support import PAGE_SIZE, paginate

__all__ = ["UserList"]

FILTERABLE = (
    "username",
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "cognito:user_status",
    "status",
    "sub",
)
_FILTER = re.compile(r'^\s*([\w:]+)\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$')


class UserList(ServiceCore):
    """ListUsers."""

    @operation("ListUsers")
    def list_users(
        self,
        *,
        UserPoolId: str,
        AttributesToGet: list[str] | None = None,
        Limit: int | None = None,
        PaginationToken: str | None = None,
        Filter: str | None = None,
    ) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        if Limit is not None and not 0 <= Limit <= PAGE_SIZE:
            raise fail("InvalidParameterException", "Limit must be between 0 and 60.")
        matches = _matcher(Filter)
        users = [u for u in sorted(pool.users.values(), key=lambda u: u.created) if matches(u)]
        chosen, token = paginate(users, Limit or PAGE_SIZE, PaginationToken)
        page = []
        for user in chosen:
            shown = self._user_type(user)
            if AttributesToGet is not None:
                kept = {k: v for k, v in user.attributes.items() if k in AttributesToGet}
                shown["Attributes"] = attr_list(kept)
            page.append(shown)
        out: dict[str, Any] = {"Users": page}
        if token:
            out["PaginationToken"] = token
        return out


def _matcher(expression: str | None) -> Any:
    """A predicate on users for Cognito's ``Filter`` (None or empty: every user)."""
    if not expression:
        return lambda user: True
    found = _FILTER.match(expression)
    if not found:
        raise fail("InvalidParameterException", "Error while parsing filter.")
    name, operator, wanted = found[1], found[2], found[3].replace('\\"', '"')
    if name not in FILTERABLE:
        raise fail("InvalidParameterException", f"Invalid search attribute: {name}")

    def value(user: User) -> str:
        if name == "username":
            return user.username
        if name == "cognito:user_status":
            return user.status
        if name == "status":
            return "Enabled" if user.enabled else "Disabled"
        if name == "sub":
            return user.sub
        return user.attributes.get(name, "")

    if operator == "^=":
        return lambda user: value(user).startswith(wanted)
    return lambda user: value(user) == wanted
