"""The ``cognitoflow`` command line."""

from __future__ import annotations

import logging
import sys

import click
import structlog

from .errors import CognitoFlowError

__all__ = ["main"]


def _quiet_logs(debug: bool) -> None:
    """Send structlog's transition events through logging, shown only with --debug."""
    structlog.configure(
        processors=[structlog.stdlib.add_log_level, structlog.dev.ConsoleRenderer(colors=False)],
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.DEBUG if debug else logging.WARNING
        ),
    )


@click.group()
@click.option("--debug", is_flag=True, help="Show transition logs and full tracebacks.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Amplify-style multi-step Cognito sign-in, as an explicit state machine."""
    ctx.obj = {"debug": debug}
    _quiet_logs(debug)


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


@fake_cognito.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=9229, show_default=True, type=int, help="Port (0: any free one).")
@click.option(
    "--state",
    type=click.Path(dir_okay=False),
    help="Keep the pools in this file: loaded at start, saved after every change.",
)
@click.option("--quiet", is_flag=True, help="Do not log each request.")
def serve(host: str, port: int, state: str | None, quiet: bool) -> None:
    """Serve the fake user pool on Cognito's JSON protocol, for boto3 and Amplify JS.

    Point boto3 at it with endpoint_url=http://HOST:PORT, Amplify JS with
    userPoolEndpoint. Test-only extras: GET /_fake/outbox lists the codes sent.
    """
    from cognitoflow.transports.fake import FakeCognitoServer

    try:
        server = FakeCognitoServer(host=host, port=port, state_file=state, quiet=quiet)
    except OSError as error:
        raise click.ClickException(f"Cannot listen on {host}:{port}: {error.strerror}") from None
    click.echo(f"Fake Cognito listening on {server.url}", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def main() -> None:
    """Entry point of the ``cognitoflow`` script."""
    cli()


if __name__ == "__main__":
    main()
