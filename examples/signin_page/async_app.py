"""The example sign-in page on asyncio: Starlette, AsyncSignInFlow, the same templates.

Run it (on the embedded fake user pool, with the users of ``demo.py``)::

    pip install -e ".[examples,async]"
    SIGNIN_PLAIN_HTTP=1 python examples/signin_page/async_app.py     # http://127.0.0.1:8000

(or under any ASGI server: ``uvicorn --factory async_app:create_app --app-dir
examples/signin_page``).

It is ``app.py``'s page, one request per step, with every Cognito call awaited (nothing
blocks the event loop: SRP's arithmetic runs in cognitoflow's worker processes). The same
settings, from the environment: ``SIGNIN_STATE`` (``cookie``: the sealed snapshot is the
cookie; ``redis``: an :class:`AsyncRedisFlowStore` on ``REDIS_URL``, its id in the cookie),
``SIGNIN_KEYS``, ``SIGNIN_APP_NAME``, ``SIGNIN_PLAIN_HTTP``, and ``COGNITO_USER_POOL_ID``,
``COGNITO_CLIENT_ID`` (with ``COGNITO_CLIENT_SECRET``, ``AWS_REGION``,
``COGNITO_ENDPOINT_URL``) for a real pool through :class:`AioBotocoreTransport`. The same
safeguards: a server-side signed-in session (its id in an ``HttpOnly`` cookie, the tokens
never in the browser, refreshed when due), a CSRF token in every form (double submit),
``Secure`` cookies unless plain HTTP is asked for, and ``/dev/outbox`` on a fake pool only.
"""

from __future__ import annotations

import hmac
import os
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from pathlib import Path
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
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from cognitoflow.engine import (
    AUTH_FLOW_TYPES,
    AsyncRedisFlowStore,
    AsyncSignInFlow,
    CognitoFlowError,
    FlowNotFoundError,
    FlowState,
    InvalidSnapshotError,
    NotAuthorizedException,
    SnapshotSealer,
    StepInProgressError,
)
from cognitoflow.transports import AsyncTransport
from cognitoflow.transports.fake import AsyncFakeTransport, FakeCognito

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))
Step = Callable[[AsyncSignInFlow], Awaitable[Any]]


