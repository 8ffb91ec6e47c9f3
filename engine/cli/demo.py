"""``cognitoflow demo``: demo users walked through each supported step on the embedded fake.

The demo plays both sides: it reads the codes the fake pool "sends" from its outbox
and answers with them, printing each next step as Amplify would report it. Codes and
passwords are shown masked: the point is the shape of the flow, not the secrets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import pyotp

from cognitoflow.transports.fake import FakeCognito, FakeTransport, SoftwareAuthenticator

from ..errors import CognitoFlowError
from ..flow import SignInFlow
from ..outputs import ResetPasswordOutput, SignInOutput, SignUpOutput

__all__ = ["run_demo"]

PASSWORD = "Demo-pass-1"


class _Narrator:
    def __init__(self, echo: Callable[[str], None]) -> None:
        self.echo = echo

    def title(self, text: str) -> None:
        self.echo("")
        self.echo(f"== {text}")

    def call(self, text: str) -> None:
        self.echo(f"   > {text}")

    def result(self, out: SignInOutput | SignUpOutput | ResetPasswordOutput) -> None:
        step = out.next_step
        name = getattr(step, "sign_in_step", None) or getattr(step, "reset_password_step", None)
        details = {
            key: value
            for key, value in attrs.asdict(step, recurse=False).items()
            if value not in (None, (), {}) and key != "totp_setup_details"
        }
        fields = ", ".join(f"{k}={_show(v)}" for k, v in details.items())
        self.echo(
            f"     next step: {name.value if name else step}" + (f"  ({fields})" if fields else "")
        )

    def note(self, text: str) -> None:
        self.echo(f"     {text}")


def _show(value: object) -> str:
    if attrs.has(type(value)):
        shown = {k: v for k, v in attrs.asdict(value).items() if v is not None}  # type: ignore[arg-type]
        return ", ".join(f"{k}={v}" for k, v in shown.items())
    return str(value)


def _pool(
    cognito: FakeCognito, mfa: str = "OFF", flows: list[str] | None = None, **extra: Any
) -> tuple[str, str]:
    pool_id = cognito.create_user_pool(PoolName="demo", MfaConfiguration=mfa, **extra)
    client_flows: dict[str, Any] = {"ExplicitAuthFlows": flows} if flows else {}
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id["UserPool"]["Id"], ClientName="demo-web", **client_flows
    )["UserPoolClient"]["ClientId"]
    return pool_id["UserPool"]["Id"], client_id


def run_demo(echo: Callable[[str], None] = print) -> None:
    """Run every demo scenario, narrating each call and each next step."""
    say = _Narrator(echo)
    cognito = FakeCognito()
    transport = FakeTransport(cognito)

    def flow_for(pool_id: str, client_id: str) -> SignInFlow:
        return SignInFlow(transport, user_pool_id=pool_id, client_id=client_id)

    say.title("alice: an admin-created user must choose a new password (SRP sign-in)")
    pool_id, client_id = _pool(cognito, "OPTIONAL")
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="alice",
        TemporaryPassword="Temp-pass-1",
        MessageAction="SUPPRESS",
    )
    flow = flow_for(pool_id, client_id)
    say.call("sign_in('alice', <temporary password>)")
    say.result(flow.sign_in("alice", "Temp-pass-1"))
    say.call("confirm_sign_in('short')")
    try:
        flow.confirm_sign_in("short")
    except CognitoFlowError as error:
        say.note(f"refused, step kept: {error}")
    say.call("confirm_sign_in(<new password>)")
    say.result(flow.confirm_sign_in("A-better-pass-2"))

    say.title("bob: SMS MFA, with a wrong code first")
    cognito.add_user(pool_id, "bob", PASSWORD, phone_number="+15555550100")
    cognito.admin_set_user_mfa_preference(
        UserPoolId=pool_id, Username="bob", SMSMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    flow = flow_for(pool_id, client_id)
    say.call("sign_in('bob', <password>)")
    say.result(flow.sign_in("bob", PASSWORD))
    code = cognito.outbox.last_code("bob")
    say.note(f"the pool sent an SMS to {cognito.outbox.last('bob').destination}")
    say.call("confirm_sign_in(<wrong code>)")
    try:
        flow.confirm_sign_in("000000" if code != "000000" else "111111")
    except CognitoFlowError as error:
        say.note(f"refused, step kept: {error}")
    say.call("confirm_sign_in(<code from the SMS>)")
    say.result(flow.confirm_sign_in(code))

    say.title("carol: MFA is required and she has none, so she sets up an authenticator app")
    totp_pool, totp_client = _pool(cognito, "ON")
    cognito.set_user_pool_mfa_config(
        UserPoolId=totp_pool, SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    cognito.add_user(totp_pool, "carol", PASSWORD)
    flow = flow_for(totp_pool, totp_client)
    say.call("sign_in('carol', <password>)")
    out = flow.sign_in("carol", PASSWORD)
    say.result(out)
    details = getattr(out.next_step, "totp_setup_details", None)
    assert details is not None
    say.note("setup URI: " + details.get_setup_uri("cognitoflow demo").split("?")[0] + "?secret=…")
    say.note("the QR code an authenticator app scans:")
    for line in details.qr_terminal("cognitoflow demo").splitlines():
        echo("     " + line)
    say.call("confirm_sign_in(<code from the app>)")
    say.result(flow.confirm_sign_in(pyotp.TOTP(details.shared_secret).now()))
    flow.sign_out()
    say.call("sign_out(); sign_in('carol', <password>)")
    say.result(flow.sign_in("carol", PASSWORD))
    say.call("confirm_sign_in(<code from the app>)")
    say.result(flow.confirm_sign_in(pyotp.TOTP(details.shared_secret).now()))

    say.title("gina: MFA is required; she may set up TOTP or email, and picks email")
    both_pool, both_client = _pool(cognito, "ON")
    cognito.set_user_pool_mfa_config(
        UserPoolId=both_pool,
        SoftwareTokenMfaConfiguration={"Enabled": True},
        EmailMfaConfiguration={"Message": "Your code is {####}", "Subject": "Your code"},
    )
    cognito.add_user(both_pool, "gina", PASSWORD)
    flow = flow_for(both_pool, both_client)
    say.call("sign_in('gina', <password>)")
    say.result(flow.sign_in("gina", PASSWORD))
    say.call("confirm_sign_in('EMAIL')")
    say.result(flow.confirm_sign_in("EMAIL"))
    say.call("confirm_sign_in('gina@example.com')")
    say.result(flow.confirm_sign_in("gina@example.com"))
    say.call("confirm_sign_in(<code from the email>)")
    say.result(flow.confirm_sign_in(cognito.outbox.last_code("gina", purpose="MFA")))

    say.title("hugo: custom challenge (a question, three tries), no password")
    custom_pool, custom_client = _pool(
        cognito,
        LambdaConfig={
            kind: "cognitoflow:question"
            for kind in (
                "DefineAuthChallenge",
                "CreateAuthChallenge",
                "VerifyAuthChallengeResponse",
            )
        },
    )
    cognito.add_user(custom_pool, "hugo", PASSWORD)
    flow = flow_for(custom_pool, custom_client)
    say.call("sign_in('hugo', auth_flow_type='CUSTOM_WITHOUT_SRP')")
    say.result(flow.sign_in("hugo", auth_flow_type="CUSTOM_WITHOUT_SRP"))
    say.call("confirm_sign_in('41')")
    say.result(flow.confirm_sign_in("41"))
    say.call("confirm_sign_in('42')")
    say.result(flow.confirm_sign_in("42"))

    say.title("iris: passwordless, with a one-time code by email (USER_AUTH)")
    free_pool, free_client = _pool(
        cognito,
        flows=["ALLOW_USER_AUTH"],
        Policies={
            "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]}
        },
    )
    cognito.set_user_pool_mfa_config(
        UserPoolId=free_pool, WebAuthnConfiguration={"RelyingPartyId": "auth.example.com"}
    )
    cognito.add_user(free_pool, "iris", PASSWORD, email="iris@example.com", email_verified="true")
    flow = flow_for(free_pool, free_client)
    say.call("sign_in('iris', auth_flow_type='USER_AUTH')")
    say.result(flow.sign_in("iris", auth_flow_type="USER_AUTH"))
    say.call("confirm_sign_in('EMAIL_OTP')")
    say.result(flow.confirm_sign_in("EMAIL_OTP"))
    say.call("confirm_sign_in(<8-digit code from the email>)")
    say.result(flow.confirm_sign_in(cognito.outbox.last_code("iris", purpose="SIGN_IN")))
    authenticator = SoftwareAuthenticator()
    say.call("register_passkey(<authenticator>.create)")
    flow.register_passkey(authenticator.create)
    say.note("a passkey is registered for iris (a software authenticator plays the browser)")

    say.title("iris again: signs in with her passkey")
    flow = SignInFlow(
        transport,
        user_pool_id=free_pool,
        client_id=free_client,
        passkey_authenticator=authenticator,
    )
    say.call("sign_in('iris', auth_flow_type='USER_AUTH', preferred_challenge='WEB_AUTHN')")
    say.result(flow.sign_in("iris", auth_flow_type="USER_AUTH", preferred_challenge="WEB_AUTHN"))

    say.title("dave: SMS and TOTP both enabled, so he picks one")
    cognito.add_user(pool_id, "dave", PASSWORD, phone_number="+15555550111")
    secret = _totp_for(cognito, pool_id, "dave")
    cognito.admin_set_user_mfa_preference(
        UserPoolId=pool_id,
        Username="dave",
        SMSMfaSettings={"Enabled": True},
        SoftwareTokenMfaSettings={"Enabled": True},
    )
    flow = flow_for(pool_id, client_id)
    say.call("sign_in('dave', <password>)")
    say.result(flow.sign_in("dave", PASSWORD))
    say.call("confirm_sign_in('totp')")
    say.result(flow.confirm_sign_in("totp"))
    say.call("confirm_sign_in(<code from the app>)")
    say.result(flow.confirm_sign_in(pyotp.TOTP(secret).now()))

    say.title("erin: signs up, confirms with the emailed code, then signs in")
    up_pool, up_client = _pool(cognito, AutoVerifiedAttributes=["email"])
    flow = flow_for(up_pool, up_client)
    say.call("sign_up('erin', <password>, user_attributes={'email': ...})")
    say.result(flow.sign_up("erin", PASSWORD, user_attributes={"email": "erin@example.com"}))
    say.call("confirm_sign_up(<code from the email>)")
    say.result(flow.confirm_sign_up(cognito.outbox.last_code("erin", purpose="SIGN_UP")))
    say.call("sign_in('erin', <password>)")
    say.result(flow.sign_in("erin", PASSWORD))

    say.title("frank: an admin asked for a password reset")
    cognito.add_user(up_pool, "frank", PASSWORD, email="frank@example.com", email_verified="true")
    cognito.admin_reset_user_password(UserPoolId=up_pool, Username="frank")
    flow = flow_for(up_pool, up_client)
    say.call("sign_in('frank', <old password>)")
    say.result(flow.sign_in("frank", PASSWORD))
    say.call("reset_password()")
    say.result(flow.reset_password())
    say.call("confirm_reset_password(new_password=..., confirmation_code=<code>)")
    say.result(
        flow.confirm_reset_password(
            new_password="Brand-new-pass-3",
            confirmation_code=cognito.outbox.last_code("frank", purpose="FORGOT_PASSWORD"),
        )
    )
    say.call("sign_in('frank', <new password>)")
    say.result(flow.sign_in("frank", "Brand-new-pass-3"))
    echo("")
    echo(f"Done: {len(cognito.outbox)} messages went through the fake pool's outbox.")


def _totp_for(cognito: FakeCognito, pool_id: str, username: str) -> str:
    """Give a user an authenticator app through the access token, as an app would."""
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="setup", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    access = cognito.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        ClientId=client_id,
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]["AccessToken"]
    secret: str = cognito.associate_software_token(AccessToken=access)["SecretCode"]
    cognito.verify_software_token(AccessToken=access, UserCode=pyotp.TOTP(secret).now())
    return secret


PLAYGROUND_USERS = {
    "alice": "an admin-created user with the temporary password Temp-pass-1: sets a new one",
    "bob": "SMS MFA (phone +15555550100)",
    "carol": "MFA is required and she has none: sets up an authenticator app (TOTP)",
    "erin": "passwordless: sign in with --auth-flow USER_AUTH, then EMAIL_OTP",
    "hugo": "custom challenge (What is six times seven?): --auth-flow CUSTOM_WITHOUT_SRP",
}
"""The embedded pool's users for ``cognitoflow sign-in``; passwords are Demo-pass-1."""


