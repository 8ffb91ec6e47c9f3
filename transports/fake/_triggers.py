"""Custom-auth Lambda triggers for the fake: Cognito's event shapes, Python callables.

A trigger is a callable that takes Cognito's Lambda event (a dict) and returns it with
``response`` filled in, exactly like a Python Lambda handler without the context
argument. A pool names its triggers in ``LambdaConfig``: a callable (in process), or
the name of a ready-made trigger (works over HTTP too):

``cognitoflow:email-code``
    sends a 6-digit code to the user's email (through the outbox); three tries.
``cognitoflow:question``
    asks "What is six times seven?" and wants ``42``; three tries.

Use the same name for ``DefineAuthChallenge``, ``CreateAuthChallenge`` and
``VerifyAuthChallengeResponse``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from ._support import ServiceFault

__all__ = [
    "CUSTOM_TRIGGERS",
    "Trigger",
    "builtin_trigger",
    "call_trigger",
    "retrying_define",
]

Trigger = Callable[[dict[str, Any]], Any]
CUSTOM_TRIGGERS = ("DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse")
MAX_TRIES = 3
QUESTION = "What is six times seven?"
ANSWER = "42"


def call_trigger(kind: str, trigger: Trigger, event: dict[str, Any]) -> dict[str, Any]:
    """Invoke a trigger as Cognito does, turning its failures into Cognito's errors."""
    try:
        result = trigger(event)
    except Exception as error:  # any failure of user code is a Cognito error
        raise ServiceFault(
            "UserLambdaValidationException", f"{kind} failed with error {error}."
        ) from None
    if not isinstance(result, dict) or not isinstance(result.get("response"), dict):
        raise ServiceFault("InvalidLambdaResponseException", "Unrecognizable lambda output")
    return result["response"]  # type: ignore[no-any-return]


def retrying_define(event: dict[str, Any]) -> dict[str, Any]:
    """A DefineAuthChallenge that asks custom challenges until one is right, three at most.

    After ``SRP_A`` it asks for ``PASSWORD_VERIFIER``; a wrong password fails at once.
    """
    session = event["request"]["session"]
    response = event["response"]
    custom = [s for s in session if s["challengeName"] == "CUSTOM_CHALLENGE"]
    last = session[-1] if session else None
    if event["request"].get("userNotFound"):
        response.update(issueTokens=False, failAuthentication=True)
    elif last and last["challengeName"] == "SRP_A":
        response.update(
            challengeName="PASSWORD_VERIFIER", issueTokens=False, failAuthentication=False
        )
    elif last and last["challengeName"] == "PASSWORD_VERIFIER" and not last["challengeResult"]:
        response.update(issueTokens=False, failAuthentication=True)
    elif custom and custom[-1]["challengeResult"]:
        response.update(issueTokens=True, failAuthentication=False)
    elif len(custom) >= MAX_TRIES:
        response.update(issueTokens=False, failAuthentication=True)
    else:
        response.update(
            challengeName="CUSTOM_CHALLENGE", issueTokens=False, failAuthentication=False
        )
    return event


def _verify(event: dict[str, Any]) -> dict[str, Any]:
    expected = event["request"]["privateChallengeParameters"].get("answer", "")
    given = str(event["request"].get("challengeAnswer", ""))
    event["response"]["answerCorrect"] = bool(expected) and secrets.compare_digest(
        expected.strip().lower(), given.strip().lower()
    )
    return event


def _question_create(event: dict[str, Any]) -> dict[str, Any]:
    event["response"].update(
        publicChallengeParameters={"question": QUESTION},
        privateChallengeParameters={"answer": ANSWER},
        challengeMetadata="QUESTION",
    )
    return event


def builtin_trigger(
    name: str, kind: str, send_email: Callable[[dict[str, Any], str], str]
) -> Trigger | None:
    """The ready-made trigger ``name`` for ``kind``; None if there is no such trigger.

    ``send_email(event, code)`` delivers a code to the event's user and returns the
    masked address.
    """

    def email_create(event: dict[str, Any]) -> dict[str, Any]:
        earlier = [
            s for s in event["request"]["session"] if s["challengeName"] == "CUSTOM_CHALLENGE"
        ]
        metadata = earlier[-1].get("challengeMetadata") if earlier else None
        # A retry keeps the code already sent, as the well-known passwordless samples do.
        code = metadata.split(":", 1)[1] if metadata and metadata.startswith("CODE:") else None
        if code is None:
            code = f"{secrets.randbelow(10**6):06d}"
        destination = send_email(event, code) if not earlier else ""
        public = {"delivery": "EMAIL"}
        if destination:
            public["destination"] = destination
        event["response"].update(
            publicChallengeParameters=public,
            privateChallengeParameters={"answer": code},
            challengeMetadata=f"CODE:{code}",
        )
        return event

    table: dict[str, dict[str, Trigger]] = {
        "cognitoflow:email-code": {
            "DefineAuthChallenge": retrying_define,
            "CreateAuthChallenge": email_create,
            "VerifyAuthChallengeResponse": _verify,
        },
        "cognitoflow:question": {
            "DefineAuthChallenge": retrying_define,
            "CreateAuthChallenge": _question_create,
            "VerifyAuthChallengeResponse": _verify,
        },
    }
    return table.get(name, {}).get(kind)
