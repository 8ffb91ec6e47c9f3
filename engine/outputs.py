"""What the flow returns: ``SignInOutput`` and one frozen class per next step.

Each next-step class carries ``sign_in_step`` (a :class:`SignInStep`) and the fields
Amplify documents for that step, so callers can ``match`` on the class::

    match out.next_step:
        case ConfirmSignInWithTotpCode():
            ...
"""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import quote

import attrs

from cognitoflow.transports.sensitive import conceal_text

from .steps import ResetPasswordStep, SignInStep, SignUpStep

__all__ = [
    "AuthDevice",
    "AuthSession",
    "AuthTokens",
    "AuthUser",
    "CodeDeliveryDetails",
    "CompleteAutoSignIn",
    "ConfirmResetPasswordWithCode",
    "ConfirmSignInWithCustomChallenge",
    "ConfirmSignInWithEmailCode",
    "ConfirmSignInWithNewPasswordRequired",
    "ConfirmSignInWithPassword",
    "ConfirmSignInWithSmsCode",
    "ConfirmSignInWithTotpCode",
    "ConfirmSignUp",
    "ContinueSignInWithEmailSetup",
    "ContinueSignInWithFirstFactorSelection",
    "ContinueSignInWithMfaSelection",
    "ContinueSignInWithMfaSetupSelection",
    "ContinueSignInWithTotpSetup",
    "DeviceSecrets",
    "Done",
    "NextStep",
    "PendingAutoSignIn",
    "ResetPassword",
    "ResetPasswordDone",
    "ResetPasswordOutput",
    "ResetPasswordResult",
    "SignInDetails",
    "SignInOutput",
    "SignUpOutput",
    "TotpSetupDetails",
]


@attrs.frozen
class CodeDeliveryDetails:
    """Where a code went: medium (``SMS``/``EMAIL``), masked destination, attribute."""

    delivery_medium: str | None = None
    destination: str | None = None
    attribute_name: str | None = None


@attrs.frozen
class TotpSetupDetails:
    """The authenticator-app secret to show the user while setting up TOTP."""

    shared_secret: str = attrs.field(repr=False)
    account_name: str = ""

    def get_setup_uri(self, app_name: str, account_name: str | None = None) -> str:
        """The ``otpauth://`` key URI an authenticator app accepts (as a QR code).

        The label is ``ISSUER:ACCOUNT`` and the query holds ``secret`` then ``issuer``,
        every part percent-encoded, so ``&``, ``#``, spaces and non-ASCII letters survive.
        ``account_name`` defaults to the login id the user typed.
        """
        account = account_name if account_name is not None else self.account_name
        label = f"{quote(app_name, safe='')}:{quote(account, safe='@')}"
        return (
            f"otpauth://totp/{label}?secret={quote(self.shared_secret, safe='')}"
            f"&issuer={quote(app_name, safe='')}"
        )

    def qr_terminal(self, app_name: str, account_name: str | None = None) -> str:
        """The setup URI as a QR code to print in a terminal (it holds the secret)."""
        from .qr import qr_terminal

        return qr_terminal(self.get_setup_uri(app_name, account_name))

    def qr_svg(self, app_name: str, account_name: str | None = None) -> str:
        """The setup URI as an SVG QR code for a web page (it holds the secret)."""
        from .qr import qr_svg

        return qr_svg(self.get_setup_uri(app_name, account_name), title=app_name)


@attrs.frozen
class AuthTokens:
    """The tokens Cognito issued at ``DONE``. Never shown in a repr."""

    access_token: str = attrs.field(repr=False)
    id_token: str | None = attrs.field(default=None, repr=False)
    refresh_token: str | None = attrs.field(default=None, repr=False)
    expires_in: int | None = None
    token_type: str = "Bearer"
    device_key: str | None = None
    device_group_key: str | None = None


@attrs.frozen
class DeviceSecrets:
    """A remembered device, as this client keeps it: Cognito's device key and group key,
    and the device password only this client knows (never shown in a repr). Keep it per
    browser or installation (sealed, like a snapshot) and pass it to the next
    ``SignInFlow(device=...)``."""

    device_key: str
    device_group_key: str
    device_password: str = attrs.field(repr=False, converter=conceal_text)


