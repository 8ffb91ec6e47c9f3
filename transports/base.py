"""The transport interface: one method per Cognito operation the engine uses.

Requests and responses are Cognito's own PascalCase shapes, the dicts boto3 takes
and returns, typed here with TypedDicts. Every transport raises
:class:`CognitoError` (Cognito's error code and message) for a service error, so
the engine never sees a botocore or HTTP exception. Foreign errors are translated
at one boundary, :func:`translate_client_errors`.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypedDict, cast

from .sensitive import conceal_reply

__all__ = [
    "AssociateSoftwareTokenRequest",
    "AssociateSoftwareTokenResponse",
    "AuthChallengeResponse",
    "AuthenticationResultType",
    "ClientTransport",
    "CodeDeliveryDetailsType",
    "CognitoError",
    "CompleteWebAuthnRegistrationRequest",
    "ConfirmForgotPasswordRequest",
    "ConfirmSignUpRequest",
    "ConfirmSignUpResponse",
    "ForgotPasswordRequest",
    "ForgotPasswordResponse",
    "InitiateAuthRequest",
    "NewDeviceMetadataType",
    "ResendConfirmationCodeRequest",
    "ResendConfirmationCodeResponse",
    "RespondToAuthChallengeRequest",
    "SignUpRequest",
    "SignUpResponse",
    "StartWebAuthnRegistrationRequest",
    "StartWebAuthnRegistrationResponse",
    "Transport",
    "TransportConnectionError",
    "TransportCredentialsError",
    "TransportError",
    "TransportOutcomeUnknownError",
    "VerifySoftwareTokenRequest",
    "VerifySoftwareTokenResponse",
    "translate_client_errors",
]


class TransportError(Exception):
    """Base of the errors a transport raises."""


class CognitoError(TransportError):
    """Cognito refused a request: its error code (``NotAuthorizedException``) and message.

    Cognito's messages never contain secrets, so they are safe to show and log.
    """

    def __init__(self, code: str, message: str, operation: str = "", status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.operation = operation
        self.status = status


class TransportConnectionError(TransportError):
    """Cognito could not be reached (connection refused, DNS, connect timeout): the request
    was never sent, so nothing changed."""

    def __init__(self, message: str, operation: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.operation = operation


class TransportCredentialsError(TransportError):
    """A call that must be signed (the Admin operations) found no AWS credentials: the
    request was never sent."""

    def __init__(self, message: str, operation: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.operation = operation


class TransportOutcomeUnknownError(TransportError):
    """The request was sent, but no answer came (read timeout, connection dropped):
    Cognito may or may not have processed it."""

    def __init__(self, message: str, operation: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.operation = operation


@contextmanager
def translate_client_errors(operation: str) -> Iterator[None]:
    r"""The one boundary for foreign errors: botocore's become :class:`TransportError`\ s.

    A ``ClientError`` (Cognito answered with an error) becomes :class:`CognitoError`
    (with ``status``, the HTTP status); a failure to connect becomes
    :class:`TransportConnectionError` (never sent); no AWS credentials for a signed call
    becomes :class:`TransportCredentialsError` (never sent); a failure after sending (a read
    timeout, a dropped connection) becomes :class:`TransportOutcomeUnknownError`.
    """
    from botocore.exceptions import (
        ClientError,
        ConnectionError,
        ConnectTimeoutError,
        EndpointConnectionError,
        HTTPClientError,
        NoCredentialsError,
        PartialCredentialsError,
        ProxyConnectionError,
        SSLError,
    )

    try:
        yield
    except (NoCredentialsError, PartialCredentialsError):
        raise TransportCredentialsError(
            f"{operation} must be signed with AWS credentials, and none were found.",
            operation,
        ) from None
    except ClientError as exc:
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 400)
        raise CognitoError(
            str(error.get("Code", "Unknown")), str(error.get("Message", "")), operation, status
        ) from None
    except (EndpointConnectionError, ConnectTimeoutError, ProxyConnectionError, SSLError) as exc:
        raise TransportConnectionError(
            f"Could not reach Cognito for {operation}: {type(exc).__name__}", operation
        ) from None
    except (ConnectionError, HTTPClientError) as exc:
        raise TransportOutcomeUnknownError(
            f"No answer from Cognito for {operation} after sending it: {type(exc).__name__}",
            operation,
        ) from None


# -- shapes ------------------------------------------------------------------------


class NewDeviceMetadataType(TypedDict, total=False):
    DeviceKey: str
    DeviceGroupKey: str


class AuthenticationResultType(TypedDict, total=False):
    AccessToken: str
    ExpiresIn: int
    TokenType: str
    RefreshToken: str
    IdToken: str
    NewDeviceMetadata: NewDeviceMetadataType


class CodeDeliveryDetailsType(TypedDict, total=False):
    Destination: str
    DeliveryMedium: str
    AttributeName: str


class AuthChallengeResponse(TypedDict, total=False):
    """The reply of InitiateAuth and RespondToAuthChallenge."""

    ChallengeName: str
    Session: str
    ChallengeParameters: dict[str, str]
    AuthenticationResult: AuthenticationResultType
    AvailableChallenges: list[str]


class _InitiateAuthBase(TypedDict):
    AuthFlow: str
    ClientId: str


class InitiateAuthRequest(_InitiateAuthBase, total=False):
    AuthParameters: dict[str, str]
    ClientMetadata: dict[str, str]
    Session: str


class _RespondBase(TypedDict):
    ClientId: str
    ChallengeName: str


class RespondToAuthChallengeRequest(_RespondBase, total=False):
    Session: str
    ChallengeResponses: dict[str, str]
    ClientMetadata: dict[str, str]


class AssociateSoftwareTokenRequest(TypedDict, total=False):
    AccessToken: str
    Session: str


class AssociateSoftwareTokenResponse(TypedDict, total=False):
    SecretCode: str
    Session: str


class _VerifyBase(TypedDict):
    UserCode: str


class VerifySoftwareTokenRequest(_VerifyBase, total=False):
    AccessToken: str
    Session: str
    FriendlyDeviceName: str


class VerifySoftwareTokenResponse(TypedDict, total=False):
    Status: str
    Session: str


class _UserRequestBase(TypedDict):
    ClientId: str
    Username: str


class SignUpRequest(_UserRequestBase, total=False):
    Password: str
    SecretHash: str
    UserAttributes: list[dict[str, str]]
    ClientMetadata: dict[str, str]


class SignUpResponse(TypedDict, total=False):
    UserConfirmed: bool
    UserSub: str
    CodeDeliveryDetails: CodeDeliveryDetailsType
    Session: str


class ConfirmSignUpRequest(_UserRequestBase, total=False):
    ConfirmationCode: str
    SecretHash: str
    ClientMetadata: dict[str, str]
    Session: str


class ConfirmSignUpResponse(TypedDict, total=False):
    Session: str


class ResendConfirmationCodeRequest(_UserRequestBase, total=False):
    SecretHash: str
    ClientMetadata: dict[str, str]


class ResendConfirmationCodeResponse(TypedDict, total=False):
    CodeDeliveryDetails: CodeDeliveryDetailsType


class ForgotPasswordRequest(_UserRequestBase, total=False):
    SecretHash: str
    ClientMetadata: dict[str, str]


class ForgotPasswordResponse(TypedDict, total=False):
    CodeDeliveryDetails: CodeDeliveryDetailsType


class ConfirmForgotPasswordRequest(_UserRequestBase, total=False):
    ConfirmationCode: str
    Password: str
    SecretHash: str
    ClientMetadata: dict[str, str]


class StartWebAuthnRegistrationRequest(TypedDict):
    AccessToken: str


class StartWebAuthnRegistrationResponse(TypedDict):
    CredentialCreationOptions: dict[str, Any]


class CompleteWebAuthnRegistrationRequest(TypedDict):
    AccessToken: str
    Credential: dict[str, Any]


# -- the interface -----------------------------------------------------------------


class Transport(abc.ABC):
    """How the engine reaches Cognito.

    Contract for every implementation: take the request dict exactly as boto3's
    cognito-idp client would, return Cognito's reply dict unchanged, and raise
    :class:`CognitoError` for every error Cognito reports. Never log a request or a
    reply: both carry secrets.
    """

    @abc.abstractmethod
    def initiate_auth(self, request: InitiateAuthRequest) -> AuthChallengeResponse: ...

    @abc.abstractmethod
    def respond_to_auth_challenge(
        self, request: RespondToAuthChallengeRequest
    ) -> AuthChallengeResponse: ...

    @abc.abstractmethod
    def admin_initiate_auth(self, request: dict[str, Any]) -> AuthChallengeResponse:
        """AdminInitiateAuth: InitiateAuth with ``UserPoolId``, signed with AWS credentials."""

    @abc.abstractmethod
    def admin_respond_to_auth_challenge(self, request: dict[str, Any]) -> AuthChallengeResponse:
        """AdminRespondToAuthChallenge, signed with AWS credentials."""

    @abc.abstractmethod
    def associate_software_token(
        self, request: AssociateSoftwareTokenRequest
    ) -> AssociateSoftwareTokenResponse: ...

    @abc.abstractmethod
    def verify_software_token(
        self, request: VerifySoftwareTokenRequest
    ) -> VerifySoftwareTokenResponse: ...

    @abc.abstractmethod
    def sign_up(self, request: SignUpRequest) -> SignUpResponse: ...

    @abc.abstractmethod
    def confirm_sign_up(self, request: ConfirmSignUpRequest) -> ConfirmSignUpResponse: ...

    @abc.abstractmethod
    def resend_confirmation_code(
        self, request: ResendConfirmationCodeRequest
    ) -> ResendConfirmationCodeResponse: ...

    @abc.abstractmethod
    def forgot_password(self, request: ForgotPasswordRequest) -> ForgotPasswordResponse: ...

    @abc.abstractmethod
    def confirm_forgot_password(self, request: ConfirmForgotPasswordRequest) -> dict[str, Any]: ...

    @abc.abstractmethod
    def start_web_authn_registration(
        self, request: StartWebAuthnRegistrationRequest
    ) -> StartWebAuthnRegistrationResponse: ...

    @abc.abstractmethod
    def complete_web_authn_registration(
        self, request: CompleteWebAuthnRegistrationRequest
    ) -> dict[str, Any]: ...

    @abc.abstractmethod
    def get_tokens_from_refresh_token(self, request: dict[str, Any]) -> AuthChallengeResponse: ...

    @abc.abstractmethod
    def revoke_token(self, request: dict[str, Any]) -> dict[str, Any]: ...

    @abc.abstractmethod
    def global_sign_out(self, request: dict[str, Any]) -> dict[str, Any]: ...

    @abc.abstractmethod
    def confirm_device(self, request: dict[str, Any]) -> dict[str, Any]: ...

    @abc.abstractmethod
    def update_device_status(self, request: dict[str, Any]) -> dict[str, Any]: ...

    @abc.abstractmethod
    def forget_device(self, request: dict[str, Any]) -> dict[str, Any]: ...

    @abc.abstractmethod
    def list_devices(self, request: dict[str, Any]) -> dict[str, Any]: ...


class ClientTransport(Transport):
    """A transport over any object with boto3's ``cognito-idp`` methods.

    That is a boto3 client (:class:`~cognitoflow.transports.aws.Boto3Transport`) or a
    :class:`~cognitoflow.transports.fake.FakeCognito` (``FakeTransport``): both take
    Cognito's request dicts as keyword arguments and raise botocore errors, which are
    translated here, at one boundary.
    """

    def __init__(self, client: Any) -> None:
        self.client = client

    def _client_for(self, operation: str) -> Any:
        """The client that sends ``operation`` (one for all, unless a subclass signs some)."""
        return self.client

    def _call(self, operation: str, method: str, request: Any) -> Any:
        with translate_client_errors(operation):
            reply = conceal_reply(dict(getattr(self._client_for(operation), method)(**request)))
        reply.pop("ResponseMetadata", None)
        return reply

    def initiate_auth(self, request: InitiateAuthRequest) -> AuthChallengeResponse:
        return cast(AuthChallengeResponse, self._call("InitiateAuth", "initiate_auth", request))

    def respond_to_auth_challenge(
        self, request: RespondToAuthChallengeRequest
    ) -> AuthChallengeResponse:
        return cast(
            AuthChallengeResponse,
            self._call("RespondToAuthChallenge", "respond_to_auth_challenge", request),
        )

    def admin_initiate_auth(self, request: dict[str, Any]) -> AuthChallengeResponse:
        return cast(
            AuthChallengeResponse, self._call("AdminInitiateAuth", "admin_initiate_auth", request)
        )

    def admin_respond_to_auth_challenge(self, request: dict[str, Any]) -> AuthChallengeResponse:
        return cast(
            AuthChallengeResponse,
            self._call("AdminRespondToAuthChallenge", "admin_respond_to_auth_challenge", request),
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

    def get_tokens_from_refresh_token(self, request: dict[str, Any]) -> AuthChallengeResponse:
        return cast(
            AuthChallengeResponse,
            self._call("GetTokensFromRefreshToken", "get_tokens_from_refresh_token", request),
        )

    def revoke_token(self, request: dict[str, Any]) -> dict[str, Any]:
        return cast("dict[str, Any]", self._call("RevokeToken", "revoke_token", request))

    def global_sign_out(self, request: dict[str, Any]) -> dict[str, Any]:
        return cast("dict[str, Any]", self._call("GlobalSignOut", "global_sign_out", request))

    def confirm_device(self, request: dict[str, Any]) -> dict[str, Any]:
        return cast("dict[str, Any]", self._call("ConfirmDevice", "confirm_device", request))

    def update_device_status(self, request: dict[str, Any]) -> dict[str, Any]:
        return cast(
            "dict[str, Any]", self._call("UpdateDeviceStatus", "update_device_status", request)
        )

    def forget_device(self, request: dict[str, Any]) -> dict[str, Any]:
        return cast("dict[str, Any]", self._call("ForgetDevice", "forget_device", request))

    def list_devices(self, request: dict[str, Any]) -> dict[str, Any]:
        return cast("dict[str, Any]", self._call("ListDevices", "list_devices", request))
