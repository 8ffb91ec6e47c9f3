"""Testing your own app against the fake: the pytest plugin's fixtures and
``mock_cognito``, each used by tests written as an app's developer would write them."""

from __future__ import annotations

import textwrap

import boto3
import pytest

from cognitoflow.engine import SignInFlow
from cognitoflow.testing import mock_cognito
from cognitoflow.transports import Boto3Transport

pytest_plugins = ["pytester"]


def test_the_plugin_gives_an_apps_tests_the_fake(pytester: pytest.Pytester) -> None:
    """An app's test file, with no conftest: the fixtures come from the installed plugin."""
    pytester.makepyfile(
        test_app=textwrap.dedent(
            """
            import boto3

            def test_signup_sends_a_code(fake_cognito, fake_outbox):
                pool = fake_cognito.create_user_pool(
                    PoolName="app", AutoVerifiedAttributes=["email"]
                )["UserPool"]["Id"]
                client = fake_cognito.create_user_pool_client(
                    UserPoolId=pool, ClientName="web"
                )["UserPoolClient"]["ClientId"]
                fake_cognito.sign_up(
                    ClientId=client, Username="ann", Password="Ann-pass-1!",
                    UserAttributes=[{"Name": "email", "Value": "ann@example.com"}],
                )
                code = fake_outbox("ann", purpose="SIGN_UP")
                fake_cognito.confirm_sign_up(ClientId=client, Username="ann", ConfirmationCode=code)

            def test_my_server_code_over_http(fake_cognito_server):
                client = boto3.client(
                    "cognito-idp", region_name="eu-west-1", endpoint_url=fake_cognito_server.url,
                    aws_access_key_id="x", aws_secret_access_key="x",
                )
                pool = client.create_user_pool(PoolName="app")["UserPool"]["Id"]
                assert pool.startswith("eu-west-1_")
                assert fake_cognito_server.cognito.describe_user_pool(UserPoolId=pool)
                assert list(fake_cognito_server.outbox) == []

            def test_each_test_gets_a_fresh_fake(fake_cognito):
                assert fake_cognito.list_user_pools(MaxResults=10)["UserPools"] == []
            """
        )
    )
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_mock_cognito_routes_an_apps_own_boto3_client() -> None:
    with mock_cognito() as cognito:
        client = boto3.client("cognito-idp", region_name="eu-west-1")
        pool = client.create_user_pool(PoolName="app")["UserPool"]["Id"]
        app = client.create_user_pool_client(UserPoolId=pool, ClientName="web")
        client_id = app["UserPoolClient"]["ClientId"]
        client.admin_create_user(UserPoolId=pool, Username="bo", MessageAction="SUPPRESS")
        client.admin_set_user_password(
            UserPoolId=pool, Username="bo", Password="Bos-pass-1!", Permanent=True
        )
        # The library's own transport builds its own session: it is routed too.
        flow = SignInFlow(
            Boto3Transport(region="eu-west-1"), user_pool_id=pool, client_id=client_id
        )
        assert flow.sign_in("bo", "Bos-pass-1!").is_signed_in
        assert cognito.admin_get_user(UserPoolId=pool, Username="bo")["Username"] == "bo"
        with pytest.raises(client.exceptions.UserNotFoundException):
            client.admin_get_user(UserPoolId=pool, Username="nobody")


@mock_cognito()
def test_mock_cognito_as_a_decorator() -> None:
    client = boto3.client("cognito-idp", region_name="us-east-1")
    assert client.list_user_pools(MaxResults=10)["UserPools"] == []


def test_mock_cognito_beside_motos_mock_aws() -> None:
    """Other services still go to moto; cognito-idp goes to the fake."""
    from moto import mock_aws

    with mock_aws(), mock_cognito() as cognito:
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="app-assets")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["app-assets"]
        client = boto3.client("cognito-idp", region_name="us-east-1")
        pool = client.create_user_pool(PoolName="app")["UserPool"]["Id"]
        assert cognito.describe_user_pool(UserPoolId=pool)["UserPool"]["Name"] == "app"


def test_after_the_mock_nothing_is_routed() -> None:
    with mock_cognito() as cognito:
        pass
    client = boto3.client(
        "cognito-idp",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",  # nothing listens: the request must not reach the fake
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=__import__("botocore.config").config.Config(
            retries={"max_attempts": 0}, connect_timeout=1
        ),
    )
    with pytest.raises(Exception, match=r"Could not connect|Connect timeout|connection"):
        client.list_user_pools(MaxResults=1)
    assert cognito.list_user_pools(MaxResults=10)["UserPools"] == []
