"""Two worker processes handle alternate steps of the same flows through Redis.

A real redis-server and the fake user pool over HTTP, both on 127.0.0.1; each worker
(tests/redis_worker.py) is its own Python process with its own RedisFlowStore and boto3
transport, like two web workers behind a load balancer.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from cognitoflow.engine import FlowState, RedisFlowStore
from cognitoflow.transports.fake import FakeCognito, FakeCognitoServer, FakeTransport

from helpers import Pool

WORKER = Path(__file__).with_name("redis_worker.py")
USERS = [f"user{n}" for n in range(6)]


class Worker:
    """A worker process, spoken to one JSON line at a time."""

    def __init__(self, redis_url: str, endpoint: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(WORKER), redis_url, endpoint],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.pid = self.read()["pid"]

    def send(self, **request: Any) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()

    def read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line, "the worker died"
        reply: dict[str, Any] = json.loads(line)
        return reply

    def ask(self, **request: Any) -> dict[str, Any]:
        self.send(**request)
        return self.read()

    def stop(self) -> None:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.close()
        self.process.wait(timeout=10)
        self.process.stdout.close()


@pytest.fixture
def world(redis_url: str) -> Iterator[tuple[FakeCognito, Pool, list[Worker]]]:
    cognito = FakeCognito()
    pool = Pool(cognito, MfaConfiguration="OPTIONAL")
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool.pool_id, SmsMfaConfiguration={"SmsAuthenticationMessage": "{####}"}
    )
    for name in USERS:
        pool.user(name, mfa=("SMS_MFA",), phone_number="+15555550100")
    with FakeCognitoServer(cognito) as server:
        workers = [Worker(redis_url, server.url), Worker(redis_url, server.url)]
        try:
            yield cognito, pool, workers
        finally:
            for worker in workers:
                worker.stop()


def test_two_workers_take_turns_on_the_same_flows(
    world: tuple[FakeCognito, Pool, list[Worker]],
) -> None:
    """Each flow's steps alternate between the workers: sign-in on one, a wrong code on
    the other (kept for a retry), the right code on the first again."""
    cognito, pool, (a, b) = world
    assert a.pid != b.pid
    flows = {}
    for turn, name in enumerate(USERS):
        first, second = (a, b) if turn % 2 == 0 else (b, a)
        started = first.ask(
            op="sign_in",
            username=name,
            password="Correct-horse-1",
            pool_id=pool.pool_id,
            client_id=pool.client_id,
        )
        assert started["state"] == "CONFIRM_SIGN_IN_WITH_SMS_CODE", started
        flows[name] = (started["flow_id"], first, second)
    for name, (flow_id, first, second) in flows.items():  # every flow is open at once
        code = cognito.outbox.last_code(name)
        wrong = second.ask(op="confirm", flow_id=flow_id, answer=_wrong(code))
        assert wrong == {
            "pid": second.pid,
            "error": "CodeMismatchException",
            "state": "CONFIRM_SIGN_IN_WITH_SMS_CODE",
        }
        done = first.ask(op="confirm", flow_id=flow_id, answer=code)
        assert done == {"pid": first.pid, "state": "DONE", "signed_in": True}


def test_simultaneous_confirmations_in_two_processes(
    world: tuple[FakeCognito, Pool, list[Worker]], redis_url: str
) -> None:
    """Worker A holds the flow's step (a slow request); worker B's confirmation of the
    same flow is refused with StepInProgressError; A signs in; nothing is lost."""
    cognito, pool, (a, b) = world
    started = a.ask(
        op="sign_in",
        username=USERS[0],
        password="Correct-horse-1",
        pool_id=pool.pool_id,
        client_id=pool.client_id,
    )
    flow_id, code = started["flow_id"], cognito.outbox.last_code(USERS[0])
    a.send(op="confirm", flow_id=flow_id, answer=code, hold=1.0)
    assert a.read() == {"pid": a.pid, "entered": True}  # A holds the lock now
    refused = b.ask(op="confirm", flow_id=flow_id, answer=code)
    assert refused == {"pid": b.pid, "error": "StepInProgressError"}
    assert a.read() == {"pid": a.pid, "state": "DONE", "signed_in": True}
    with redis.Redis.from_url(redis_url) as client:
        saved = RedisFlowStore(client).load(flow_id, FakeTransport(cognito))
    assert saved.state is FlowState.DONE
    again = b.ask(op="confirm", flow_id=flow_id, answer=code)  # B's retry sees A's result
    assert again == {"pid": b.pid, "error": "InvalidStateError", "state": "DONE"}


def _wrong(code: str) -> str:
    return "0" * len(code) if code != "0" * len(code) else "1" * len(code)
