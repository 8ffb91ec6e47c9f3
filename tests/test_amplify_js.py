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

import pytest

from helpers import admin_client, system_tool

HERE = Path(__file__).resolve().parent / "amplify"
PASSWORD = "Amplify-pass-1"


@pytest.fixture(scope="module")
def amplify(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Amplify check, its packages installed from the lock file (npm's cache is reused)."""
    node = system_tool("node", "nodejs")
    npm = system_tool("npm", "npm")
    work = tmp_path_factory.mktemp("amplify")
    for name in ("package.json", "package-lock.json", "session.mjs"):
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


def test_amplify_signs_in_refreshes_and_its_revoked_token_is_refused(
    amplify: Path, served: str
) -> None:
    admin = admin_client(served)
    pool_id = admin.create_user_pool(PoolName="amplify")["UserPool"]["Id"]
    client_id = admin.create_user_pool_client(UserPoolId=pool_id, ClientName="web")[
        "UserPoolClient"
    ]["ClientId"]
    admin.admin_create_user(UserPoolId=pool_id, Username="amy", MessageAction="SUPPRESS")
    admin.admin_set_user_password(
        UserPoolId=pool_id, Username="amy", Password=PASSWORD, Permanent=True
    )
    env = {
        **os.environ,
        "ENDPOINT": served,
        "POOL_ID": pool_id,
        "CLIENT_ID": client_id,
        "USERNAME": "amy",
        "PASSWORD": PASSWORD,
    }
    ran = subprocess.run(
        [shutil.which("node") or "node", "session.mjs"],
        cwd=amplify,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    out = json.loads(ran.stdout.strip().splitlines()[-1])
    assert out["signInStep"] == "DONE"
    assert out["firstSub"]
    assert out["refreshedAccessTokenDiffers"] is True
    assert out["refreshedUsername"] == "amy"
    assert out["signedOutSession"] is None
    refresh_token = out["refreshToken"]
    assert refresh_token
    with pytest.raises(admin.exceptions.NotAuthorizedException, match="revoked"):
        admin.get_tokens_from_refresh_token(RefreshToken=refresh_token, ClientId=client_id)