@attrs.frozen
class AuthDevice:
    """One of the user's devices, as ListDevices tells it."""

    device_key: str
    name: str | None
    attributes: dict[str, str] = attrs.Factory(dict)
    created: float | None = None
    last_modified: float | None = None
    last_authenticated: float | None = None


@attrs.frozen
class ConfirmSignInWithSmsCode:
    """Answer with the code sent by SMS."""

    sign_in_step: ClassVar[SignInStep] = SignInStep.CONFIRM_SIGN_IN_WITH_SMS_CODE
    code_delivery_details: CodeDeliveryDetails = attrs.Factory(CodeDeliveryDetails)


@attrs.frozen
class ConfirmSignInWithEmailCode:
    """Answer with the code sent by email."""

    sign_in_step: ClassVar[SignInStep] = SignInStep.CONFIRM_SIGN_IN_WITH_EMAIL_CODE
    code_delivery_details: CodeDeliveryDetails = attrs.Factory(CodeDeliveryDetails)


@attrs.frozen
class ConfirmSignInWithTotpCode:
    """Answer with the current code of the user's authenticator app."""

    sign_in_step: ClassVar[SignInStep] = SignInStep.CONFIRM_SIGN_IN_WITH_TOTP_CODE
    friendly_device_name: str | None = None


@attrs.frozen
class ContinueSignInWithMfaSelection:
    """Answer with one of ``allowed_mfa_types`` (``SMS``, ``TOTP``, ``EMAIL``)."""

    sign_in_step: ClassVar[SignInStep] = SignInStep.CONTINUE_SIGN_IN_WITH_MFA_SELECTION
    allowed_mfa_types: tuple[str, ...] = ()


@attrs.frozen
class ContinueSignInWithMfaSetupSelection:
    """Answer with the MFA type to set up: one of ``allowed_mfa_types``."""

    sign_in_step: ClassVar[SignInStep] = SignInStep.CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION
    allowed_mfa_types: tuple[str, ...] = ()


@attrs.frozen
class ContinueSignInWithTotpSetup:
    """Show the secret (or its URI as a QR code), then answer with a code from the app."""

    sign_in_step: ClassVar[SignInStep] = SignInStep.CONTINUE_SIGN_IN_WITH_TOTP_SETUP
    totp_setup_details: TotpSetupDetails | None = None


@attrs.frozen
class ContinueSignInWithEmailSetup:
    """Answer with the email address to receive MFA codes."""

    sign_in_step: ClassVar[SignInStep] = SignInStep.CONTINUE_SIGN_IN_WITH_EMAIL_SETUP


@attrs.frozen
class ContinueSignInWithFirstFactorSelection:
    """Answer with one of ``available_challenges``."""

    sign_in_step: ClassVar[SignInStep] = SignInStep.CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION
    available_challenges: tuple[str, ...] = ()


@attrs.frozen
class ConfirmSignInWithPassword:
    """Answer with the password."""

    sign_in_step: ClassVar[SignInStep] = SignInStep.CONFIRM_SIGN_IN_WITH_PASSWORD


@attrs.frozen
class ConfirmSignInWithCustomChallenge:
    """Answer the custom challenge; ``additional_info`` holds its public parameters."""

    sign_in_step: ClassVar[SignInStep] = SignInStep.CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE
    additional_info: dict[str, str] = attrs.Factory(dict)


@attrs.frozen
class ConfirmSignInWithNewPasswordRequired:
    """Answer with a new password; give ``missing_attributes`` as ``user_attributes``."""

    sign_in_step: ClassVar[SignInStep] = SignInStep.CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED
    missing_attributes: tuple[str, ...] = ()


@attrs.frozen
class ConfirmSignUp:
    """Confirm the sign-up with the code sent (call ``resend_sign_up_code`` if none was)."""

    sign_in_step: ClassVar[SignInStep] = SignInStep.CONFIRM_SIGN_UP
    sign_up_step: ClassVar[SignUpStep] = SignUpStep.CONFIRM_SIGN_UP
    code_delivery_details: CodeDeliveryDetails | None = None


