"""Password sign-in: ``USER_PASSWORD_AUTH`` and SRP (``USER_SRP_AUTH``, then
``PASSWORD_VERIFIER``), with the checks every sign-in makes of the user."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import uuid
from datetime import datetime, timezone
from typing import Any

from cognitoflow.engine import srp

from ._core import (
    INCORRECT,
    SESSION_EXPIRED,
    SESSION_INVALID,
    SESSION_USED,
    fail,
    missing,
    same_text,
)
from ._mfa import MfaChallenges
from ._model import (
    AppClient,
    CustomAuth,
    SrpExchange,
    User,
    UserPool,
)

__all__ = ["PasswordAuth"]

_TIMESTAMP = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"([1-9]|[12][0-9]|3[01]) \d\d:\d\d:\d\d UTC \d{4}$"
)
"""The TIMESTAMP of a PASSWORD_VERIFIER answer, as Cognito expects it."""


class PasswordAuth(MfaChallenges):
    """``USER_PASSWORD_AUTH`` and ``USER_SRP_AUTH``, and the checks every sign-in makes."""

    def _login_user(
        self, pool: UserPool, client: AppClient, params: dict[str, str], *, lockout: bool = True
    ) -> User | None:
        """Checks shared by the sign-in flows, up to (not including) the password."""
        login = params.get("USERNAME")
        if not login:
            raise missing("USERNAME")
        self._check_secret_hash(client, login, params.get("SECRET_HASH"))
        user = self._find_user(pool, login)
        if user is None:
            if client.prevent_user_existence_errors == "ENABLED":
                return None
            raise fail("UserNotFoundException", "User does not exist.")
        self._check_status(user)
        if lockout:
            self._check_lockout(user)
        return user

    def _start_password(
        self, pool: UserPool, client: AppClient, params: dict[str, str]
    ) -> dict[str, Any]:
        if "PASSWORD" not in params:
            raise missing("PASSWORD")
        user = self._login_user(pool, client, params)
        if user is None:
            raise fail("NotAuthorizedException", INCORRECT)
        if not user.check_password(params["PASSWORD"]):
            self._record_failure(user)
            raise fail("NotAuthorizedException", INCORRECT)
        return self._after_first_factor(pool, client, user)

    @staticmethod
    def _srp_a(params: dict[str, str]) -> int:
        if "SRP_A" not in params:
            raise missing("SRP_A")
        try:
            big_a = int(params["SRP_A"], 16)
        except ValueError:
            raise fail("NotAuthorizedException", INCORRECT) from None
        if big_a <= 0 or big_a % srp.N == 0:  # "-1" parses, and is no SRP value
            raise fail("NotAuthorizedException", INCORRECT)
        return big_a

    def _start_srp(
        self, pool: UserPool, client: AppClient, params: dict[str, str]
    ) -> dict[str, Any]:
        big_a = self._srp_a(params)
        user = self._login_user(pool, client, params)
        return self._password_verifier(pool, client, user, params["USERNAME"], big_a)

    def _password_verifier(
        self,
        pool: UserPool,
        client: AppClient,
        user: User | None,
        login: str,
        big_a: int,
        custom: CustomAuth | None = None,
    ) -> dict[str, Any]:
        """The PASSWORD_VERIFIER challenge; its state is found again by SECRET_BLOCK."""
        if user is None:
            # Simulated reply for an unknown user (PreventUserExistenceErrors=ENABLED): the
            # same salt and user id every time, and a proof that can never match.
            seed = hashlib.sha256(f"{pool.pool_id}:{login}".encode()).digest()
            user_id, salt, verifier = (
                str(uuid.UUID(bytes=seed[:16])),
                int.from_bytes(seed, "big"),
                0,
            )
        else:
            user_id, salt, verifier = user.username, user.srp_salt, user.srp_verifier
        b = srp.new_server_secret()
        big_b = srp.compute_server_b(verifier, b)
        block = base64.b64encode(secrets.token_bytes(96)).decode()
        session = self._new_session(pool, client, user_id, "PASSWORD_VERIFIER")
        self._srp[block] = SrpExchange(
            big_a=big_a,
            b=b,
            big_b=big_b,
            verifier=verifier,
            user_id=user_id,
            known=user is not None,
            client_id=client.client_id,
            session_id=session.session_id,
            expires_at=session.expires_at,
            custom=custom,
        )
        return {
            "ChallengeName": "PASSWORD_VERIFIER",
            "Session": session.session_id,
            "ChallengeParameters": {
                "SALT": srp.pad_hex(salt),
                "SRP_B": format(big_b, "x"),
                "SECRET_BLOCK": block,
                "USERNAME": user_id,
                "USER_ID_FOR_SRP": user_id,
            },
        }

    def _check_password_claim(
        self, pool: UserPool, client: AppClient, answers: dict[str, str], session_id: str | None
    ) -> tuple[User, SrpExchange]:
        """The answer to PASSWORD_VERIFIER checked: the user whose proof it is, and the
        exchange it ends (what follows depends on the flow that started it)."""
        for name in ("PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP"):
            if name not in answers:
                raise missing(name)
        login = answers.get("USERNAME")
        if not login:
            raise missing("USERNAME")
        self._check_secret_hash(client, login, answers.get("SECRET_HASH"))
        exchange = self._srp.get(answers["PASSWORD_CLAIM_SECRET_BLOCK"])
        if exchange is None or exchange.client_id != client.client_id:
            raise fail("NotAuthorizedException", SESSION_INVALID)
        if session_id is not None and not same_text(exchange.session_id, session_id):
            raise fail("NotAuthorizedException", SESSION_INVALID)
        session = self._sessions.get(exchange.session_id)
        if session is None or session.used:
            raise fail("NotAuthorizedException", SESSION_USED)
        if self.clock() >= exchange.expires_at:
            raise fail("NotAuthorizedException", SESSION_EXPIRED)
        self._check_timestamp(answers["TIMESTAMP"])
        session.used = True
        del self._srp[answers["PASSWORD_CLAIM_SECRET_BLOCK"]]
        user = pool.users.get(pool.key(exchange.user_id)) if exchange.known else None
        if user is None:
            raise fail("NotAuthorizedException", INCORRECT)
        self._check_status(user)
        if (
            login not in (user.username, exchange.user_id)
            and self._find_user(pool, login) is not user
        ):
            raise fail("NotAuthorizedException", INCORRECT)
        key = srp.server_session_key(exchange.big_a, exchange.big_b, exchange.b, exchange.verifier)
        expected = srp.password_claim_signature(
            key,
            pool.suffix,
            exchange.user_id,
            answers["PASSWORD_CLAIM_SECRET_BLOCK"],
            answers["TIMESTAMP"],
        )
        if not same_text(expected, answers["PASSWORD_CLAIM_SIGNATURE"]):
            if exchange.custom is None:  # custom auth counts no lockout
                self._record_failure(user)
            raise fail("NotAuthorizedException", INCORRECT)
        return user, exchange

    def _check_timestamp(self, stamp: str) -> None:
        if not _TIMESTAMP.match(stamp):
            raise fail("NotAuthorizedException", INCORRECT)
        tolerance = self.settings.srp_timestamp_tolerance
        if tolerance is not None:
            when = datetime.strptime(stamp, "%a %b %d %H:%M:%S UTC %Y").replace(tzinfo=timezone.utc)
            if abs(when.timestamp() - self.clock()) > tolerance:
                raise fail("NotAuthorizedException", INCORRECT)
