"""Cognito's SRP-6a variant, client and server side.

Cognito does not use textbook SRP: hash inputs are Java ``BigInteger.toByteArray``
encodings (:func:`pad_hex`), the session key comes from a one-round HKDF, and the
proof is an HMAC over the pool name, the user id, the server's secret block and a
timestamp. Both sides live here because the fake user pool must check proofs for
real, and a test cross-checks the client against pycognito's independent one.

Every modular exponentiation goes through :func:`modpow`, so a faster backend
(gmpy2, say) can be plugged in with :func:`set_modpow` without touching the math.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from collections.abc import Callable
from datetime import datetime, timezone

from cognitoflow.transports.sensitive import conceal

__all__ = [
    "SERVER_SECRET_BITS",
    "G",
    "K",
    "N",
    "SrpClient",
    "backend",
    "compute_server_b",
    "compute_verifier",
    "format_timestamp",
    "modpow",
    "new_server_secret",
    "pad_hex",
    "password_claim_signature",
    "server_session_key",
    "set_modpow",
]

N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
    "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33"
    "A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864"
    "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2"
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(N_HEX, 16)
G = 2
_INFO = b"Caldera Derived Key\x01"

_Modpow = Callable[[int, int, int], int]


def _fastest() -> tuple[_Modpow, str]:
    """gmpy2's ``powmod`` where it is installed (``pip install "cognitoflow[fast]"``), else
    Python's own ``pow``; and its name. ``COGNITOFLOW_SRP=python`` in the environment
    asks for ``pow`` even where gmpy2 is installed (the worker processes of an
    ``AsyncSignInFlow`` read it too)."""
    if os.environ.get("COGNITOFLOW_SRP") == "python":
        return pow, "python"
    try:
        import gmpy2
    except ImportError:
        return pow, "python"

    def powmod(base: int, exp: int, mod: int) -> int:
        return int(gmpy2.powmod(base, exp, mod))

    return powmod, "gmpy2"


_chosen: tuple[_Modpow, str] | None = None
"""The arithmetic set by :func:`set_modpow`, or found on first use (importing gmpy2 takes
20 ms, which only a flow that does SRP needs to pay)."""


def _arithmetic() -> tuple[_Modpow, str]:
    global _chosen
    if _chosen is None:
        _chosen = _fastest()
    return _chosen


def set_modpow(impl: _Modpow | None) -> None:
    """Use ``impl(base, exp, mod)`` for every modular exponentiation (None: the default,
    gmpy2 where installed, else the builtin)."""
    global _chosen
    _chosen = None if impl is None else (impl, getattr(impl, "__name__", "custom"))


def backend() -> str:
    """Which arithmetic SRP uses: ``gmpy2``, ``python``, or the name set by ``set_modpow``."""
    return _arithmetic()[1]


def modpow(base: int, exp: int, mod: int) -> int:
    """The one modular exponentiation of this module."""
    return _arithmetic()[0](base, exp, mod)


def pad_hex(value: int) -> str:
    """Hex of a non-negative integer as Java's ``BigInteger.toByteArray`` would give it.

    An odd length gets a leading ``0``; a first nibble of 8-f gets ``00``, so the
    high bit never reads as a sign.
    """
    if value < 0:
        raise ValueError("SRP values are never negative")
    text = format(value, "x")
    if len(text) % 2:
        return "0" + text
    if text[0] in "89abcdef":
        return "00" + text
    return text


def _hash_hex(*hex_parts: str) -> int:
    return int.from_bytes(hashlib.sha256(bytes.fromhex("".join(hex_parts))).digest(), "big")


K = _hash_hex(pad_hex(N), pad_hex(G))


def _x(salt: int, pool_name: str, user_id: str, password: str) -> int:
    # Concatenated, not formatted: a concealed password formats as '<secret>'.
    inner = hashlib.sha256((pool_name + user_id + ":" + password).encode()).hexdigest()
    return _hash_hex(pad_hex(salt), inner)


def _u(big_a: int, big_b: int) -> int:
    return _hash_hex(pad_hex(big_a), pad_hex(big_b))


def _hkdf(ikm: int, salt: int) -> bytes:
    prk = hmac.new(bytes.fromhex(pad_hex(salt)), bytes.fromhex(pad_hex(ikm)), "sha256").digest()
    return hmac.new(prk, _INFO, "sha256").digest()[:16]


def format_timestamp(moment: datetime | None = None) -> str:
    """Cognito's TIMESTAMP: ``Tue Aug 5 09:03:07 UTC 2025`` (English, UTC, day not padded).

    Built by hand, because ``strftime`` follows the locale.
    """
    moment = (moment or datetime.now(timezone.utc)).astimezone(timezone.utc)
    day = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[moment.weekday()]
    month = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")[
        moment.month - 1
    ]
    return (
        f"{day} {month} {moment.day} {moment.hour:02d}:{moment.minute:02d}:"
        f"{moment.second:02d} UTC {moment.year}"
    )


def _b64decode_lenient(text: str) -> bytes:
    """Decode base64 tolerating the URL-safe alphabet and missing padding."""
    text = text.replace("-", "+").replace("_", "/")
    return base64.b64decode(text + "=" * (-len(text) % 4))


def password_claim_signature(
    key: bytes, pool_name: str, user_id: str, secret_block: str, timestamp: str
) -> str:
    """``Base64(HMAC(K, poolName ‖ userId ‖ secretBlock ‖ timestamp))``."""
    message = (
        pool_name.encode()
        + user_id.encode()
        + _b64decode_lenient(secret_block)
        + timestamp.encode()
    )
    return base64.b64encode(hmac.new(key, message, "sha256").digest()).decode()


# -- client side -------------------------------------------------------------------


class SrpClient:
    """One SRP exchange as the client. The secret ``a`` never leaves the object.

    Args:
        pool_name: the part of the user pool id after ``_`` (for device SRP, the
            device group key).
    """

    __slots__ = ("_a", "big_a", "pool_name")

    def __init__(self, pool_name: str, *, a: int | None = None) -> None:
        self.pool_name = pool_name
        while True:
            self._a = a if a is not None else int.from_bytes(secrets.token_bytes(128), "big")
            self.big_a = modpow(G, self._a, N)
            if self.big_a % N:
                break
            if a is not None:
                raise ValueError("A mod N is zero")

    def __repr__(self) -> str:
        return f"SrpClient(pool_name={self.pool_name!r})"

    @property
    def srp_a(self) -> str:
        """The ``SRP_A`` to send: plain lowercase hex, not padded."""
        return format(self.big_a, "x")

    def session_key(self, user_id: str, password: str, salt_hex: str, srp_b_hex: str) -> bytes:
        """Derive the 16-byte key from the server's ``SALT`` and ``SRP_B``."""
        big_b = int(srp_b_hex, 16)
        if big_b % N == 0:
            raise ValueError("the server sent B = 0 mod N")
        u = _u(self.big_a, big_b)
        if u == 0:
            raise ValueError("u is zero")
        x = _x(int(salt_hex, 16), self.pool_name, user_id, password)
        base = (big_b - K * modpow(G, x, N)) % N
        s = modpow(base, self._a + u * x, N)
        return _hkdf(s, u)

    def answer_password_verifier(
        self, challenge_parameters: dict[str, str], password: str, *, timestamp: str | None = None
    ) -> dict[str, str]:
        """The ``ChallengeResponses`` for ``PASSWORD_VERIFIER`` (without ``SECRET_HASH``)."""
        user_id = challenge_parameters["USER_ID_FOR_SRP"]
        # The signature is over USER_ID_FOR_SRP; the USERNAME sent back is the challenge's
        # own USERNAME (Cognito's internal username, which equals USER_ID_FOR_SRP there).
        return {
            "USERNAME": challenge_parameters.get("USERNAME") or user_id,
            **self.proof(user_id, password, challenge_parameters, timestamp=timestamp),
        }

    def proof(
        self,
        user_id: str,
        password: str,
        challenge_parameters: dict[str, str],
        *,
        timestamp: str | None = None,
    ) -> dict[str, str]:
        """The proof members of a verifier answer: ``PASSWORD_CLAIM_SECRET_BLOCK``,
        ``PASSWORD_CLAIM_SIGNATURE`` and ``TIMESTAMP``, from the challenge's ``SALT``,
        ``SRP_B`` and ``SECRET_BLOCK``. For a device, ``user_id`` is the device key and
        ``password`` the device password (the pool name being the device group key)."""
        key = self.session_key(
            user_id, password, challenge_parameters["SALT"], challenge_parameters["SRP_B"]
        )
        stamp = timestamp or format_timestamp()
        block = challenge_parameters["SECRET_BLOCK"]
        return {
            "PASSWORD_CLAIM_SECRET_BLOCK": conceal(block),
            "PASSWORD_CLAIM_SIGNATURE": conceal(
                password_claim_signature(key, self.pool_name, user_id, block, stamp)
            ),
            "TIMESTAMP": stamp,
        }