@attrs.frozen
class ResetPassword:
    """The password must be reset: call ``reset_password``, then ``confirm_reset_password``."""

    sign_in_step: ClassVar[SignInStep] = SignInStep.RESET_PASSWORD


@attrs.frozen
class Done:
    """Signed in (or, after sign-up, nothing left to do)."""

    sign_in_step: ClassVar[SignInStep] = SignInStep.DONE
    sign_up_step: ClassVar[SignUpStep] = SignUpStep.DONE


@attrs.frozen
class CompleteAutoSignIn:
    """The sign-up is complete: call ``auto_sign_in()`` to sign the user in."""

    sign_up_step: ClassVar[SignUpStep] = SignUpStep.COMPLETE_AUTO_SIGN_IN


@attrs.frozen
class PendingAutoSignIn:
    """An auto sign-in armed by ``sign_up(auto_sign_in=...)``, kept by the flow until
    ``auto_sign_in()`` (or another sign-in) uses it.

    ``auth_flow_type`` is how the user will be signed in: ``USER_AUTH`` with ``session``
    (the one ConfirmSignUp answered, no second code), or a password flow with
    ``password``. Neither secret is ever shown in a repr.
    """

    auth_flow_type: str
    password: str | None = attrs.field(default=None, repr=False, converter=conceal_text)
    session: str | None = attrs.field(default=None, repr=False, converter=conceal_text)


NextStep = (
    ConfirmSignInWithSmsCode
    | ConfirmSignInWithEmailCode
    | ConfirmSignInWithTotpCode
    | ContinueSignInWithMfaSelection
    | ContinueSignInWithMfaSetupSelection
    | ContinueSignInWithTotpSetup
    | ContinueSignInWithEmailSetup
    | ContinueSignInWithFirstFactorSelection
    | ConfirmSignInWithPassword
    | ConfirmSignInWithCustomChallenge
    | ConfirmSignInWithNewPasswordRequired
    | ConfirmSignUp
    | ResetPassword
    | Done
)


@attrs.frozen
class SignInOutput:
    """The result of ``sign_in`` and ``confirm_sign_in``.

    ``is_signed_in`` is true exactly when ``next_step`` is :class:`Done`; ``tokens`` is
    set then.
    """

    is_signed_in: bool
    next_step: NextStep
    tokens: AuthTokens | None = None


@attrs.frozen
class SignUpOutput:
    """The result of ``sign_up`` and ``confirm_sign_up``."""

    is_sign_up_complete: bool
    next_step: ConfirmSignUp | Done | CompleteAutoSignIn
    user_id: str | None = None


@attrs.frozen
class ConfirmResetPasswordWithCode:
    """Call ``confirm_reset_password`` with the code sent and a new password."""

    reset_password_step: ClassVar[ResetPasswordStep] = (
        ResetPasswordStep.CONFIRM_RESET_PASSWORD_WITH_CODE
    )
    code_delivery_details: CodeDeliveryDetails = attrs.Factory(CodeDeliveryDetails)


@attrs.frozen
class ResetPasswordDone:
    """The password was reset: sign in with the new one."""

    reset_password_step: ClassVar[ResetPasswordStep] = ResetPasswordStep.DONE


ResetPasswordResult = ConfirmResetPasswordWithCode | ResetPasswordDone


@attrs.frozen
class ResetPasswordOutput:
    """The result of ``reset_password`` and ``confirm_reset_password``."""

    is_password_reset: bool
    next_step: ResetPasswordResult


@attrs.frozen
class SignInDetails:
    """How the user signed in: the login id as typed, and the flow type."""

    login_id: str
    auth_flow_type: str


@attrs.frozen
class AuthUser:
    """The signed-in user, from the ID token (``get_current_user``)."""

    username: str
    """Cognito's username (internal: a uuid where email or phone is the sign-in name)."""
    user_id: str
    """The user's ``sub``."""
    sign_in_details: SignInDetails


@attrs.frozen
class AuthSession:
    """What ``fetch_auth_session`` returns: the tokens (fresh), whose they are, until when."""

    tokens: AuthTokens | None = attrs.field(repr=False)
    user_sub: str | None
    expires_at: float | None
    """When the access token expires (seconds since the epoch)."""
