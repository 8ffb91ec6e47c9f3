"""The library's log: the standard ``logging`` logger ``cognitoflow``, silent by default.

As the convention for libraries asks, cognitoflow only emits records and never decides
where they go: the ``cognitoflow`` logger has a ``NullHandler``, so nothing is printed
unless the application configures logging. Transitions and restores are at DEBUG, a
refused concurrent step at INFO, a step that outlived its store lock at WARNING::

    logging.getLogger("cognitoflow").setLevel(logging.DEBUG)   # with a handler of yours

Events are written with structlog, but through a logger of the library's own, so an
application's structlog configuration neither changes nor is changed by it. Each record's
message is ``<event> key=value ...``; the event and its fields are also on the record as
``cognitoflow_event`` and ``cognitoflow_fields`` (a dict) for structured handlers. No
field ever holds a password, code, session, token or secret.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any

import structlog

__all__ = ["LOGGER", "log"]

LOGGER = logging.getLogger("cognitoflow")
LOGGER.addHandler(logging.NullHandler())


def _to_record(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> tuple[tuple[str], dict[str, Any]]:
    """The event as a ``logging`` call: a readable message, and the fields as extras."""
    event = str(event_dict.pop("event"))
    fields = dict(event_dict)
    message = " ".join([event, *(f"{key}={value}" for key, value in fields.items())])
    return (message,), {"extra": {"cognitoflow_event": event, "cognitoflow_fields": fields}}


log: structlog.stdlib.BoundLogger = structlog.wrap_logger(
    LOGGER,
    processors=[structlog.stdlib.filter_by_level, _to_record],
    wrapper_class=structlog.stdlib.BoundLogger,
)
"""The logger every module of the library writes to."""