# -- server side -------------------------------------------------------------------


def compute_verifier(pool_name: str, user_id: str, password: str, salt: int) -> int:
    """``v = g^x mod N`` for a password, as Cognito stores it."""
    return modpow(G, _x(salt, pool_name, user_id, password), N)


SERVER_SECRET_BITS = 256
"""The size of the server's secret ``b`` the fake user pool draws. RFC 5054 asks for at
least 256 bits; Cognito's own size is not published. Shorter than the client's 1,024-bit
``a`` (as Amplify draws it), it makes the server's two exponentiations four times cheaper,
and the proof is checked just as strictly."""


def new_server_secret() -> int:
    """A fresh server secret ``b``: :data:`SERVER_SECRET_BITS` random bits, never zero."""
    return secrets.randbits(SERVER_SECRET_BITS) | 1 << (SERVER_SECRET_BITS - 1)


def compute_server_b(verifier: int, b: int) -> int:
    """``B = (k·v + g^b) mod N``."""
    return (K * verifier + modpow(G, b, N)) % N


def server_session_key(big_a: int, big_b: int, b: int, verifier: int) -> bytes:
    """The server's 16-byte key: ``S = (A·v^u)^b mod N``, then HKDF."""
    if big_a % N == 0:
        raise ValueError("A mod N is zero")
    u = _u(big_a, big_b)
    s = modpow(big_a * modpow(verifier, u, N) % N, b, N)
    return _hkdf(s, u)
