"""Flow stores: flows kept between requests, for any number of worker processes.

A store keeps each flow's snapshot under an id (give the id to the browser, in a cookie)
and runs one step of a flow at a time::

    store = RedisFlowStore(redis.Redis.from_url(url), sealer=sealer)
    flow_id = store.create(flow)                   # after sign_in
    ...                                            # next request, any process
    with store.step(flow_id, transport) as flow:   # locked, restored
        out = flow.confirm_sign_in(code)
    # saved: the new step, or (after a wrong code) the same step, ready for a retry

Two requests on the same flow at once cannot both use its Cognito session (a session is
single-use): the second gets :class:`StepInProgressError` at once and nothing changes;
it can load the flow again when the first is done. A flow expires from the store with
its Cognito session (plus ``grace`` seconds, so the next request still hears "sign in
again" from the flow itself), or after ``idle_ttl`` seconds when it holds no session.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import FlowNotFoundError, InvalidInputError, StaleStepError, StepInProgressError
from .flow import Flow, PasskeyAuthenticator, SignInFlow
from .logs import log
from .sealing import SnapshotSealer
from .snapshot import Snapshot, session_expires_at

if TYPE_CHECKING:
    from cognitoflow.transports.base import Transport

__all__ = ["FlowStore", "InMemoryFlowStore", "RedisFlowStore", "StoreRules"]

_F = TypeVar("_F", bound=Flow)


_AGAIN = "Start the sign-in again."


class StoreRules:
    """What every flow store decides, whichever way it reaches its storage (this module's
    stores call it, :mod:`.async_store`'s await it): settings, how a flow is stored and for
    how long, how it is restored, and the errors a step meets.

    Args:
        sealer: seal snapshots at rest (recommended for a shared store); without one they
            are kept as JSON.
        idle_ttl: how long a flow without a Cognito session is kept (at ``DONE``,
            ``CONFIRM_SIGN_UP``, the reset-password steps), in seconds.
        lock_ttl: the longest one step may hold a flow's lock, in seconds; a crashed
            worker's lock is released after it. Keep it above the longest a step can
            take: ``Boto3Transport`` gives up on a call after 4 attempts of at most 20 s,
            and a step makes one to three calls. A step that outlives its lock is not
            saved (another request may have moved the flow since): it raises
            :class:`StaleStepError` and is logged (``cognitoflow.lock_lost``).
        grace: seconds a flow is kept after its session expires.
        clock: the time in seconds since the epoch, as the flows' clock.
    """

    def __init__(
        self,
        *,
        sealer: SnapshotSealer | None = None,
        idle_ttl: float = 900.0,
        lock_ttl: float = 90.0,
        grace: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        for name, value in (("idle_ttl", idle_ttl), ("lock_ttl", lock_ttl)):
            if not value > 0:
                raise InvalidInputError(name, f"{name} must be a positive number of seconds.")
        self.sealer = sealer
        self.idle_ttl = idle_ttl
        self.lock_ttl = lock_ttl
        self.grace = max(0.0, grace)
        self.clock = clock

    def __repr__(self) -> str:
        return f"{type(self).__name__}(sealed={self.sealer is not None})"

    # == encoding =====================================================================

    def _encode(self, snapshot: Snapshot) -> str:
        if self.sealer is not None:
            return self.sealer.seal(snapshot)
        return json.dumps(snapshot, separators=(",", ":"))

    def _decode(self, data: str) -> Snapshot:
        if self.sealer is not None:
            return self.sealer.unseal(data)
        return Snapshot(json.loads(data))

    @staticmethod
    def _checked(flow_id: str) -> str:
        if not isinstance(flow_id, str) or not flow_id or len(flow_id) > 200:
            raise InvalidInputError(
                "flow_id", "A flow id is the text create() returned.", "Pass that id."
            )
        return flow_id

    def _stored(self, flow: Flow) -> tuple[str, float]:
        """What a flow is stored as, and for how long: until its session expires."""
        snapshot = flow.snapshot()
        expires = session_expires_at(snapshot)
        ttl = (expires - self.clock() if expires is not None else self.idle_ttl) + self.grace
        return self._encode(snapshot), max(ttl, 1.0)

    def _restored(
        self,
        kind: type[_F],
        flow_id: str,
        data: str | None,
        transport: Any,
        client_secret: str | None,
        passkey_authenticator: PasskeyAuthenticator | None,
    ) -> _F:
        """The flow stored as ``data`` (a ``kind`` of flow), or :class:`FlowNotFoundError`."""
        if data is None:
            raise FlowNotFoundError(
                flow_id, "No sign-in is kept under this id (it ended or expired).", _AGAIN
            )
        return kind.restore(
            self._decode(data),
            transport,
            client_secret=client_secret,
            passkey_authenticator=passkey_authenticator,
            clock=self.clock,
        )

    @staticmethod
    def _in_progress() -> StepInProgressError:
        log.info("cognitoflow.step_refused", reason="step in progress")
        return StepInProgressError(
            "Another request is running a step of this sign-in.",
            "Wait for it to finish, then load the sign-in again to see its next step.",
        )

    def _stale(self) -> StaleStepError:
        log.warning("cognitoflow.lock_lost", lock_ttl=self.lock_ttl)
        return StaleStepError(
            f"This step took longer than the flow's lock ({self.lock_ttl} s), so another "
            "request may have moved the sign-in; its result was not saved.",
            "Load the sign-in again to see its step; raise lock_ttl if steps take this long.",
        )


class FlowStore(StoreRules, ABC):
    """Where flows wait between requests. Subclasses supply storage and a lock.

    Arguments as :class:`StoreRules`.
    """

    # == what users call ==============================================================

    def create(self, flow: SignInFlow) -> str:
        """Save a flow under a new random id, and give the id (safe to put in a cookie)."""
        flow_id = secrets.token_urlsafe(24)
        self.save(flow_id, flow)
        return flow_id

    def save(self, flow_id: str, flow: SignInFlow) -> None:
        """Keep the flow's snapshot under ``flow_id``, until its session expires.

        Outside :meth:`step`, this writes whatever the store holds; a step saves only
        while it holds the flow's lock.
        """
        self._write(self._checked(flow_id), *self._stored(flow))

    def load(
        self,
        flow_id: str,
        transport: Transport,
        *,
        client_secret: str | None = None,
        passkey_authenticator: PasskeyAuthenticator | None = None,
    ) -> SignInFlow:
        """The flow saved under ``flow_id``, to look at (use :meth:`step` to move it).

        Raises:
            FlowNotFoundError: no such flow (never saved, deleted, or expired).
            InvalidSnapshotError: what is stored cannot be restored.
        """
        flow_id = self._checked(flow_id)
        data = self._read(flow_id)
        return self._restored(
            SignInFlow, flow_id, data, transport, client_secret, passkey_authenticator
        )

    def delete(self, flow_id: str) -> None:
        """Forget a flow (after ``DONE``, once the app has the tokens, or at sign-out)."""
        self._remove(self._checked(flow_id))

    @contextmanager
    def step(
        self,
        flow_id: str,
        transport: Transport,
        *,
        client_secret: str | None = None,
        passkey_authenticator: PasskeyAuthenticator | None = None,
    ) -> Iterator[SignInFlow]:
        """Lock the flow, restore it, let the caller run one step, save it, unlock it.

        The flow is saved however the step ends: a wrong code keeps the step (and is
        counted by Cognito), a Cognito refusal that ends the session leaves
        ``SIGNED_OUT``. An exception from the block is raised after the save. The save
        is made only while this step still holds the lock, in one atomic operation, so a
        step that outlived its lock can never overwrite what a later one saved.

        Raises:
            StepInProgressError: another request holds this flow's lock; nothing changed.
            StaleStepError: the step outlived its lock; its result was not saved.
            FlowNotFoundError: no such flow.
        """
        flow_id = self._checked(flow_id)
        token = self._try_lock(flow_id, self.lock_ttl)
        if token is None:
            raise self._in_progress()
        try:
            flow = self.load(
                flow_id,
                transport,
                client_secret=client_secret,
                passkey_authenticator=passkey_authenticator,
            )
            try:
                yield flow
            finally:
                data, ttl = self._stored(flow)
                if not self._write_locked(flow_id, token, data, ttl):
                    raise self._stale()
        finally:
            self._unlock(flow_id, token)

    # == storage, for subclasses ======================================================

    @abstractmethod
    def _write(self, flow_id: str, data: str, ttl: float) -> None:
        """Store ``data`` under ``flow_id`` for ``ttl`` seconds."""

    @abstractmethod
    def _read(self, flow_id: str) -> str | None:
        """The data under ``flow_id``, or None."""

    @abstractmethod
    def _remove(self, flow_id: str) -> None:
        """Forget ``flow_id`` (no error if absent)."""

    @abstractmethod
    def _try_lock(self, flow_id: str, ttl: float) -> str | None:
        """Take the flow's lock for ``ttl`` seconds, atomically: a token, or None if held."""

    @abstractmethod
    def _unlock(self, flow_id: str, token: str) -> bool:
        """Release the lock if ``token`` still holds it; False if it no longer did."""

    @abstractmethod
    def _write_locked(self, flow_id: str, token: str, data: str, ttl: float) -> bool:
        """As :meth:`_write`, atomically, only while ``token`` holds the lock; False (and
        nothing written) when it no longer does."""


class InMemoryFlowStore(FlowStore):
    """A store in this process's memory: for one process (with threads) and for tests."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._guard = threading.Lock()
        self._data: dict[str, tuple[str, float]] = {}
        self._locks: dict[str, tuple[str, float]] = {}

    def _write(self, flow_id: str, data: str, ttl: float) -> None:
        with self._guard:
            self._data[flow_id] = (data, self.clock() + ttl)

    def _read(self, flow_id: str) -> str | None:
        with self._guard:
            entry = self._data.get(flow_id)
            if entry is None:
                return None
            if entry[1] <= self.clock():
                del self._data[flow_id]
                return None
            return entry[0]

    def _remove(self, flow_id: str) -> None:
        with self._guard:
            self._data.pop(flow_id, None)

    def _try_lock(self, flow_id: str, ttl: float) -> str | None:
        with self._guard:
            held = self._locks.get(flow_id)
            if held is not None and held[1] > self.clock():
                return None
            token = secrets.token_hex(16)
            self._locks[flow_id] = (token, self.clock() + ttl)
            return token

    def _unlock(self, flow_id: str, token: str) -> bool:
        with self._guard:
            if not self._holds(flow_id, token):
                return False
            del self._locks[flow_id]
            return True

    def _write_locked(self, flow_id: str, token: str, data: str, ttl: float) -> bool:
        with self._guard:
            if not self._holds(flow_id, token):
                return False
            self._data[flow_id] = (data, self.clock() + ttl)
            return True

    def _holds(self, flow_id: str, token: str) -> bool:
        held = self._locks.get(flow_id)
        return held is not None and held[0] == token and held[1] > self.clock()


_UNLOCK = """
if redis.call("get", KEYS[1]) == ARGV[1] then
    return redis.call("del", KEYS[1])
end
return 0
"""
_WRITE_LOCKED = """
if redis.call("get", KEYS[1]) == ARGV[1] then
    redis.call("set", KEYS[2], ARGV[2], "PX", ARGV[3])
    return 1
end
return 0
"""


class RedisFlowStore(FlowStore):
    """A store in Redis (redis-py), shared by every worker process.

    Keys are ``<prefix><flow id>`` (expiring with the session) and
    ``<prefix><flow id>:lock`` (``SET NX PX``; released only by its holder, with a
    compare-and-delete script).

    Args:
        client: a ``redis.Redis`` client (``redis.Redis.from_url("redis://...")``).
        prefix: put before every key.
        **options: as :class:`FlowStore`.
    """

    UNLOCK = _UNLOCK
    """The lock's compare-and-delete script."""
    WRITE_LOCKED = _WRITE_LOCKED
    """The write made only while the lock is held."""

    def __init__(self, client: Any, *, prefix: str = "cognitoflow:flow:", **options: Any) -> None:
        super().__init__(**options)
        self.client = client
        self.prefix = prefix
        self._unlock_script = client.register_script(self.UNLOCK)
        self._write_locked_script = client.register_script(self.WRITE_LOCKED)

    def _key(self, flow_id: str) -> str:
        return self.prefix + flow_id

    def _write(self, flow_id: str, data: str, ttl: float) -> None:
        self.client.set(self._key(flow_id), data, px=int(ttl * 1000))

    def _read(self, flow_id: str) -> str | None:
        return self.text(self.client.get(self._key(flow_id)))

    @staticmethod
    def text(data: Any) -> str | None:
        """What redis-py answered to GET, as text (None for no key)."""
        if data is None:
            return None
        return data.decode() if isinstance(data, bytes) else str(data)

    def _remove(self, flow_id: str) -> None:
        self.client.delete(self._key(flow_id))

    def _try_lock(self, flow_id: str, ttl: float) -> str | None:
        token = secrets.token_hex(16)
        taken = self.client.set(self._key(flow_id) + ":lock", token, nx=True, px=int(ttl * 1000))
        return token if taken else None

    def _unlock(self, flow_id: str, token: str) -> bool:
        return bool(self._unlock_script(keys=[self._key(flow_id) + ":lock"], args=[token]))

    def _write_locked(self, flow_id: str, token: str, data: str, ttl: float) -> bool:
        key = self._key(flow_id)
        written = self._write_locked_script(
            keys=[key + ":lock", key], args=[token, data, int(ttl * 1000)]
        )
        return bool(written)
