"""`cognitoflow fake-cognito serve --seed`: a known pool in one command, reset over HTTP,
and clear one-line errors (exit code 2) for a bad seed or state file. The seeded-server
test uses nothing of this project's test helpers: it is written as a user would."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import boto3
import pyotp
import pytest

from cognitoflow.engine import SignInFlow, SignInStep
from cognitoflow.testing import serving
from cognitoflow.transports import Boto3Transport
from cognitoflow.transports.fake import SeedError, seeded

TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
SEED = {
    "format": "cognitoflow-seed",
    "version": 1,
    "pools": [
        {
            "Id": "eu-west-1_Demo",
            "PoolName": "demo",
            "MfaConfiguration": "OPTIONAL",
            "MfaConfig": {"SoftwareTokenMfaConfiguration": {"Enabled": True}},
            "Clients": [{"ClientId": "demo-web-client", "ClientName": "web"}],
            "Groups": [{"GroupName": "admins", "Precedence": 1}],
            "Users": [
                {
                    "Username": "alice",
                    "Password": "Alice-pass-1!",
                    "Attributes": {"email": "alice@example.com", "email_verified": "true"},
                    "Groups": ["admins"],
                    "Mfa": {"TOTP": TOTP, "Preferred": "TOTP"},
                },
                {"Username": "bob", "Password": "Bobs-pass-1!"},
            ],
        }
    ],
}
SERVE = [sys.executable, "-m", "cognitoflow.engine.cli", "fake-cognito", "serve"]


@pytest.fixture
def seeded_server(tmp_path: Path) -> Iterator[str]:
    """The CLI's server, started from the seed, as a front-end team would start it."""
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(SEED))
    with serving("--seed", str(seed), "--quiet") as fake:
        yield fake.url


def test_a_seeded_pool_is_ready_and_resets(seeded_server: str) -> None:
    flow = SignInFlow(
        Boto3Transport(endpoint_url=seeded_server),
        user_pool_id="eu-west-1_Demo",
        client_id="demo-web-client",
    )
    out = flow.sign_in("alice", "Alice-pass-1!")
    assert out.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_TOTP_CODE
    assert flow.confirm_sign_in(pyotp.TOTP(TOTP).now()).is_signed_in
    assert flow.get_current_user().username == "alice"

    admin = boto3.client(
        "cognito-idp",
        region_name="eu-west-1",
        endpoint_url=seeded_server,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    extra = admin.create_user_pool(PoolName="scratch")["UserPool"]["Id"]
    request = urllib.request.Request(f"{seeded_server}/_fake/reset", method="POST", data=b"")
    with urllib.request.urlopen(request) as reply:
        assert reply.status == 200
    pools = [p["Id"] for p in admin.list_user_pools(MaxResults=60)["UserPools"]]
    assert pools == ["eu-west-1_Demo"]
    assert extra not in pools
    users = admin.list_users(UserPoolId="eu-west-1_Demo")["Users"]
    assert sorted(u["Username"] for u in users) == ["alice", "bob"]


def test_a_seed_is_checked_as_its_calls_would_be() -> None:
    cognito = seeded(SEED)
    assert (
        cognito.admin_list_groups_for_user(UserPoolId="eu-west-1_Demo", Username="alice")["Groups"][
            0
        ]["GroupName"]
        == "admins"
    )
    broken = json.loads(json.dumps(SEED))
    broken["pools"][0]["Users"][1]["Password"] = "short"
    with pytest.raises(SeedError, match=r"pools\[0\]: InvalidPasswordException"):
        seeded(broken)


def _serve_fails(*args: str) -> str:
    done = subprocess.run(
        [*SERVE, "--port", "0", *args], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "No such file"),
        ("{not json", "not JSON"),
        (json.dumps({"format": "something else"}), "cognitoflow-seed"),
        (
            json.dumps({**SEED, "pools": [{"PoolName": "p", "Users": [{"Username": "x"}]}]}),
            "needs a Username and a Password",
        ),
        (
            json.dumps({**SEED, "pools": [{"PoolName": "p", "MfaConfiguration": "MAYBE"}]}),
            "MfaConfiguration",
        ),
    ],
)
def test_a_bad_seed_is_one_line_and_exit_code_2(
    tmp_path: Path, content: str | None, words: str
) -> None:
    seed = tmp_path / "seed.json"
    if content is not None:
        seed.write_text(content)
    assert words.lower() in _serve_fails("--seed", str(seed)).lower()


def test_a_bad_state_file_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    assert "folder does not exist" in _serve_fails("--state", str(tmp_path / "no" / "s"))
    corrupt = tmp_path / "state"
    corrupt.write_bytes(b"this is not a state file")
    assert "cannot be read" in _serve_fails("--state", str(corrupt))


def test_the_state_file_round_trips_everything(tmp_path: Path) -> None:
    """Pools, groups, users with MFA, a device, sessions and refresh tokens in use, the
    outbox: saved as JSON and read back, nothing differs."""
    from cognitoflow.engine import SignInFlow as Flow
    from cognitoflow.transports.fake import FakeCognito, FakeTransport
    from cognitoflow.transports.fake._state import dump

    cognito = seeded(SEED)
    tracked = cognito.create_user_pool(
        PoolName="devices", DeviceConfiguration={"ChallengeRequiredOnNewDevice": True}
    )["UserPool"]["Id"]
    client = cognito.create_user_pool_client(UserPoolId=tracked, ClientName="c")["UserPoolClient"][
        "ClientId"
    ]
    cognito.add_user(tracked, "dev", "Devs-pass-1!")
    flow = Flow(FakeTransport(cognito), user_pool_id=tracked, client_id=client)
    assert flow.sign_in("dev", "Devs-pass-1!").is_signed_in
    assert flow.device is not None
    half = Flow(FakeTransport(cognito), user_pool_id="eu-west-1_Demo", client_id="demo-web-client")
    half.sign_in("alice", "Alice-pass-1!")  # waits at the TOTP step: a live session
    path = tmp_path / "state.json"
    cognito.save(path)
    loaded = FakeCognito.load(path)
    assert dump(loaded) == dump(cognito)
    again = Flow(FakeTransport(loaded), user_pool_id=tracked, client_id=client, device=flow.device)
    assert again.sign_in("dev", "Devs-pass-1!").is_signed_in  # the device is still known


def test_a_file_that_is_not_a_state_file_is_refused(tmp_path: Path) -> None:
    from cognitoflow.transports.fake import FakeCognito, StateFileError

    path = tmp_path / "state"
    for content in (
        b"\x80\x04pickle",
        b"{}",
        b'{"format": "cognitoflow-fake-state", "version": 9}',
    ):
        path.write_bytes(content)
        with pytest.raises(StateFileError):
            FakeCognito.load(path)
