"""The ``cognitoflow`` command line: its commands and options."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from cognitoflow.transports.base import Transport

from .. import srp
from ..errors import CognitoFlowError
from ..logs import LOGGER
from .words import EXIT_INTERRUPTED, BadInput

__all__ = ["main"]


class _DebugHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler ``--debug`` puts on the library's logger."""


def _show_logs(debug: bool) -> None:
    """With --debug, the library's events (each transition...) go to standard error."""
    for handler in [h for h in LOGGER.handlers if isinstance(h, _DebugHandler)]:
        LOGGER.removeHandler(handler)
    if not debug:
        LOGGER.setLevel(logging.NOTSET)
        return
    handler = _DebugHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.DEBUG)


@click.group()
@click.option("--debug", is_flag=True, help="Show transition logs and full tracebacks.")
@click.version_option(
    package_name="cognitoflow",
    message=f"%(prog)s %(version)s (SRP arithmetic: {srp.backend()})",
)
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Amplify-style multi-step Cognito sign-in, as an explicit state machine."""
    ctx.obj = {"debug": debug}
    _show_logs(debug)


@cli.command()
@click.pass_context
def demo(ctx: click.Context) -> None:
    """Walk demo users through every supported sign-in step on the embedded fake pool."""
    from .demo import run_demo

    try:
        run_demo(click.echo)
    except CognitoFlowError as error:
        if ctx.obj["debug"]:
            raise
        raise click.ClickException(str(error)) from None


@cli.group("fake-cognito")
def fake_cognito() -> None:
    """The fake Cognito user pool service."""


class BadSetup(click.ClickException):
    """A seed or state file that cannot be used: one line, exit code 2."""

    exit_code = 2


def _read_seed(name: str) -> Any:
    try:
        return json.loads(Path(name).read_text())
    except OSError as error:
        raise BadSetup(f"--seed {name}: {error.strerror or error}.") from None
    except ValueError as error:
        raise BadSetup(f"--seed {name}: not JSON ({error}).") from None


@fake_cognito.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=9229, show_default=True, type=int, help="Port (0: any free one).")
@click.option(
    "--state",
    type=click.Path(dir_okay=False),
    help="Keep the pools in this file: loaded at start; each change is appended to "
    "FILE.journal, folded into FILE now and then and at exit.",
)
@click.option("--quiet", is_flag=True, help="Do not log each request.")
@click.option(
    "--seed",
    type=click.Path(dir_okay=False),
    help="Start with the pools, app clients, groups and users declared in this JSON file "
    "(format: cognitoflow-seed); POST /_fake/reset goes back to it.",
)
def serve(host: str, port: int, state: str | None, quiet: bool, seed: str | None) -> None:
    """Serve the fake user pool on Cognito's JSON protocol, for boto3 and Amplify JS.

    Point boto3 at it with endpoint_url=http://HOST:PORT, Amplify JS with
    userPoolEndpoint. Test-only extras: GET /_fake/outbox lists the codes sent,
    POST /_fake/reset goes back to the seed.
    """
    from cognitoflow.transports.fake import FakeCognitoServer, SeedError

    declared = _read_seed(seed) if seed else None
    if state and not Path(state).resolve().parent.is_dir():
        raise BadSetup(f"--state {state}: its folder does not exist.")
    try:
        server = FakeCognitoServer(
            host=host, port=port, state_file=state, quiet=quiet, seed=declared
        )
    except SeedError as error:
        raise BadSetup(f"--seed {seed}: {error}") from None
    except OSError as error:
        raise click.ClickException(f"Cannot listen on {host}:{port}: {error.strerror}") from None
    except Exception as error:  # a state file that is not one this release wrote
        raise BadSetup(f"--state {state}: cannot be read ({type(error).__name__}).") from None
    if not quiet:  # each request, one line on standard error
        import logging

        requests = logging.getLogger("cognitoflow.fake.requests")
        requests.addHandler(logging.StreamHandler())
        requests.setLevel(logging.INFO)
    click.echo(f"Fake Cognito listening on {server.url}", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


@cli.command()
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["mermaid", "dot", "svg", "png"]),
    default="mermaid",
    show_default=True,
    help="mermaid and dot are text; svg and png need Graphviz (Debian package graphviz).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    show_default=True,
    help="File to write ('-' for standard output).",
)
@click.option("--overview", is_flag=True, help="The families as boxes, and the ways between them.")
@click.option(
    "--family",
    type=click.Choice(["mfa", "mfa-setup", "passwordless", "sign-up-and-reset"]),
    help="One family of steps, and the states next to it.",
)
@click.option(
    "--path",
    "path_file",
    type=click.Path(dir_okay=False),
    help="Highlight the path a sign-in took: a JSON file of [source, event, target] "
    "triples, as json.dumps(flow.path) writes it.",
)
@click.option("--width", type=click.IntRange(200, 10000), help="A PNG's width in pixels.")
def diagram(
    output_format: str,
    output: str,
    overview: bool,
    family: str | None,
    path_file: str | None,
    width: int | None,
) -> None:
    """Draw the sign-in machine from the code: every state and transition, the overview,
    or one family; optionally the path of one sign-in highlighted."""
    from cognitoflow.diagrams import GraphvizMissingError, render

    if overview and family:
        raise BadInput("--overview and --family draw different pictures: choose one.")
    path = _read_path(path_file) if path_file else []
    try:
        data = render(output_format, path, family=family, overview=overview, width=width)
    except (GraphvizMissingError, RuntimeError) as error:
        raise click.ClickException(str(error)) from None
    try:
        with click.open_file(output, "wb") as file:
            file.write(data)
    except OSError as error:
        raise BadInput(f"-o {output}: {error.strerror or error}.") from None


def _read_path(name: str) -> list[tuple[str, str, str]]:
    """A recorded path: [[source, event, target], ...], every state and event the machine's."""
    from cognitoflow.diagrams import transitions

    try:
        data = json.loads(Path(name).read_text())
    except OSError as error:
        raise BadInput(f"--path {name}: {error.strerror or error}.") from None
    except ValueError:
        raise BadInput(f"--path {name}: not JSON.") from None
    known = set(transitions())
    path = [tuple(step) for step in data] if isinstance(data, list) else None
    if path is None or not all(len(step) == 3 and step in known for step in path):
        raise BadInput(
            f"--path {name}: not a path of this machine (a list of [source, event, target] "
            "triples, as json.dumps(flow.path) writes it)."
        )
    return path


