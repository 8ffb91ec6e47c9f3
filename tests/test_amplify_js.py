"""Amplify JS v6, from the npm registry, under Node, against `cognitoflow fake-cognito serve`.

It signs in (SRP), refreshes its tokens (GetTokensFromRefreshToken, as Amplify >= 6.22
does), signs out (RevokeToken), and the refresh token it held is then refused by the fake.
Node and npm come from Debian in CI (``.ci/run``); elsewhere the test is skipped without them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from helpers import admin_client, pool_with_sms_user, system_tool

HERE = Path(__file__).resolve().parent / "amplify"
PASSWORD = "Amplify-pass-1"


@pytest.fixture(scope="module")
def amplify(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Amplify check, its packages installed from the lock file (npm's cache is reused)."""
    node = system_tool("node", "nodejs")
    npm = system_tool("npm", "npm")
    work = tmp_path_factory.mktemp("amplify")
    for name in ("package.json", "package-lock.json", "session.mjs", "device.mjs", "flows.mjs"):
        shutil.copy(HERE / name, work / name)
    installed = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert installed.returncode == 0, installed.stderr[-2000:]
    assert node
    return work


def _run(amplify: Path, script: str, served: str, pool_id: str, client_id: str) -> Any:
    """Run one of the Amplify scripts as user amy; its JSON line."""
    env = {
        **os.environ,
        "ENDPOINT": served,
        "POOL_ID": pool_id,
        "CLIENT_ID": client_id,
        "USERNAME": "amy",
        "PASSWORD": PASSWORD,
    }
    ran = subprocess.run(
        [shutil.which("node") or "node", script],
        cwd=amplify,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    return json.loads(ran.stdout.strip().splitlines()[-1])


def test_amplify_signs_in_refreshes_and_its_revoked_token_is_refused(
    amplify: Path, served: str
) -> None:
    admin = admin_client(served)
    pool_id, client_id = pool_with_sms_user(admin, "amy", PASSWORD)
    out = _run(amplify, "session.mjs", served, pool_id, client_id)
    assert out["signInStep"] == "DONE"
    assert out["firstSub"]
    assert out["refreshedAccessTokenDiffers"] is True
    assert out["refreshedUsername"] == "amy"
    assert out["signedOutSession"] is None
    refresh_token = out["refreshToken"]
    assert refresh_token
    with pytest.raises(admin.exceptions.NotAuthorizedException, match="revoked"):
        admin.get_tokens_from_refresh_token(RefreshToken=refresh_token, ClientId=client_id)


def test_amplify_remembers_a_device_and_then_skips_mfa(amplify: Path, served: str) -> None:
    """rememberDevice() after an SMS sign-in; the next sign-in in the same process asks
    for no code: Amplify answers the fake's DEVICE_SRP_AUTH with its device secrets."""
    admin = admin_client(served)
    devices = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True}
    pool_id, client_id = pool_with_sms_user(
        admin, "amy", PASSWORD, MfaConfiguration="ON", DeviceConfiguration=devices
    )
    out = _run(amplify, "device.mjs", served, pool_id, client_id)
    assert out["firstStep"] == "CONFIRM_SIGN_IN_WITH_SMS_CODE"
    assert out["confirmedStep"] == "DONE"
    assert out["devices"] == 1
    assert out["secondStep"] == "DONE"


def test_amplify_sets_up_totp_and_signs_in_with_an_email_code(amplify: Path, served: str) -> None:
    admin = admin_client(served)
    totp_pool = admin.create_user_pool(PoolName="totp", MfaConfiguration="ON")["UserPool"]["Id"]
    admin.set_user_pool_mfa_config(
        UserPoolId=totp_pool,
        MfaConfiguration="ON",
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    email_pool = admin.create_user_pool(
        PoolName="email",
        Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}},
    )["UserPool"]["Id"]
    clients = {}
    for pool, flows in ((totp_pool, None), (email_pool, ["ALLOW_USER_AUTH"])):
        extra = {"ExplicitAuthFlows": flows} if flows else {}
        clients[pool] = admin.create_user_pool_client(UserPoolId=pool, ClientName="web", **extra)[
            "UserPoolClient"
        ]["ClientId"]
    for pool, name in ((totp_pool, "tia"), (email_pool, "eli")):
        admin.admin_create_user(
            UserPoolId=pool,
            Username=name,
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "email", "Value": f"{name}@example.com"},
                {"Name": "email_verified", "Value": "true"},
            ],
        )
        admin.admin_set_user_password(
            UserPoolId=pool, Username=name, Password=PASSWORD, Permanent=True
        )
    env = {
        **os.environ,
        "ENDPOINT": served,
        "TOTP_POOL": totp_pool,
        "TOTP_CLIENT": clients[totp_pool],
        "EMAIL_POOL": email_pool,
        "EMAIL_CLIENT": clients[email_pool],
        "PASSWORD": PASSWORD,
    }
    ran = subprocess.run(
        [shutil.which("node") or "node", "flows.mjs"],
        cwd=amplify,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    out = json.loads(ran.stdout.strip().splitlines()[-1])
    assert out == {
        "totpStep": "CONTINUE_SIGN_IN_WITH_TOTP_SETUP",
        "totpDone": "DONE",
        "emailStep": "CONFIRM_SIGN_IN_WITH_EMAIL_CODE",
        "emailDone": "DONE",
    }
