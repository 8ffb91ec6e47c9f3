"""The names of the steps: Amplify JS's ``signInStep`` values, and the machine's states."""

from __future__ import annotations

from enum import Enum

__all__ = [
    "AUTH_FLOW_TYPES",
    "FIRST_FACTORS",
    "MFA_TYPES",
    "FlowState",
    "ResetPasswordStep",
    "SignInStep",
]


AUTH_FLOW_TYPES = (
    "USER_SRP_AUTH",
    "USER_PASSWORD_AUTH",
    "CUSTOM_WITH_SRP",
    "CUSTOM_WITHOUT_SRP",
    "USER_AUTH",
    "ADMIN_USER_PASSWORD_AUTH",
)
"""The ``auth_flow_type`` values :meth:`SignInFlow.sign_in` accepts
(``ADMIN_USER_PASSWORD_AUTH`` only on a server-side flow, ``admin=True``)."""

FIRST_FACTORS = ("PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")
"""The first factors of ``USER_AUTH`` (``preferred_challenge`` and the selection step)."""

MFA_TYPES = ("SMS", "TOTP", "EMAIL")
"""Amplify's names of the MFA types (``allowed_mfa_types``)."""


class SignInStep(str, Enum):
    """Amplify JS's ``signInStep`` values, verbatim.

    Flutter's ``AuthSignInStep`` names are aliases of the same members
    (``SignInStep.confirmSignInWithTotpMfaCode is SignInStep.CONFIRM_SIGN_IN_WITH_TOTP_CODE``).
    Flutter's ``confirmSignInWithOtpCode`` covers both passwordless codes; here it aliases
    the email step, the one Flutter uses it for in every flow.
    """

    CONFIRM_SIGN_IN_WITH_SMS_CODE = "CONFIRM_SIGN_IN_WITH_SMS_CODE"
    CONFIRM_SIGN_IN_WITH_EMAIL_CODE = "CONFIRM_SIGN_IN_WITH_EMAIL_CODE"
    CONFIRM_SIGN_IN_WITH_TOTP_CODE = "CONFIRM_SIGN_IN_WITH_TOTP_CODE"
    CONTINUE_SIGN_IN_WITH_MFA_SELECTION = "CONTINUE_SIGN_IN_WITH_MFA_SELECTION"
    CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION = "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION"
    CONTINUE_SIGN_IN_WITH_TOTP_SETUP = "CONTINUE_SIGN_IN_WITH_TOTP_SETUP"
    CONTINUE_SIGN_IN_WITH_EMAIL_SETUP = "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP"
    CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION = "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION"
    CONFIRM_SIGN_IN_WITH_PASSWORD = "CONFIRM_SIGN_IN_WITH_PASSWORD"
    CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE = "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE"
    CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED = "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED"
    CONFIRM_SIGN_UP = "CONFIRM_SIGN_UP"
    RESET_PASSWORD = "RESET_PASSWORD"
    DONE = "DONE"

    # Flutter's names (amplify_core AuthSignInStep), as aliases.
    confirmSignInWithSmsMfaCode = "CONFIRM_SIGN_IN_WITH_SMS_CODE"
    confirmSignInWithOtpCode = "CONFIRM_SIGN_IN_WITH_EMAIL_CODE"
    confirmSignInWithTotpMfaCode = "CONFIRM_SIGN_IN_WITH_TOTP_CODE"
    continueSignInWithMfaSelection = "CONTINUE_SIGN_IN_WITH_MFA_SELECTION"
    continueSignInWithMfaSetupSelection = "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION"
    continueSignInWithTotpSetup = "CONTINUE_SIGN_IN_WITH_TOTP_SETUP"
    continueSignInWithEmailMfaSetup = "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP"
    continueSignInWithFirstFactorSelection = "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION"
    confirmSignInWithPassword = "CONFIRM_SIGN_IN_WITH_PASSWORD"
    confirmSignInWithCustomChallenge = "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE"
    confirmSignInWithNewPassword = "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED"
    confirmSignUp = "CONFIRM_SIGN_UP"
    resetPassword = "RESET_PASSWORD"
    done = "DONE"


class SignUpStep(str, Enum):
    """Amplify's ``signUpStep`` values."""

    CONFIRM_SIGN_UP = "CONFIRM_SIGN_UP"
    COMPLETE_AUTO_SIGN_IN = "COMPLETE_AUTO_SIGN_IN"
    DONE = "DONE"


class ResetPasswordStep(str, Enum):
    """Amplify's ``resetPasswordStep`` values."""

    CONFIRM_RESET_PASSWORD_WITH_CODE = "CONFIRM_RESET_PASSWORD_WITH_CODE"
    DONE = "DONE"


class FlowState(str, Enum):
    """The states of :class:`~cognitoflow.engine.machine.SignInMachine`.

    Every public sign-in step, plus ``SIGNED_OUT`` (the initial state) and
    ``CONFIRM_RESET_PASSWORD_WITH_CODE`` (the reset-password sub-flow).
    """

    SIGNED_OUT = "SIGNED_OUT"
    CONFIRM_SIGN_IN_WITH_SMS_CODE = "CONFIRM_SIGN_IN_WITH_SMS_CODE"
    CONFIRM_SIGN_IN_WITH_EMAIL_CODE = "CONFIRM_SIGN_IN_WITH_EMAIL_CODE"
    CONFIRM_SIGN_IN_WITH_TOTP_CODE = "CONFIRM_SIGN_IN_WITH_TOTP_CODE"
    CONTINUE_SIGN_IN_WITH_MFA_SELECTION = "CONTINUE_SIGN_IN_WITH_MFA_SELECTION"
    CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION = "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION"
    CONTINUE_SIGN_IN_WITH_TOTP_SETUP = "CONTINUE_SIGN_IN_WITH_TOTP_SETUP"
    CONTINUE_SIGN_IN_WITH_EMAIL_SETUP = "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP"
    CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION = "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION"
    CONFIRM_SIGN_IN_WITH_PASSWORD = "CONFIRM_SIGN_IN_WITH_PASSWORD"
    CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE = "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE"
    CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED = "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED"
    CONFIRM_SIGN_UP = "CONFIRM_SIGN_UP"
    RESET_PASSWORD = "RESET_PASSWORD"
    CONFIRM_RESET_PASSWORD_WITH_CODE = "CONFIRM_RESET_PASSWORD_WITH_CODE"
    DONE = "DONE"
