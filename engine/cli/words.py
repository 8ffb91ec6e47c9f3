"""The library's errors in the command line's words, and its exit codes.

The engine's hints name Python methods ("call sign_in again"); at the terminal they name
what the user types or does instead. Exit codes: 0 signed in (or done), 1 refused,
2 usage or bad input, 3 Cognito or the service could not be reached, 130 interrupted.
"""

from __future__ import annotations

import re

import click

from ..errors import CognitoFlowError

__all__ = [
    "EXIT_CONNECTION",
    "EXIT_INTERRUPTED",
    "EXIT_REFUSED",
    "EXIT_USAGE",
    "BadInput",
    "in_cli_words",
]

EXIT_REFUSED = 1
"""Cognito refused the sign-in (wrong password, session ended, too many tries)."""
EXIT_USAGE = 2
"""Bad usage or bad input: an option, an argument, a file."""
EXIT_CONNECTION = 3
"""Cognito (or the service asked for) could not be reached."""
EXIT_INTERRUPTED = 130
"""Interrupted (ctrl-C), or the input ended before the sign-in did."""

_METHODS = {
    "sign_in": "run cognitoflow sign-in",
    "confirm_sign_in": "answer the prompt",
    "confirm_sign_up": "enter the sign-up code at the prompt",
    "resend_sign_up_code": "run cognitoflow sign-in (a new code is sent)",
    "reset_password": "run cognitoflow sign-in (it offers a password reset)",
    "confirm_reset_password": "enter the reset code at the prompt",
    "sign_out": "run cognitoflow sign-in --sign-out local",
}
_CALL = re.compile(
    r"\b(?:([Cc]all|[Aa]nswer) )?(" + "|".join(sorted(_METHODS, key=len)[::-1]) + r")\b"
)
_OPTIONS = {
    "auth_flow_type": "--auth-flow",
    "preferred_challenge": "--preferred-challenge",
    "client_secret": "--client-secret",
    "client_id": "--client-id",
    "user_pool_id": "--user-pool-id",
}
"""Arguments named in the engine's messages (names with an underscore: never plain words)."""
_OPTION = re.compile(r"\b(" + "|".join(_OPTIONS) + r")\b(=?)'?([A-Z_]*)'?")


def in_cli_words(text: str) -> str:
    """``text`` with each Python method or argument it names put as the command line's."""

    def method(found: re.Match[str]) -> str:
        words = _METHODS[found.group(2)]
        verb = found.group(1)
        return words[0].upper() + words[1:] if verb and verb[0].isupper() else words

    def option(found: re.Match[str]) -> str:
        name, equals, value = found.group(1), found.group(2), found.group(3)
        return f"{_OPTIONS[name]} {value}" if equals and value else _OPTIONS[name]

    return _OPTION.sub(option, _CALL.sub(method, text))


class BadInput(click.ClickException):
    """An argument the library refused: one line in the command line's words, exit 2."""

    exit_code = EXIT_USAGE

    def __init__(self, error: CognitoFlowError | str) -> None:
        super().__init__(in_cli_words(str(error)))
