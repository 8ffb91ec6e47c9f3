"""A fake user pool service built from a seed: pools, app clients, groups and users
declared in JSON, so a front-end team starts a known pool with one command.

The format (``"format": "cognitoflow-seed"``, ``"version": 1``)::

    {"format": "cognitoflow-seed", "version": 1,
     "pools": [{
        "Id": "eu-west-1_Demo",                         # optional: a fixed pool id
        "PoolName": "demo", "MfaConfiguration": "OPTIONAL",   # any CreateUserPool member
        "MfaConfig": {"SoftwareTokenMfaConfiguration": {"Enabled": true}},  # SetUserPoolMfaConfig
        "Clients": [{"ClientId": "demo-web-client",    # optional: a fixed client id
                     "ClientName": "web"}],             # any CreateUserPoolClient member
        "Groups": [{"GroupName": "admins", "Precedence": 1}],
        "Users": [{"Username": "alice", "Password": "Alice-pass-1",
                   "Temporary": false, "Enabled": true,
                   "Attributes": {"email": "alice@example.com", "email_verified": "true"},
                   "Groups": ["admins"],
                   "Mfa": {"SMS": true, "EMAIL": false, "TOTP": "JBSWY3DPEHPK3PXP",
                           "Preferred": "TOTP"}}]}]}

Everything goes through the fake's own operations, so a seed is checked as the calls it
stands for would be. A mistake is a :class:`SeedError` naming where it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from ._service import FakeCognito
from ._tokens import TokenSigner

__all__ = ["SEED_FORMAT", "SeedError", "seeded"]

SEED_FORMAT = "cognitoflow-seed"
_MFA = {"SMS": "SMSMfaSettings", "TOTP": "SoftwareTokenMfaSettings", "EMAIL": "EmailMfaSettings"}


class SeedError(ValueError):
    """A seed that cannot be loaded; the message says where and why."""


def seeded(seed: Any, cognito: FakeCognito | None = None) -> FakeCognito:
    """A fake with the seed's pools, clients, groups and users (in ``cognito`` if given)."""
    cognito = cognito or FakeCognito()
    if not isinstance(seed, Mapping) or seed.get("format") != SEED_FORMAT:
        raise SeedError(f'A seed is a JSON object with "format": "{SEED_FORMAT}".')
    if seed.get("version") != 1:
        raise SeedError("This seed's version is not supported (this release reads version 1).")
    pools = seed.get("pools", [])
    if not isinstance(pools, list):
        raise SeedError('"pools" must be a list.')
    for index, pool in enumerate(pools):
        where = f"pools[{index}]"
        try:
            _pool(cognito, _object(pool, where), where)
        except ClientError as error:
            details = error.response["Error"]
            raise SeedError(f"{where}: {details['Code']}: {details['Message']}") from None
    return cognito


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise SeedError(f"{where} must be an object.")
    return dict(value)


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise SeedError(f"{where} must be a list.")
    return value


def _pool(cognito: FakeCognito, spec: dict[str, Any], where: str) -> None:
    fixed_id = spec.pop("Id", None)
    clients = _list(spec.pop("Clients", None), f"{where}.Clients")
    groups = _list(spec.pop("Groups", None), f"{where}.Groups")
    users = _list(spec.pop("Users", None), f"{where}.Users")
    mfa = spec.pop("MfaConfig", None)
    pool_id = cognito.create_user_pool(**spec)["UserPool"]["Id"]
    if fixed_id is not None:
        pool_id = _rename_pool(cognito, pool_id, str(fixed_id), where)
    if mfa is not None:
        cognito.set_user_pool_mfa_config(UserPoolId=pool_id, **_object(mfa, f"{where}.MfaConfig"))
    for index, client in enumerate(clients):
        _client(cognito, pool_id, _object(client, f"{where}.Clients[{index}]"))
    for index, group in enumerate(groups):
        cognito.create_group(UserPoolId=pool_id, **_object(group, f"{where}.Groups[{index}]"))
    for index, user in enumerate(users):
        _user(cognito, pool_id, _object(user, f"{where}.Users[{index}]"), f"{where}.Users[{index}]")


def _rename_pool(cognito: FakeCognito, old: str, new: str, where: str) -> str:
    region, _, suffix = new.partition("_")
    if not region or not suffix or new in cognito._pools:
        raise SeedError(f"{where}.Id must look like <region>_<id> and be unique (got {new!r}).")
    pool = cognito._pools.pop(old)
    pool.pool_id = new
    cognito._pools[new] = pool
    cognito._signers.pop(old, None)
    cognito._signers[new] = TokenSigner(f"https://cognito-idp.{region}.amazonaws.com/{new}")
    return new


def _client(cognito: FakeCognito, pool_id: str, spec: dict[str, Any]) -> None:
    fixed_id, fixed_secret = spec.pop("ClientId", None), spec.pop("ClientSecret", None)
    if fixed_secret is not None:
        spec["GenerateSecret"] = True
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, **spec)["UserPoolClient"][
        "ClientId"
    ]
    client = cognito._clients[client_id]
    if fixed_secret is not None:
        client.secret = str(fixed_secret)
    if fixed_id is not None:
        pool = cognito._pools[pool_id]
        del cognito._clients[client_id], pool.clients[client_id]
        client.client_id = str(fixed_id)
        cognito._clients[client.client_id] = pool.clients[client.client_id] = client


def _user(cognito: FakeCognito, pool_id: str, spec: dict[str, Any], where: str) -> None:
    username, password = spec.get("Username"), spec.get("Password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise SeedError(f"{where} needs a Username and a Password.")
    attributes = _object(spec.get("Attributes") or {}, f"{where}.Attributes")
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": k, "Value": str(v)} for k, v in attributes.items()],
    )
    cognito.admin_set_user_password(
        UserPoolId=pool_id,
        Username=username,
        Password=password,
        Permanent=not spec.get("Temporary", False),
    )
    for group in _list(spec.get("Groups"), f"{where}.Groups"):
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)
    mfa = _object(spec.get("Mfa") or {}, f"{where}.Mfa")
    if mfa.get("TOTP"):
        user = cognito._pools[pool_id].users[cognito._pools[pool_id].key(username)]
        user.totp_secret = str(mfa["TOTP"])
    settings = {
        _MFA[name]: {"Enabled": True, "PreferredMfa": mfa.get("Preferred") == name}
        for name in _MFA
        if mfa.get(name)
    }
    if settings:
        cognito.admin_set_user_mfa_preference(UserPoolId=pool_id, Username=username, **settings)
    if spec.get("Enabled", True) is False:
        cognito.admin_disable_user(UserPoolId=pool_id, Username=username)
