"""``serve --state``: each operation appends what it changed, and reading the state file
with its journal gives back the service exactly as it was."""

from __future__ import annotations

import contextlib
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cognitoflow.engine import CognitoFlowError, SignInFlow
from cognitoflow.transports.fake import (
    FakeCognito,
    FakeCognitoServer,
    FakeTransport,
    StateFileError,
)
from cognitoflow.transports.fake._journal import StateJournal, journaled
from cognitoflow.transports.fake._state import dump, journal_path

PASSWORD = "Journal-pass-1!"


def _same(live: FakeCognito, path: Path) -> None:
    """The state read back from disk is the live state, record for record."""
    assert dump(FakeCognito.load(path)) == dump(live)


_OPEN: list[StateJournal] = []


@pytest.fixture(autouse=True)
def _close_journals() -> Iterator[None]:
    yield
    while _OPEN:
        _OPEN.pop().close()


def _world(path: Path, users: int = 3) -> tuple[FakeCognito, StateJournal, str, str]:
    cognito = FakeCognito()
    journal = StateJournal(path)
    journal.attach(cognito)
    _OPEN.append(journal)
    pool_id = cognito.create_user_pool(
        PoolName="kept", MfaConfiguration="OPTIONAL", AliasAttributes=["email"]
    )["UserPool"]["Id"]
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="web")[
        "UserPoolClient"
    ]["ClientId"]
    for n in range(users):
        cognito.add_user(
            pool_id, f"user{n}", PASSWORD, email=f"user{n}@example.com", email_verified="true"
        )
    return cognito, journal, pool_id, client_id


def _sign_in(cognito: FakeCognito, pool_id: str, client_id: str, who: str) -> SignInFlow:
    flow = SignInFlow(FakeTransport(cognito), user_pool_id=pool_id, client_id=client_id)
    assert flow.sign_in(who, PASSWORD).is_signed_in
    return flow


def test_every_kind_of_change_is_read_back(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    cognito, _, pool_id, client_id = _world(path)
    flow = _sign_in(cognito, pool_id, client_id, "user0")
    token = flow.fetch_auth_session().tokens.access_token
    secret = cognito.associate_software_token(AccessToken=str(token))["SecretCode"]
    cognito.verify_software_token(AccessToken=str(token), UserCode=pyotp.TOTP(secret).now())
    cognito.create_group(UserPoolId=pool_id, GroupName="staff", Precedence=1)
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="user1", GroupName="staff")
    cognito.admin_update_user_attributes(
        UserPoolId=pool_id, Username="user2", UserAttributes=[{"Name": "name", "Value": "Two"}]
    )
    cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, ClientName="web2")
    cognito.admin_delete_user(UserPoolId=pool_id, Username="user1")
    cognito.forgot_password(ClientId=client_id, Username="user2")  # a message in the outbox
    cognito.jwks(pool_id)
    _same(cognito, path)
    assert journal_path(path).stat().st_size > 0  # read back from the journal, not a rewrite
    cognito.global_sign_out(AccessToken=str(token))
    cognito.outbox.clear()
    with cognito._lock, journaled(cognito):
        pass  # a change made outside an operation is written with the next one
    second = cognito.create_user_pool(PoolName="second")["UserPool"]["Id"]
    cognito.delete_user_pool(UserPoolId=pool_id)
    _same(cognito, path)
    assert [pool["Id"] for pool in cognito.list_user_pools(MaxResults=10)["UserPools"]] == [second]


def test_a_request_writes_what_it_changed_not_the_whole_pool(tmp_path: Path) -> None:
    """The journal grows by the same amount per sign-in with 5 users as with 400."""
    growth = []
    for users in (5, 400):
        path = tmp_path / f"state-{users}.json"
        cognito, _, pool_id, client_id = _world(path, users)
        _sign_in(cognito, pool_id, client_id, "user1@example.com")  # keys made, index built
        _sign_in(cognito, pool_id, client_id, "user3@example.com")  # its records written
        before = journal_path(path).stat().st_size
        _sign_in(cognito, pool_id, client_id, "user3@example.com")
        growth.append(journal_path(path).stat().st_size - before)
        _same(cognito, path)
    small, large = growth
    assert 0 < small < 20_000
    assert abs(large - small) < 64, growth  # ids differ in length only by chance


