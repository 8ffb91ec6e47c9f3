"""A worker process for test_redis_workers.py: one step of a flow per request, through Redis.

It reads one JSON request per line on stdin and writes one JSON reply per line on
stdout, as a web worker would handle HTTP requests: each step restores the flow from a
``RedisFlowStore`` (locked), runs it against Cognito (the fake, over HTTP, with boto3),
and saves it. Requests:

- ``{"op": "sign_in", "username", "password", "pool_id", "client_id"}`` → a new flow id;
- ``{"op": "confirm", "flow_id", "answer", "hold": seconds}`` → the step; with ``hold``
  it says ``{"entered": true}`` once it holds the lock, and waits that long before it
  answers (a slow request, for the concurrency test).

    python tests/redis_worker.py REDIS_URL COGNITO_ENDPOINT
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

import redis

from cognitoflow.engine import CognitoFlowError, RedisFlowStore, SignInFlow
from cognitoflow.transports import Boto3Transport


def reply(**fields: Any) -> None:
    print(json.dumps({"pid": os.getpid(), **fields}), flush=True)


def main() -> None:
    redis_url, endpoint = sys.argv[1], sys.argv[2]
    store = RedisFlowStore(redis.Redis.from_url(redis_url))
    transport = Boto3Transport("us-east-1", endpoint_url=endpoint)
    reply(ready=True)
    for line in sys.stdin:
        request = json.loads(line)
        try:
            if request["op"] == "sign_in":
                flow = SignInFlow(
                    transport, user_pool_id=request["pool_id"], client_id=request["client_id"]
                )
                flow.sign_in(request["username"], request["password"])
                reply(flow_id=store.create(flow), state=flow.state.value)
                continue
            refused = None
            with store.step(request["flow_id"], transport) as flow:
                if request.get("hold"):
                    reply(entered=True)
                    time.sleep(request["hold"])
                try:
                    flow.confirm_sign_in(request["answer"])
                except CognitoFlowError as error:
                    refused = type(error).__name__
            # Like an HTTP response: sent once the step is saved and its lock released.
            if refused:
                reply(error=refused, state=flow.state.value)
            else:
                reply(state=flow.state.value, signed_in=flow.tokens is not None)
        except CognitoFlowError as error:
            reply(error=type(error).__name__)


if __name__ == "__main__":
    main()
