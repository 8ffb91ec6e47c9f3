"""A web sign-in page on cognitoflow: one HTTP request per step, every next step a form.

Run it (on the embedded fake user pool, with its users)::

    pip install -e ".[examples]"
    SIGNIN_PLAIN_HTTP=1 python examples/signin_page/app.py     # http://127.0.0.1:5000

Settings, from the environment:

- ``SIGNIN_STATE``: ``cookie`` (default: the flow's snapshot, sealed, in a cookie) or
  ``redis`` (the flow in a :class:`RedisFlowStore`, its id in the cookie; any number of
  worker processes; one step of a flow at a time). ``REDIS_URL`` for the latter.
- ``SIGNIN_KEYS``: comma-separated sealing keys, newest first
  (``python -c "from cognitoflow.engine import SnapshotSealer as S; print(S.generate_key())"``).
  Without it a key is made at start-up, and sign-ins do not survive a restart.
- ``COGNITO_USER_POOL_ID``, ``COGNITO_CLIENT_ID`` (and ``COGNITO_CLIENT_SECRET``,
  ``AWS_REGION``, ``COGNITO_ENDPOINT_URL``, ``COGNITO_SESSION_VALIDITY`` in seconds): a
  real user pool instead of the embedded fake.
- ``SIGNIN_APP_NAME``: the issuer shown in authenticator apps.
- ``SIGNIN_PLAIN_HTTP=1``: cookies without the ``Secure`` flag, for local use on plain
  ``http://127.0.0.1`` only. Without it every cookie is ``Secure`` (HTTPS only).

Security, as a real page needs it: the signed-in session is a record of its own on the
server (a random id in the cookie, an 8-hour expiry, deleted at sign-out), never derived
from the sign-in state. It holds the signed-in flow, sealed, with its tokens: each page
view asks it for the session (``fetch_auth_session``), which refreshes the tokens at
Cognito when they are within five minutes of expiry and keeps the new ones; a refresh
Cognito refuses (the user signed out everywhere, the refresh token revoked or expired)
ends the page's session. Sign-out revokes the refresh token at Cognito. The tokens never
reach the browser; every form carries a CSRF token checked against its cookie
(double submit); cookies are ``HttpOnly`` and ``SameSite=Lax``. On a fake user pool,
``/dev/outbox`` shows the messages the pool "sent" (the codes); on a real pool there is
no such page.
"""

from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Any

from demo import (  # this folder's demo.py: what both versions of the page share
    CSRF_COOKIE,
    DEMO_PASSWORD,
    DEMO_USERS,
    SESSION_SECONDS,
    STATE_COOKIE,
    USER_COOKIE,
    chosen_pool,
)
from flask import Flask, Response, g, redirect, render_template, request

from cognitoflow.engine import (
    AUTH_FLOW_TYPES,
    CognitoFlowError,
    FlowNotFoundError,
    FlowState,
    FlowStore,
    InvalidSnapshotError,
    NotAuthorizedException,
    RedisFlowStore,
    SignInFlow,
    SnapshotSealer,
    StepInProgressError,
)
from cognitoflow.transports.base import Transport
from cognitoflow.transports.fake import FakeCognito, FakeTransport


def create_app(
    env: Mapping[str, str] | None = None,
    *,
    cognito: FakeCognito | None = None,
    pool: tuple[str, str] | None = None,
) -> Flask:
    """The sign-in app. ``env`` defaults to ``os.environ`` (see the module's docstring).

    ``cognito`` and ``pool`` (user pool id, client id) give it a fake user pool made
    elsewhere (tests do); without them and without ``COGNITO_USER_POOL_ID`` it makes
    :func:`demo_pool`.
    """
    env = dict(os.environ if env is None else env)
    app = Flask(__name__)
    app_name = env.get("SIGNIN_APP_NAME", "cognitoflow example")
    keys = [k for k in env.get("SIGNIN_KEYS", "").split(",") if k.strip()]
    sealer = SnapshotSealer(keys or [SnapshotSealer.generate_key()])
    secure_cookies = env.get("SIGNIN_PLAIN_HTTP", "") != "1"

    fake, pool_id, client_id = chosen_pool(env, cognito, pool)
    transport: Transport
    if fake is None:
        from cognitoflow.transports import Boto3Transport

        transport = Boto3Transport(
            env.get("AWS_REGION"), endpoint_url=env.get("COGNITO_ENDPOINT_URL") or None
        )
    else:
        transport = FakeTransport(fake)
    client_secret = env.get("COGNITO_CLIENT_SECRET") or None
    validity = float(env.get("COGNITO_SESSION_VALIDITY", SignInFlow.DEFAULT_SESSION_VALIDITY))
    store = None
    sessions: Sessions = MemorySessions()
    if env.get("SIGNIN_STATE", "cookie") == "redis":
        import redis

        client = redis.Redis.from_url(env.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
        store = RedisFlowStore(client, sealer=sealer)
        sessions = RedisSessions(client)

    def new_flow() -> SignInFlow:
        return SignInFlow(
            transport,
            user_pool_id=pool_id,
            client_id=client_id,
            client_secret=client_secret,
            session_validity=validity,
        )

    # -- where the flow lives between requests: a sealed cookie, or the store ----------

    state: CookieState | StoreState = (
        StoreState(store, transport, client_secret)
        if store is not None
        else CookieState(sealer, transport, client_secret)
    )

    def set_cookie(response: Response, name: str, value: str) -> None:
        response.set_cookie(name, value, httponly=True, samesite="Lax", secure=secure_cookies)

    def signed_in(flow: SignInFlow, response: Response) -> Response:
        """DONE: the app's own session starts, a record on the server holding the sealed
        flow and its tokens; the cookie holds only its random id (nothing of the sign-in
        state can stand in for it)."""
        set_cookie(response, USER_COOKIE, sessions.create(sealer.seal(flow.snapshot())))
        response.delete_cookie(STATE_COOKIE)
        return response

    def session_flow() -> tuple[str, SignInFlow] | None:
        """This browser's signed-in flow, from its server-side session, if it has one."""
        session_id = request.cookies.get(USER_COOKIE, "")
        sealed = sessions.get(session_id)
        if sealed is None:
            return None
        try:
            flow = SignInFlow.restore(sealer.unseal(sealed), transport, client_secret=client_secret)
        except InvalidSnapshotError:  # sealed with a key since retired
            sessions.delete(session_id)
            return None
        if flow.state is not FlowState.DONE:
            sessions.delete(session_id)
            return None
        return session_id, flow

    def signed_in_page(session_id: str, flow: SignInFlow) -> Response:
        """The signed-in page; the tokens are refreshed first when they are due."""
        before = flow.tokens
        try:
            session = flow.fetch_auth_session()
        except NotAuthorizedException:
            sessions.delete(session_id)
            response = page(None, "Your session has ended (signed out elsewhere). Sign in again.")
            response.delete_cookie(USER_COOKIE)
            return response
        except CognitoFlowError as error:  # Cognito unreachable, throttled: try again later
            return Response(
                render_template("signed_in.html", user=flow.get_current_user(), error=str(error)),
                status=503,
            )
        if flow.tokens != before:
            sessions.put(session_id, sealer.seal(flow.snapshot()))
        expires = session.expires_at or 0.0
        shown = time.strftime("%H:%M:%S UTC", time.gmtime(expires))
        return Response(
            render_template(
                "signed_in.html", user=flow.get_current_user(), expires=shown, expires_at=expires
            )
        )

    # -- CSRF: a token per browser, in a cookie and in every form (double submit) --------

    @app.before_request
    def check_csrf() -> Response | None:
        g.csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
        if request.method != "POST":
            return None
        sent, expected = request.form.get("csrf", ""), request.cookies.get(CSRF_COOKIE, "")
        if expected and hmac.compare_digest(sent.encode(), expected.encode()):
            return None
        return page(None, "This form was not sent from this page, or has expired. Reload.", 403)

    @app.after_request
    def give_csrf(response: Response) -> Response:
        if request.cookies.get(CSRF_COOKIE) != g.get("csrf"):
            set_cookie(response, CSRF_COOKIE, g.csrf)
        return response

    @app.context_processor
    def csrf_field() -> dict[str, str]:
        return {"csrf": g.get("csrf", "")}

    def page(flow: SignInFlow | None, error: str | None = None, status: int = 200) -> Response:
        step = flow.next_step if flow is not None else None
        context: dict[str, Any] = {
            "step": step,
            "state": flow.state.value if flow is not None else "SIGNED_OUT",
            "error": error,
            "flow_types": AUTH_FLOW_TYPES,
            "demo_users": DEMO_USERS if isinstance(transport, FakeTransport) else {},
            "demo_password": DEMO_PASSWORD,
            "fake": isinstance(transport, FakeTransport),
            "username": flow.context.login_id if flow is not None else "",
        }
        details = getattr(step, "totp_setup_details", None)
        if details is not None:
            context["totp_secret"] = details.shared_secret
            context["totp_svg"] = details.qr_svg(app_name)
            context["totp_uri"] = details.get_setup_uri(app_name)
        return Response(render_template("signin.html", **context), status=status)

    def see_other() -> Response:
        return redirect("/", 303)  # type: ignore[return-value]

    def ended(status: int = 400) -> Response:
        response = page(None, "This sign-in has ended. Start again.", status)
        response.delete_cookie(STATE_COOKIE)
        return response

    def step_call(call: Callable[[SignInFlow], Any]) -> Response:
        """Run one step on this browser's flow: redirect on success, the form again on error."""
        value = request.cookies.get(STATE_COOKIE)
        if not value:
            return ended()
        error = None
        try:
            with state.step(value) as flow:
                try:
                    call(flow)
                except CognitoFlowError as refused:
                    error = str(refused)  # the flow keeps its step: the form is shown again
                new_value = state.value_after(value, flow)
        except StepInProgressError as busy:
            return page(state.peek(value), str(busy), 409)
        except (InvalidSnapshotError, FlowNotFoundError):
            return ended()
        response = page(flow, error, 400) if error is not None else see_other()
        if flow.state is FlowState.DONE:
            state.end(value)
            return signed_in(flow, response)
        set_cookie(response, STATE_COOKIE, new_value)
        return response

    # -- routes --------------------------------------------------------------------------

    @app.get("/")
    def index() -> Response:
        found = session_flow()
        if found is not None:
            return signed_in_page(*found)
        value = request.cookies.get(STATE_COOKIE)
        if not value:
            return page(None)
        try:
            return page(state.peek(value))
        except (InvalidSnapshotError, FlowNotFoundError):
            return ended(200)

    @app.post("/sign-in")
    def sign_in() -> Response:
        form = request.form
        flow = new_flow()
        preferred = form.get("preferred_challenge") or None
        flow_type = form.get("auth_flow_type", "USER_SRP_AUTH")
        try:
            flow.sign_in(
                form.get("username", ""),
                form.get("password") or None,
                auth_flow_type=flow_type,
                preferred_challenge=preferred if flow_type == "USER_AUTH" else None,
            )
        except CognitoFlowError as error:
            return page(None, str(error), 400)
        response = see_other()
        if flow.state is FlowState.DONE:
            return signed_in(flow, response)
        set_cookie(response, STATE_COOKIE, state.start(flow))
        return response

    @app.post("/confirm")
    def confirm() -> Response:
        form = request.form
        attributes = {
            key.removeprefix("attr_"): value
            for key, value in form.items()
            if key.startswith("attr_") and value
        }
        return step_call(
            lambda flow: flow.confirm_sign_in(
                form.get("answer", ""),
                user_attributes=attributes or None,
                friendly_device_name=form.get("device_name") or None,
            )
        )

    @app.post("/confirm-sign-up")
    def confirm_sign_up() -> Response:
        return step_call(lambda flow: flow.confirm_sign_up(request.form.get("answer", "")))

    @app.post("/reset-password")
    def reset_password() -> Response:
        return step_call(lambda flow: flow.reset_password())

    @app.post("/confirm-reset-password")
    def confirm_reset_password() -> Response:
        form = request.form
        return step_call(
            lambda flow: flow.confirm_reset_password(
                new_password=form.get("new_password", ""),
                confirmation_code=form.get("answer", ""),
            )
        )

    @app.post("/sign-out")
    def sign_out() -> Response:
        response = see_other()
        value = request.cookies.get(STATE_COOKIE)
        if value:
            state.end(value)
        found = session_flow()
        if found is not None:
            session_id, flow = found
            sessions.delete(session_id)
            # Revokes the refresh token at Cognito; if Cognito cannot be told, the page has
            # signed out all the same, and the token expires on its own.
            with suppress(CognitoFlowError):
                flow.sign_out()
        response.delete_cookie(STATE_COOKIE)
        response.delete_cookie(USER_COOKIE)
        return response

    if isinstance(transport, FakeTransport):
        fake = transport.cognito

        @app.get("/dev/outbox")
        def outbox() -> Response:
            """Development only: what the embedded fake pool "sent"."""
            messages = list(fake.outbox)[::-1]
            return Response(render_template("outbox.html", messages=messages))

    return app


class Sessions:
    """Signed-in sessions, kept on the server: a random id for the cookie, and the sealed
    signed-in flow (with its tokens)."""

    def create(self, sealed: str) -> str:
        raise NotImplementedError

    def get(self, session_id: str) -> str | None:
        """The sealed flow of a live session, or None (unknown, expired or signed out)."""
        raise NotImplementedError

    def put(self, session_id: str, sealed: str) -> None:
        """Replace a live session's flow (refreshed tokens); its expiry stays."""
        raise NotImplementedError

    def delete(self, session_id: str) -> None:
        raise NotImplementedError


class MemorySessions(Sessions):
    """In this process (with the sealed-cookie state: one process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, tuple[str, float]] = {}

    def create(self, sealed: str) -> str:
        session_id = secrets.token_urlsafe(32)
        with self._lock:
            self._sessions[session_id] = (sealed, time.time() + SESSION_SECONDS)
        return session_id

    def put(self, session_id: str, sealed: str) -> None:
        with self._lock:
            found = self._sessions.get(session_id)
            if found is not None:
                self._sessions[session_id] = (sealed, found[1])

    def get(self, session_id: str) -> str | None:
        with self._lock:
            found = self._sessions.get(session_id)
        if found is None or found[1] <= time.time():
            return None
        return found[0]

    def delete(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id, None)


class RedisSessions(Sessions):
    """In Redis, shared by every worker; each key expires with its session."""

    def __init__(self, client: Any, prefix: str = "example:session:") -> None:
        self.client, self.prefix = client, prefix

    def create(self, sealed: str) -> str:
        session_id = secrets.token_urlsafe(32)
        self.client.set(self.prefix + session_id, sealed, ex=SESSION_SECONDS)
        return session_id

    def put(self, session_id: str, sealed: str) -> None:
        self.client.set(self.prefix + session_id, sealed, xx=True, keepttl=True)

    def get(self, session_id: str) -> str | None:
        if not session_id:
            return None
        value = self.client.get(self.prefix + session_id)
        return None if value is None else value.decode()

    def delete(self, session_id: str) -> None:
        if session_id:
            self.client.delete(self.prefix + session_id)


class CookieState:
    """The flow's snapshot, sealed, is the cookie. Nothing kept on the server.

    A cookie cannot be locked: two requests sent at once with the same cookie both use
    the session, and Cognito takes only one. Use :class:`StoreState` (Redis) for that.
    """

    def __init__(
        self, sealer: SnapshotSealer, transport: Transport, client_secret: str | None
    ) -> None:
        self.sealer, self.transport, self.client_secret = sealer, transport, client_secret

    def start(self, flow: SignInFlow) -> str:
        return self.sealer.seal(flow.snapshot())

    def peek(self, value: str) -> SignInFlow:
        return SignInFlow.restore(
            self.sealer.unseal(value), self.transport, client_secret=self.client_secret
        )

    @contextmanager
    def step(self, value: str) -> Iterator[SignInFlow]:
        yield self.peek(value)

    def value_after(self, value: str, flow: SignInFlow) -> str:
        return self.start(flow)

    def end(self, value: str) -> None:
        """Nothing to forget on the server; the cookie is deleted."""


class StoreState:
    """The flow in a flow store (Redis); the cookie holds its id. One step at a time."""

    def __init__(self, store: FlowStore, transport: Transport, client_secret: str | None) -> None:
        self.store, self.transport, self.client_secret = store, transport, client_secret

    def start(self, flow: SignInFlow) -> str:
        return self.store.create(flow)

    def peek(self, value: str) -> SignInFlow:
        return self.store.load(value, self.transport, client_secret=self.client_secret)

    @contextmanager
    def step(self, value: str) -> Iterator[SignInFlow]:
        with self.store.step(value, self.transport, client_secret=self.client_secret) as flow:
            yield flow

    def value_after(self, value: str, flow: SignInFlow) -> str:
        return value  # the store saves the flow when the step ends

    def end(self, value: str) -> None:
        self.store.delete(value)


if __name__ == "__main__":
    create_app().run(host="127.0.0.1", port=int(os.environ.get("PORT", "5000")))
