"""cognitoflow: Amplify's multi-step Cognito sign-in for Python, as an explicit state machine.

- :mod:`cognitoflow.engine`: the flows (``SignInFlow``, ``AsyncSignInFlow``), their steps,
  outputs, errors, snapshots and stores.
- :mod:`cognitoflow.transports`: how a flow reaches Cognito, and the fake user pool.
- :mod:`cognitoflow.testing`: testing your own app against the fake.
- :mod:`cognitoflow.diagrams`: the machine drawn from the code.

``cognitoflow.__version__`` is the installed version, read from the package's metadata
when first asked for (reading metadata is not worth its import time otherwise).
"""

from __future__ import annotations

from typing import Any

__all__ = ["__version__"]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version

        return version("cognitoflow")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