def test_a_failed_operation_keeps_what_it_counted(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    cognito, _, pool_id, client_id = _world(path)
    flow = SignInFlow(FakeTransport(cognito), user_pool_id=pool_id, client_id=client_id)
    with pytest.raises(Exception, match="Incorrect username or password"):
        flow.sign_in("user0", "Wrong-pass-1!")
    _same(cognito, path)
    assert FakeCognito.load(path)._pools[pool_id].users["user0"].failed_attempts == 1


def test_the_journal_is_folded_into_the_file_when_it_outgrows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("cognitoflow.transports.fake._journal._MIN_COMPACT_BYTES", 4096)
    path = tmp_path / "state.json"
    cognito, _, pool_id, client_id = _world(path)
    sizes = []
    for n in range(12):
        _sign_in(cognito, pool_id, client_id, f"user{n % 3}")
        sizes.append(journal_path(path).stat().st_size)
    assert any(later < earlier for earlier, later in itertools.pairwise(sizes)), sizes
    _same(cognito, path)


def test_a_line_cut_short_at_the_end_is_left_out_and_one_in_the_middle_is_an_error(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.json"
    cognito, journal, _, _ = _world(path)
    journal.close()
    kept = dump(cognito)
    journal_file = journal_path(path)
    whole = journal_file.read_bytes()
    journal_file.write_bytes(whole + b'{"set":["sessions","x"],"val')  # a crash mid-write
    assert dump(FakeCognito.load(path)) == kept
    journal_file.write_bytes(b'{"set":["sessions"\n' + whole)
    with pytest.raises(StateFileError, match="line 1"):
        FakeCognito.load(path)


def test_save_to_the_kept_file_folds_the_journal_and_elsewhere_stands_alone(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.json"
    cognito, _, pool_id, client_id = _world(path)
    _sign_in(cognito, pool_id, client_id, "user0")
    cognito.save(path)
    assert journal_path(path).stat().st_size == 0
    _sign_in(cognito, pool_id, client_id, "user1")
    _same(cognito, path)
    other = tmp_path / "copy.json"
    journal_path(other).write_text("not json\nat all\n")
    cognito.save(other)
    assert not journal_path(other).exists()
    assert dump(FakeCognito.load(other)) == dump(cognito)


def test_the_served_fake_keeps_jwks_outbox_and_reset(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with FakeCognitoServer(state_file=path) as server:
        cognito = server.cognito
        pool_id = cognito.create_user_pool(PoolName="served")["UserPool"]["Id"]
        client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="w")[
            "UserPoolClient"
        ]["ClientId"]
        cognito.sign_up(ClientId=client_id, Username="ann", Password=PASSWORD)
        from urllib.request import Request, urlopen

        with urlopen(f"{server.url}/{pool_id}/.well-known/jwks.json") as answer:
            keys = json.load(answer)["keys"]
        _same(cognito, path)
        urlopen(Request(f"{server.url}/_fake/outbox", method="DELETE")).close()
        _same(cognito, path)
        assert len(FakeCognito.load(path).outbox) == 0
        urlopen(Request(f"{server.url}/_fake/reset", method="POST", data=b"")).close()
        _same(server.cognito, path)
        assert dump(FakeCognito.load(path))["pools"] == {}
        assert keys
    assert journal_path(path).stat().st_size == 0  # stopping folds the journal in


_actions = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "sign_in",
                "wrong_password",
                "add",
                "delete",
                "rename",
                "group",
                "client",
                "sign_out",
                "forgot",
                "clear",
            ]
        ),
        st.integers(0, 3),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_actions)
def test_any_sequence_of_operations_reads_back_the_same(
    tmp_path: Path, actions: list[tuple[str, int]]
) -> None:
    path = tmp_path / "state.json"
    path.unlink(missing_ok=True)
    cognito, journal, pool_id, client_id = _world(path, users=2)
    tokens: list[str] = []
    for action, n in actions:
        who = f"user{n}"
        with contextlib.suppress(ClientError, CognitoFlowError):  # refused is a step too
            _act(cognito, pool_id, client_id, action, who, n, tokens)
        _same(cognito, path)
    journal.close()


def _act(
    cognito: FakeCognito,
    pool_id: str,
    client_id: str,
    action: str,
    who: str,
    n: int,
    tokens: list[str],
) -> Any:
    if action == "sign_in":
        flow = _sign_in(cognito, pool_id, client_id, who)
        tokens.append(str(flow.fetch_auth_session().tokens.access_token))
    elif action == "wrong_password":
        flow = SignInFlow(FakeTransport(cognito), user_pool_id=pool_id, client_id=client_id)
        with contextlib.suppress(CognitoFlowError):
            flow.sign_in(who, "Wrong-pass-1!")
    elif action == "add":
        cognito.add_user(pool_id, who, PASSWORD, email=f"{who}@example.com")
    elif action == "delete":
        cognito.admin_delete_user(UserPoolId=pool_id, Username=who)
    elif action == "rename":
        cognito.admin_update_user_attributes(
            UserPoolId=pool_id,
            Username=who,
            UserAttributes=[{"Name": "email", "Value": f"{who}-{n}@example.org"}],
        )
    elif action == "group":
        name = f"g{n}"
        if name not in cognito._pools[pool_id].groups:
            cognito.create_group(UserPoolId=pool_id, GroupName=name)
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=who, GroupName=name)
    elif action == "client":
        cognito.create_user_pool_client(UserPoolId=pool_id, ClientName=f"c{n}")
    elif action == "sign_out" and tokens:
        cognito.global_sign_out(AccessToken=tokens[n % len(tokens)])
    elif action == "forgot":
        cognito.forgot_password(ClientId=client_id, Username=who)
    elif action == "clear":
        cognito.outbox.clear()
        with cognito._lock, journaled(cognito):
            pass
