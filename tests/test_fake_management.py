"""A set-up script written for real Cognito (boto3's cognito-idp API, as documented) runs
unchanged on the fake, in process and on the wire: pools, app clients, users and their
search, groups and their token claims, and what users do with their own account."""

from __future__ import annotations

import base64
import json
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from cognitoflow.transports.fake import FakeCognito, FakeCognitoServer

from helpers import admin_client

Code = Callable[[str, str], str]
PASSWORD = "Setup-pass-1!"


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def setup_script(cognito: Any, code: Code) -> None:
    """What a team's set-up and admin scripts do, step by step."""
    pool = cognito.create_user_pool(PoolName="app", AutoVerifiedAttributes=["email"])["UserPool"]
    pool_id = pool["Id"]
    assert pool["Arn"].endswith(f"userpool/{pool_id}")
    assert "email" in [a["Name"] for a in pool["SchemaAttributes"]]
    listed = cognito.list_user_pools(MaxResults=60)["UserPools"]
    assert pool_id in [p["Id"] for p in listed]
    cognito.tag_resource(ResourceArn=pool["Arn"], Tags={"team": "auth", "env": "test"})
    cognito.untag_resource(ResourceArn=pool["Arn"], TagKeys=["env"])
    assert cognito.list_tags_for_resource(ResourceArn=pool["Arn"])["Tags"] == {"team": "auth"}

    # -- app clients -------------------------------------------------------------------
    flows = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="web",
        ExplicitAuthFlows=flows,
        CallbackURLs=["https://app.example.com/callback"],
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email"],
        AllowedOAuthFlowsUserPoolClient=True,
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]
    client_id = client["ClientId"]
    described = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    assert described["UserPoolClient"]["CallbackURLs"] == ["https://app.example.com/callback"]
    updated = cognito.update_user_pool_client(
        UserPoolId=pool_id, ClientId=client_id, ClientName="web-app", ExplicitAuthFlows=flows
    )["UserPoolClient"]
    assert (updated["ClientId"], updated["ClientName"]) == (client_id, "web-app")
    assert "CallbackURLs" not in updated  # members not given are reset, as Cognito does
    spare = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="spare")
    cognito.delete_user_pool_client(
        UserPoolId=pool_id, ClientId=spare["UserPoolClient"]["ClientId"]
    )
    clients = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)
    assert [c["ClientId"] for c in clients["UserPoolClients"]] == [client_id]

    # -- users, and finding them -------------------------------------------------------
    for name in ("ann", "bob", "cat"):
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=name,
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "email", "Value": f"{name}@example.com"},
                {"Name": "email_verified", "Value": "true"},
                {"Name": "name", "Value": name.title()},
            ],
        )
        cognito.admin_set_user_password(
            UserPoolId=pool_id, Username=name, Password=PASSWORD, Permanent=True
        )

    def found(**search: Any) -> list[str]:
        users = cognito.list_users(UserPoolId=pool_id, **search)["Users"]
        return [u["Username"] for u in users]

    assert found(Filter='email ^= "a"') == ["ann"]
    assert found(Filter='username = "bob"') == ["bob"]
    assert found(Filter='cognito:user_status = "CONFIRMED"') == ["ann", "bob", "cat"]
    first = cognito.list_users(UserPoolId=pool_id, Limit=2)
    rest = cognito.list_users(UserPoolId=pool_id, Limit=2, PaginationToken=first["PaginationToken"])
    assert [u["Username"] for u in first["Users"] + rest["Users"]] == ["ann", "bob", "cat"]
    shown = cognito.list_users(UserPoolId=pool_id, AttributesToGet=["email"], Limit=1)
    assert [a["Name"] for a in shown["Users"][0]["Attributes"]] == ["email"]
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.list_users(UserPoolId=pool_id, Filter='shoe_size = "9"')

    # -- groups ------------------------------------------------------------------------
    role = "arn:aws:iam::000000000000:role/admins"
    cognito.create_group(GroupName="admins", UserPoolId=pool_id, Precedence=1, RoleArn=role)
    cognito.create_group(GroupName="readers", UserPoolId=pool_id, Precedence=5)
    cognito.update_group(GroupName="readers", UserPoolId=pool_id, Description="Read only")
    assert (
        cognito.get_group(GroupName="readers", UserPoolId=pool_id)["Group"]["Description"]
        == "Read only"
    )
    with pytest.raises(cognito.exceptions.GroupExistsException):
        cognito.create_group(GroupName="admins", UserPoolId=pool_id)
    for group in ("readers", "admins"):
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="ann", GroupName=group)
    groups = cognito.admin_list_groups_for_user(Username="ann", UserPoolId=pool_id)["Groups"]
    assert [g["GroupName"] for g in groups] == ["admins", "readers"]
    members = cognito.list_users_in_group(UserPoolId=pool_id, GroupName="admins")["Users"]
    assert [u["Username"] for u in members] == ["ann"]
    assert [g["GroupName"] for g in cognito.list_groups(UserPoolId=pool_id)["Groups"]] == [
        "admins",
        "readers",
    ]

    def sign_in(name: str, password: str = PASSWORD) -> dict[str, Any]:
        result: dict[str, Any] = cognito.admin_initiate_auth(
            UserPoolId=pool_id,
            ClientId=client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": password},
        )["AuthenticationResult"]
        return result

    tokens = sign_in("ann")
    assert _claims(tokens["AccessToken"])["cognito:groups"] == ["admins", "readers"]
    ident = _claims(tokens["IdToken"])
    assert ident["cognito:preferred_role"] == role
    cognito.admin_remove_user_from_group(UserPoolId=pool_id, Username="ann", GroupName="readers")
    cognito.delete_group(GroupName="readers", UserPoolId=pool_id)
    assert _claims(sign_in("ann")["AccessToken"])["cognito:groups"] == ["admins"]

    # -- a user's own account ------------------------------------------------------------
    access = tokens["AccessToken"]
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.change_password(
            PreviousPassword="Wrong-pass-1!", ProposedPassword="New-pass-1!", AccessToken=access
        )
    cognito.change_password(
        PreviousPassword=PASSWORD, ProposedPassword="New-pass-1!", AccessToken=access
    )
    access = sign_in("ann", "New-pass-1!")["AccessToken"]
    sent = cognito.update_user_attributes(
        UserAttributes=[{"Name": "email", "Value": "ann@new.example.com"}], AccessToken=access
    )["CodeDeliveryDetailsList"]
    assert sent[0]["AttributeName"] == "email"
    attributes = {
        a["Name"]: a["Value"] for a in cognito.get_user(AccessToken=access)["UserAttributes"]
    }
    assert attributes["email_verified"] == "false"
    cognito.verify_user_attribute(
        AccessToken=access, AttributeName="email", Code=code("ann", "VERIFY_email")
    )
    cognito.get_user_attribute_verification_code(AccessToken=access, AttributeName="email")
    cognito.verify_user_attribute(
        AccessToken=access, AttributeName="email", Code=code("ann", "VERIFY_email")
    )
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.update_user_attributes(
            UserAttributes=[{"Name": "email_verified", "Value": "true"}], AccessToken=access
        )
    cognito.delete_user_attributes(UserAttributeNames=["name"], AccessToken=access)
    cognito.admin_delete_user_attributes(
        UserPoolId=pool_id, Username="cat", UserAttributeNames=["name"]
    )
    factors = cognito.get_user_auth_factors(AccessToken=access)
    assert factors["ConfiguredUserAuthFactors"] == ["PASSWORD", "EMAIL_OTP"]
    admin_view = cognito.admin_get_user_auth_factors(UserPoolId=pool_id, Username="ann")
    assert admin_view["Username"] == "ann"
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="ann")
    assert "name" not in {a["Name"] for a in user["UserAttributes"]}
    assert {a["Name"]: a["Value"] for a in user["UserAttributes"]}["email_verified"] == "true"

    bob = sign_in("bob")["AccessToken"]
    cognito.delete_user(AccessToken=bob)
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_get_user(UserPoolId=pool_id, Username="bob")
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.get_user(AccessToken=bob)

    cognito.delete_user_pool(UserPoolId=pool_id)
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.describe_user_pool(UserPoolId=pool_id)


