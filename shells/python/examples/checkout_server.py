"""The checkout flow, blocking: create a payment intent for an order, confirm it, refund
part of it, and handle a declined card.

Runs against Molam when MOLAM_API_KEY is set (and MOLAM_API_BASE, for a sandbox), else
against an in-process MockServer:

    python examples/checkout_server.py
"""

from __future__ import annotations

import os

from molam import Config, MolamClient, MolamObject
from molam.exceptions import ApiError, PaymentError, ValidationError
from molam.testing import MockServer


def checkout(client: MolamClient, order_id: str, amount: int, payment_method: str) -> MolamObject:
    """Charges an order once, however often it is retried: the idempotency key comes from
    the order, so a retry (by the SDK or by this server after a crash) reuses it."""
    intent = client.create_payment_intent(
        amount=amount,
        currency="XOF",
        description=f"Order #{order_id}",
        metadata={"order_id": order_id},
        idempotency_key=f"order-{order_id}:intent",
    )
    print(f"created {intent.id} ({intent.status}, request {intent.request_id})")
    try:
        confirmed = client.confirm_payment_intent(
            intent.id, payment_method=payment_method, idempotency_key=f"order-{order_id}:confirm"
        )
    except PaymentError as declined:
        print(f"declined: {declined.code} ({declined.decline_code}), request {declined.request_id}")
        return client.retrieve_payment_intent(intent.id)
    print(f"confirmed {confirmed.id}: {confirmed.status}, charge {confirmed.latest_charge}")
    return confirmed


def run(client: MolamClient) -> None:
    paid = checkout(client, "12345", 2500, "pm_card_visa")
    if paid.status == "succeeded":
        refund = client.create_refund(
            paid.latest_charge, amount=500, reason="requested_by_customer",
            idempotency_key="order-12345:refund-1",
        )
        print(f"refunded {refund.amount} {refund.currency}: {refund.id} ({refund.status})")
    failed = checkout(client, "12346", 4000, "pm_card_declined")
    print(f"order 12346 is {failed.status}: {failed.last_payment_error.code}")
    try:
        client.create_payment_intent(amount=0, currency="XOF")
    except ValidationError as invalid:
        print(f"refused before sending: {invalid.errors}")
    try:
        client.retrieve_payment_intent("pi_unknown")
    except ApiError as error:
        print(f"API error {error.status_code} {error.code} (request {error.request_id})")
    for intent in client.iter_payment_intents(limit=10):
        print(f"  {intent.id} {intent.amount} {intent.currency} {intent.status}")


def main() -> None:
    if os.environ.get("MOLAM_API_KEY"):
        run(MolamClient(Config.from_env()))
        return
    with MockServer() as mock:
        print(f"no MOLAM_API_KEY: using a local mock at {mock.base_url}")
        run(MolamClient(mock.config()))


if __name__ == "__main__":
    main()
