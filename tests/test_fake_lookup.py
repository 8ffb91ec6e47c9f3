"""The fake finds users by an alias attribute through an index that always agrees with
reading every user."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cognitoflow.engine import SignInFlow, UserNotFoundException
from cognitoflow.transports.fake import FakeCognito, FakeTransport
from cognitoflow.transports.fake._user_table import ALIAS_ATTRIBUTES, Attributes, UserTable

PASSWORD = "Lookup-pass-1!"


@attrs.define
class _Person:
    attributes: Attributes = attrs.field(converter=Attributes)


def _scan(table: UserTable[_Person], attribute: str, value: str) -> list[str]:
    return [
        key
        for key, person in table.items()
        if (person.attributes.get(attribute) or "").lower() == value.lower()
        and attribute in person.attributes
    ]


def _found(table: UserTable[_Person], attribute: str, value: str) -> list[str]:
    found = {id(person) for person in table.with_alias(attribute, value)}
    return [key for key, person in table.items() if id(person) in found]


_names = st.sampled_from(["ann", "bob", "cy"])
_attribute = st.sampled_from([*ALIAS_ATTRIBUTES, "name"])
_value = st.sampled_from(["a@x.io", "A@X.io", "b@x.io", "+1555"])
_steps = st.lists(
    st.one_of(
        st.tuples(st.just("add"), _names, _attribute, _value),
        st.tuples(st.just("set"), _names, _attribute, _value),
        st.tuples(st.just("update"), _names, _attribute, _value),
        st.tuples(st.just("delete_attribute"), _names, _attribute, _value),
        st.tuples(st.just("pop"), _names, _attribute, _value),
        st.tuples(st.just("remove"), _names, _attribute, _value),
        st.tuples(st.just("look"), _names, _attribute, _value),
    ),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(_steps)
def test_the_index_agrees_with_a_scan_after_any_changes(steps: list[tuple[str, ...]]) -> None:
    table: UserTable[_Person] = UserTable()
    kept: dict[str, _Person] = {}
    for action, name, attribute, value in steps:
        person = table.get(name)
        if action == "add":
            kept[name] = table[name] = _Person({attribute: value})
        elif action == "remove" and person is not None:
            del table[name]
        elif person is None:
            pass
        elif action == "set":
            person.attributes[attribute] = value
        elif action == "update":
            person.attributes.update({attribute: value})
        elif action == "delete_attribute" and attribute in person.attributes:
            del person.attributes[attribute]
        elif action == "pop":
            person.attributes.pop(attribute, None)
        for alias in ALIAS_ATTRIBUTES:
            assert _found(table, alias, value) == _scan(table, alias, value), steps
    # a user removed from the table is no longer watched: changing it changes nothing
    for name, person in kept.items():
        if name not in table:
            person.attributes["email"] = "a@x.io"
            assert all(found is not person for found in table.with_alias("email", "a@x.io"))


@pytest.fixture
def pool() -> tuple[FakeCognito, str, str]:
    cognito = FakeCognito()
    pool_id = cognito.create_user_pool(PoolName="alias", AliasAttributes=["email"])["UserPool"][
        "Id"
    ]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="web")[
        "UserPoolClient"
    ]["ClientId"]
    for name in ("ann", "bob"):
        cognito.add_user(
            pool_id, name, PASSWORD, email=f"{name}@example.com", email_verified="true"
        )
    return cognito, pool_id, client_id


def _signs_in(cognito: FakeCognito, pool_id: str, client_id: str, login: str) -> bool:
    flow = SignInFlow(FakeTransport(cognito), user_pool_id=pool_id, client_id=client_id)
    try:
        return flow.sign_in(login, PASSWORD).is_signed_in
    except UserNotFoundException:
        return False


def test_a_changed_email_signs_in_and_the_old_one_does_not(
    pool: tuple[FakeCognito, str, str],
) -> None:
    cognito, pool_id, client_id = pool
    assert _signs_in(cognito, pool_id, client_id, "ann@example.com")  # the index is built
    cognito.admin_update_user_attributes(
        UserPoolId=pool_id,
        Username="ann",
        UserAttributes=[
            {"Name": "email", "Value": "ann@new.example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    assert _signs_in(cognito, pool_id, client_id, "ann@new.example.com")
    assert not _signs_in(cognito, pool_id, client_id, "ann@example.com")
    cognito.admin_delete_user(UserPoolId=pool_id, Username="bob")
    assert not _signs_in(cognito, pool_id, client_id, "bob@example.com")
    cognito.add_user(pool_id, "bob", PASSWORD, email="bob@example.com", email_verified="true")
    assert _signs_in(cognito, pool_id, client_id, "bob@example.com")


def test_the_index_is_rebuilt_from_a_state_file(
    pool: tuple[FakeCognito, str, str], tmp_path: Path
) -> None:
    cognito, pool_id, client_id = pool
    assert _signs_in(cognito, pool_id, client_id, "bob@example.com")
    cognito.save(tmp_path / "state.json")
    loaded = FakeCognito.load(tmp_path / "state.json")
    assert _signs_in(loaded, pool_id, client_id, "bob@example.com")
    loaded.admin_delete_user_attributes(
        UserPoolId=pool_id, Username="bob", UserAttributeNames=["email"]
    )
    assert not _signs_in(loaded, pool_id, client_id, "bob@example.com")
    assert _signs_in(cognito, pool_id, client_id, "bob@example.com")  # the saved one is apart