def test_the_set_up_script_runs_in_process() -> None:
    cognito = FakeCognito()
    setup_script(cognito, lambda user, purpose: cognito.outbox.last_code(user, purpose=purpose))


def test_the_set_up_script_runs_on_the_wire() -> None:
    with FakeCognitoServer() as server:

        def code(user: str, purpose: str) -> str:
            query = urllib.parse.urlencode({"username": user, "purpose": purpose})
            with urllib.request.urlopen(f"{server.url}/_fake/outbox?{query}") as reply:
                return str(json.load(reply)["Messages"][-1]["Code"])

        setup_script(admin_client(server.url), code)


def test_a_pool_is_in_the_region_its_client_addresses() -> None:
    import boto3

    with FakeCognitoServer() as server:
        client = boto3.client(
            "cognito-idp",
            region_name="eu-west-1",
            endpoint_url=server.url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        pool = client.create_user_pool(PoolName="irish")["UserPool"]
        assert pool["Id"].startswith("eu-west-1_")
        assert ":eu-west-1:" in pool["Arn"]
        assert server.cognito.jwks(pool["Id"])  # its keys, under the pool's own issuer
    assert FakeCognito().create_user_pool(PoolName="p")["UserPool"]["Id"].startswith("us-east-1_")


class ModelChecked:
    """A FakeCognito whose every reply is checked against the operation's output shape in
    Cognito's model (members present where required, of the right types)."""

    def __init__(self, cognito: FakeCognito) -> None:
        import botocore.session
        from botocore import xform_name

        self.cognito = cognito
        self.exceptions = cognito.exceptions
        model = botocore.session.get_session().get_service_model("cognito-idp")
        self.model = model
        self.operations = {xform_name(op): op for op in model.operation_names}
        self.checked: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        from botocore.validate import ParamValidator

        method = getattr(self.cognito, name)
        shape = self.model.operation_model(self.operations[name]).output_shape

        def call(**request: Any) -> Any:
            reply = method(**request)
            if shape is not None:
                report = ParamValidator().validate(reply, shape)
                assert not report.has_errors(), f"{name}: {report.generate_report()}"
            self.checked.add(name)
            return reply

        return call


def test_every_reply_of_the_set_up_script_fits_cognitos_model() -> None:
    cognito = FakeCognito()
    checked = ModelChecked(cognito)
    setup_script(checked, lambda user, purpose: cognito.outbox.last_code(user, purpose=purpose))
    assert len(checked.checked) >= 30
