"""Boto3Transport: the transport onto real Cognito, or any endpoint speaking its protocol."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config

from .base import ClientTransport, TransportCredentialsError, TransportError
from .retries import (
    REPEATABLE_OPERATIONS,
    SIGNED_OPERATIONS,
    checked_attempts,
    client_config,
    pause_before,
    worth_another_try,
)

__all__ = ["REPEATABLE_OPERATIONS", "SIGNED_OPERATIONS", "Boto3Transport"]


class Boto3Transport(ClientTransport):
    """Talks to Cognito through a boto3 ``cognito-idp`` client, built once and reused.

    Every operation of a sign-in is one Cognito serves without AWS credentials, so the
    client this transport builds sends them unsigned and never looks for credentials.
    Server-side sign-in (``SignInFlow(admin=True)``) calls AdminInitiateAuth and
    AdminRespondToAuthChallenge, which must be signed: those go through a second client,
    made on first use, with the credentials boto3 finds (environment, ``profile``, an
    IAM role). None found raises
    :class:`~cognitoflow.transports.base.TransportCredentialsError` before anything is
    sent.

    Retries are the transport's, not botocore's (whose standard mode re-sends a request
    after a read timeout, and so would answer a challenge twice): a request that never
    reached Cognito (connection refused, connect timeout) and a throttled one are tried
    again for every operation; one that may have arrived (read timeout, dropped
    connection, a 5xx answer) only for :data:`REPEATABLE_OPERATIONS`. Otherwise it
    raises :class:`~cognitoflow.transports.base.TransportOutcomeUnknownError`, and the
    engine says what is safe to do next.

    Args:
        region: the user pool's region (the part of its id before ``_``).
        endpoint_url: another endpoint, e.g. ``http://127.0.0.1:9229`` for
            ``cognitoflow fake-cognito serve``.
        profile: a named AWS profile (its region is used when ``region`` is not given).
        config: a botocore ``Config`` merged over the transport's defaults (its retry
            settings are replaced: see ``max_attempts``).
        client: a ``cognito-idp`` client you built; the other arguments must then be left
            out. Build it with ``retries={"max_attempts": 1}``, or botocore may re-send.
            It sends every call, so it must be signed for server-side sign-in.
        max_attempts: tries per call, the first included (at least 1).
        sleep: waits between tries (``time.sleep``; tests pass their own).
    """

    def __init__(
        self,
        region: str | None = None,
        *,
        endpoint_url: str | None = None,
        profile: str | None = None,
        config: Config | None = None,
        client: Any = None,
        max_attempts: int = 4,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.max_attempts = checked_attempts(
            max_attempts, client, region, endpoint_url, profile, config
        )
        self._sleep = sleep
        self._signed: Any = None
        self._make_signed: Callable[[], Any] | None = None
        if client is not None:
            super().__init__(client)
            self._signed = client
            return
        shared = _session(profile)
        region_name = region or shared.region_name or "us-east-1"

        def make(signed: bool) -> Any:
            # Unsigned clients come from the process's shared session (no credentials are
            # looked up); a signed one from a session of its own, so credentials set after
            # an earlier failure are found.
            session = boto3.session.Session(profile_name=profile) if signed else shared
            settings = client_config(config, signed=signed)
            with _sessions_lock:  # a boto3 session makes one client at a time
                return session.client(
                    "cognito-idp",
                    region_name=region_name,
                    endpoint_url=endpoint_url,
                    config=settings,
                )

        super().__init__(make(signed=False))
        self._make_signed = lambda: make(signed=True)

    def __repr__(self) -> str:
        return f"Boto3Transport(endpoint={self.client.meta.endpoint_url!r})"

    def _client_for(self, operation: str) -> Any:
        if operation not in SIGNED_OPERATIONS:
            return self.client
        if self._signed is None:
            assert self._make_signed is not None
            self._signed = self._make_signed()
        return self._signed

    def _call(self, operation: str, method: str, request: Any) -> Any:
        attempt = 1
        while True:
            try:
                return super()._call(operation, method, request)
            except TransportCredentialsError:
                if self._make_signed is not None:
                    self._signed = None  # look for credentials again on the next call
                raise
            except TransportError as error:
                if attempt >= self.max_attempts or not worth_another_try(operation, error):
                    raise
            self._sleep(pause_before(attempt))
            attempt += 1


_sessions: dict[str | None, boto3.session.Session] = {}
_sessions_lock = threading.Lock()


def _session(profile: str | None) -> boto3.session.Session:
    """One boto3 session per profile for the process: making a session loads botocore's
    service data again (about 0.1 s), and a client from an existing one is far cheaper."""
    with _sessions_lock:
        session = _sessions.get(profile)
        if session is None:
            session = _sessions[profile] = boto3.session.Session(profile_name=profile)
        return session
