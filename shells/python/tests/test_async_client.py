"""MolamAsyncClient: the same endpoints as coroutines on asyncio, run by the tokio shell."""

from __future__ import annotations

import asyncio
import threading

import pytest

from molam import Config, MolamAsyncClient, MolamObject
from molam.exceptions import InvalidRequestError, NetworkError, PaymentError, ValidationError


def test_async_client_runs_the_checkout_flow(config: Config) -> None:
    async def flow() -> MolamObject:
        async with MolamAsyncClient(config) as client:
            intent = await client.create_payment_intent(
                amount=2500, currency="XOF", metadata={"order_id": "42"},
                idempotency_key="order-42:intent",
            )
            again = await client.create_payment_intent(
                amount=2500, currency="XOF", metadata={"order_id": "42"},
                idempotency_key="order-42:intent",
            )
            assert again.id == intent.id and again.response["idempotent_replayed"]
            confirmed = await client.confirm_payment_intent(intent.id, payment_method="pm_card_visa")
            refund = await client.create_refund(confirmed.latest_charge, amount=500)
            assert (await client.retrieve_refund(refund.id)).amount == 500
            return confirmed

    confirmed = asyncio.run(flow())
    assert isinstance(confirmed, MolamObject)
    assert confirmed["status"] == "succeeded" and confirmed.metadata.order_id == "42"


def test_two_hundred_gathered_calls_each_get_their_own_answer(
    async_client: MolamAsyncClient,
) -> None:
    async def many() -> list[MolamObject]:
        created = await async_client.create_payment_intent(amount=100, currency="XOF")
        return await asyncio.gather(
            *(async_client.retrieve_payment_intent(created.id) for _ in range(200))
        )

    results = asyncio.run(many())
    assert len(results) == 200 and len({r.request_id for r in results}) == 200


def test_event_loops_in_two_threads_each_get_their_answers(
    async_client: MolamAsyncClient,
) -> None:
    """Two threads, each with its own running loop, calling at once: each loop has its own
    bridge, so neither loses the other's answers (one bridge per process hung here)."""
    barrier = threading.Barrier(2)
    results: dict[int, int] = {}

    async def calls(n: int) -> None:
        barrier.wait(timeout=10)
        for _ in range(20):
            created = await async_client.create_payment_intent(amount=100, currency="XOF")
            assert created.id.startswith("pi_")
        results[n] = 20

    threads = [threading.Thread(target=asyncio.run, args=(calls(n),)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a loop never got its answers"
    assert results == {0: 20, 1: 20}


def test_async_errors_are_the_same_exceptions(async_client: MolamAsyncClient) -> None:
    async def failing() -> None:
        with pytest.raises(InvalidRequestError) as missing:
            await async_client.retrieve_payment_intent("pi_nothere")
        assert missing.value.status_code == 404
        intent = await async_client.create_payment_intent(amount=100, currency="XOF")
        with pytest.raises(PaymentError) as declined:
            await async_client.confirm_payment_intent(intent.id, payment_method="pm_card_insufficient_funds")
        assert declined.value.code == "insufficient_funds"
        with pytest.raises(ValidationError):
            await async_client.create_payment_intent(amount=-1, currency="XOF")

    asyncio.run(failing())


def test_async_client_follows_each_new_event_loop(async_client: MolamAsyncClient) -> None:
    async def one() -> str:
        return str((await async_client.create_payment_intent(amount=100, currency="XOF")).id)

    first, second = asyncio.run(one()), asyncio.run(one())
    assert first != second


def test_async_network_failure_is_a_network_error() -> None:
    config = Config(
        api_key="sk_test_0123456789abcdef", api_base="http://127.0.0.1:9",
        allow_insecure_http=True, max_retries=0, from_env=False,
    )

    async def unreachable() -> None:
        async with MolamAsyncClient(config) as client:
            with pytest.raises(NetworkError) as raised:
                await client.retrieve_payment_intent("pi_123")
            assert raised.value.kind == "connect"

    asyncio.run(unreachable())


def test_calling_outside_a_running_loop_is_an_error(async_client: MolamAsyncClient) -> None:
    call = async_client.retrieve_payment_intent("pi_123")
    with pytest.raises(RuntimeError, match="no running event loop"):
        call.send(None)


def test_async_methods_are_coroutines_like_the_seeds(async_client: MolamAsyncClient) -> None:
    async def with_tasks() -> list[str]:
        tasks = [
            asyncio.create_task(async_client.create_payment_intent(amount=100 + i, currency="XOF"))
            for i in range(3)
        ]
        return [t.id for t in await asyncio.gather(*tasks)]

    assert len(set(asyncio.run(with_tasks()))) == 3


def test_no_answer_is_lost_under_load_across_loops(async_client: MolamAsyncClient) -> None:
    """64 callers at once, over several event loops: every call's answer reaches its
    awaiter (a lost wake-up of the loop would leave calls waiting until the timeout)."""

    async def burst(calls: int) -> int:
        remaining, done = calls, 0

        async def caller() -> None:
            nonlocal remaining, done
            while remaining > 0:
                remaining -= 1
                await async_client.create_payment_intent(amount=100, currency="XOF")
                done += 1

        await asyncio.wait_for(asyncio.gather(*(caller() for _ in range(64))), timeout=90)
        return done

    assert [asyncio.run(burst(1000)) for _ in range(3)] == [1000, 1000, 1000]
