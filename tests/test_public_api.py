"""The public names: fixed by the issue, exported, and listed in sorted __all__."""

from __future__ import annotations

import importlib

import pytest

MODULES = ["cognitoflow.engine", "cognitoflow.transports", "cognitoflow.transports.fake"]


@pytest.mark.parametrize("name", MODULES)
def test_all_is_sorted_and_complete(name: str) -> None:
    """__all__ is sorted, and names every public attribute defined for users."""
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported == sorted(exported)
    for item in exported:
        assert hasattr(module, item), item


def test_fixed_names_exist() -> None:
    """The names the issue fixes are importable where it says."""
    from cognitoflow.engine import SignInFlow, SignInOutput, SignInStep  # noqa: F401
    from cognitoflow.transports.fake import FakeCognito, FakeTransport

    cognito = FakeCognito()
    assert hasattr(cognito, "outbox")
    assert FakeTransport(cognito).cognito is cognito
