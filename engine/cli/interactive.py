"""``cognitoflow sign-in``: an interactive sign-in at the terminal, one prompt per step.

Passwords and codes are read without echo where they are secret, never printed and
never logged. Tokens are shown only when asked for (``--show-tokens``), on standard
output, never in a log.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from pathlib import Path

import click

from ..errors import (
    CodeMismatchException,
    CognitoFlowError,
    ConnectionFailedError,
    InvalidAnswerError,
    InvalidInputError,
    InvalidPasswordException,
    PasskeyCeremonyError,
)
from ..flow import SignInFlow
from ..outputs import (
    ConfirmSignInWithCustomChallenge,
    ConfirmSignInWithEmailCode,
    ConfirmSignInWithNewPasswordRequired,
    ConfirmSignInWithPassword,
    ConfirmSignInWithSmsCode,
    ConfirmSignInWithTotpCode,
    ConfirmSignUp,
    ContinueSignInWithEmailSetup,
    ContinueSignInWithFirstFactorSelection,
    ContinueSignInWithMfaSelection,
    ContinueSignInWithMfaSetupSelection,
    ContinueSignInWithTotpSetup,
    DeviceSecrets,
    Done,
    ResetPassword,
    SignInOutput,
)
from ..sealing import SnapshotSealer
from .words import EXIT_CONNECTION, EXIT_REFUSED, BadInput, in_cli_words

__all__ = ["DeviceFile", "run_sign_in"]

_RETRIED = (InvalidAnswerError, CodeMismatchException, InvalidPasswordException)


class SignInFailed(click.ClickException):
    """A sign-in that ended without DONE: one line, exit code 1."""

    exit_code = EXIT_REFUSED


class CognitoUnreachable(SignInFailed):
    """Cognito could not be reached: one line, exit code 3."""

    exit_code = EXIT_CONNECTION


def run_sign_in(
    flow: SignInFlow,
    *,
    auth_flow_type: str,
    preferred_challenge: str | None,
    app_name: str,
    show_messages: Callable[[], None] = lambda: None,
    username: str | None = None,
    show_tokens: bool = False,
    sign_out: str | None = None,
    device_file: DeviceFile | None = None,
) -> None:
    """Walk one sign-in through every step, prompting for each answer.

    ``show_messages`` prints what the embedded fake pool "sent" since the last call.
    Once signed in: ``show_tokens`` prints the tokens as JSON; ``sign_out`` (``local``
    or ``global``) signs out at Cognito.
    """
    username = username or click.prompt("Username")
    password = _first_password(auth_flow_type, preferred_challenge)
    out = _call(
        lambda: flow.sign_in(
            username,
            password,
            auth_flow_type=auth_flow_type,
            preferred_challenge=preferred_challenge,
        )
    )
    while not isinstance(out.next_step, Done):
        show_messages()
        step = out.next_step
        click.echo(f"Next step: {step.sign_in_step.value}")
        try:
            if isinstance(step, ConfirmSignUp):
                password = password or click.prompt("Password", hide_input=True)
                out = _confirm_sign_up(flow, username, password, show_messages)
            elif isinstance(step, ResetPassword):
                password = _reset_password(flow, show_messages)
                out = _call(functools.partial(flow.sign_in, username, password))
            else:
                out = _answer(flow, step, app_name)
        except _RETRIED as error:
            click.echo(f"Not accepted: {in_cli_words(str(error))}", err=True)
        except PasskeyCeremonyError as error:
            click.echo(f"Passkey: {in_cli_words(str(error))}", err=True)
            out = SignInOutput(False, flow.next_step or out.next_step)
    user = flow.get_current_user()
    click.echo(f"Signed in as {user.username} (user id {user.user_id}).")
    tokens = out.tokens
    if tokens is not None and tokens.expires_in:
        click.echo(f"The access token is valid for {tokens.expires_in} seconds.")
    if device_file is not None:
        device_file.keep(flow)
    if show_tokens and tokens is not None:
        click.echo("The tokens follow on standard output: keep them secret.", err=True)
        shown = {
            "AccessToken": tokens.access_token,
            "IdToken": tokens.id_token,
            "RefreshToken": tokens.refresh_token,
            "ExpiresIn": tokens.expires_in,
            "TokenType": tokens.token_type,
        }
        click.echo(json.dumps(shown))  # json writes a Secret's text, not its mask
    if sign_out:
        everywhere = sign_out == "global"
        try:
            flow.sign_out(global_sign_out=everywhere)
        except CognitoFlowError as error:
            told = in_cli_words(str(error))
            raise SignInFailed(f"Signed out here, but Cognito was not told: {told}") from None
        click.echo(
            "Signed out everywhere." if everywhere else "Signed out; the refresh token is revoked."
        )


class DeviceFile:
    """A remembered device in a file, sealed with the key in ``COGNITOFLOW_DEVICE_KEY``."""

    KEY_VARIABLE = "COGNITOFLOW_DEVICE_KEY"

    def __init__(self, path: Path, sealer: SnapshotSealer, device: DeviceSecrets | None) -> None:
        self.path, self.sealer, self.device = path, sealer, device

    @classmethod
    def open(cls, name: str) -> DeviceFile:
        """The file's device (none yet if the file does not exist)."""
        key = os.environ.get(cls.KEY_VARIABLE)
        if not key:
            raise click.UsageError(
                f"--device-file needs {cls.KEY_VARIABLE}, the key that seals the file. Make "
                'one with: python -c "from cognitoflow.engine import SnapshotSealer; '
                'print(SnapshotSealer.generate_key())"'
            )
        try:
            sealer = SnapshotSealer([key])
        except CognitoFlowError as error:
            raise click.UsageError(f"{cls.KEY_VARIABLE}: {error}") from None
        path = Path(name)
        if not path.exists():
            return cls(path, sealer, None)
        try:
            return cls(path, sealer, sealer.unseal_device(path.read_text().strip()))
        except (OSError, CognitoFlowError) as error:
            raise click.UsageError(f"{name} cannot be read with this key: {error}") from None

    def keep(self, flow: SignInFlow) -> None:
        """Signed in: remember the flow's device at Cognito and seal it into the file."""
        device = flow.device
        if device is None:
            click.echo("This pool remembers no devices: nothing to keep.", err=True)
            return
        try:
            flow.remember_device()
        except CognitoFlowError as error:
            click.echo(f"The device was not remembered: {error}", err=True)
            return
        sealed = self.sealer.seal_device(device)
        self.path.touch(mode=0o600, exist_ok=True)
        self.path.write_text(sealed + "\n")
        click.echo(f"This device is remembered (kept in {self.path}).")


