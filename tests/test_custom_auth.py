"""Custom authentication: the flow's rounds, and the fake's Lambda triggers as callables."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cognitoflow.engine import (
    ConfirmSignInWithCustomChallenge,
    FlowState,
    InvalidInputError,
    InvalidParameterException,
    InvalidStateError,
    NotAuthorizedException,
    SignInFlow,
    SignInStep,
    UserLambdaValidationException,
)
from cognitoflow.transports.fake import FakeCognito, FakeTransport

from helpers import PASSWORD, Pool

MakePool = Callable[..., Pool]
Event = dict[str, Any]


class Rounds:
    """Triggers asking ``count`` questions in a row; each answer is ``answer-<round>``.

    Every event they receive is recorded, so tests can look at Cognito's event shapes.
    """

    def __init__(self, count: int = 3, *, retries: bool = False) -> None:
        self.count = count
        self.retries = retries
        self.events: list[Event] = []

    def define(self, event: Event) -> Event:
        self.events.append(event)
        session = event["request"]["session"]
        custom = [s for s in session if s["challengeName"] == "CUSTOM_CHALLENGE"]
        right = [s for s in custom if s["challengeResult"]]
        response = event["response"]
        if session and session[-1]["challengeName"] == "SRP_A":
            response.update(challengeName="PASSWORD_VERIFIER", issueTokens=False)
        elif custom and not custom[-1]["challengeResult"] and not self.retries:
            response.update(failAuthentication=True, issueTokens=False)
        elif len(right) == self.count:
            response.update(issueTokens=True, failAuthentication=False)
        else:
            response.update(challengeName="CUSTOM_CHALLENGE", issueTokens=False)
        return event

    def create(self, event: Event) -> Event:
        self.events.append(event)
        round_ = 1 + sum(
            1
            for s in event["request"]["session"]
            if s["challengeName"] == "CUSTOM_CHALLENGE" and s["challengeResult"]
        )
        event["response"].update(
            publicChallengeParameters={"round": str(round_), "prompt": f"Say answer-{round_}"},
            privateChallengeParameters={"answer": f"answer-{round_}"},
            challengeMetadata=f"ROUND-{round_}",
        )
        return event

    def verify(self, event: Event) -> Event:
        self.events.append(event)
        request = event["request"]
        event["response"]["answerCorrect"] = (
            request["challengeAnswer"] == request["privateChallengeParameters"]["answer"]
        )
        return event

    def config(self) -> dict[str, Any]:
        return {
            "DefineAuthChallenge": self.define,
            "CreateAuthChallenge": self.create,
            "VerifyAuthChallengeResponse": self.verify,
        }

    def of(self, source: str) -> list[Event]:
        return [e for e in self.events if e["triggerSource"] == f"{source}_Authentication"]


def _custom_pool(make_pool: MakePool, lambda_config: dict[str, Any], **extra: Any) -> Pool:
    pool = make_pool(LambdaConfig=lambda_config, **extra)
    pool.user("cora", email="cora@example.com", email_verified="true")
    return pool


def test_three_rounds_then_done(make_pool: MakePool) -> None:
    """Three custom rounds, each with its public parameters, then DONE."""
    triggers = Rounds(3)
    flow = _custom_pool(make_pool, triggers.config()).flow()
    out = flow.sign_in("cora", auth_flow_type="CUSTOM_WITHOUT_SRP")
    for round_ in (1, 2, 3):
        assert isinstance(out.next_step, ConfirmSignInWithCustomChallenge)
        info = out.next_step.additional_info
        assert info["round"] == str(round_)
        assert info["USERNAME"] == "cora"
        out = flow.confirm_sign_in(f"answer-{round_}")
    assert out.is_signed_in
    last = triggers.of("DefineAuthChallenge")[-1]["request"]["session"]
    assert [s["challengeMetadata"] for s in last] == ["ROUND-1", "ROUND-2", "ROUND-3"]
    assert all(s["challengeResult"] for s in last)


def test_wrong_answer_then_right_with_a_retrying_trigger(make_pool: MakePool) -> None:
    """A trigger that asks again turns a wrong answer into another round, then DONE."""
    triggers = Rounds(1, retries=True)
    flow = _custom_pool(make_pool, triggers.config()).flow()
    flow.sign_in("cora", auth_flow_type="CUSTOM_WITHOUT_SRP")
    session = flow.context.session
    out = flow.confirm_sign_in("wrong")
    assert out.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE
    assert flow.context.session != session
    assert flow.confirm_sign_in("answer-1").is_signed_in


class CountingTransport(FakeTransport):
    """Counts RespondToAuthChallenge calls."""

    def __init__(self, cognito: FakeCognito) -> None:
        super().__init__(cognito)
        self.responds = 0

    def respond_to_auth_challenge(self, request: Any) -> Any:
        self.responds += 1
        return super().respond_to_auth_challenge(request)


def test_fail_authentication_signs_out_and_stops_calls(make_pool: MakePool) -> None:
    """failAuthentication: NotAuthorizedException, SIGNED_OUT, and no further call to Cognito."""
    pool = _custom_pool(make_pool, Rounds(2).config())
    transport = CountingTransport(pool.cognito)
    flow = SignInFlow(transport, user_pool_id=pool.pool_id, client_id=pool.client_id)
    flow.sign_in("cora", auth_flow_type="CUSTOM_WITHOUT_SRP")
    dead = flow.context.session
    with pytest.raises(NotAuthorizedException, match="sign_in again") as caught:
        flow.confirm_sign_in("wrong")
    assert caught.value.message == "Incorrect username or password."
    assert flow.state is FlowState.SIGNED_OUT
    calls = transport.responds
    with pytest.raises(InvalidStateError, match="sign_in first"):
        flow.confirm_sign_in("answer-1")
    assert transport.responds == calls
    with pytest.raises(pool.cognito.exceptions.NotAuthorizedException) as refused:
        pool.cognito.respond_to_auth_challenge(
            ClientId=pool.client_id,
            ChallengeName="CUSTOM_CHALLENGE",
            Session=dead,
            ChallengeResponses={"USERNAME": "cora", "ANSWER": "answer-1"},
        )
    assert refused.value.response["Error"]["Message"] == "Invalid session for the user."


def test_custom_with_srp(make_pool: MakePool) -> None:
    """CUSTOM_WITH_SRP: the password is proven first (SRP_A, PASSWORD_VERIFIER), then rounds."""
    triggers = Rounds(1)
    pool = _custom_pool(make_pool, triggers.config())
    flow = pool.flow()
    with pytest.raises(NotAuthorizedException):
        flow.sign_in("cora", "Wrong-pass-1", auth_flow_type="CUSTOM_WITH_SRP")
    assert flow.state is FlowState.SIGNED_OUT
    out = flow.sign_in("cora", PASSWORD, auth_flow_type="CUSTOM_WITH_SRP")
    assert out.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE
    create = triggers.of("CreateAuthChallenge")[-1]
    assert [s["challengeName"] for s in create["request"]["session"]] == [
        "SRP_A",
        "PASSWORD_VERIFIER",
    ]
    assert flow.confirm_sign_in("answer-1").is_signed_in


@pytest.mark.parametrize(
    ("flow_type", "password"), [("CUSTOM_WITHOUT_SRP", PASSWORD), ("CUSTOM_WITH_SRP", None)]
)
def test_password_rules_of_the_custom_flows(
    make_pool: MakePool, flow_type: str, password: str | None
) -> None:
    """A password is refused without SRP and required with it, before any call."""
    flow = _custom_pool(make_pool, Rounds().config()).flow()
    with pytest.raises(InvalidInputError) as caught:
        flow.sign_in("cora", password, auth_flow_type=flow_type)
    assert caught.value.field == "password"
    assert flow.state is FlowState.SIGNED_OUT


def test_client_metadata_reaches_the_triggers(make_pool: MakePool) -> None:
    """confirm_sign_in's metadata reaches all three triggers; with SRP, sign_in's reaches them too.

    Cognito gives InitiateAuth's ClientMetadata only to pre sign-up, pre authentication and
    user migration triggers, not to Define/Create, and the fake follows it: sign_in's
    metadata travels with the PASSWORD_VERIFIER answer.
    """
    triggers = Rounds(1)
    flow = _custom_pool(make_pool, triggers.config()).flow()
    flow.sign_in("cora", PASSWORD, auth_flow_type="CUSTOM_WITH_SRP", client_metadata={"a": "1"})
    assert triggers.of("CreateAuthChallenge")[-1]["request"]["clientMetadata"] == {"a": "1"}
    triggers.events.clear()
    flow.confirm_sign_in("answer-1", client_metadata={"b": "2"})
    for source in ("VerifyAuthChallengeResponse", "DefineAuthChallenge"):
        assert triggers.of(source)[-1]["request"]["clientMetadata"] == {"b": "2"}


def test_trigger_errors_surface_as_cognito_does(make_pool: MakePool) -> None:
    """A trigger that raises gives UserLambdaValidationException with its message."""
    triggers = Rounds(1)

    def broken(event: Event) -> Event:
        raise RuntimeError("boom")

    pool = _custom_pool(make_pool, {**triggers.config(), "CreateAuthChallenge": broken})
    flow = pool.flow()
    with pytest.raises(UserLambdaValidationException) as caught:
        flow.sign_in("cora", auth_flow_type="CUSTOM_WITHOUT_SRP")
    assert caught.value.message == "CreateAuthChallenge failed with error boom."
    assert flow.state is FlowState.SIGNED_OUT


def test_event_shapes(make_pool: MakePool) -> None:
    """Trigger events carry Cognito's common fields and the user's attributes."""
    triggers = Rounds(1)
    pool = _custom_pool(make_pool, triggers.config())
    pool.flow().sign_in("cora", auth_flow_type="CUSTOM_WITHOUT_SRP")
    define = triggers.of("DefineAuthChallenge")[0]
    assert define["version"] == "1"
    assert define["userPoolId"] == pool.pool_id
    assert define["userName"] == "cora"
    assert define["callerContext"]["clientId"] == pool.client_id
    assert define["request"]["session"] == []
    assert define["request"]["userNotFound"] is False
    attributes = define["request"]["userAttributes"]
    assert attributes["email"] == "cora@example.com"
    assert attributes["cognito:user_status"] == "CONFIRMED"
    create = triggers.of("CreateAuthChallenge")[0]
    assert create["request"]["challengeName"] == "CUSTOM_CHALLENGE"


def test_no_define_trigger(make_pool: MakePool) -> None:
    """Custom auth on a pool without triggers is Cognito's InvalidParameterException."""
    pool = make_pool()
    pool.user("cora")
    with pytest.raises(InvalidParameterException, match="lambda trigger is not configured"):
        pool.flow().sign_in("cora", auth_flow_type="CUSTOM_WITHOUT_SRP")


