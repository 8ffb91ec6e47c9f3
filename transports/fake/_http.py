"""The fake user pool on the wire: Cognito's JSON 1.1 protocol as a WSGI application.

``POST /`` with ``X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>`` and a
JSON body calls the :class:`FakeCognito` operation of that name; errors come back as
Cognito sends them (HTTP 400, ``{"__type": ..., "message": ...}``, ``x-amzn-ErrorType``).
So boto3 (``endpoint_url``) and Amplify JS (``userPoolEndpoint``) can both use it.

Also served:

- ``GET /<user pool id>/.well-known/jwks.json``: the pool's signing keys.
- ``GET /_fake/outbox[?username=...&purpose=...]``: **test only, not Cognito** — the
  codes the pool has "sent", as ``{"Messages": [...]}``; ``DELETE`` empties it.
- ``POST /_fake/reset``: **test only** — back to the seed the server started from (or to
  no pools at all), for test suites in any language.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from botocore.exceptions import ClientError
from werkzeug.wrappers import Request, Response

from ._core import addressed_to
from ._journal import StateJournal, journaled
from ._service import FakeCognito

__all__ = ["FakeCognitoApp"]

TARGET_PREFIX = "AWSCognitoIdentityProviderService."
JSON_TYPE = "application/x-amz-json-1.1"
_JWKS = re.compile(r"^/(?P<pool>[\w-]+_[0-9a-zA-Z]+)/\.well-known/jwks\.json$")
_CORS = {
    "Access-Control-Allow-Methods": "POST, GET, OPTIONS, DELETE",
    "Access-Control-Allow-Headers": (
        "content-type, x-amz-target, x-amz-user-agent, x-amz-date, x-amz-security-token, "
        "authorization, cache-control, amz-sdk-invocation-id, amz-sdk-request"
    ),
    "Access-Control-Expose-Headers": "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date",
    "Access-Control-Max-Age": "600",
}

_log = logging.getLogger("cognitoflow.fake")


class FakeCognitoApp:
    """A WSGI application that serves a :class:`FakeCognito`.

    Args:
        cognito: the pool service to serve.
        journal: where the service's state is kept as it changes (``serve --state``);
            ``POST /_fake/reset`` hands it the new service.
    """

    def __init__(
        self,
        cognito: FakeCognito,
        *,
        journal: StateJournal | None = None,
        reset: Callable[[], FakeCognito] = FakeCognito,
    ) -> None:
        self.cognito = cognito
        self.journal = journal
        self._reset = reset
        self._lock = threading.Lock()
        self._operations = {
            member.cognito_operation: name
            for name in dir(FakeCognito)
            if hasattr(member := getattr(FakeCognito, name), "cognito_operation")
        }

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = Request(environ)
        response = self._handle(request)
        origin = request.headers.get("Origin")
        response.headers["Access-Control-Allow-Origin"] = origin or "*"
        for key, value in _CORS.items():
            response.headers[key] = value
        response.headers["x-amzn-RequestId"] = str(uuid.uuid4())
        return response(environ, start_response)

    @property
    def operations(self) -> list[str]:
        """The Cognito operations served."""
        return sorted(self._operations)

    def _handle(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status=200)
        if request.method == "GET":
            match = _JWKS.match(request.path)
            if match:
                return self._jwks(match["pool"])
            if request.path == "/_fake/outbox":
                return self._outbox(request)
            return _error("ResourceNotFoundException", f"Nothing is served at {request.path}.")
        if request.method == "POST" and request.path == "/_fake/reset":
            with self._lock:
                self.cognito = self._reset()
                if self.journal is not None:
                    self.journal.attach(self.cognito)
            return _json({})
        if request.method == "DELETE" and request.path == "/_fake/outbox":
            with self._lock, self.cognito._lock, journaled(self.cognito):
                self.cognito.outbox.clear()
            return _json({})
        if request.method != "POST":
            return _error("UnknownOperationException", "Cognito takes POST requests.")
        return self._operation(request)

    def _operation(self, request: Request) -> Response:
        target = request.headers.get("X-Amz-Target", "")
        operation = target.removeprefix(TARGET_PREFIX)
        method = self._operations.get(operation) if target.startswith(TARGET_PREFIX) else None
        if method is None:
            return _error("UnknownOperationException", f"Unknown operation {operation or target}")
        try:
            body = json.loads(request.get_data() or b"{}")
        except ValueError:
            return _error("SerializationException", "The request body is not valid JSON.")
        if not isinstance(body, dict):
            return _error("SerializationException", "The request body must be a JSON object.")
        try:
            with self._lock, addressed_to(_signed_region(request)):
                result = getattr(self.cognito, method)(**body)
        except ClientError as error:
            details = error.response["Error"]
            return _error(str(details["Code"]), str(details["Message"]))
        except Exception:  # a defect of the fake: Cognito's answer to its own failures
            _log.exception("cognitoflow.fake_operation_failed", extra={"operation": operation})
            return _error("InternalErrorException", f"{operation} failed inside the fake.")
        return _json(result)

    def _jwks(self, pool_id: str) -> Response:
        try:
            # The keys may be new: recorded, they are kept across restarts.
            with self._lock, self.cognito._lock, journaled(self.cognito):
                keys = self.cognito.jwks(pool_id)
        except ClientError as error:
            return _error("ResourceNotFoundException", str(error.response["Error"]["Message"]))
        return Response(json.dumps(keys), status=200, content_type="application/json")

    def _outbox(self, request: Request) -> Response:
        username = request.args.get("username")
        purpose = request.args.get("purpose")
        messages = [
            {
                "UserPoolId": m.user_pool_id,
                "Username": m.username,
                "DeliveryMedium": m.medium,
                "Destination": m.destination,
                "Purpose": m.purpose,
                "Code": m.code,
                "SentAt": m.sent_at,
            }
            for m in self.cognito.outbox
            if (username is None or username in (m.username, m.destination))
            and (purpose is None or purpose == m.purpose)
        ]
        return _json({"Messages": messages})


_CREDENTIAL = re.compile(r"Credential=[^/]+/\d{8}/([a-z0-9-]+)/cognito-idp/")


def _signed_region(request: Request) -> str | None:
    """The region a signed request was addressed to (SigV4's credential scope)."""
    found = _CREDENTIAL.search(request.headers.get("Authorization", ""))
    return found[1] if found else None


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type=JSON_TYPE)


def _error(code: str, message: str) -> Response:
    status = 500 if code == "InternalErrorException" else 400
    response = _json({"__type": code, "message": message}, status)
    response.headers["x-amzn-ErrorType"] = f"{code}:"
    # Headers are Latin-1: a message quoting a non-Latin-1 name is escaped there (the body
    # keeps it as it is), or the reply would never be sent.
    response.headers["x-amzn-ErrorMessage"] = message.encode("ascii", "backslashreplace").decode()
    return response
