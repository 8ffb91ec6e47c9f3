"""The shared core of the fake user pool: its state, and what every operation family uses.

State: pools and app clients, each pool's token signer, auth sessions, SRP exchanges in
progress, refresh tokens, the outbox. Shared work: finding pools, clients and users;
the checks Cognito makes of a request (secret hash, password policy, lockout); auth
sessions; codes and their delivery. Each family of Cognito operations is a class over
:class:`ServiceCore` in a module of its own; :class:`~._service.FakeCognito` joins them.
"""

from __future__ import annotations

import base64
import functools
import hmac
import re
import secrets
import string
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import pyotp

from ._journal import journaled
from ._model import (
    AppClient,
    AuthSession,
    FakeSettings,
    PendingCode,
    RefreshGrant,
    SrpExchange,
    User,
    UserPool,
)
from ._requests import check_request
from ._schema import check_attributes
from ._support import (
    Clock,
    Message,
    Outbox,
    ServiceFault,
    SystemClock,
    client_error,
    mask_destination,
    password_policy_violation,
)
from ._tokens import TokenSigner
from ._tracked import Tracked

if TYPE_CHECKING:
    from ._journal import StateJournal

__all__ = [
    "INCORRECT",
    "SESSION_EXPIRED",
    "SESSION_INVALID",
    "SESSION_USED",
    "ServiceCore",
    "addressed_to",
    "attr_dict",
    "attr_list",
    "b64url_bytes",
    "bytes_b64url",
    "fail",
    "missing",
    "operation",
    "presented_device",
    "presenting",
    "random_id",
    "same_text",
    "secret_hash",
]

_F = TypeVar("_F", bound=Callable[..., Any])

INCORRECT = "Incorrect username or password."
SESSION_INVALID = "Invalid session for the user."
SESSION_EXPIRED = "Invalid session for the user, session is expired."
SESSION_USED = "Invalid session for the user, session can only be used once."


def operation(name: str) -> Callable[[_F], _F]:
    """Mark a method as the Cognito operation ``name``: faults leave it as ClientErrors."""

    def wrap(method: _F) -> _F:
        @functools.wraps(method)
        def run(self: Any, *args: Any, **kwargs: Any) -> Any:
            if args:
                raise TypeError(f"{method.__name__}() only accepts keyword arguments")
            with self._lock, journaled(self):
                try:
                    return method(self, **check_request(name, method, kwargs))
                except ServiceFault as fault:
                    raise client_error(fault, name) from None
                finally:
                    self._after_operation()

        run.cognito_operation = name  # type: ignore[attr-defined]
        return run  # type: ignore[return-value]

    return wrap


_DEVICE: ContextVar[str | None] = ContextVar("cognitoflow_fake_device", default=None)
"""The device (``DEVICE_KEY``) the sign-in request being handled presented."""


@contextmanager
def presenting(device_key: str | None) -> Iterator[None]:
    """Handle one sign-in request on behalf of ``device_key``: the sessions it makes carry
    the key on, and the tokens it issues are bound to it."""
    token = _DEVICE.set(device_key)
    try:
        yield
    finally:
        _DEVICE.reset(token)


_REGION: ContextVar[str | None] = ContextVar("cognitoflow_fake_region", default=None)
"""The region the request being handled was addressed to (from its signature), if known."""


@contextmanager
def addressed_to(region: str | None) -> Iterator[None]:
    """Handle one request addressed to ``region`` (the wire server reads it from the
    request's signature): a pool it creates is in that region."""
    token = _REGION.set(region)
    try:
        yield
    finally:
        _REGION.reset(token)


def presented_device() -> str | None:
    """The device the sign-in request being handled presented, if any."""
    return _DEVICE.get()


def fail(code: str, message: str) -> ServiceFault:
    """A refusal: Cognito's error code and message."""
    return ServiceFault(code, message)


def missing(name: str) -> ServiceFault:
    """Cognito's refusal of a request that lacks a required member."""
    return fail("InvalidParameterException", f"Missing required parameter {name}")


