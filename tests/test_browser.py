"""The example sign-in page in a real browser: Debian's Chromium, headless, via Selenium.

The page is Flask's (examples/signin_page/app.py) and the asyncio one (async_app.py under
uvicorn). dana must set up MFA: she picks TOTP, the test reads the key off the page and answers
with a code from it; signed in. Then, with email MFA also enabled for her, she signs in
again, picks EMAIL, reads the code on the page of messages the fake "sent", and the
page says she is signed in. Run in both state modes: sealed cookie and Redis.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyotp
import pytest
import uvicorn
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from cognitoflow.engine import SnapshotSealer

from helpers import free_port, load_example, system_tool

example = load_example()
demo = load_example("demo")
async_example = load_example("async_app")

CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""What this machine's Chromium needs headless and offline (its closed network refuses
the background connections Chromium would otherwise make)."""


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    chromium = system_tool("chromium", "chromium")
    chromedriver = system_tool("chromedriver", "chromium-driver")
    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager must not fetch anything
    options = Options()
    options.binary_location = chromium
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    driver.implicitly_wait(5)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(
    params=[("flask", "cookie"), ("flask", "redis"), ("async", "cookie"), ("async", "redis")],
    ids=lambda param: "-".join(param),
)
def site(request: pytest.FixtureRequest) -> Iterator[tuple[str, Any, str]]:
    """The example app (Flask's, or the asyncio one under uvicorn) on 127.0.0.1 and a free
    port, with its embedded fake."""
    kind, state = request.param
    env = {
        "SIGNIN_KEYS": SnapshotSealer.generate_key(),
        "SIGNIN_STATE": state,
        "SIGNIN_PLAIN_HTTP": "1",  # served on plain http://127.0.0.1
    }
    if state == "redis":
        env["REDIS_URL"] = request.getfixturevalue("redis_url")
    cognito, pool_id, client_id = demo.demo_pool()
    port = free_port()
    if kind == "async":
        with _uvicorn(
            async_example.create_app(env, cognito=cognito, pool=(pool_id, client_id)), port
        ):
            yield f"http://127.0.0.1:{port}", cognito, pool_id
        return
    app = example.create_app(env, cognito=cognito, pool=(pool_id, client_id))
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}", cognito, pool_id
    finally:
        server.shutdown()
        thread.join(10)


@contextmanager
def _uvicorn(app: Any, port: int) -> Iterator[None]:
    """An ASGI app served by uvicorn in a thread (its lifespan run: it closes what it holds)."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped"
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(10)


def _text(browser: Any, element_id: str) -> str:
    return str(browser.find_element(By.ID, element_id).text)


def _click(browser: Any, element_id: str) -> None:
    """Click a button or link, and wait for the page it leads to."""
    page = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.ID, element_id).click()

    def left(_: Any) -> bool:
        try:
            page.is_enabled()
        except WebDriverException:  # stale, or (chromedriver) "does not belong to the document"
            return True
        return False

    WebDriverWait(browser, 10).until(left)


def _sign_in(browser: Any, url: str) -> None:
    browser.get(url + "/")
    browser.find_element(By.ID, "username").send_keys("dana")
    browser.find_element(By.ID, "password").send_keys(example.DEMO_PASSWORD)
    _click(browser, "submit")


@pytest.mark.skipif(os.name != "posix", reason="Debian's Chromium")
def test_totp_setup_then_email_code_sign_in_in_a_browser(
    browser: Any, site: tuple[str, Any, str]
) -> None:
    url, cognito, pool_id = site
    _sign_in(browser, url)
    assert "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION" in _text(browser, "step")
    _click(browser, "mfa-TOTP")

    assert "CONTINUE_SIGN_IN_WITH_TOTP_SETUP" in _text(browser, "step")
    assert browser.find_element(By.CSS_SELECTOR, "#qr svg").is_displayed()
    secret = _text(browser, "totp-secret")  # read off the page, as a person would type it
    browser.find_element(By.ID, "answer").send_keys("000000")  # a wrong code first
    _click(browser, "submit")
    assert "CodeMismatch" in _text(browser, "error") or "EnableSoftwareTokenMFA" in _text(
        browser, "error"
    )
    assert _text(browser, "totp-secret") == secret  # the step and its key are kept
    browser.find_element(By.ID, "answer").send_keys(pyotp.TOTP(secret).now())
    _click(browser, "submit")
    assert _text(browser, "signed-in") == "Signed in"
    assert _text(browser, "who") == "dana"
    _click(browser, "sign-out")

    # Her administrator turns email MFA on too: the next sign-in offers a choice.
    cognito.admin_set_user_mfa_preference(
        UserPoolId=pool_id,
        Username="dana",
        EmailMfaSettings={"Enabled": True, "PreferredMfa": False},
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": False},
    )
    _sign_in(browser, url)
    assert "CONTINUE_SIGN_IN_WITH_MFA_SELECTION" in _text(browser, "step")
    _click(browser, "mfa-EMAIL")
    assert "CONFIRM_SIGN_IN_WITH_EMAIL_CODE" in _text(browser, "step")

    _click(browser, "outbox-link")
    rows = browser.find_elements(By.CSS_SELECTOR, "#outbox tr.message")
    newest = rows[0]
    assert newest.find_element(By.CLASS_NAME, "user").text == "dana"
    assert newest.find_element(By.CLASS_NAME, "medium").text == "EMAIL"
    code = newest.find_element(By.CLASS_NAME, "code").text
    _click(browser, "back")

    assert "CONFIRM_SIGN_IN_WITH_EMAIL_CODE" in _text(browser, "step")  # the flow waited
    browser.find_element(By.ID, "answer").send_keys(code)
    _click(browser, "submit")
    assert _text(browser, "signed-in") == "Signed in"
    assert "You are signed in as dana" in browser.find_element(By.TAG_NAME, "body").text
