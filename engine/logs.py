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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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


class _Log:
    """structlog's logger, made on the first record the application asks for.

    A level the ``cognitoflow`` logger would drop is dropped here, before structlog is even
    imported: a library whose logs nobody reads neither imports structlog (and, where it is
    installed, rich) nor formats anything.
    """

    _bound: structlog.stdlib.BoundLogger | None = None

    def _emit(self, level: int, method: str, event: str, fields: dict[str, Any]) -> None:
        if not LOGGER.isEnabledFor(level):
            return
        if self._bound is None:
            import structlog

            self._bound = structlog.wrap_logger(
                LOGGER,
                processors=[structlog.stdlib.filter_by_level, _to_record],
                wrapper_class=structlog.stdlib.BoundLogger,
            )
        getattr(self._bound, method)(event, **fields)

    def debug(self, event: str, **fields: Any) -> None:
        self._emit(logging.DEBUG, "debug", event, fields)

    def info(self, event: str, **fields: Any) -> None:
        self._emit(logging.INFO, "info", event, fields)

    def warning(self, event: str, **fields: Any) -> None:
        self._emit(logging.WARNING, "warning", event, fields)

    def exception(self, event: str, **fields: Any) -> None:
        self._emit(logging.ERROR, "exception", event, fields)


log = _Log()
"""The logger every module of the library writes to."""
