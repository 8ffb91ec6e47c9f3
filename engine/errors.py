"""The errors a flow raises. Every one says what went wrong and what to do next.

::

    CognitoFlowError
    ├── InvalidInputError              bad input, caught before any call; the flow keeps its step
    │   └── InvalidAnswerError         the answer does not fit the current step
    ├── InvalidStateError              the call does not fit the flow's state (e.g. no sign-in)
    │   ├── IllegalTransitionError     the machine was sent an event its state does not accept
    │   └── UserAlreadyAuthenticatedError
    ├── ConnectionFailedError          Cognito could not be reached; nothing changed, try again
    ├── OutcomeUnknownError            sent, answer lost; its suggestion says what is safe next
    │   └── MalformedReplyError        a reply lacks what Cognito always sends; not acted on
    ├── UnexpectedChallengeError       Cognito asked for something this library cannot answer
    ├── PasskeyCeremonyError           the passkey authenticator failed; another factor can follow
    ├── InvalidSnapshotError           a snapshot cannot be restored (version, step, field)
    │   └── SealedSnapshotError        a sealed snapshot was altered, or no key opens it
    ├── FlowNotFoundError              a flow store has no such flow (never saved, or expired)
    ├── StepInProgressError            another request is running a step of this flow; retry
    ├── StaleStepError                 a step outlived its store lock; its result was not saved
    └── ServiceError                   Cognito refused; ``code`` and ``message`` are Cognito's
        ├── NotAuthorizedException
        │   └── SessionExpiredError    the Cognito session is gone: the flow is SIGNED_OUT
        ├── CodeMismatchException
        │   └── EnableSoftwareTokenMFAException
        ├── ExpiredCodeException, InvalidPasswordException, ...
        └── (one class per Cognito error code below; others are plain ServiceError)

No message or repr here ever holds a password, code, session or token: messages are
built from step names, field names and Cognito's own (secret-free) messages.
"""

from __future__ import annotations

from collections.abc import Mapping

from cognitoflow.transports.base import CognitoError

__all__ = [
    "SERVICE_ERRORS",
    "TRANSIENT_CODES",
    "CodeMismatchException",
    "CognitoFlowError",
    "ConnectionFailedError",
    "EnableSoftwareTokenMFAException",
    "ExpiredCodeException",
    "FlowNotFoundError",
    "IllegalTransitionError",
    "InternalErrorException",
    "InvalidAnswerError",
    "InvalidInputError",
    "InvalidLambdaResponseException",
    "InvalidParameterException",
    "InvalidPasswordException",
    "InvalidSnapshotError",
    "InvalidStateError",
    "LimitExceededException",
    "MFAMethodNotFoundException",
    "MalformedReplyError",
    "NotAuthorizedException",
    "OutcomeUnknownError",
    "PasskeyCeremonyError",
    "PasswordResetRequiredException",
    "ResourceNotFoundException",
    "SealedSnapshotError",
    "ServiceError",
    "SessionExpiredError",
    "SoftwareTokenMFANotFoundException",
    "StaleStepError",
    "StepInProgressError",
    "TooManyFailedAttemptsException",
    "TooManyRequestsException",
    "UnexpectedChallengeError",
    "UnexpectedLambdaException",
    "UserAlreadyAuthenticatedError",
    "UserLambdaValidationException",
    "UserNotConfirmedException",
    "UserNotFoundException",
    "UsernameExistsException",
    "service_error",
]


class CognitoFlowError(Exception):
    retryable: bool = False

    """Base of every error this library raises.

    Attributes:
        recovery_suggestion: what the caller can do next.
        retryable: whether making the same call again, unchanged (after a short wait),
            may succeed: true for an unreachable Cognito, throttling, Cognito's own
            failures and a step another request is running; false where the call or the
            flow must change first.
    """

    def __init__(self, message: str, recovery_suggestion: str = "") -> None:
        text = message
        if recovery_suggestion:
            text = message.rstrip() if message.rstrip().endswith((".", "!", "?")) else message + "."
            text = f"{text} {recovery_suggestion}"
        super().__init__(text)
        self.recovery_suggestion = recovery_suggestion


class InvalidInputError(CognitoFlowError, ValueError):
    """An argument is empty or malformed; nothing was sent and the flow is unchanged.

    Attributes:
        field: the argument at fault (``username``, ``password``, ``challenge_response``, ...).
    """

    def __init__(self, field: str, message: str, recovery_suggestion: str = "") -> None:
        super().__init__(message, recovery_suggestion)
        self.field = field


class InvalidAnswerError(InvalidInputError):
    """The answer to ``confirm_sign_in`` does not fit the current step; the step is kept."""


class InvalidStateError(CognitoFlowError):
    """The call does not fit the flow's current state; the state is unchanged."""


