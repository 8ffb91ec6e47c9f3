"""FakeCognito: a Cognito user-pool service in memory, shaped like boto3's cognito-idp client.

Each public method is a Cognito operation: the same name as boto3's method, the same
keyword arguments, the same reply dict, and on failure a botocore ``ClientError``
subclass carrying Cognito's error code and message (``cognito.exceptions.<Code>``).
Where Cognito's behaviour is undocumented, the choice is a :class:`FakeSettings` field.

The operations live in one module per family, each a class over the shared core
(:mod:`._core`); this class joins them:

=================  ==============================================================
``_pools``         user pools, app clients, MFA configuration, the JWKS
``_users``         ``Admin*`` user management, ``GetUser``
``_sign_up``       ``SignUp``, ``ConfirmSignUp``, ``ResendConfirmationCode``
``_reset``         ``ForgotPassword``, ``ConfirmForgotPassword``
``_mfa_settings``  authenticator apps and MFA preferences
``_auth``          ``InitiateAuth``, ``RespondToAuthChallenge``, which hand each flow to
                   ``_password_auth`` (password, SRP), ``_user_auth`` (choice-based,
                   passwordless), ``_custom_auth`` (triggers), ``_mfa`` (MFA and new
                   password challenges) and ``_issuing`` (tokens, refresh)
``_webauthn``      passkey registration and the passkeys' relying party
``_token_ops``     refresh, revocation, global sign-out
=================  ==============================================================
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from . import _state
from ._auth import Authentication
from ._devices import DeviceOperations
from ._groups import Groups
from ._mfa_settings import MfaSettings
from ._model import FakeSettings
from ._pool_admin import PoolAdministration
from ._requests import model_operations
from ._reset import PasswordReset
from ._self_service import SelfService
from ._sign_up import SignUp
from ._support import Clock, ServiceFault, client_error, exception_class
from ._token_ops import TokenOperations
from ._user_list import UserList
from ._users import Users

__all__ = ["FakeCognito"]


class _Exceptions:
    """``cognito.exceptions.NotAuthorizedException`` and friends, as on a boto3 client."""

    def __getattr__(self, code: str) -> type[Exception]:
        if code.startswith("_"):
            raise AttributeError(code)
        if code == "ClientError":
            from botocore.exceptions import ClientError

            return ClientError  # type: ignore[no-any-return]
        return exception_class(code)


class FakeCognito(
    PoolAdministration,
    Users,
    SignUp,
    PasswordReset,
    MfaSettings,
    Authentication,
    TokenOperations,
    DeviceOperations,
    Groups,
    UserList,
    SelfService,
):
    """A Cognito user-pool service in memory.

    Args:
        clock: the time source (epoch seconds); a ``ManualClock`` lets tests expire sessions.
        settings: the fake's choices where Cognito's behaviour is undocumented.

    Attributes:
        outbox: every code the pool "sent" (SMS or email), for tests and the CLI to read.
        exceptions: the error classes, as ``client.exceptions`` on a boto3 client.
    """

    def __init__(self, *, clock: Clock | None = None, settings: FakeSettings | None = None) -> None:
        super().__init__(clock=clock, settings=settings)
        self.exceptions = _Exceptions()

    def __repr__(self) -> str:
        return f"FakeCognito({len(self._pools)} pools)"

    def __getattr__(self, name: str) -> Any:
        """An operation of Cognito's API the fake does not serve: calling it is Cognito's
        ``UnknownOperationException``, by name (not an AttributeError)."""
        operation = _unserved().get(name)
        if operation is None:
            raise AttributeError(name)

        def unserved(**_: Any) -> Any:
            raise client_error(
                ServiceFault(
                    "UnknownOperationException",
                    f"The fake user pool does not serve {operation}.",
                ),
                operation,
            )

        return unserved

    # == persistence ================================================================

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the whole service (pools, users, keys, sessions, outbox) to a file: versioned
        JSON, written atomically (see :mod:`._state`). A journal beside it (``serve
        --state``) is removed, as the file now holds everything.

        Raises:
            ValueError: a custom-auth trigger was given as a Python callable (name a
                ready-made trigger instead).
        """
        with self._lock:
            journal = self._journal
            if journal is not None and journal.path.resolve() == Path(path).resolve():
                journal.compact()  # the file this service is kept in: made whole at once
                return
            _state.write(self, path)
            _state.journal_path(path).unlink(missing_ok=True)  # the file says it all now

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> FakeCognito:
        """Read a service :meth:`save` wrote, with the changes in the journal beside it
        (``PATH.journal``) when ``serve --state PATH`` kept it.

        Raises:
            StateFileError: the file is not one this release wrote (another format or
                version, or damaged).
            OSError: the file cannot be read.
        """
        return _state.read(path, cls())  # type: ignore[no-any-return]


@functools.cache
def _unserved() -> dict[str, str]:
    """The operations of Cognito's model the fake does not serve, by method name."""
    from botocore import xform_name

    served = {
        member.cognito_operation
        for name in dir(FakeCognito)
        if hasattr(member := getattr(FakeCognito, name), "cognito_operation")
    }
    return {xform_name(op): op for op in model_operations() if op not in served}
