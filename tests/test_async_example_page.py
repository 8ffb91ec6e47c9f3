"""The example page on asyncio (examples/signin_page/async_app.py), through its ASGI app
with httpx, in both state modes: the same steps as the Flask page, every call awaited."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pyotp
import pytest

from cognitoflow.engine import SnapshotSealer

from helpers import load_example

page_app = load_example("async_app")
demo = load_example("demo")


class Browser:
    """An httpx client that posts as the page's forms do, with its CSRF token."""

    def __init__(self, client: httpx.AsyncClient, cognito: Any) -> None:
        self.client = client
        self.cognito = cognito

    async def post(self, path: str, **form: str) -> httpx.Response:
        if demo.CSRF_COOKIE not in self.client.cookies:
            await self.client.get("/")
        form.setdefault("csrf", self.client.cookies[demo.CSRF_COOKIE])
        return await self.client.post(path, data=form)

    async def get(self, path: str = "/") -> httpx.Response:
        return await self.client.get(path)


@pytest.fixture(params=["cookie", "redis"])
async def browser(request: pytest.FixtureRequest) -> AsyncIterator[Browser]:
    env = {
        "SIGNIN_KEYS": SnapshotSealer.generate_key(),
        "SIGNIN_STATE": request.param,
        "SIGNIN_PLAIN_HTTP": "1",
    }
    if request.param == "redis":
        env["REDIS_URL"] = request.getfixturevalue("redis_url")
    cognito, pool_id, client_id = demo.demo_pool()
    app = page_app.create_app(env, cognito=cognito, pool=(pool_id, client_id))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://127.0.0.1", follow_redirects=True
    ) as client:
        yield Browser(client, cognito)
    await app.state.aclose()


def _step(html: str) -> str:
    found = re.search(r"Step: <code>([A-Z_]+)</code>", html)
    assert found, html
    return found.group(1)


async def _sign_in(browser: Browser, username: str, password: str, **form: str) -> str:
    reply = await browser.post("/sign-in", username=username, password=password, **form)
    return reply.text


@pytest.mark.anyio
async def test_sms_code_with_a_wrong_code_first(browser: Browser) -> None:
    html = await _sign_in(browser, "bob", demo.DEMO_PASSWORD)
    assert _step(html) == "CONFIRM_SIGN_IN_WITH_SMS_CODE"
    assert "We sent a code by SMS to +*******0100" in html
    code = browser.cognito.outbox.last_code("bob")
    wrong = await browser.post("/confirm", answer="000000" if code != "000000" else "111111")
    assert wrong.status_code == 400
    assert "CodeMismatchException" in wrong.text
    assert _step(wrong.text) == "CONFIRM_SIGN_IN_WITH_SMS_CODE"  # kept: try again
    done = await browser.post("/confirm", answer=code)
    assert 'You are signed in as <strong id="who">bob</strong>' in done.text


@pytest.mark.anyio
async def test_new_password_with_the_missing_attribute_then_sms(browser: Browser) -> None:
    html = await _sign_in(browser, "alice", "Temp-pass-1")
    assert _step(html) == "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED"
    missing = await browser.post("/confirm", answer="A-better-pass-2")
    assert missing.status_code == 400
    html = (await browser.post("/confirm", answer="A-better-pass-2", attr_name="Alice")).text
    assert _step(html) == "CONFIRM_SIGN_IN_WITH_SMS_CODE"


@pytest.mark.anyio
async def test_mfa_setup_choice_then_totp_setup_with_qr(browser: Browser) -> None:
    html = await _sign_in(browser, "dana", demo.DEMO_PASSWORD)
    assert _step(html) == "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION"
    html = (await browser.post("/confirm", answer="TOTP")).text
    assert _step(html) == "CONTINUE_SIGN_IN_WITH_TOTP_SETUP"
    assert "<svg" in html
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', html)
    assert secret
    code = pyotp.TOTP(secret.group(1)).at(browser.cognito.clock())
    done = await browser.post("/confirm", answer=code)
    assert "signed in as" in done.text


@pytest.mark.anyio
async def test_every_form_needs_the_csrf_token(browser: Browser) -> None:
    await browser.get()
    refused = await browser.client.post("/sign-in", data={"username": "bob", "password": "x"})
    assert refused.status_code == 403
    forged = await browser.post("/sign-in", username="bob", password="x", csrf="forged")
    assert forged.status_code == 403


@pytest.mark.anyio
async def test_a_bad_state_cookie_starts_again_and_the_cookie_reveals_nothing(
    browser: Browser,
) -> None:
    await _sign_in(browser, "bob", demo.DEMO_PASSWORD)
    cookie = browser.client.cookies[demo.STATE_COOKIE]
    assert "bob" not in cookie
    assert "CONFIRM" not in cookie
    browser.client.cookies.set(demo.STATE_COOKIE, "garbage")
    reply = await browser.post("/confirm", answer="123456")
    assert reply.status_code == 400
    assert "This sign-in has ended" in reply.text


@pytest.mark.anyio
async def test_sign_out_ends_the_session_and_revokes_the_refresh_token(browser: Browser) -> None:
    await _sign_in(browser, "bob", demo.DEMO_PASSWORD)
    await browser.post("/confirm", answer=browser.cognito.outbox.last_code("bob"))
    signed_in = await browser.get()
    assert "signed in as" in signed_in.text
    revoked_before = len(browser.cognito._revoked_origins)
    await browser.post("/sign-out")
    assert _step((await browser.get()).text) == "SIGNED_OUT"
    assert len(browser.cognito._revoked_origins) > revoked_before


@pytest.mark.anyio
async def test_the_outbox_page_lists_the_codes_sent(browser: Browser) -> None:
    await _sign_in(browser, "bob", demo.DEMO_PASSWORD)
    outbox = await browser.get("/dev/outbox")
    assert browser.cognito.outbox.last_code("bob") in outbox.text
