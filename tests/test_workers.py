"""SrpWorkers: SRP's arithmetic in worker processes, awaited on the loop or in threads.

The processes answer results and errors, are replaced when one dies or is interrupted,
are shared by both ways in (never more than ``workers`` of them), run at the lower CPU
priority asked for, and nobody waiting for one is forgotten: not after a cancellation,
not at shutdown. An async flow waits for them without a thread, unless its loop cannot
watch a pipe.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Iterator

import pytest

from cognitoflow.engine.workers import SrpWorkers, WorkerError


class _Unreadable:
    """Pickled here; the worker cannot import this test module to read it back."""


@pytest.fixture
def workers() -> Iterator[SrpWorkers]:
    made = SrpWorkers(1)
    yield made
    made.shutdown()


def test_worker_processes_answer_results_and_errors(workers: SrpWorkers) -> None:
    assert workers.submit(pow, 3, 5, 7).result(timeout=60) == pow(3, 5, 7)
    with pytest.raises(ValueError, match="invalid literal"):
        workers.submit(int, "luck").result(timeout=60)
    with pytest.raises(ModuleNotFoundError):  # what the worker cannot even read comes back
        workers.submit(_Unreadable).result(timeout=60)
    assert workers.submit(sorted, [3, 1, 2]).result(timeout=60) == [1, 2, 3]  # still there


@pytest.mark.anyio
async def test_awaited_runs_answer_results_and_errors(workers: SrpWorkers) -> None:
    assert await workers.run(pow, 3, 5, 7) == pow(3, 5, 7)
    with pytest.raises(ValueError, match="invalid literal"):
        await workers.run(int, "luck")
    with pytest.raises(ModuleNotFoundError):
        await workers.run(_Unreadable)
    big = 1 << 1_000_000  # 125 KB: an answer longer than one read of the pipe
    assert await workers.run(pow, big, 1) == big


def test_a_worker_that_dies_is_an_error_then_replaced(workers: SrpWorkers) -> None:
    with pytest.raises(WorkerError):
        workers.submit(os._exit, 3).result(timeout=60)
    assert workers.submit(abs, -4).result(timeout=60) == 4


@pytest.mark.anyio
async def test_an_awaited_worker_that_dies_is_an_error_then_replaced(
    workers: SrpWorkers,
) -> None:
    before = await workers.run(os.getpid)
    with pytest.raises(WorkerError):
        await workers.run(os._exit, 3)
    assert await workers.run(os.getpid) != before


@pytest.mark.anyio
async def test_both_ways_in_share_the_processes(workers: SrpWorkers) -> None:
    """One worker: three awaited runs and two in threads all wait their turn for it."""
    threaded = [workers.submit(os.getpid) for _ in range(2)]
    awaited = await asyncio.gather(*(workers.run(os.getpid) for _ in range(3)))
    pids = set(awaited) | {future.result(timeout=60) for future in threaded}
    assert len(pids) == 1
    assert pids != {os.getpid()}


@pytest.mark.anyio
async def test_a_cancelled_run_stops_its_worker_and_the_next_gets_a_new_one(
    workers: SrpWorkers,
) -> None:
    first = await workers.run(os.getpid)
    sleeping = asyncio.create_task(workers.run(time.sleep, 60))
    waiting = asyncio.create_task(workers.run(os.getpid))  # queued behind the sleeper
    await asyncio.sleep(0.2)
    sleeping.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sleeping
    assert await asyncio.wait_for(waiting, 10) != first  # woken, on a fresh worker


@pytest.mark.anyio
async def test_a_waiter_woken_then_cancelled_passes_its_turn_on(workers: SrpWorkers) -> None:
    busy = asyncio.create_task(workers.run(time.sleep, 0.3))
    await asyncio.sleep(0.05)
    given_up = asyncio.create_task(workers.run(os.getpid))  # first in line
    patient = asyncio.create_task(workers.run(os.getpid))
    await busy  # the freed worker's news is on its way to given_up, not yet heard
    given_up.cancel()
    assert await asyncio.wait_for(patient, 10) > 0
    assert given_up.cancelled()


@pytest.mark.anyio
async def test_shutdown_tells_everyone_waiting_that_there_is_no_worker() -> None:
    workers = SrpWorkers(1)
    busy = asyncio.create_task(workers.run(time.sleep, 60))
    await asyncio.sleep(0.05)
    waiting = [asyncio.create_task(workers.run(os.getpid)) for _ in range(2)]
    await asyncio.sleep(0.05)
    workers.shutdown(wait=False)
    for task in waiting:
        with pytest.raises(RuntimeError, match="shut down"):
            await asyncio.wait_for(task, 10)
    with pytest.raises(RuntimeError, match="shut down"):
        await workers.run(os.getpid)
    busy.cancel()  # work under way is stopped with its worker


@pytest.mark.anyio
@pytest.mark.parametrize("nice", [0, 10])
async def test_workers_run_at_the_priority_asked_for(nice: int) -> None:
    workers = SrpWorkers(1, nice=nice)
    try:
        here = os.getpriority(os.PRIO_PROCESS, 0)
        there = await workers.run(os.getpriority, os.PRIO_PROCESS, 0)
    finally:
        workers.shutdown()
    assert there == min(19, here + nice)


@pytest.mark.parametrize("settings", [{"workers": 0}, {"nice": -1}, {"nice": 20}])
def test_settings_out_of_range_are_refused(settings: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="whole number"):
        SrpWorkers(**settings)


@pytest.mark.anyio
async def test_a_loop_that_cannot_watch_pipes_waits_in_a_thread_instead(
    workers: SrpWorkers, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop = asyncio.get_running_loop()

    def cannot(*args: object) -> None:
        raise NotImplementedError  # as Windows' proactor loop says

    monkeypatch.setattr(loop, "add_reader", cannot)
    assert await workers.run(pow, 3, 5, 7) == pow(3, 5, 7)


@pytest.mark.anyio
async def test_an_async_flow_waits_for_its_workers_without_a_thread(
    workers: SrpWorkers,
) -> None:
    from cognitoflow.engine import AsyncSignInFlow
    from cognitoflow.transports.fake import AsyncFakeTransport, FakeCognito

    cognito = FakeCognito()
    pool = cognito.create_user_pool(PoolName="p")["UserPool"]["Id"]
    client = cognito.create_user_pool_client(UserPoolId=pool, ClientName="c")
    cognito.add_user(pool, "ann", "Ann-pass-1!")

    def srp_threads() -> int:
        return sum(t.name.startswith("cognitoflow-srp") for t in threading.enumerate())

    before = srp_threads()
    flow = AsyncSignInFlow(
        AsyncFakeTransport(cognito),
        user_pool_id=pool,
        client_id=client["UserPoolClient"]["ClientId"],
        srp_executor=workers,
    )
    assert (await flow.sign_in("ann", "Ann-pass-1!")).is_signed_in
    assert srp_threads() == before
