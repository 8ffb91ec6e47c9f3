"""The example sign-in page (examples/signin_page): every step as a form, state kept in a
sealed cookie or in Redis. Flask's test client here; a real browser in test_browser.py."""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest

from cognitoflow.engine import SnapshotSealer

from helpers import load_example

example = load_example()


@pytest.fixture(params=["cookie", "redis"])
def page(request: pytest.FixtureRequest) -> Any:
    """A test client of the example app on its own embedded fake, in each state mode."""
    env = {"SIGNIN_KEYS": SnapshotSealer.generate_key(), "SIGNIN_STATE": request.param}
    if request.param == "redis":
        env["REDIS_URL"] = request.getfixturevalue("redis_url")
    cognito, pool_id, client_id = example.demo_pool()
    app = example.create_app(env, cognito=cognito, pool=(pool_id, client_id))
    client = app.test_client()
    client.cognito = cognito
    return client


def _step(html: str) -> str:
    found = re.search(r"Step: <code>([A-Z_]+)</code>", html)
    assert found, html
    return found.group(1)


def _sign_in(client: Any, username: str, password: str, **form: str) -> str:
    reply = client.post(
        "/sign-in", data={"username": username, "password": password, **form}, follow_redirects=True
    )
    return str(reply.get_data(as_text=True))


def test_sms_code_with_a_wrong_code_first(page: Any) -> None:
    html = _sign_in(page, "bob", example.DEMO_PASSWORD)
    assert _step(html) == "CONFIRM_SIGN_IN_WITH_SMS_CODE"
    assert "We sent a code by SMS to +*******0100" in html
    code = page.cognito.outbox.last_code("bob")
    wrong = page.post("/confirm", data={"answer": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 400
    text = wrong.get_data(as_text=True)
    assert "CodeMismatchException" in text
    assert _step(text) == "CONFIRM_SIGN_IN_WITH_SMS_CODE"  # kept: try again
    done = page.post("/confirm", data={"answer": code}, follow_redirects=True)
    assert 'You are signed in as <strong id="who">bob</strong>' in done.get_data(as_text=True)


def test_new_password_with_the_missing_attribute_then_sms(page: Any) -> None:
    html = _sign_in(page, "alice", "Temp-pass-1")
    assert _step(html) == "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED"
    assert 'name="attr_name"' in html
    missing = page.post("/confirm", data={"answer": "A-better-pass-2"})
    assert missing.status_code == 400
    assert "name" in missing.get_data(as_text=True)
    html = page.post(
        "/confirm", data={"answer": "A-better-pass-2", "attr_name": "Alice"}, follow_redirects=True
    ).get_data(as_text=True)
    assert _step(html) == "CONFIRM_SIGN_IN_WITH_SMS_CODE"


def test_mfa_setup_choice_then_totp_setup_with_qr(page: Any) -> None:
    html = _sign_in(page, "dana", example.DEMO_PASSWORD)
    assert _step(html) == "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION"
    assert 'value="TOTP"' in html
    assert 'value="EMAIL"' in html
    html = page.post("/confirm", data={"answer": "TOTP"}, follow_redirects=True).get_data(
        as_text=True
    )
    assert _step(html) == "CONTINUE_SIGN_IN_WITH_TOTP_SETUP"
    assert "<svg" in html
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', html)
    assert secret
    code = pyotp.TOTP(secret.group(1)).at(page.cognito.clock())
    done = page.post("/confirm", data={"answer": code}, follow_redirects=True)
    assert "signed in as" in done.get_data(as_text=True)


def test_first_factor_choice_then_password(page: Any) -> None:
    html = _sign_in(page, "bob", "", auth_flow_type="USER_AUTH")
    assert _step(html) == "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION"
    assert 'value="PASSWORD"' in html
    html = page.post("/confirm", data={"answer": "PASSWORD"}, follow_redirects=True).get_data(
        as_text=True
    )
    assert _step(html) == "CONFIRM_SIGN_IN_WITH_PASSWORD"
    html = page.post(
        "/confirm", data={"answer": example.DEMO_PASSWORD}, follow_redirects=True
    ).get_data(as_text=True)
    assert _step(html) == "CONFIRM_SIGN_IN_WITH_SMS_CODE"


def test_a_bad_or_missing_state_cookie_starts_again(page: Any) -> None:
    assert page.post("/confirm", data={"answer": "123456"}).status_code == 400
    _sign_in(page, "bob", example.DEMO_PASSWORD)
    page.set_cookie("signin", "garbage", domain="localhost")
    reply = page.post("/confirm", data={"answer": "123456"})
    assert reply.status_code == 400
    assert "This sign-in has ended" in reply.get_data(as_text=True)
    assert _step(page.get("/").get_data(as_text=True)) == "SIGNED_OUT"


def test_wrong_password_stays_on_the_form(page: Any) -> None:
    reply = page.post("/sign-in", data={"username": "bob", "password": "Wrong-pass-9"})
    assert reply.status_code == 400
    assert "NotAuthorizedException" in reply.get_data(as_text=True)


def test_the_cookie_holds_no_readable_session(page: Any) -> None:
    _sign_in(page, "bob", example.DEMO_PASSWORD)
    cookie = page.get_cookie("signin").value
    assert "bob" not in cookie
    assert "CONFIRM" not in cookie


def test_the_page_on_a_pool_given_by_settings() -> None:
    """With COGNITO_* settings the page talks to that pool through boto3 (here the fake
    served over HTTP on 127.0.0.1, standing in for Cognito)."""
    from cognitoflow.transports.fake import FakeCognitoServer

    cognito, pool_id, client_id = example.demo_pool()
    with FakeCognitoServer(cognito) as server:
        app = example.create_app(
            {
                "COGNITO_USER_POOL_ID": pool_id,
                "COGNITO_CLIENT_ID": client_id,
                "COGNITO_ENDPOINT_URL": server.url,
                "AWS_REGION": "us-east-1",
            }
        )
        client = app.test_client()
        html = _sign_in(client, "bob", example.DEMO_PASSWORD)
        assert _step(html) == "CONFIRM_SIGN_IN_WITH_SMS_CODE"
        assert "/dev/outbox" not in html  # no fake inside this app
        code = cognito.outbox.last_code("bob")
        done = client.post("/confirm", data={"answer": code}, follow_redirects=True)
        assert "signed in as" in done.get_data(as_text=True)
