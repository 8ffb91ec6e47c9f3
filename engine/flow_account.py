"""The account methods of :class:`~cognitoflow.engine.SignInFlow`: sign-up and its
auto sign-in, password reset, passkey registration.

Their decisions are in :mod:`.account` (and :mod:`.sign_in` for the auto sign-in); this
class only runs them on the flow.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cognitoflow.transports.sensitive import conceal

from . import account
from . import sign_in as signing_in
from .driver import FlowDriver
from .outputs import CodeDeliveryDetails, ResetPasswordOutput, SignInOutput, SignUpOutput

__all__ = ["AccountMethods"]


class AccountMethods(FlowDriver):
    """Sign-up, auto sign-in, password reset and passkey registration."""

    def register_passkey(self, create_credential: Callable[[dict[str, Any]], Any]) -> None:
        """Register a passkey for the signed-in user (Start/CompleteWebAuthnRegistration).

        ``create_credential`` gets Cognito's ``CredentialCreationOptions`` and returns the
        RegistrationResponseJSON document (in a browser, ``navigator.credentials.create``;
        in tests, ``SoftwareAuthenticator().create``).
        """
        return self._run(account.register_passkey(self.tokens, create_credential))

    # == sign-up and password reset ==================================================

    def sign_up(
        self,
        username: str,
        password: str,
        *,
        user_attributes: Mapping[str, str] | None = None,
        client_metadata: Mapping[str, str] | None = None,
        auto_sign_in: bool | str = False,
    ) -> SignUpOutput:
        """Register a user; the next step is usually ``CONFIRM_SIGN_UP`` with a code sent.

        ``auto_sign_in``: ``confirm_sign_up`` then answers ``COMPLETE_AUTO_SIGN_IN``, and
        :meth:`auto_sign_in` signs in: with the password (kept concealed, and in the
        snapshot) for ``True`` (SRP) or a flow type, or with ConfirmSignUp's session for
        ``"USER_AUTH"`` (the code is the first factor; no password kept).
        """
        password = conceal(password)
        return self._run(
            account.sign_up(
                self._client,
                self.state,
                username,
                password,
                user_attributes,
                client_metadata,
                auto_sign_in,
            )
        )

    def auto_sign_in(self) -> SignInOutput:
        """Sign in the user whose sign-up was just confirmed (``COMPLETE_AUTO_SIGN_IN``):
        ``DONE``, or the next step (an MFA code, say) as from :meth:`sign_in`.

        Raises:
            InvalidStateError: no auto sign-in is waiting (not asked for at ``sign_up``,
                the sign-up not confirmed yet, or another sign-in since).
        """
        return self._step(signing_in.auto_sign_in(self._client, self.state, self._ctx))

    def confirm_sign_up(
        self,
        confirmation_code: str,
        *,
        username: str | None = None,
        client_metadata: Mapping[str, str] | None = None,
    ) -> SignUpOutput:
        """Confirm a sign-up with its code. Then call ``sign_in``.

        ``username`` defaults to the user of this flow's sign-up or sign-in.
        """
        confirmation_code = conceal(confirmation_code)
        return self._run(
            account.confirm_sign_up(
                self._client, self.state, self._ctx, confirmation_code, username, client_metadata
            )
        )

    def resend_sign_up_code(
        self, username: str | None = None, *, client_metadata: Mapping[str, str] | None = None
    ) -> CodeDeliveryDetails:
        """Send the sign-up code again (also the way on from ``CONFIRM_SIGN_UP`` at sign-in)."""
        return self._run(
            account.resend_sign_up_code(
                self._client, self.state, self._ctx, username, client_metadata
            )
        )

    def reset_password(
        self, username: str | None = None, *, client_metadata: Mapping[str, str] | None = None
    ) -> ResetPasswordOutput:
        """Ask Cognito to send a reset code. ``username`` defaults to this flow's user."""
        return self._run(
            account.reset_password(self._client, self.state, self._ctx, username, client_metadata)
        )

    def confirm_reset_password(
        self,
        *,
        new_password: str,
        confirmation_code: str,
        username: str | None = None,
        client_metadata: Mapping[str, str] | None = None,
    ) -> ResetPasswordOutput:
        """Set the new password with the reset code. Then call ``sign_in``."""
        new_password, confirmation_code = conceal(new_password), conceal(confirmation_code)
        return self._run(
            account.confirm_reset_password(
                self._client,
                self.state,
                self._ctx,
                new_password,
                confirmation_code,
                username,
                client_metadata,
            )
        )