def _first_password(auth_flow_type: str, preferred: str | None) -> str | None:
    if auth_flow_type == "CUSTOM_WITHOUT_SRP":
        return None
    if auth_flow_type == "USER_AUTH" and (preferred or "").upper() not in (
        "PASSWORD",
        "PASSWORD_SRP",
    ):
        return None
    value: str = click.prompt("Password", hide_input=True)
    return value


def _call(action: Callable[[], SignInOutput]) -> SignInOutput:
    """Run a flow call; errors that end the sign-in become one line and an exit code."""
    try:
        return action()
    except (*_RETRIED, PasskeyCeremonyError):
        raise  # the flow kept its step: the loop asks again
    except InvalidInputError as error:
        raise BadInput(error) from None
    except ConnectionFailedError as error:
        raise CognitoUnreachable(in_cli_words(str(error))) from None
    except CognitoFlowError as error:
        raise SignInFailed(in_cli_words(str(error))) from None


def _answer(flow: SignInFlow, step: object, app_name: str) -> SignInOutput:
    if isinstance(step, ConfirmSignInWithSmsCode | ConfirmSignInWithEmailCode):
        details = step.code_delivery_details
        where = f" sent by {details.delivery_medium} to {details.destination}"
        code = click.prompt(f"Code{where if details.destination else ''}", hide_input=True)
        return _call(lambda: flow.confirm_sign_in(code))
    if isinstance(step, ConfirmSignInWithTotpCode):
        device = f" ({step.friendly_device_name})" if step.friendly_device_name else ""
        code = click.prompt(f"Code from your authenticator app{device}", hide_input=True)
        return _call(lambda: flow.confirm_sign_in(code))
    if isinstance(step, ContinueSignInWithMfaSelection | ContinueSignInWithMfaSetupSelection):
        verb = "set up" if isinstance(step, ContinueSignInWithMfaSetupSelection) else "use"
        choice = click.prompt(
            f"MFA type to {verb}",
            type=click.Choice(step.allowed_mfa_types, case_sensitive=False),
        )
        return _call(lambda: flow.confirm_sign_in(choice))
    if isinstance(step, ContinueSignInWithTotpSetup):
        setup = step.totp_setup_details
        assert setup is not None
        click.echo("Scan this QR code with your authenticator app:")
        click.echo(setup.qr_terminal(app_name))
        click.echo(f"or enter this secret by hand: {setup.shared_secret}")
        code = click.prompt("Code from your authenticator app")
        device = click.prompt("Name this device (optional)", default="", show_default=False)
        return _call(lambda: flow.confirm_sign_in(code, friendly_device_name=device or None))
    if isinstance(step, ContinueSignInWithEmailSetup):
        address = click.prompt("Email address for MFA codes")
        return _call(lambda: flow.confirm_sign_in(address))
    if isinstance(step, ContinueSignInWithFirstFactorSelection):
        choice = click.prompt(
            "Sign in with",
            type=click.Choice(step.available_challenges or (), case_sensitive=False),
        )
        return _call(lambda: flow.confirm_sign_in(choice))
    if isinstance(step, ConfirmSignInWithPassword):
        password = click.prompt("Password", hide_input=True)
        return _call(lambda: flow.confirm_sign_in(password))
    if isinstance(step, ConfirmSignInWithCustomChallenge):
        shown = {k: v for k, v in step.additional_info.items() if k != "USERNAME"}
        for key, value in shown.items():
            click.echo(f"  {key}: {value}")
        answer = click.prompt("Answer")
        return _call(lambda: flow.confirm_sign_in(answer))
    if isinstance(step, ConfirmSignInWithNewPasswordRequired):
        attributes = {name: click.prompt(f"Your {name}") for name in step.missing_attributes}
        new = click.prompt("New password", hide_input=True, confirmation_prompt=True)
        return _call(lambda: flow.confirm_sign_in(new, user_attributes=attributes))
    raise SignInFailed(f"This terminal cannot answer the step {step!r}.")


def _confirm_sign_up(
    flow: SignInFlow, username: str, password: str, show_messages: Callable[[], None]
) -> SignInOutput:
    details = flow.resend_sign_up_code(username)
    show_messages()
    code = click.prompt(f"Confirmation code sent by {details.delivery_medium}")
    flow.confirm_sign_up(code, username=username)
    click.echo("Sign-up confirmed; signing in.")
    return _call(lambda: flow.sign_in(username, password))


def _reset_password(flow: SignInFlow, show_messages: Callable[[], None]) -> str:
    result = flow.reset_password()
    show_messages()
    details = getattr(result.next_step, "code_delivery_details", None)
    medium = details.delivery_medium if details else "message"
    code = click.prompt(f"Reset code sent by {medium}")
    new = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    flow.confirm_reset_password(new_password=new, confirmation_code=code)
    click.echo("Password reset; signing in.")
    return str(new)
