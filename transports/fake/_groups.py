"""Groups: CreateGroup, GetGroup, UpdateGroup, DeleteGroup, ListGroups, and their users
(AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup).

A user's tokens carry ``cognito:groups`` (both tokens), and the ID token
``cognito:roles`` and ``cognito:preferred_role`` (the role of the group with the lowest
precedence), as Cognito issues them.
"""

from __future__ import annotations

from typing import Any

from ._core import ServiceCore, fail, operation
from ._model import Group, User, UserPool
from ._support import PAGE_SIZE, paginate

__all__ = ["Groups"]


class Groups(ServiceCore):
    """A pool's groups and their members."""

    @operation("CreateGroup")
    def create_group(
        self,
        *,
        GroupName: str,
        UserPoolId: str,
        Description: str | None = None,
        RoleArn: str | None = None,
        Precedence: int | None = None,
    ) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        if GroupName in pool.groups:
            raise fail("GroupExistsException", "A group with the name already exists.")
        now = self.clock()
        group = Group(GroupName, Description, RoleArn, Precedence, created=now, modified=now)
        pool.groups[GroupName] = group
        return {"Group": group.describe(pool.pool_id)}

    @operation("GetGroup")
    def get_group(self, *, GroupName: str, UserPoolId: str) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        return {"Group": self._group(pool, GroupName).describe(pool.pool_id)}

    @operation("UpdateGroup")
    def update_group(
        self,
        *,
        GroupName: str,
        UserPoolId: str,
        Description: str | None = None,
        RoleArn: str | None = None,
        Precedence: int | None = None,
    ) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        group = self._group(pool, GroupName)
        if Description is not None:
            group.description = Description
        if RoleArn is not None:
            group.role_arn = RoleArn
        if Precedence is not None:
            group.precedence = Precedence
        group.modified = self.clock()
        return {"Group": group.describe(pool.pool_id)}

    @operation("DeleteGroup")
    def delete_group(self, *, GroupName: str, UserPoolId: str) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        self._group(pool, GroupName)
        del pool.groups[GroupName]
        return {}

    @operation("ListGroups")
    def list_groups(
        self, *, UserPoolId: str, Limit: int | None = None, NextToken: str | None = None
    ) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        groups = [
            g.describe(pool.pool_id) for g in sorted(pool.groups.values(), key=lambda g: g.order)
        ]
        page, token = paginate(groups, Limit or PAGE_SIZE, NextToken)
        out: dict[str, Any] = {"Groups": page}
        if token:
            out["NextToken"] = token
        return out

    @operation("AdminAddUserToGroup")
    def admin_add_user_to_group(
        self, *, UserPoolId: str, Username: str, GroupName: str
    ) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        user = self._admin_user(pool, Username)
        group = self._group(pool, GroupName)
        if user.username not in group.members:
            group.members.append(user.username)
        return {}

    @operation("AdminRemoveUserFromGroup")
    def admin_remove_user_from_group(
        self, *, UserPoolId: str, Username: str, GroupName: str
    ) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        user = self._admin_user(pool, Username)
        group = self._group(pool, GroupName)
        if user.username in group.members:
            group.members.remove(user.username)
        return {}

    @operation("AdminListGroupsForUser")
    def admin_list_groups_for_user(
        self,
        *,
        Username: str,
        UserPoolId: str,
        Limit: int | None = None,
        NextToken: str | None = None,
    ) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        user = self._admin_user(pool, Username)
        groups = [g.describe(pool.pool_id) for g in self._groups_of(pool, user)]
        page, token = paginate(groups, Limit or PAGE_SIZE, NextToken)
        out: dict[str, Any] = {"Groups": page}
        if token:
            out["NextToken"] = token
        return out

    @operation("ListUsersInGroup")
    def list_users_in_group(
        self,
        *,
        UserPoolId: str,
        GroupName: str,
        Limit: int | None = None,
        NextToken: str | None = None,
    ) -> dict[str, Any]:
        pool = self._pool(UserPoolId)
        group = self._group(pool, GroupName)
        users = [
            self._user_type(pool.users[pool.key(name)])
            for name in group.members
            if pool.key(name) in pool.users
        ]
        page, token = paginate(users, Limit or PAGE_SIZE, NextToken)
        out: dict[str, Any] = {"Users": page}
        if token:
            out["NextToken"] = token
        return out

    # -- shared ------------------------------------------------------------------------

    @staticmethod
    def _group(pool: UserPool, name: str) -> Group:
        group = pool.groups.get(name)
        if group is None:
            raise fail("ResourceNotFoundException", "Group not found.")
        return group

    @staticmethod
    def _groups_of(pool: UserPool, user: User) -> list[Group]:
        return pool.groups_of(user.username)
