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


def main() -> None:
    """Entry point of the ``cognitoflow`` script."""
    cli()


if __name__ == "__main__":
    main()