def random_id(length: int, alphabet: str = string.ascii_lowercase + string.digits) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def secret_hash(secret: str, username: str, client_id: str) -> str:
    """What a client with ``secret`` must send as ``SECRET_HASH`` for ``username``."""
    digest = hmac.new(secret.encode(), (username + client_id).encode(), "sha256").digest()
    return base64.b64encode(digest).decode()


def b64url_bytes(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def bytes_b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def attr_list(attributes: dict[str, str]) -> list[dict[str, str]]:
    """Attributes as Cognito lists them: ``[{"Name": ..., "Value": ...}]``."""
    return [{"Name": k, "Value": v} for k, v in attributes.items()]


def same_text(expected: str, given: str) -> bool:
    """Constant-time equality of two texts, whatever their characters (``compare_digest``
    on str refuses non-ASCII)."""
    return hmac.compare_digest(expected.encode(), given.encode())


def attr_dict(items: list[dict[str, str]] | None) -> dict[str, str]:
    """Cognito's ``[{Name, Value}]`` list as a dict; a ``*_verified`` flag is read as
    Cognito reads a boolean string (``True`` is true), and kept as ``true``/``false``."""
    attributes = {item["Name"]: item["Value"] for item in items or []}
    for name, value in attributes.items():
        if name.endswith("_verified"):
            attributes[name] = "true" if value.strip().lower() == "true" else "false"
    return attributes


class ServiceCore:
    """The fake's state, and the lookups, checks, sessions and codes every family uses.

    Args:
        clock: the time source (epoch seconds); a ``ManualClock`` lets tests expire sessions.
        settings: the fake's choices where Cognito's behaviour is undocumented.

    Attributes:
        outbox: every code the pool "sent" (SMS or email), for tests and the CLI to read.
    """

    def __init__(self, *, clock: Clock | None = None, settings: FakeSettings | None = None) -> None:
        self.clock: Clock = clock or SystemClock()
        self.settings = settings or FakeSettings()
        self.outbox = Outbox()
        self._pools: Tracked[str, UserPool] = Tracked()
        self._clients: Tracked[str, AppClient] = Tracked()
        self._signers: Tracked[str, TokenSigner] = Tracked()
        self._sessions: Tracked[str, AuthSession] = Tracked()
        self._srp: Tracked[str, SrpExchange] = Tracked()
        self._refresh: Tracked[str, RefreshGrant] = Tracked()
        """Every refresh token issued, and what it grants."""
        self._revoked_origins: Tracked[str, float] = Tracked()
        """The sign-ins (``origin_jti``) whose tokens were revoked, until when that matters
        (the longest an access token of theirs can live)."""
        self._lock = threading.RLock()
        """One operation at a time: the fake is safe to call from many threads."""
        self._calls = 0
        self._journal: StateJournal | None = None
        """Where the state is kept as it changes (``serve --state``), if anywhere."""

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        del state["_lock"]  # a lock is not state: each process makes its own
        state["_journal"] = None  # nor is the file this process keeps it in
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        revoked = state.get("_revoked_origins")
        if isinstance(revoked, set):  # a state file from before revocations expired
            state["_revoked_origins"] = dict.fromkeys(revoked, float("inf"))
        self.__dict__.update(state)
        self._lock = threading.RLock()

    SWEEP_EVERY = 256
    """Operations between two sweeps of what has expired."""

    def _after_operation(self) -> None:
        self._calls += 1
        if self._calls % self.SWEEP_EVERY == 0:
            self._sweep()

    @property
    def _region(self) -> str:
        """The region of a new pool: the request's, else ``FakeSettings.region``."""
        return _REGION.get() or self.settings.region

    def _sweep(self) -> None:
        """Forget what can no longer be used: expired sessions and SRP exchanges,
        expired refresh tokens, and revocations no live access token can need."""
        now = self.clock()
        self._sessions.drop_where(lambda session: session.expires_at <= now)
        self._srp.drop_where(lambda exchange: exchange.expires_at <= now)
        self._refresh.drop_where(lambda grant: grant.expires_at <= now)
        self._revoked_origins.drop_where(lambda until: until <= now)

    @staticmethod
    def _check_status(user: User) -> None:
        """What the user's state allows, checked at the start and again at the password,
        since an admin may disable or reset a user between two steps."""
        if not user.enabled:
            raise fail("NotAuthorizedException", "User is disabled.")
        if user.status == "UNCONFIRMED":
            raise fail("UserNotConfirmedException", "User is not confirmed.")
        if user.status == "RESET_REQUIRED":
            raise fail("PasswordResetRequiredException", "Password reset required for the user")

    def _pool(self, pool_id: str) -> UserPool:
        pool = self._pools.get(pool_id)
        if pool is None:
            raise fail("ResourceNotFoundException", f"User pool {pool_id} does not exist.")
        return pool

    def _client(self, client_id: str) -> tuple[AppClient, UserPool]:
        client = self._clients.get(client_id)
        if client is None:
            raise fail("ResourceNotFoundException", f"User pool client {client_id} does not exist.")
        return client, self._pools[client.pool_id]

    def _admin_user(self, pool: UserPool, username: str) -> User:
        user = self._find_user(pool, username)
        if user is None:
            raise fail("UserNotFoundException", "User does not exist.")
        return user

    def _find_user(self, pool: UserPool, login: str) -> User | None:
        """By username, or by an email/phone used as username or as a (verified) alias."""
        user = pool.users.get(pool.key(login))
        if user is not None:
            return user
        for attribute in ("email", "phone_number", "preferred_username"):
            as_username = attribute in pool.username_attributes
            as_alias = attribute in pool.alias_attributes
            if not (as_username or as_alias):
                continue
            for candidate in pool.users.with_alias(attribute, login):
                value = candidate.attributes.get(attribute)
                if value is None or pool.key(value) != pool.key(login):
                    continue
                verified = candidate.attributes.get(f"{attribute}_verified") == "true"
                if as_username or verified or attribute == "preferred_username":
                    return candidate
        return None

    def _new_user(
        self, pool: UserPool, login: str, attributes: dict[str, str], status: str
    ) -> User:
        if not login:
            raise missing("Username")
        if pool.username_attributes:
            if "@" in login and "email" in pool.username_attributes:
                attributes.setdefault("email", login)
            elif login.startswith("+") and "phone_number" in pool.username_attributes:
                attributes.setdefault("phone_number", login)
            else:
                raise fail(
                    "InvalidParameterException",
                    "Username should be either an email or a phone number.",
                )
            username = str(uuid.uuid4())
            if self._find_user(pool, login) is not None:
                raise fail(
                    "UsernameExistsException", "An account with the given email already exists."
                )
        else:
            username = login
            if pool.key(login) in pool.users:
                raise fail("UsernameExistsException", "User already exists")
        check_attributes(pool, attributes, creating=True)
        sub = str(uuid.uuid4())
        if pool.username_attributes:
            sub = username
        user = User(
            username=username,
            sub=sub,
            attributes={"sub": sub, **attributes},
            status=status,
            created=self.clock(),
        )
        pool.users[pool.key(username)] = user
        return user

    def _user_type(self, user: User) -> dict[str, Any]:
        return {
            "Username": user.username,
            "Attributes": attr_list(user.attributes),
            "UserCreateDate": user.created,
            "UserLastModifiedDate": user.created,
            "Enabled": user.enabled,
            "UserStatus": user.status,
        }

    def _check_policy(self, pool: UserPool, password: str, prefix: str) -> None:
        if not password or password != password.strip():
            raise fail(
                "InvalidParameterException",
                "1 validation error detected: Value at 'password' failed to satisfy constraint: "
                "Member must satisfy regular expression pattern: ^[\\S]+.*[\\S]+$",
            )
        problem = password_policy_violation(password, pool.password_policy)
        if problem:
            raise fail("InvalidPasswordException", prefix + problem)

    def _generate_password(self, pool: UserPool) -> str:
        length = max(int(pool.password_policy.get("MinimumLength", 8)), 12)
        core = random_id(length - 4, string.ascii_letters + string.digits)
        return "Aa1!" + core

    def _check_secret_hash(self, client: AppClient, username: str, given: str | None) -> None:
        if not client.secret:
            return
        if not given:
            raise fail(
                "NotAuthorizedException",
                f"Client {client.client_id} is configured with secret but SECRET_HASH was not "
                "received",
            )
        if not same_text(secret_hash(client.secret, username, client.client_id), given):
            raise fail(
                "NotAuthorizedException",
                f"Unable to verify secret hash for client {client.client_id}",
            )

    def _check_lockout(self, user: User) -> None:
        if not self.settings.lockout or user.failed_attempts < 5:
            return
        now = self.clock()
        if now - user.last_failure > 15 * 60:
            user.failed_attempts = 0
            return
        locked_for = min(2 ** (user.failed_attempts - 5), 15 * 60)
        if now < user.last_failure + locked_for:
            raise fail("NotAuthorizedException", "Password attempts exceeded")

    def _record_failure(self, user: User) -> None:
        user.failed_attempts += 1
        user.last_failure = self.clock()

    def _new_session(
        self, pool: UserPool, client: AppClient, username: str, challenge: str, **fields: Any
    ) -> AuthSession:
        """A session for ``challenge``; ``fields`` are what its answer is checked against."""
        session = AuthSession(
            session_id=self._session_id(),
            pool_id=pool.pool_id,
            client_id=client.client_id,
            username=username,
            challenge=challenge,
            expires_at=self.clock() + client.auth_session_validity * 60,
            **{"device_key": presented_device(), **fields},
        )
        self._sessions[session.session_id] = session
        return session

    @staticmethod
    def _session_id() -> str:
        return "AYABe" + base64.urlsafe_b64encode(secrets.token_bytes(180)).decode()

    def _follow_session(self, session: AuthSession, **changes: Any) -> AuthSession:
        """The fresh session that AssociateSoftwareToken/VerifySoftwareToken hand back:
        the same challenge and expiry, what the old one knew, and ``changes``."""
        follow = attrs.evolve(
            session,
            session_id=self._session_id(),
            used=False,
            dead=False,
            code=None,
            code_attempts=0,
            **changes,
        )
        self._sessions[follow.session_id] = follow
        return follow

    def _session(self, session_id: str, client: AppClient | None) -> AuthSession:
        session = self._sessions.get(session_id)
        if session is None or session.dead or (client and session.client_id != client.client_id):
            raise fail("NotAuthorizedException", SESSION_INVALID)
        if self.clock() >= session.expires_at:
            raise fail("NotAuthorizedException", SESSION_EXPIRED)
        if session.used:
            raise fail("NotAuthorizedException", SESSION_USED)
        return session

    def _wrong_code(self, session: AuthSession, code: str, message: str) -> ServiceFault:
        session.code_attempts += 1
        cap = self.settings.max_code_attempts_per_session
        if cap is not None and session.code_attempts >= cap:
            session.dead = True
        return fail(code, message)

    def _access(self, token: str) -> tuple[UserPool, User]:
        for pool_id, signer in self._signers.items():
            claims = signer.verify_access_token(token, self.clock())
            if claims is None:
                continue
            if claims.get("expired"):
                raise fail("NotAuthorizedException", "Access Token has expired")
            if str(claims.get("origin_jti")) in self._revoked_origins:
                raise fail("NotAuthorizedException", "Access Token has been revoked")
            pool = self._pools[pool_id]
            user = pool.users.get(pool.key(str(claims["username"])))
            if user is None:
                raise fail("NotAuthorizedException", "User does not exist.")
            return pool, user
        raise fail("NotAuthorizedException", "Invalid Access Token")

    @staticmethod
    def _totp_ok(secret: str, code: str) -> bool:
        return bool(re.fullmatch(r"[0-9]{6}", code)) and pyotp.TOTP(secret).verify(
            code, valid_window=1
        )

    def _code(self, digits: int) -> str:
        return f"{secrets.randbelow(10**digits):0{digits}d}"

    def _deliver(
        self, pool: UserPool, user: User, destination: str, medium: str, code: str, purpose: str
    ) -> None:
        self.outbox.append(
            Message(
                user_pool_id=pool.pool_id,
                username=user.username,
                medium=medium,
                destination=destination,
                purpose=purpose,
                code=code,
                sent_at=self.clock(),
            )
        )

    def _send(
        self, pool: UserPool, user: User, attribute: str, code: str, purpose: str
    ) -> dict[str, str]:
        destination = user.attributes[attribute]
        medium = "EMAIL" if attribute == "email" else "SMS"
        self._deliver(pool, user, destination, medium, code, purpose)
        return {
            "Destination": mask_destination(destination),
            "DeliveryMedium": medium,
            "AttributeName": attribute,
        }

    def _issue_code(
        self, pool: UserPool, user: User, purpose: str, attribute: str, seconds: int
    ) -> dict[str, str]:
        code = self._code(6)
        user.codes[purpose] = PendingCode(code, self.clock() + seconds, attribute)
        return self._send(pool, user, attribute, code, purpose)

    def _within_limit(self, user: User, kind: str, per_hour: int | None) -> None:
        """Refuse once ``user`` has made ``per_hour`` attempts of ``kind`` in the last hour."""
        if per_hour is None:
            return
        now = self.clock()
        recent = [t for t in user.attempts.get(kind, []) if now - t < 3600]
        user.attempts[kind] = recent
        if len(recent) >= per_hour:
            raise fail(
                "LimitExceededException", "Attempt limit exceeded, please try after some time."
            )

    def _count_attempt(self, user: User, kind: str) -> None:
        user.attempts.setdefault(kind, []).append(self.clock())

    def _spend_attempt(self, user: User, kind: str, per_hour: int | None) -> None:
        """Refuse once the hour's ``per_hour`` attempts of ``kind`` are spent; else count
        this one (for requests that count whatever their outcome, such as code requests)."""
        self._within_limit(user, kind, per_hour)
        self._count_attempt(user, kind)

    def _take_code(
        self, user: User, purpose: str, given: str, per_hour: int | None = None
    ) -> PendingCode:
        """The pending code ``given`` matches; wrong ones count against ``per_hour``."""
        self._within_limit(user, f"wrong {purpose} code", per_hour)
        pending = user.codes.get(purpose)
        if pending is None or self.clock() > pending.expires_at:
            raise fail(
                "ExpiredCodeException", "Invalid code provided, please request a code again."
            )
        if not same_text(pending.code, given or ""):
            self._count_attempt(user, f"wrong {purpose} code")
            raise fail(
                "CodeMismatchException", "Invalid verification code provided, please try again."
            )
        del user.codes[purpose]
        return pending

    @staticmethod
    def _verification_attribute(pool: UserPool, user: User) -> str | None:
        """Where a sign-up code goes: an auto-verified attribute the user has."""
        for attribute in ("email", "phone_number"):
            if attribute in pool.auto_verified_attributes and user.attributes.get(attribute):
                return attribute
        return None

    @staticmethod
    def _recovery_attribute(pool: UserPool, user: User) -> str | None:
        """Where a reset code goes: the first verified channel by AccountRecoverySetting."""
        order = [
            str(m["Name"]) for m in sorted(pool.recovery, key=lambda m: int(m.get("Priority", 1)))
        ] or ["verified_phone_number", "verified_email"]
        if "SMS_MFA" in user.mfa_enabled:
            order = [name for name in order if name != "verified_phone_number"]
        if "EMAIL_OTP" in user.mfa_enabled:
            order = [name for name in order if name != "verified_email"]
        for name in order:
            attribute = {"verified_email": "email", "verified_phone_number": "phone_number"}.get(
                name
            )
            if attribute and user.attributes.get(f"{attribute}_verified") == "true":
                return attribute
        return None

    @staticmethod
    def _simulated_delivery(login: str) -> dict[str, str]:
        email = "@" in login
        return {
            "Destination": mask_destination(login if email else "+00000000000"),
            "DeliveryMedium": "EMAIL" if email else "SMS",
            "AttributeName": "email" if email else "phone_number",
        }