class IllegalTransitionError(InvalidStateError):
    """An event the current state does not declare; the machine's state is unchanged.

    Attributes:
        event: the event that was refused.
        state: the state the machine stayed in.
    """

    def __init__(self, event: str, state: str) -> None:
        super().__init__(
            f"The event {event} is not possible at the step {state}.",
            "Follow the flow's next_step, or call sign_out to start again.",
        )
        self.event = event
        self.state = state


class UserAlreadyAuthenticatedError(InvalidStateError):
    """``sign_in`` on a flow that is already signed in."""


class ConnectionFailedError(CognitoFlowError):
    """Cognito could not be reached (connection, DNS, timeout); the flow is unchanged."""

    retryable = True


class CredentialsMissingError(CognitoFlowError):
    """A server-side sign-in (``admin=True``) must sign its calls with AWS credentials,
    and the transport found none. Nothing was sent; the flow is unchanged."""


class OutcomeUnknownError(CognitoFlowError):
    """The request reached Cognito (or may have), but its answer was lost: a read timeout
    or a dropped connection. Cognito may have acted on it, so the flow is left as it was
    and ``recovery_suggestion`` says what is safe for this operation.

    Attributes:
        operation: the Cognito operation whose answer was lost.
    """

    def __init__(self, operation: str, message: str, recovery_suggestion: str = "") -> None:
        super().__init__(message, recovery_suggestion)
        self.operation = operation


class MalformedReplyError(OutcomeUnknownError):
    """A reply lacks what Cognito always sends (the endpoint may not be Cognito), so the
    flow did not act on it and is as it was; whether the call was carried out is unknown.
    """


class UnexpectedChallengeError(CognitoFlowError):
    """Cognito returned a challenge this library does not know how to answer."""


class PasskeyCeremonyError(CognitoFlowError):
    """The passkey authenticator failed or is missing.

    The flow keeps Cognito's session and waits at
    ``CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION``: answer with another factor (or
    ``WEB_AUTHN`` to try the passkey again).
    """


class InvalidSnapshotError(CognitoFlowError, ValueError):
    """A snapshot cannot be restored: an unknown version or step, a missing or malformed field.

    Attributes:
        field: the snapshot field at fault (``version``, ``step``, ``session``, ...).
    """

    def __init__(self, field: str, message: str, recovery_suggestion: str = "") -> None:
        super().__init__(message, recovery_suggestion)
        self.field = field


class SealedSnapshotError(InvalidSnapshotError):
    """A sealed snapshot was altered, is not a sealed snapshot, or none of the keys opens it."""


class FlowNotFoundError(CognitoFlowError, KeyError):
    """A flow store holds no flow under this id: it was never saved, was deleted, or expired.

    Attributes:
        flow_id: the id asked for.
    """

    def __init__(self, flow_id: str, message: str, recovery_suggestion: str = "") -> None:
        super().__init__(message, recovery_suggestion)
        self.flow_id = flow_id

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class StepInProgressError(CognitoFlowError):
    """Another request is running a step of this flow right now; this one changed nothing.

    Only one step of a flow may use its Cognito session at a time. Wait for the other
    request to finish, then load the flow again: it is at the step that request produced.
    """

    retryable = True


TRANSIENT_CODES = frozenset(
    {
        "InternalErrorException",
        "TooManyRequestsException",
        "LimitExceededException",
        "ThrottlingException",
        "ServiceUnavailableException",
        "RequestTimeoutException",
    }
)
"""Cognito's error codes for a passing refusal: the same call, made again later, may succeed."""


class StaleStepError(CognitoFlowError):
    """A step outlived its flow store lock, so its result was not saved.

    Once the lock (``lock_ttl``) has run out, another request may have taken it and moved
    the flow on (to ``DONE``, say); saving this step's older result would undo that. The
    store keeps what the other request saved. Load the flow again to see its step.
    """


class ServiceError(CognitoFlowError):
    """Cognito refused a request.

    Attributes:
        code: Cognito's error code, e.g. ``NotAuthorizedException``.
        message: Cognito's message, unchanged.
        operation: the Cognito operation that failed.
    """

    def __init__(
        self, code: str, message: str, operation: str = "", recovery_suggestion: str = ""
    ) -> None:
        super().__init__(f"{code}: {message}", recovery_suggestion)
        self.code = code
        self.message = message
        self.operation = operation
        self.retryable = code in TRANSIENT_CODES


class NotAuthorizedException(ServiceError):
    """Wrong credentials, a disabled user, or a session Cognito no longer accepts."""


class SessionExpiredError(NotAuthorizedException):
    """The Cognito session expired or was already used; the flow is back at ``SIGNED_OUT``."""


class CodeMismatchException(ServiceError):
    """A wrong code; the step is kept, so the right code can be sent again."""