def create_app(
    env: Mapping[str, str] | None = None,
    *,
    cognito: FakeCognito | None = None,
    pool: tuple[str, str] | None = None,
) -> Starlette:
    """The sign-in app (see the module's docstring); ``cognito`` and ``pool`` give it a
    fake user pool made elsewhere, as tests do."""
    env = dict(os.environ if env is None else env)
    app_name = env.get("SIGNIN_APP_NAME", "cognitoflow example")
    keys = [k for k in env.get("SIGNIN_KEYS", "").split(",") if k.strip()]
    sealer = SnapshotSealer(keys or [SnapshotSealer.generate_key()])
    secure_cookies = env.get("SIGNIN_PLAIN_HTTP", "") != "1"
    fake, pool_id, client_id = chosen_pool(env, cognito, pool)
    transport: AsyncTransport
    if fake is None:
        from cognitoflow.transports import AioBotocoreTransport

        transport = AioBotocoreTransport(
            env.get("AWS_REGION"), endpoint_url=env.get("COGNITO_ENDPOINT_URL") or None
        )
    else:
        transport = AsyncFakeTransport(fake)
    client_secret = env.get("COGNITO_CLIENT_SECRET") or None
    store: AsyncRedisFlowStore | None = None
    closing: list[Callable[[], Awaitable[None]]] = [transport.aclose]
    if env.get("SIGNIN_STATE", "cookie") == "redis":
        import redis.asyncio

        redis_client = redis.asyncio.Redis.from_url(
            env.get("REDIS_URL", "redis://127.0.0.1:6379/0")
        )
        store = AsyncRedisFlowStore(redis_client, sealer=sealer)
        closing.append(redis_client.aclose)
    sessions: dict[str, tuple[str, float]] = {}  # signed-in sessions: id -> (sealed flow, until)

    def restore(snapshot: Any) -> AsyncSignInFlow:
        return AsyncSignInFlow.restore(snapshot, transport, client_secret=client_secret)

    # -- rendering, cookies, CSRF ------------------------------------------------------

    def page(
        request: Request, flow: AsyncSignInFlow | None, error: str | None = None, status: int = 200
    ) -> Response:
        step = flow.next_step if flow is not None else None
        context: dict[str, Any] = {
            "step": step,
            "state": flow.state.value if flow is not None else "SIGNED_OUT",
            "error": error,
            "flow_types": AUTH_FLOW_TYPES,
            "demo_users": DEMO_USERS if fake is not None else {},
            "demo_password": DEMO_PASSWORD,
            "fake": fake is not None,
            "username": flow.context.login_id if flow is not None else "",
            "csrf": request.state.csrf,
        }
        details = getattr(step, "totp_setup_details", None)
        if details is not None:
            context["totp_secret"] = details.shared_secret
            context["totp_svg"] = details.qr_svg(app_name)
            context["totp_uri"] = details.get_setup_uri(app_name)
        return TEMPLATES.TemplateResponse(request, "signin.html", context, status_code=status)

    def set_cookie(response: Response, name: str, value: str) -> None:
        response.set_cookie(name, value, httponly=True, samesite="lax", secure=secure_cookies)

    async def form_of(request: Request) -> dict[str, str] | Response:
        """The form, once its CSRF token matches this browser's cookie (double submit)."""
        form = {key: str(value) for key, value in (await request.form()).items()}
        expected = request.cookies.get(CSRF_COOKIE, "")
        if expected and hmac.compare_digest(form.get("csrf", "").encode(), expected.encode()):
            return form
        return page(request, None, "This form was not sent from this page, or has expired.", 403)

    def see_other() -> Response:
        return RedirectResponse("/", 303)

    def ended(request: Request, status: int = 400) -> Response:
        response = page(request, None, "This sign-in has ended. Start again.", status)
        response.delete_cookie(STATE_COOKIE)
        return response

    # -- where the flow lives between requests: the sealed cookie, or the store --------

    async def peek(value: str) -> AsyncSignInFlow:
        if store is not None:
            return await store.load(value, transport, client_secret=client_secret)
        return restore(sealer.unseal(value))

    def stepping(value: str) -> AbstractAsyncContextManager[AsyncSignInFlow]:
        if store is not None:
            return store.step(value, transport, client_secret=client_secret)

        @asynccontextmanager
        async def from_cookie() -> Any:
            yield restore(sealer.unseal(value))

        return from_cookie()

    async def kept(flow: AsyncSignInFlow) -> str:
        """The cookie's value for a flow between steps."""
        return await store.create(flow) if store is not None else sealer.seal(flow.snapshot())

    async def forget(value: str) -> None:
        if store is not None:
            await store.delete(value)

    # -- the signed-in session ---------------------------------------------------------

    def signed_in(flow: AsyncSignInFlow, response: Response) -> Response:
        session_id = secrets.token_urlsafe(32)
        sessions[session_id] = (sealer.seal(flow.snapshot()), time.time() + SESSION_SECONDS)
        set_cookie(response, USER_COOKIE, session_id)
        response.delete_cookie(STATE_COOKIE)
        return response

    def session_flow(request: Request) -> tuple[str, AsyncSignInFlow] | None:
        session_id = request.cookies.get(USER_COOKIE, "")
        found = sessions.get(session_id)
        if found is None or found[1] <= time.time():
            return None
        try:
            flow = restore(sealer.unseal(found[0]))
        except InvalidSnapshotError:
            sessions.pop(session_id, None)
            return None
        return session_id, flow

    async def signed_in_page(request: Request, session_id: str, flow: AsyncSignInFlow) -> Response:
        before = flow.tokens
        try:
            session = await flow.fetch_auth_session()
        except NotAuthorizedException:
            sessions.pop(session_id, None)
            response = page(request, None, "Your session has ended. Sign in again.")
            response.delete_cookie(USER_COOKIE)
            return response
        if flow.tokens != before:
            sessions[session_id] = (sealer.seal(flow.snapshot()), sessions[session_id][1])
        expires = session.expires_at or 0.0
        context = {
            "user": flow.get_current_user(),
            "expires": time.strftime("%H:%M:%S UTC", time.gmtime(expires)),
            "expires_at": expires,
            "csrf": request.state.csrf,
        }
        return TEMPLATES.TemplateResponse(request, "signed_in.html", context)

    # -- one step on this browser's flow -------------------------------------------------

    async def step_call(request: Request, call: Step) -> Response:
        value = request.cookies.get(STATE_COOKIE)
        if not value:
            return ended(request)
        error = None
        try:
            async with stepping(value) as flow:
                try:
                    await call(flow)
                except CognitoFlowError as refused:
                    error = str(refused)  # the flow keeps its step: the form again
        except StepInProgressError as busy:
            return page(request, await peek(value), str(busy), 409)
        except (InvalidSnapshotError, FlowNotFoundError):
            return ended(request)
        response = page(request, flow, error, 400) if error is not None else see_other()
        if flow.state is FlowState.DONE:
            await forget(value)
            return signed_in(flow, response)
        set_cookie(response, STATE_COOKIE, value if store is not None else await kept(flow))
        return response

    async def answering(request: Request, call: Callable[[dict[str, str]], Step]) -> Response:
        form = await form_of(request)
        if isinstance(form, Response):
            return form
        return await step_call(request, call(form))

    # -- routes ----------------------------------------------------------------------------

    async def index(request: Request) -> Response:
        found = session_flow(request)
        if found is not None:
            return await signed_in_page(request, *found)
        value = request.cookies.get(STATE_COOKIE)
        if not value:
            return page(request, None)
        try:
            return page(request, await peek(value))
        except (InvalidSnapshotError, FlowNotFoundError):
            return ended(request, 200)

    async def sign_in(request: Request) -> Response:
        form = await form_of(request)
        if isinstance(form, Response):
            return form
        flow = AsyncSignInFlow(
            transport, user_pool_id=pool_id, client_id=client_id, client_secret=client_secret
        )
        flow_type = form.get("auth_flow_type", "USER_SRP_AUTH")
        preferred = form.get("preferred_challenge") or None
        try:
            await flow.sign_in(
                form.get("username", ""),
                form.get("password") or None,
                auth_flow_type=flow_type,
                preferred_challenge=preferred if flow_type == "USER_AUTH" else None,
            )
        except CognitoFlowError as error:
            return page(request, None, str(error), 400)
        response = see_other()
        if flow.state is FlowState.DONE:
            return signed_in(flow, response)
        set_cookie(response, STATE_COOKIE, await kept(flow))
        return response

    async def confirm(request: Request) -> Response:
        def call(form: dict[str, str]) -> Step:
            attributes = {
                key.removeprefix("attr_"): value
                for key, value in form.items()
                if key.startswith("attr_") and value
            }
            return lambda flow: flow.confirm_sign_in(
                form.get("answer", ""),
                user_attributes=attributes or None,
                friendly_device_name=form.get("device_name") or None,
            )

        return await answering(request, call)

    async def confirm_sign_up(request: Request) -> Response:
        return await answering(
            request, lambda form: lambda flow: flow.confirm_sign_up(form.get("answer", ""))
        )

    async def reset_password(request: Request) -> Response:
        return await answering(request, lambda form: lambda flow: flow.reset_password())

    async def confirm_reset_password(request: Request) -> Response:
        return await answering(
            request,
            lambda form: (
                lambda flow: flow.confirm_reset_password(
                    new_password=form.get("new_password", ""),
                    confirmation_code=form.get("answer", ""),
                )
            ),
        )

    async def sign_out(request: Request) -> Response:
        form = await form_of(request)
        if isinstance(form, Response):
            return form
        response = see_other()
        value = request.cookies.get(STATE_COOKIE)
        if value:
            await forget(value)
        found = session_flow(request)
        if found is not None:
            session_id, flow = found
            sessions.pop(session_id, None)
            with suppress(CognitoFlowError):  # signed out here even if Cognito is not told
                await flow.sign_out()
        response.delete_cookie(STATE_COOKIE)
        response.delete_cookie(USER_COOKIE)
        return response

    async def outbox(request: Request) -> Response:
        """Development only: what the embedded fake pool "sent"."""
        assert fake is not None
        messages = list(fake.outbox)[::-1]
        context = {"messages": messages, "csrf": request.state.csrf}
        return TEMPLATES.TemplateResponse(request, "outbox.html", context)

    routes = [
        Route("/", index),
        Route("/sign-in", sign_in, methods=["POST"]),
        Route("/confirm", confirm, methods=["POST"]),
        Route("/confirm-sign-up", confirm_sign_up, methods=["POST"]),
        Route("/reset-password", reset_password, methods=["POST"]),
        Route("/confirm-reset-password", confirm_reset_password, methods=["POST"]),
        Route("/sign-out", sign_out, methods=["POST"]),
    ]
    if fake is not None:
        routes.append(Route("/dev/outbox", outbox))

    async def csrf_cookie(request: Request, call_next: RequestResponseEndpoint) -> Response:
        """Every browser gets a CSRF token: in a cookie, and in each form of the page."""
        request.state.csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
        response = await call_next(request)
        if request.cookies.get(CSRF_COOKIE) != request.state.csrf:
            set_cookie(response, CSRF_COOKIE, request.state.csrf)
        return response

    async def aclose() -> None:
        """Close the connections the page holds (its transport's, Redis's)."""
        for close in closing:
            await close()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await aclose()

    app = Starlette(
        routes=routes,
        middleware=[Middleware(BaseHTTPMiddleware, dispatch=csrf_cookie)],
        lifespan=lifespan,
    )
    app.state.aclose = aclose  # for a server (or a test client) that runs no lifespan
    return app


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(create_app(), host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