@cli.command("sign-in")
@click.option("--user-pool-id", help="A real user pool (or one served at --endpoint-url).")
@click.option("--client-id", help="The app client id.")
@click.option(
    "--client-secret",
    envvar="COGNITOFLOW_CLIENT_SECRET",
    help="The app client's secret, if it has one (better: the COGNITOFLOW_CLIENT_SECRET "
    "environment variable, so it stays out of the process list).",
)
@click.option("--region", help="The pool's region (default: from the pool id).")
@click.option("--profile", help="An AWS profile (only its region is used).")
@click.option("--endpoint-url", help="A Cognito endpoint, e.g. cognitoflow fake-cognito serve.")
@click.option(
    "--auth-flow",
    type=click.Choice(
        [
            "USER_SRP_AUTH",
            "USER_PASSWORD_AUTH",
            "CUSTOM_WITH_SRP",
            "CUSTOM_WITHOUT_SRP",
            "USER_AUTH",
        ]
    ),
    default="USER_SRP_AUTH",
    show_default=True,
)
@click.option("--preferred-challenge", help="With USER_AUTH: the first factor to try.")
@click.option("--username", help="Sign in as this user (prompted for otherwise).")
@click.option("--app-name", default="cognitoflow", show_default=True, help="Issuer for TOTP.")
@click.option(
    "--show-tokens",
    is_flag=True,
    help="Once signed in, print the tokens as JSON on standard output (they are secrets: "
    "anyone holding them is signed in as the user).",
)
@click.option(
    "--sign-out",
    "sign_out",
    type=click.Choice(["local", "global"]),
    help="Once signed in, sign out: local revokes this sign-in's refresh token "
    "(RevokeToken); global ends every sign-in of the user (GlobalSignOut).",
)
@click.option(
    "--device-file",
    type=click.Path(dir_okay=False),
    help="Remember this device: sign in with the device sealed in this file, and after "
    "signing in remember the device and seal it there (the key: the COGNITOFLOW_DEVICE_KEY "
    "environment variable). A remembered device skips MFA where the pool allows it.",
)
def sign_in(
    user_pool_id: str | None,
    client_id: str | None,
    client_secret: str | None,
    region: str | None,
    profile: str | None,
    endpoint_url: str | None,
    auth_flow: str,
    preferred_challenge: str | None,
    username: str | None,
    app_name: str,
    show_tokens: bool,
    sign_out: str | None,
    device_file: str | None,
) -> None:
    """Sign in interactively, step by step: codes, MFA choice, TOTP set-up, new password...

    Without --user-pool-id it runs on an embedded fake pool whose codes are printed as
    delivered messages. Its users (password Demo-pass-1): alice (temporary password
    Temp-pass-1, must choose a new one), bob (SMS MFA), carol (sets up TOTP), erin
    (passwordless email code with --auth-flow USER_AUTH), hugo (custom challenge with
    --auth-flow CUSTOM_WITHOUT_SRP).

    Exit codes: 0 signed in; 1 refused (wrong password, session ended, ...); 2 bad
    usage or input; 3 Cognito could not be reached; 130 interrupted (ctrl-C, or the
    input ended).
    """
    from ..flow import SignInFlow
    from .demo import message_printer, playground
    from .interactive import DeviceFile, run_sign_in

    show: Callable[[], None] = lambda: None  # noqa: E731
    kept = DeviceFile.open(device_file) if device_file else None
    if user_pool_id or client_id:
        if not (user_pool_id and client_id):
            raise click.UsageError("--user-pool-id and --client-id go together.")
        from cognitoflow.transports import Boto3Transport

        transport: Transport = Boto3Transport(
            region or user_pool_id.split("_", 1)[0],
            endpoint_url=endpoint_url,
            profile=profile,
        )
    else:
        if endpoint_url:
            raise click.UsageError("--endpoint-url needs --user-pool-id and --client-id.")
        from cognitoflow.transports.fake import FakeTransport

        cognito, pools = playground()
        transport = FakeTransport(cognito)
        show = message_printer(cognito, click.echo)
        click.echo("Embedded fake pool: users alice, bob, carol, erin, hugo (see --help).")
        username = username or click.prompt("Username")
        user_pool_id, client_id = pools.get(username, pools["bob"])
    try:
        flow = SignInFlow(
            transport,
            user_pool_id=user_pool_id,
            client_id=client_id,
            client_secret=client_secret,
            device=kept.device if kept else None,
            device_name="cognitoflow command line",
        )
    except CognitoFlowError as error:
        raise BadInput(error) from None
    run_sign_in(
        flow,
        auth_flow_type=auth_flow,
        preferred_challenge=preferred_challenge,
        app_name=app_name,
        show_messages=show,
        username=username,
        show_tokens=show_tokens,
        sign_out=sign_out,
        device_file=kept,
    )


def main() -> None:
    """Entry point of the ``cognitoflow`` script: its exit codes are :mod:`.words`'s."""
    try:
        cli.main(prog_name="cognitoflow", standalone_mode=False)
    except click.exceptions.Abort:  # ctrl-C, or the input ended, at a prompt
        click.echo("\nInterrupted.", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except KeyboardInterrupt:
        click.echo("\nInterrupted.", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
