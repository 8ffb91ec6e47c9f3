"""The pictures committed under ``diagrams/``, and how each is made from the code.

``python -m cognitoflow.diagrams.committed [FOLDER]`` writes them all again (into
``diagrams/`` by default); ``tests/test_diagrams.py`` checks that each committed file is
what this module makes now.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable
from pathlib import Path

from .render import FAMILY_NAMES, Transition, render

__all__ = ["PICTURES", "example_path", "write_all"]


def example_path() -> list[Transition]:
    """The path of one recorded sign-in, for the docs: bob on the embedded fake answers
    his SMS code wrong once, then right."""
    from cognitoflow.engine import CodeMismatchException, SignInFlow
    from cognitoflow.transports.fake import FakeCognito, FakeTransport

    cognito = FakeCognito()
    pool = cognito.create_user_pool(PoolName="docs", MfaConfiguration="OPTIONAL")["UserPool"]["Id"]
    client = cognito.create_user_pool_client(UserPoolId=pool, ClientName="docs")
    cognito.add_user(pool, "bob", "Bobs-pass-1", phone_number="+15555550100")
    cognito.admin_set_user_mfa_preference(
        UserPoolId=pool, Username="bob", SMSMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    flow = SignInFlow(
        FakeTransport(cognito), user_pool_id=pool, client_id=client["UserPoolClient"]["ClientId"]
    )
    flow.sign_in("bob", "Bobs-pass-1")
    code = cognito.outbox.last_code("bob")
    with contextlib.suppress(CodeMismatchException):  # the wrong code is the example's point
        flow.confirm_sign_in("000000" if code != "000000" else "111111")
    flow.confirm_sign_in(code)
    return [tuple(step) for step in flow.path]  # type: ignore[misc]


def _pictures() -> dict[str, Callable[[], bytes]]:
    pictures: dict[str, Callable[[], bytes]] = {
        "signin.mmd": lambda: render("mermaid"),
        "signin.svg": lambda: render("svg"),
        "overview.mmd": lambda: render("mermaid", overview=True),
        "overview.svg": lambda: render("svg", overview=True),
        "path-sms-mfa.mmd": lambda: render("mermaid", example_path(), family="mfa"),
        "path-sms-mfa.svg": lambda: render("svg", example_path(), family="mfa"),
    }
    for family in FAMILY_NAMES:
        for kind, suffix in (("mermaid", "mmd"), ("svg", "svg")):
            pictures[f"family-{family}.{suffix}"] = functools.partial(render, kind, family=family)
    return pictures


PICTURES = _pictures()
"""Each committed file's name, and the function that makes its content."""


def write_all(folder: Path) -> None:
    """Write every committed picture into ``folder``."""
    for name, make in PICTURES.items():
        (folder / name).write_bytes(make())


if __name__ == "__main__":
    write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)