class ExpiredCodeException(ServiceError):
    """The code expired or was never sent."""


class InvalidPasswordException(ServiceError):
    """The password breaks the pool's policy; the step is kept."""


class InvalidParameterException(ServiceError):
    """Cognito rejected a parameter."""


class UserNotFoundException(ServiceError):
    """No such user (only when the app client does not hide it)."""


class UserNotConfirmedException(ServiceError):
    """The user has not confirmed sign-up."""


class PasswordResetRequiredException(ServiceError):
    """The user must reset the password."""


class UsernameExistsException(ServiceError):
    """Sign-up with a username that is taken."""


class InternalErrorException(ServiceError):
    """Cognito failed on its side (HTTP 500); the same call may succeed if made again."""


class LimitExceededException(ServiceError):
    """A per-user limit was hit; try again later."""


class TooManyRequestsException(ServiceError):
    """Cognito throttled the request."""


class TooManyFailedAttemptsException(ServiceError):
    """Too many wrong codes."""


class MFAMethodNotFoundException(ServiceError):
    """MFA is required but the user has no method, and none can be set up during sign-in."""


class SoftwareTokenMFANotFoundException(ServiceError):
    """TOTP was answered but the user has no authenticator set up."""


class EnableSoftwareTokenMFAException(CodeMismatchException):
    """The code given while setting up an authenticator app was wrong; the step is kept."""


class ResourceNotFoundException(ServiceError):
    """Unknown user pool, app client or device."""


class UserLambdaValidationException(ServiceError):
    """A Lambda trigger of the pool raised an error; the message is the trigger's."""


class InvalidLambdaResponseException(ServiceError):
    """A Lambda trigger of the pool returned something Cognito cannot use."""


class UnexpectedLambdaException(ServiceError):
    """Cognito could not invoke a Lambda trigger of the pool."""


_SUGGESTIONS: dict[str, str] = {
    "NotAuthorizedException": "Check the username and password, then call sign_in again.",
    "CodeMismatchException": "Check the code and call confirm_sign_in again with the right one.",
    "ExpiredCodeException": "Request a new code and try again.",
    "InvalidPasswordException": "Choose a password that meets the user pool's password policy.",
    "UserNotFoundException": "Check the username, or sign the user up first.",
    "UsernameExistsException": "Choose another username, or sign in as that user.",
    "LimitExceededException": "Wait a while before trying again.",
    "TooManyRequestsException": "Slow down and try again.",
    "TooManyFailedAttemptsException": "Wait a while, then request a new code.",
    "InternalErrorException": "Cognito failed on its side: wait a moment, then call again.",
    "MFAMethodNotFoundException": (
        "Give the user a phone number or an MFA method the pool can set up, then sign in again."
    ),
    "SoftwareTokenMFANotFoundException": "Set up an authenticator app for the user first.",
    "EnableSoftwareTokenMFAException": "Enter the current code from the authenticator app.",
    "ResourceNotFoundException": "Check the user pool id and the app client id.",
    "UserLambdaValidationException": "Fix the pool's Lambda trigger, or sign in again.",
    "InvalidLambdaResponseException": "Fix what the pool's Lambda trigger returns.",
    "UnexpectedLambdaException": "Check that the pool's Lambda trigger can be invoked.",
}

SERVICE_ERRORS: Mapping[str, type[ServiceError]] = {
    cls.__name__: cls
    for cls in (
        NotAuthorizedException,
        CodeMismatchException,
        ExpiredCodeException,
        InternalErrorException,
        InvalidPasswordException,
        InvalidParameterException,
        UserNotFoundException,
        UserNotConfirmedException,
        PasswordResetRequiredException,
        UsernameExistsException,
        LimitExceededException,
        TooManyRequestsException,
        TooManyFailedAttemptsException,
        MFAMethodNotFoundException,
        SoftwareTokenMFANotFoundException,
        EnableSoftwareTokenMFAException,
        ResourceNotFoundException,
        UserLambdaValidationException,
        InvalidLambdaResponseException,
        UnexpectedLambdaException,
    )
}
"""The typed error of each Cognito error code this library names (others: ServiceError)."""


def service_error(error: CognitoError, recovery_suggestion: str | None = None) -> ServiceError:
    """The typed error for a Cognito error code (plain :class:`ServiceError` if unknown)."""
    cls = SERVICE_ERRORS.get(error.code, ServiceError)
    if recovery_suggestion is None:
        recovery_suggestion = _SUGGESTIONS.get(error.code) or (
            "Wait a moment, then make the same call again."
            if error.code in TRANSIENT_CODES
            else "Cognito refused the request: fix what its message names, then try again."
        )
    return cls(error.code, error.message, error.operation, recovery_suggestion)
