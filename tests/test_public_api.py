"""The public names: fixed by the issue, exported, and listed in sorted __all__."""

from __future__ import annotations

import importlib

import pytest

MODULES = ["cognitoflow.engine", "cognitoflow.transports", "cognitoflow.transports.fake"]


@pytest.mark.parametrize("name", MODULES)
def test_all_is_complete(name: str) -> None:
    """__all__ names only what exists, and every public class the module defines or re-exports.

    (Its order is ruff's RUF022 sort, checked by the lint test.)
    """
    module = importlib.import_module(name)
    exported = set(module.__all__)
    for item in exported:
        assert hasattr(module, item), item
    public = {
        attr
        for attr, value in vars(module).items()
        if isinstance(value, type) and not attr.startswith("_")
    }
    assert public <= exported, public - exported


def test_fixed_names_exist() -> None:
    """The names the issue fixes are importable where it says."""
    from cognitoflow.engine import SignInFlow, SignInOutput, SignInStep  # noqa: F401
    from cognitoflow.transports.fake import FakeCognito, FakeTransport

    cognito = FakeCognito()
    assert hasattr(cognito, "outbox")
    assert FakeTransport(cognito).cognito is cognito