def playground() -> tuple[FakeCognito, dict[str, tuple[str, str]]]:
    """A fake service with :data:`PLAYGROUND_USERS`, for trying ``cognitoflow sign-in``.

    Returns the service and, for each user, the (user pool id, client id) to sign in to:
    alice, bob and carol are in a pool that requires MFA; erin and hugo in one that
    allows passwordless and custom sign-in.
    """
    cognito = FakeCognito()
    mfa_pool, mfa_client = _pool(cognito, "ON", flows=["ALLOW_USER_SRP_AUTH"])
    cognito.set_user_pool_mfa_config(
        UserPoolId=mfa_pool,
        SmsMfaConfiguration={"SmsAuthenticationMessage": "Your code is {####}"},
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    cognito.admin_create_user(
        UserPoolId=mfa_pool,
        Username="alice",
        TemporaryPassword="Temp-pass-1",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "phone_number", "Value": "+15555550101"}],
    )
    cognito.add_user(mfa_pool, "bob", PASSWORD, phone_number="+15555550100")
    cognito.add_user(mfa_pool, "carol", PASSWORD)
    triggers = {
        kind: "cognitoflow:question"
        for kind in ("DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse")
    }
    open_pool, open_client = _pool(
        cognito,
        flows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_AUTH", "ALLOW_CUSTOM_AUTH"],
        Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}},
        LambdaConfig=triggers,
    )
    cognito.add_user(open_pool, "erin", PASSWORD, email="erin@example.com", email_verified="true")
    cognito.add_user(open_pool, "hugo", PASSWORD)
    pools = {name: (mfa_pool, mfa_client) for name in ("alice", "bob", "carol")}
    pools.update({name: (open_pool, open_client) for name in ("erin", "hugo")})
    return cognito, pools


def message_printer(cognito: FakeCognito, echo: Callable[[str], None]) -> Callable[[], None]:
    """A function that prints the messages the fake pool sent since its last call."""
    seen = len(cognito.outbox)

    def show() -> None:
        nonlocal seen
        for message in list(cognito.outbox)[seen:]:
            echo(
                f"[fake pool] {message.medium} to {message.destination} "
                f"({message.purpose.lower().replace('_', ' ')}): {message.code}"
            )
        seen = len(cognito.outbox)

    return show
