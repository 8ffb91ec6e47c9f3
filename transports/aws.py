"""Boto3Transport: the transport onto real Cognito, or any endpoint speaking its protocol."""

from __future__ import annotations

from typing import Any

import boto3
from botocore import UNSIGNED
from botocore.config import Config

from .base import ClientTransport

__all__ = ["Boto3Transport"]


class Boto3Transport(ClientTransport):
    """Talks to Cognito through a boto3 ``cognito-idp`` client, built once and reused.

    Every operation the engine uses is one Cognito serves without AWS credentials, so
    the client this transport builds sends unsigned requests and never looks for
    credentials. Throttling and transient errors are retried by botocore's standard
    retry mode.

    Args:
        region: the user pool's region (the part of its id before ``_``).
        endpoint_url: another endpoint, e.g. ``http://127.0.0.1:9229`` for
            ``cognitoflow fake-cognito serve``.
        profile: a named AWS profile (its region is used when ``region`` is not given).
        config: a botocore ``Config`` merged over the transport's defaults.
        client: a ``cognito-idp`` client you built; the other arguments must then be left out.
    """

    def __init__(
        self,
        region: str | None = None,
        *,
        endpoint_url: str | None = None,
        profile: str | None = None,
        config: Config | None = None,
        client: Any = None,
    ) -> None:
        if client is not None:
            if region or endpoint_url or profile or config:
                raise ValueError("Pass either client=, or the arguments to build one, not both.")
            super().__init__(client)
            return
        defaults = Config(
            signature_version=UNSIGNED,
            retries={"mode": "standard", "max_attempts": 4},
            connect_timeout=5,
            read_timeout=15,
        )
        session = boto3.session.Session(profile_name=profile)
        super().__init__(
            session.client(
                "cognito-idp",
                region_name=region or session.region_name or "us-east-1",
                endpoint_url=endpoint_url,
                config=defaults.merge(config) if config else defaults,
            )
        )

    def __repr__(self) -> str:
        return f"Boto3Transport(endpoint={self.client.meta.endpoint_url!r})"
