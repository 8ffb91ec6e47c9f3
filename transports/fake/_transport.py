"""FakeTransport: the engine's transport, backed by a FakeCognito in this process."""

from __future__ import annotations

from typing import Any, cast

from cognitoflow.transports.base import (
    AssociateSoftwareTokenRequest,
    AssociateSoftwareTokenResponse,
    AuthChallengeResponse,
    CompleteWebAuthnRegistrationRequest,
    ConfirmForgotPasswordRequest,
    ConfirmSignUpRequest,
    ConfirmSignUpResponse,
    ForgotPasswordRequest,
    ForgotPasswordResponse,
    InitiateAuthRequest,
    ResendConfirmationCodeRequest,
    ResendConfirmationCodeResponse,
    RespondToAuthChallengeRequest,
    SignUpRequest,
    SignUpResponse,
    StartWebAuthnRegistrationRequest,
    StartWebAuthnRegistrationResponse,
    Transport,
    VerifySoftwareTokenRequest,
    VerifySoftwareTokenResponse,
    translate_client_errors,
)

from ._service import FakeCognito

__all__ = ["FakeTransport"]


class FakeTransport(Transport):
    """Talks to a :class:`FakeCognito` directly, as boto3 would talk to Cognito.

    The fake raises botocore ``ClientError``s exactly as boto3 does, so this transport
    translates them at the same boundary as the boto3 transport.
    """

    def __init__(self, cognito: FakeCognito) -> None:
        self.cognito = cognito

    def __repr__(self) -> str:
        return f"FakeTransport({self.cognito!r})"

    def _call(self, operation: str, method: str, request: Any) -> Any:
        with translate_client_errors(operation):
            return getattr(self.cognito, method)(**request)

    def initiate_auth(self, request: InitiateAuthRequest) -> AuthChallengeResponse:
        return cast(AuthChallengeResponse, self._call("InitiateAuth", "initiate_auth", request))

    def respond_to_auth_challenge(
        self, request: RespondToAuthChallengeRequest
    ) -> AuthChallengeResponse:
        return cast(
            AuthChallengeResponse,
            self._call("RespondToAuthChallenge", "respond_to_auth_challenge", request),
        )

    def associate_software_token(
        self, request: AssociateSoftwareTokenRequest
    ) -> AssociateSoftwareTokenResponse:
        return cast(
            AssociateSoftwareTokenResponse,
            self._call("AssociateSoftwareToken", "associate_software_token", request),
        )

    def verify_software_token(
        self, request: VerifySoftwareTokenRequest
    ) -> VerifySoftwareTokenResponse:
        return cast(
            VerifySoftwareTokenResponse,
            self._call("VerifySoftwareToken", "verify_software_token", request),
        )

    def sign_up(self, request: SignUpRequest) -> SignUpResponse:
        return cast(SignUpResponse, self._call("SignUp", "sign_up", request))

    def confirm_sign_up(self, request: ConfirmSignUpRequest) -> ConfirmSignUpResponse:
        return cast(ConfirmSignUpResponse, self._call("ConfirmSignUp", "confirm_sign_up", request))

    def resend_confirmation_code(
        self, request: ResendConfirmationCodeRequest
    ) -> ResendConfirmationCodeResponse:
        return cast(
            ResendConfirmationCodeResponse,
            self._call("ResendConfirmationCode", "resend_confirmation_code", request),
        )

    def forgot_password(self, request: ForgotPasswordRequest) -> ForgotPasswordResponse:
        return cast(
            ForgotPasswordResponse, self._call("ForgotPassword", "forgot_password", request)
        )

    def confirm_forgot_password(self, request: ConfirmForgotPasswordRequest) -> dict[str, Any]:
        return cast(
            "dict[str, Any]",
            self._call("ConfirmForgotPassword", "confirm_forgot_password", request),
        )

    def start_web_authn_registration(
        self, request: StartWebAuthnRegistrationRequest
    ) -> StartWebAuthnRegistrationResponse:
        return cast(
            StartWebAuthnRegistrationResponse,
            self._call("StartWebAuthnRegistration", "start_web_authn_registration", request),
        )

    def complete_web_authn_registration(
        self, request: CompleteWebAuthnRegistrationRequest
    ) -> dict[str, Any]:
        return cast(
            "dict[str, Any]",
            self._call("CompleteWebAuthnRegistration", "complete_web_authn_registration", request),
        )
