"""Remembered devices: confirmed after a sign-in, device SRP instead of MFA, remember,
forget, list; in process and on the wire, and against real Cognito's request shapes."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.stub import ANY, Stubber

from cognitoflow.engine import (
    DeviceSecrets,
    FlowState,
    InvalidStateError,
    NotAuthorizedException,
    SignInFlow,
    SignInStep,
)
from cognitoflow.transports import Boto3Transport, Transport
from cognitoflow.transports.fake import FakeCognito, FakeCognitoServer, FakeTransport

from helpers import PASSWORD, Pool, RecordingTransport

OPT_IN = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True}
ALWAYS = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False}
PHONE = "+15555550100"


@pytest.fixture(params=["in-process", "on-the-wire"])
def wire(request: pytest.FixtureRequest) -> Iterator[tuple[FakeCognito, Callable[[], Transport]]]:
    """The fake, and how flows reach it: in process, or served over HTTP through boto3."""
    if request.param == "in-process":
        cognito = FakeCognito()
        yield cognito, lambda: FakeTransport(cognito)
        return
    with FakeCognitoServer() as server:
        yield server.cognito, lambda: Boto3Transport(endpoint_url=server.url)


def _pool(cognito: FakeCognito, devices: dict[str, bool] = OPT_IN) -> Pool:
    pool = Pool(cognito, MfaConfiguration="ON", DeviceConfiguration=devices)
    pool.user("al", phone_number=PHONE, phone_number_verified="true")
    return pool


def _flow(pool: Pool, transport: Transport, device: DeviceSecrets | None = None) -> SignInFlow:
    return SignInFlow(
        transport,
        user_pool_id=pool.pool_id,
        client_id=pool.client_id,
        device=device,
        device_name="laptop",
    )


def _with_sms(flow: SignInFlow, cognito: FakeCognito) -> None:
    out = flow.sign_in("al", PASSWORD)
    assert out.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_SMS_CODE
    assert flow.confirm_sign_in(cognito.outbox.last_code("al")).is_signed_in


def test_a_remembered_device_skips_mfa_until_it_is_forgotten(
    wire: tuple[FakeCognito, Callable[[], Transport]],
) -> None:
    cognito, transport = wire
    pool = _pool(cognito)
    flow = _flow(pool, transport())
    _with_sms(flow, cognito)
    device = flow.device
    assert device is not None
    assert flow.path[-1] == ("DONE", "device_confirmed", "DONE")
    assert "device_password" not in repr(device)
    flow.remember_device()
    assert [d.device_key for d in flow.fetch_devices()] == [device.device_key]
    assert flow.fetch_devices()[0].name == "laptop"
    flow.sign_out()

    again = _flow(pool, transport(), device)  # a later request, with the device kept
    out = again.sign_in("al", PASSWORD)
    assert out.is_signed_in  # no SMS code
    assert again.path[-1] == ("SIGNED_OUT", "device_authenticated", "DONE")
    assert again.fetch_auth_session(force_refresh=True).tokens is not None  # sends the key

    again.forget_device()
    assert again.device is None
    again.sign_out()
    out = again.sign_in("al", PASSWORD)
    assert out.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_SMS_CODE  # MFA back


def test_a_wrong_device_password_is_refused(
    wire: tuple[FakeCognito, Callable[[], Transport]],
) -> None:
    cognito, transport = wire
    pool = _pool(cognito, ALWAYS)
    flow = _flow(pool, transport())
    _with_sms(flow, cognito)
    assert flow.device is not None
    stolen = DeviceSecrets(flow.device.device_key, flow.device.device_group_key, "guessed==")
    thief = _flow(pool, transport(), stolen)
    with pytest.raises(NotAuthorizedException):
        thief.sign_in("al", PASSWORD)
    assert thief.state is FlowState.SIGNED_OUT
    assert thief.device == stolen  # kept: the retry works with the right secrets


def test_a_device_cognito_forgot_leads_to_a_normal_sign_in(
    wire: tuple[FakeCognito, Callable[[], Transport]],
) -> None:
    cognito, transport = wire
    pool = _pool(cognito, ALWAYS)
    flow = _flow(pool, transport())
    _with_sms(flow, cognito)
    old = flow.device
    assert old is not None
    cognito.admin_forget_device(UserPoolId=pool.pool_id, Username="al", DeviceKey=old.device_key)
    later = _flow(pool, transport(), old)
    out = later.sign_in("al", PASSWORD)
    assert out.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_SMS_CODE
    assert later.device is None  # dropped, as Amplify drops it
    assert later.confirm_sign_in(cognito.outbox.last_code("al")).is_signed_in
    assert later.device is not None
    assert later.device.device_key != old.device_key  # a new device


def test_in_always_mode_a_confirmed_device_is_remembered_at_once(make_pool: Any) -> None:
    pool = make_pool(MfaConfiguration="ON", DeviceConfiguration=ALWAYS)
    pool.user("al", phone_number=PHONE, phone_number_verified="true")
    flow = _flow(pool, FakeTransport(pool.cognito))
    _with_sms(flow, pool.cognito)
    flow.sign_out()
    assert flow.sign_in("al", PASSWORD).is_signed_in


def test_a_device_not_remembered_still_gets_mfa_and_stays_the_same(make_pool: Any) -> None:
    pool = make_pool(MfaConfiguration="ON", DeviceConfiguration=OPT_IN)
    pool.user("al", phone_number=PHONE, phone_number_verified="true")
    flow = _flow(pool, FakeTransport(pool.cognito))
    _with_sms(flow, pool.cognito)
    device = flow.device
    assert flow.fetch_devices() == []  # confirmed, not remembered: hidden from the user
    flow.sign_out()
    _with_sms(flow, pool.cognito)
    assert flow.device == device  # presented and known: no new device


def test_without_challenge_required_on_new_device_mfa_follows_the_device_proof(
    make_pool: Any,
) -> None:
    pool = make_pool(
        MfaConfiguration="ON",
        DeviceConfiguration={"ChallengeRequiredOnNewDevice": False},
    )
    pool.user("al", phone_number=PHONE, phone_number_verified="true")
    transport = RecordingTransport(pool.cognito)
    flow = _flow(pool, transport)
    _with_sms(flow, pool.cognito)
    flow.sign_out()
    transport.calls.clear()
    _with_sms(flow, pool.cognito)
    assert transport.calls.count("RespondToAuthChallenge") == 4  # verifier, device x2, SMS


def test_a_failed_confirmation_costs_the_sign_in_nothing(make_pool: Any) -> None:
    class NoConfirm(FakeTransport):
        def confirm_device(self, request: dict[str, Any]) -> dict[str, Any]:
            from cognitoflow.transports import TransportConnectionError

            raise TransportConnectionError("refused", "ConfirmDevice")

    pool = make_pool(MfaConfiguration="ON", DeviceConfiguration=ALWAYS)
    pool.user("al", phone_number=PHONE, phone_number_verified="true")
    flow = _flow(pool, NoConfirm(pool.cognito))
    _with_sms(flow, pool.cognito)
    assert flow.state is FlowState.DONE
    assert flow.device is None


def test_the_device_survives_snapshot_and_restore(make_pool: Any) -> None:
    pool = make_pool(MfaConfiguration="ON", DeviceConfiguration=ALWAYS)
    pool.user("al", phone_number=PHONE, phone_number_verified="true")
    flow = _flow(pool, FakeTransport(pool.cognito))
    _with_sms(flow, pool.cognito)
    flow.sign_out()
    snapshot = flow.snapshot()
    assert flow.device is not None
    assert flow.device.device_password not in repr(snapshot)
    restored = SignInFlow.restore(snapshot, FakeTransport(pool.cognito))
    assert restored.device == flow.device
    assert restored.sign_in("al", PASSWORD).is_signed_in


def test_device_methods_need_a_signed_in_flow_with_a_device(make_pool: Any) -> None:
    pool = make_pool()
    pool.user("al")
    flow = _flow(pool, FakeTransport(pool.cognito))
    with pytest.raises(InvalidStateError, match="signed in"):
        flow.fetch_devices()
    assert flow.sign_in("al", PASSWORD).is_signed_in
    assert flow.device is None  # the pool tracks no devices
    with pytest.raises(InvalidStateError, match="no device"):
        flow.remember_device()
    assert flow.fetch_devices() == []


def test_a_custom_flow_signs_in_as_a_new_device(make_pool: Any) -> None:
    from helpers import QUESTION_TRIGGERS

    pool = make_pool(LambdaConfig=QUESTION_TRIGGERS, DeviceConfiguration=ALWAYS)
    pool.user("al")
    flow = _flow(pool, FakeTransport(pool.cognito))
    assert flow.sign_in("al", PASSWORD).is_signed_in
    first = flow.device
    flow.sign_out()
    flow.sign_in("al", auth_flow_type="CUSTOM_WITHOUT_SRP")
    assert flow.confirm_sign_in("42").is_signed_in
    assert flow.device is not None
    assert flow.device != first


# -- the fake's device operations --------------------------------------------------------


def _signed_in_device(make_pool: Any, devices: dict[str, bool]) -> tuple[Pool, SignInFlow]:
    pool = make_pool(DeviceConfiguration=devices)
    pool.user("al")
    flow = _flow(pool, FakeTransport(pool.cognito))
    assert flow.sign_in("al", PASSWORD).is_signed_in
    assert flow.device is not None
    return pool, flow


def test_the_fake_refuses_a_second_confirmation_and_negative_verifiers(make_pool: Any) -> None:
    pool = make_pool(
        DeviceConfiguration=ALWAYS, client={"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]}
    )
    pool.user("al")
    result = pool.cognito.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        ClientId=pool.client_id,
        AuthParameters={"USERNAME": "al", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    confirm = {
        "AccessToken": result["AccessToken"],
        "DeviceKey": result["NewDeviceMetadata"]["DeviceKey"],
    }
    negative = base64.b64encode(b"\x80" + bytes(31)).decode()
    with pytest.raises(Exception, match="negative value"):
        pool.cognito.confirm_device(
            **confirm, DeviceSecretVerifierConfig={"Salt": "AQ==", "PasswordVerifier": negative}
        )
    good = {"Salt": "AQ==", "PasswordVerifier": "AQ=="}
    pool.cognito.confirm_device(**confirm, DeviceSecretVerifierConfig=good)
    with pytest.raises(Exception, match="DeviceKeyExistsException"):
        pool.cognito.confirm_device(**confirm, DeviceSecretVerifierConfig=good)


def test_user_and_admin_views_of_devices(make_pool: Any) -> None:
    pool, flow = _signed_in_device(make_pool, OPT_IN)
    assert flow.tokens is not None
    assert flow.device is not None
    cognito, key, access = pool.cognito, flow.device.device_key, flow.tokens.access_token
    assert cognito.list_devices(AccessToken=access)["Devices"] == []
    with pytest.raises(Exception, match="Device does not exist"):
        cognito.get_device(AccessToken=access, DeviceKey=key)
    admin = {"UserPoolId": pool.pool_id, "Username": "al"}
    shown = cognito.admin_get_device(**admin, DeviceKey=key)["Device"]
    status = {a["Name"]: a["Value"] for a in shown["DeviceAttributes"]}
    assert status["dev:device_remembered_status"] == "not_remembered"
    cognito.admin_update_device_status(**admin, DeviceKey=key, DeviceRememberedStatus="remembered")
    assert [d["DeviceKey"] for d in cognito.list_devices(AccessToken=access)["Devices"]] == [key]
    assert cognito.get_device(AccessToken=access, DeviceKey=key)["Device"]["DeviceKey"] == key
    assert len(cognito.admin_list_devices(**admin)["Devices"]) == 1


def test_tokens_bound_to_a_device_refresh_only_with_its_key(make_pool: Any) -> None:
    pool, flow = _signed_in_device(make_pool, ALWAYS)
    assert flow.tokens is not None
    assert flow.device is not None
    refresh = {"RefreshToken": flow.tokens.refresh_token, "ClientId": pool.client_id}
    with pytest.raises(Exception, match="Invalid Refresh Token"):
        pool.cognito.get_tokens_from_refresh_token(**refresh)
    fresh = pool.cognito.get_tokens_from_refresh_token(**refresh, DeviceKey=flow.device.device_key)
    assert fresh["AuthenticationResult"]["AccessToken"]
    key = flow.device.device_key
    flow.forget_device()  # ForgetDevice ends the refresh tokens bound to the device
    with pytest.raises(Exception, match="revoked"):
        pool.cognito.get_tokens_from_refresh_token(**refresh, DeviceKey=key)


# -- real Cognito's request shapes ------------------------------------------------------


@pytest.fixture
def stubbed() -> Iterator[tuple[SignInFlow, Stubber]]:
    client = boto3.client(
        "cognito-idp", region_name="eu-west-1", config=Config(signature_version=UNSIGNED)
    )
    device = DeviceSecrets("eu-west-1_dev", "-group", "device-password==")
    flow = SignInFlow(
        Boto3Transport(client=client, max_attempts=1),
        user_pool_id="eu-west-1_Stub",
        client_id="c",
        device=device,
    )
    with Stubber(client) as stubber:
        yield flow, stubber
        stubber.assert_no_pending_responses()


def test_a_forgotten_device_is_dropped_and_the_sign_in_sent_again(
    stubbed: tuple[SignInFlow, Stubber],
) -> None:
    from test_session_stubbed import _result

    flow, stubber = stubbed
    sent = {
        "AuthFlow": "USER_PASSWORD_AUTH",
        "ClientId": "c",
        "AuthParameters": {
            "USERNAME": "amy",
            "PASSWORD": "Pass-word-1",
            "DEVICE_KEY": "eu-west-1_dev",
        },
    }
    stubber.add_client_error(
        "initiate_auth",
        "ResourceNotFoundException",
        "Device does not exist.",
        expected_params=sent,
    )
    without = {**sent, "AuthParameters": {"USERNAME": "amy", "PASSWORD": "Pass-word-1"}}
    stubber.add_response(
        "initiate_auth", {"AuthenticationResult": _result(), "ChallengeParameters": {}}, without
    )
    out = flow.sign_in("amy", "Pass-word-1", auth_flow_type="USER_PASSWORD_AUTH")
    assert out.is_signed_in
    assert flow.device is None


def test_the_device_challenge_requests(stubbed: tuple[SignInFlow, Stubber]) -> None:
    from test_session_stubbed import _result

    flow, stubber = stubbed
    stubber.add_response(
        "initiate_auth",
        {"ChallengeName": "DEVICE_SRP_AUTH", "Session": "s" * 40, "ChallengeParameters": {}},
    )
    stubber.add_response(
        "respond_to_auth_challenge",
        {
            "ChallengeName": "DEVICE_PASSWORD_VERIFIER",
            "Session": "t" * 40,
            "ChallengeParameters": {
                "SRP_B": "ab" * 64,
                "SALT": "1234",
                "SECRET_BLOCK": base64.b64encode(b"block").decode(),
                "USERNAME": "amy-internal",
            },
        },
        {
            "ClientId": "c",
            "ChallengeName": "DEVICE_SRP_AUTH",
            "Session": "s" * 40,
            "ChallengeResponses": {"USERNAME": "amy", "DEVICE_KEY": "eu-west-1_dev", "SRP_A": ANY},
        },
    )
    stubber.add_response(
        "respond_to_auth_challenge",
        {"AuthenticationResult": _result(), "ChallengeParameters": {}},
        {
            "ClientId": "c",
            "ChallengeName": "DEVICE_PASSWORD_VERIFIER",
            "Session": "t" * 40,
            "ChallengeResponses": {
                "USERNAME": "amy-internal",
                "DEVICE_KEY": "eu-west-1_dev",
                "PASSWORD_CLAIM_SECRET_BLOCK": base64.b64encode(b"block").decode(),
                "PASSWORD_CLAIM_SIGNATURE": ANY,
                "TIMESTAMP": ANY,
            },
        },
    )
    out = flow.sign_in("amy", "Pass-word-1", auth_flow_type="USER_PASSWORD_AUTH")
    assert out.is_signed_in
    assert flow.path[-1] == ("SIGNED_OUT", "device_authenticated", "DONE")