def _named(name: str) -> dict[str, str]:
    return {kind: name for kind in Rounds().config()}


def test_ready_made_question_allows_three_tries(make_pool: MakePool) -> None:
    """cognitoflow:question: two wrong answers are retried, the third wrong one fails."""
    pool = _custom_pool(make_pool, _named("cognitoflow:question"))
    flow = pool.flow()
    out = flow.sign_in("cora", auth_flow_type="CUSTOM_WITHOUT_SRP")
    assert out.next_step.additional_info["question"] == "What is six times seven?"  # type: ignore[union-attr]
    flow.confirm_sign_in("41")
    assert flow.confirm_sign_in(" 42 ").is_signed_in
    flow.sign_out()
    flow.sign_in("cora", auth_flow_type="CUSTOM_WITHOUT_SRP")
    flow.confirm_sign_in("1")
    flow.confirm_sign_in("2")
    with pytest.raises(NotAuthorizedException):
        flow.confirm_sign_in("3")
    assert flow.state is FlowState.SIGNED_OUT


def test_ready_made_email_code(make_pool: MakePool) -> None:
    """cognitoflow:email-code: the code goes to the user's email; a retry keeps the same code."""
    pool = _custom_pool(make_pool, _named("cognitoflow:email-code"))
    flow = pool.flow()
    out = flow.sign_in("cora", PASSWORD, auth_flow_type="CUSTOM_WITH_SRP")
    assert out.next_step.additional_info["destination"] == "c***@e***.com"  # type: ignore[union-attr]
    message = pool.cognito.outbox.last("cora", purpose="CUSTOM_CHALLENGE")
    assert message.destination == "cora@example.com"
    flow.confirm_sign_in("000000" if message.code != "000000" else "111111")
    assert len(pool.cognito.outbox) == 1
    assert flow.confirm_sign_in(message.code).is_signed_in


def test_ready_made_email_code_needs_an_email(make_pool: MakePool) -> None:
    """A user without an email makes the ready-made trigger fail as a Lambda would."""
    pool = make_pool(LambdaConfig=_named("cognitoflow:email-code"))
    pool.user("noemail")
    with pytest.raises(UserLambdaValidationException, match="no email"):
        pool.flow().sign_in("noemail", auth_flow_type="CUSTOM_WITHOUT_SRP")


def test_triggers_can_be_set_later(make_pool: MakePool) -> None:
    """update_user_pool(LambdaConfig=...) turns custom auth on for an existing pool."""
    pool = make_pool()
    pool.user("cora")
    pool.cognito.update_user_pool(
        UserPoolId=pool.pool_id, LambdaConfig=_named("cognitoflow:question")
    )
    described = pool.cognito.describe_user_pool(UserPoolId=pool.pool_id)["UserPool"]
    assert described["LambdaConfig"]["DefineAuthChallenge"] == "cognitoflow:question"
    out = pool.flow().sign_in("cora", auth_flow_type="CUSTOM_WITHOUT_SRP")
    assert out.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE
