"""Custom authentication (``CUSTOM_AUTH``): the pool's Define, Create and Verify
triggers decide the challenges, with or without SRP first."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from ._core import (
    INCORRECT,
    SESSION_INVALID,
    fail,
    missing,
)
from ._model import (
    AppClient,
    AuthSession,
    CustomAuth,
    User,
    UserPool,
)
from ._password_auth import PasswordAuth
from ._support import ServiceFault, mask_destination
from ._triggers import Trigger, builtin_trigger, call_trigger

__all__ = ["CustomAuthFlow"]


class CustomAuthFlow(PasswordAuth):
    """``CUSTOM_AUTH``: each round asks the Define trigger what comes next."""

    def _trigger(self, pool: UserPool, kind: str) -> Trigger | None:
        value = pool.lambda_config.get(kind)
        if value is None:
            return None
        if callable(value):
            trigger: Trigger = value
            return trigger
        found = builtin_trigger(str(value), kind, self._email_code_sender(pool))
        if found is None:
            raise fail(
                "UnexpectedLambdaException",
                f"The fake user pool cannot invoke {value}: use a Python callable or a "
                "ready-made trigger name.",
            )
        return found

    def _required_trigger(self, pool: UserPool, kind: str) -> Trigger:
        trigger = self._trigger(pool, kind)
        if trigger is None:
            raise fail(
                "InvalidParameterException",
                "Custom auth lambda trigger is not configured for the user pool.",
            )
        return trigger

    def _email_code_sender(self, pool: UserPool) -> Callable[[dict[str, Any], str], str]:
        def send(event: dict[str, Any], code: str) -> str:
            user = self._find_user(pool, event["userName"])
            address = user.attributes.get("email") if user else None
            if user is None or not address:
                raise ValueError("the user has no email address")
            self._deliver(pool, user, address, "EMAIL", code, "CUSTOM_CHALLENGE")
            return mask_destination(address)

        return send

    def _custom_event(
        self,
        pool: UserPool,
        client: AppClient,
        user: User | None,
        login: str,
        kind: str,
        request: dict[str, Any],
    ) -> dict[str, Any]:
        """Cognito's Lambda event for a custom-auth trigger."""
        attributes = {}
        if user is not None:
            attributes = {**user.attributes, "cognito:user_status": user.status}
        return {
            "version": "1",
            "region": pool.pool_id.split("_", 1)[0],
            "userPoolId": pool.pool_id,
            "userName": user.username if user else login,
            "callerContext": {
                "awsSdkVersion": "aws-sdk-unknown-unknown",
                "clientId": client.client_id,
            },
            "triggerSource": f"{kind}_Authentication",
            "request": {"userAttributes": attributes, **request, "userNotFound": user is None},
            "response": {},
        }

    def _start_custom(
        self, pool: UserPool, client: AppClient, params: dict[str, str]
    ) -> dict[str, Any]:
        self._required_trigger(pool, "DefineAuthChallenge")
        with_srp = params.get("CHALLENGE_NAME") == "SRP_A"
        big_a = self._srp_a(params) if with_srp else None
        user = self._login_user(pool, client, params, lockout=False)
        custom = CustomAuth(
            login=params["USERNAME"], user=user.username if user else None, srp_a=big_a
        )
        if with_srp:
            custom.record("SRP_A", True)
        # InitiateAuth's ClientMetadata reaches only pre sign-up, pre authentication and
        # user migration triggers, not Define/Create (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html).
        return self._custom_next(pool, client, user, custom, {})

    def _custom_next(
        self,
        pool: UserPool,
        client: AppClient,
        user: User | None,
        custom: CustomAuth,
        metadata: dict[str, str],
    ) -> dict[str, Any]:
        """Ask DefineAuthChallenge what comes next, and do it."""
        define = self._required_trigger(pool, "DefineAuthChallenge")
        login = custom.login
        event = self._custom_event(
            pool,
            client,
            user,
            login,
            "DefineAuthChallenge",
            {"session": copy.deepcopy(custom.rounds), "clientMetadata": dict(metadata)},
        )
        decision = call_trigger("DefineAuthChallenge", define, event)
        if decision.get("failAuthentication"):
            raise fail("NotAuthorizedException", INCORRECT)
        if decision.get("issueTokens"):
            if user is None:
                raise fail("NotAuthorizedException", INCORRECT)
            if custom.password_verified:
                return self._after_first_factor(pool, client, user)
            return self._done(pool, client, user)
        name = decision.get("challengeName")
        if name == "PASSWORD_VERIFIER" and custom.srp_a is not None:
            if custom.password_verified:
                raise fail("InvalidLambdaResponseException", "Unrecognizable lambda output")
            return self._password_verifier(pool, client, user, login, custom.srp_a, custom)
        if name != "CUSTOM_CHALLENGE":
            raise fail("InvalidLambdaResponseException", "Unrecognizable lambda output")
        create = self._required_trigger(pool, "CreateAuthChallenge")
        event = self._custom_event(
            pool,
            client,
            user,
            login,
            "CreateAuthChallenge",
            {
                "challengeName": name,
                "session": copy.deepcopy(custom.rounds),
                "clientMetadata": dict(metadata),
            },
        )
        created = call_trigger("CreateAuthChallenge", create, event)
        public = created.get("publicChallengeParameters") or {}
        private = created.get("privateChallengeParameters") or {}
        if not isinstance(public, dict) or not isinstance(private, dict):
            raise fail("InvalidLambdaResponseException", "Unrecognizable lambda output")
        username = user.username if user else login
        session = self._new_session(
            pool,
            client,
            username,
            "CUSTOM_CHALLENGE",
            custom=custom,
            private_parameters={str(k): str(v) for k, v in private.items()},
            challenge_metadata=created.get("challengeMetadata"),
        )
        return {
            "ChallengeName": "CUSTOM_CHALLENGE",
            "Session": session.session_id,
            "ChallengeParameters": {
                **{str(k): str(v) for k, v in public.items()},
                "USERNAME": username,
            },
        }

    def _answer_custom(
        self,
        pool: UserPool,
        client: AppClient,
        session: AuthSession,
        login: str,
        answers: dict[str, str],
        metadata: dict[str, str],
    ) -> dict[str, Any]:
        custom = session.custom
        if custom is None:
            raise fail("NotAuthorizedException", SESSION_INVALID)
        user = pool.users.get(pool.key(custom.user)) if custom.user else None
        if (user is None and login != session.username) or (
            user is not None and self._find_user(pool, login) is not user
        ):
            raise fail("NotAuthorizedException", SESSION_INVALID)
        if "ANSWER" not in answers:
            raise missing("ANSWER")
        verify = self._required_trigger(pool, "VerifyAuthChallengeResponse")
        event = self._custom_event(
            pool,
            client,
            user,
            custom.login,
            "VerifyAuthChallengeResponse",
            {
                "privateChallengeParameters": dict(session.private_parameters),
                "challengeAnswer": answers["ANSWER"],
                "clientMetadata": dict(metadata),
            },
        )
        correct = bool(
            call_trigger("VerifyAuthChallengeResponse", verify, event).get("answerCorrect")
        )
        session.used = True
        custom.record("CUSTOM_CHALLENGE", correct, session.challenge_metadata)
        try:
            return self._custom_next(pool, client, user, custom, metadata)
        except ServiceFault as fault:
            if fault.code == "NotAuthorizedException":
                session.dead = True  # later answers: "Invalid session for the user."
            raise
