"""The checkout flow on asyncio: several orders paid concurrently with MolamAsyncClient.

Runs against Molam when MOLAM_API_KEY is set, else against an in-process MockServer:

    python examples/async_checkout.py
"""

from __future__ import annotations

import asyncio
import os

from molam import Config, MolamAsyncClient, MolamObject
from molam.exceptions import PaymentError


async def pay(client: MolamAsyncClient, order_id: str, amount: int, method: str) -> MolamObject:
    intent = await client.create_payment_intent(
        amount=amount,
        currency="XOF",
        metadata={"order_id": order_id},
        idempotency_key=f"order-{order_id}:intent",
    )
    try:
        return await client.confirm_payment_intent(intent.id, payment_method=method)
    except PaymentError as declined:
        print(f"order {order_id} declined: {declined.code}")
        return await client.retrieve_payment_intent(intent.id)


async def run(config: Config) -> list[MolamObject]:
    async with MolamAsyncClient(config) as client:
        orders = [("1001", 2500, "pm_card_visa"), ("1002", 1200, "pm_momo_success"),
                  ("1003", 9900, "pm_card_insufficient_funds"), ("1004", 700, "pm_card_3ds")]
        intents = await asyncio.gather(*(pay(client, *order) for order in orders))
        for intent in intents:
            print(f"{intent.metadata.order_id}: {intent.id} {intent.status}")
        succeeded = [i.id async for i in client.iter_payment_intents(status="succeeded")]
        print(f"{len(succeeded)} succeeded")
        return list(intents)


def main() -> None:
    if os.environ.get("MOLAM_API_KEY"):
        asyncio.run(run(Config.from_env()))
        return
    from molam.testing import MockServer

    with MockServer() as mock:
        print(f"no MOLAM_API_KEY: using a local mock at {mock.base_url}")
        asyncio.run(run(mock.config()))


if __name__ == "__main__":
    main()
