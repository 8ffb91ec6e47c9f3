"""The example sign-in page (examples/signin_page): every step as a form, state kept in a
sealed cookie or in Redis. Flask's test client here; a real browser in test_browser.py."""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest
from flask.testing import FlaskClient

from cognitoflow.engine import SnapshotSealer
from cognitoflow.transports.fake import ManualClock

from helpers import load_example

example = load_example()
demo = load_example("demo")


class BrowserLikeClient(FlaskClient):
    """Posts as the page's own forms do: with the CSRF token the page gave this browser."""

    def post(self, *args: Any, **kwargs: Any) -> Any:
        if self.get_cookie(example.CSRF_COOKIE) is None:
            self.get("/")
        data = dict(kwargs.pop("data", {}))
        data.setdefault("csrf", self.get_cookie(example.CSRF_COOKIE).value)  # type: ignore[union-attr]
        return super().post(*args, data=data, **kwargs)


def _client(app: Any) -> Any:
    app.test_client_class = BrowserLikeClient
    return app.test_client()


@pytest.fixture(params=["cookie", "redis"])
def page(request: pytest.FixtureRequest) -> Any:
    """A test client of the example app on its own embedded fake, in each state mode."""
    env = {
        "SIGNIN_KEYS": SnapshotSealer.generate_key(),
        "SIGNIN_STATE": request.param,
        "SIGNIN_PLAIN_HTTP": "1",  # the test client speaks plain HTTP
    }
    if request.param == "redis":
        env["REDIS_URL"] = request.getfixturevalue("redis_url")
    cognito, pool_id, client_id = demo.demo_pool()
    app = example.create_app(env, cognito=cognito, pool=(pool_id, client_id))
    client = _client(app)
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

    cognito, pool_id, client_id = demo.demo_pool()
    with FakeCognitoServer(cognito) as server:
        app = example.create_app(
            {
                "COGNITO_USER_POOL_ID": pool_id,
                "COGNITO_CLIENT_ID": client_id,
                "COGNITO_ENDPOINT_URL": server.url,
                "AWS_REGION": "us-east-1",
                "SIGNIN_PLAIN_HTTP": "1",
            }
        )
        client = _client(app)
        html = _sign_in(client, "bob", example.DEMO_PASSWORD)
        assert _step(html) == "CONFIRM_SIGN_IN_WITH_SMS_CODE"
        assert "/dev/outbox" not in html  # no fake inside this app
        assert client.get("/dev/outbox").status_code == 404
        code = cognito.outbox.last_code("bob")
        done = client.post("/confirm", data={"answer": code}, follow_redirects=True)
        assert "signed in as" in done.get_data(as_text=True)


def test_the_sign_in_state_is_never_taken_for_a_signed_in_session(page: Any) -> None:
    """The replay that once worked: start a sign-in as bob with no password (USER_AUTH),
    then present the sealed sign-in state as the signed-in cookie. Refused."""
    page.post("/sign-in", data={"username": "bob", "auth_flow_type": "USER_AUTH"})
    state = page.get_cookie(example.STATE_COOKIE).value
    page.set_cookie(example.USER_COOKIE, state, domain="localhost")
    html = page.get("/").get_data(as_text=True)
    assert "signed in as" not in html
    assert _step(html) == "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION"


def test_a_signed_in_session_ends_at_sign_out_even_if_its_cookie_is_kept(page: Any) -> None:
    _sign_in(page, "bob", example.DEMO_PASSWORD)
    page.post("/confirm", data={"answer": page.cognito.outbox.last_code("bob")})
    session = page.get_cookie(example.USER_COOKIE).value
    assert "signed in as" in page.get("/").get_data(as_text=True)
    page.post("/sign-out")
    page.set_cookie(example.USER_COOKIE, session, domain="localhost")  # a copy kept
    assert "signed in as" not in page.get("/").get_data(as_text=True)


@pytest.mark.parametrize("token", [None, "forged"])
def test_every_form_needs_the_csrf_token(page: Any, token: str | None) -> None:
    plain = FlaskClient(page.application)  # a client that does not send the token
    plain.get("/")
    data = {"username": "bob", "password": example.DEMO_PASSWORD}
    if token:
        data["csrf"] = token
    refused = plain.post("/sign-in", data=data)
    assert refused.status_code == 403
    assert plain.get_cookie(example.STATE_COOKIE) is None  # nothing was started


def test_cookies_are_secure_unless_plain_http_is_asked_for() -> None:
    cognito, pool_id, client_id = demo.demo_pool()
    app = example.create_app(
        {"SIGNIN_KEYS": SnapshotSealer.generate_key()}, cognito=cognito, pool=(pool_id, client_id)
    )
    cookie = app.test_client().get("/").headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie


def _signed_in_page(request: pytest.FixtureRequest, mode: str) -> tuple[Any, ManualClock]:
    """bob signed in, with tokens issued so they expire a minute from now (due)."""
    clock = ManualClock()
    env = {"SIGNIN_KEYS": SnapshotSealer.generate_key(), "SIGNIN_STATE": mode}
    env["SIGNIN_PLAIN_HTTP"] = "1"
    if mode == "redis":
        env["REDIS_URL"] = request.getfixturevalue("redis_url")
    cognito, pool_id, client_id = demo.demo_pool(clock=clock)
    client = _client(example.create_app(env, cognito=cognito, pool=(pool_id, client_id)))
    client.cognito, client.pool_id = cognito, pool_id
    _sign_in(client, "bob", example.DEMO_PASSWORD)
    clock.advance(-(3600 - 60))  # the tokens about to be issued expire in a minute
    client.post("/confirm", data={"answer": cognito.outbox.last_code("bob")})
    clock.advance(3600 - 60)
    return client, clock


def _expires_at(html: str) -> float:
    found = re.search(r'id="expires" data-epoch="([0-9.]+)"', html)
    assert found, html
    return float(found.group(1))


@pytest.mark.parametrize("mode", ["cookie", "redis"])
def test_the_signed_in_page_refreshes_due_tokens_and_keeps_them(
    request: pytest.FixtureRequest, mode: str
) -> None:
    client, clock = _signed_in_page(request, mode)
    html = client.get("/").get_data(as_text=True)
    assert 'id="who">bob<' in html
    refreshed = _expires_at(html)
    assert refreshed > clock() + 3000  # new tokens, an hour from now
    assert _expires_at(client.get("/").get_data(as_text=True)) == refreshed  # kept


@pytest.mark.parametrize("mode", ["cookie", "redis"])
def test_a_refresh_refused_elsewhere_ends_the_pages_session(
    request: pytest.FixtureRequest, mode: str
) -> None:
    client, _ = _signed_in_page(request, mode)
    client.cognito.admin_user_global_sign_out(UserPoolId=client.pool_id, Username="bob")
    html = client.get("/").get_data(as_text=True)
    assert "Your session has ended" in html
    assert "signed in as" not in client.get("/").get_data(as_text=True)


def test_sign_out_revokes_the_refresh_token_at_cognito(page: Any) -> None:
    _sign_in(page, "bob", example.DEMO_PASSWORD)
    page.post("/confirm", data={"answer": page.cognito.outbox.last_code("bob")})
    grants = [g for g in page.cognito._refresh.values() if g.username == "bob"]
    assert grants
    assert not any(g.revoked for g in grants)
    page.post("/sign-out")
    assert all(g.revoked for g in grants)
