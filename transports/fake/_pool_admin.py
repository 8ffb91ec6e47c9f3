"""Pools and app clients as set-up scripts manage them: ListUserPools, DeleteUserPool,
ListUserPoolClients, UpdateUserPoolClient, DeleteUserPoolClient.

UpdateUserPoolClient sets every member it is given and, as Cognito documents, resets
the others to their defaults; the client keeps its id, secret and creation date.
"""

from __future__ import annotations

from typing import Any

import attrs

from ._core import fail, operation
from ._model import UserPool
from ._pools import PoolsAndClients
from ._schema import custom_attributes
from ._support import PAGE_SIZE, paginate

__all__ = ["PoolAdministration"]


class PoolAdministration(PoolsAndClients):
    """Listing, changing and deleting pools and their app clients."""

    @operation("ListUserPools")
    def list_user_pools(self, *, MaxResults: int, NextToken: str | None = None) -> dict[str, Any]:
        if not 1 <= MaxResults <= PAGE_SIZE:
            raise fail("InvalidParameterException", "MaxResults must be between 1 and 60.")
        pools, token = paginate(
            sorted(self._pools.values(), key=lambda p: p.created), MaxResults, NextToken
        )
        shown = [
            {
                "Id": p.pool_id,
                "Name": p.name,
                "LambdaConfig": p.describe()["LambdaConfig"],
                "LastModifiedDate": p.created,
                "CreationDate": p.created,
            }
            for p in pools
        ]
        out: dict[str, Any] = {"UserPools": shown}
        if token:
            out["NextToken"] = token
        return out

    @operation("DeleteUserPool")
    def delete_user_pool(self, *, UserPoolId: str) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        for client_id in pool.clients:
            self._clients.pop(client_id, None)
        for token, grant in list(self._refresh.items()):
            if grant.pool_id == pool.pool_id:
                del self._refresh[token]
        del self._pools[pool.pool_id]
        self._signers.pop(pool.pool_id, None)
        return {}

    @operation("ListUserPoolClients")
    def list_user_pool_clients(
        self, *, UserPoolId: str, MaxResults: int | None = None, NextToken: str | None = None
    ) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        clients, token = paginate(
            sorted(pool.clients.values(), key=lambda c: c.created),
            MaxResults or PAGE_SIZE,
            NextToken,
        )
        shown = [
            {"ClientId": c.client_id, "UserPoolId": pool.pool_id, "ClientName": c.name}
            for c in clients
        ]
        out: dict[str, Any] = {"UserPoolClients": shown}
        if token:
            out["NextToken"] = token
        return out

    @operation("UpdateUserPoolClient")
    def update_user_pool_client(
        self, *, UserPoolId: str, ClientId: str, ClientName: str | None = None, **members: Any
    ) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        old = pool.clients.get(ClientId)
        if old is None:
            raise fail("ResourceNotFoundException", f"User pool client {ClientId} does not exist.")
        built = self.create_user_pool_client(
            UserPoolId=UserPoolId, ClientName=ClientName or old.name, **members
        )["UserPoolClient"]["ClientId"]
        new = attrs.evolve(
            pool.clients.pop(built), client_id=old.client_id, secret=old.secret, created=old.created
        )
        del self._clients[built]
        pool.clients[old.client_id] = self._clients[old.client_id] = new
        return {"UserPoolClient": new.describe()}

    @operation("AddCustomAttributes")
    def add_custom_attributes(
        self, *, UserPoolId: str, CustomAttributes: list[dict[str, Any]]
    ) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        added = custom_attributes(CustomAttributes)
        for name in added:
            if name in pool.custom_attributes:
                raise fail(
                    "InvalidParameterException", f"Existing attribute already has name {name}."
                )
        pool.custom_attributes.update(added)
        return {}

    @operation("TagResource")
    def tag_resource(
        self, *, ResourceArn: str, Tags: dict[str, str] | None = None
    ) -> dict[str, Any]:
        self._tagged(ResourceArn).tags.update(Tags or {})
        return {}

    @operation("UntagResource")
    def untag_resource(self, *, ResourceArn: str, TagKeys: list[str]) -> dict[str, Any]:
        pool = self._tagged(ResourceArn)
        for key in TagKeys:
            pool.tags.pop(key, None)
        return {}

    @operation("ListTagsForResource")
    def list_tags_for_resource(self, *, ResourceArn: str) -> dict[str, Any]:
        return {"Tags": dict(self._tagged(ResourceArn).tags)}

    def _tagged(self, arn: str) -> UserPool:
        for pool in self._pools.values():
            if pool.arn == arn:
                return pool
        raise fail("ResourceNotFoundException", f"Resource {arn} does not exist.")

    @operation("DeleteUserPoolClient")
    def delete_user_pool_client(self, *, UserPoolId: str, ClientId: str) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        if ClientId not in pool.clients:
            raise fail("ResourceNotFoundException", f"User pool client {ClientId} does not exist.")
        del pool.clients[ClientId]
        self._clients.pop(ClientId, None)
        return {}
