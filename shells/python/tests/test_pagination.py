"""Auto-pagination: iter_* walks every page (the core's pager picks the cursors)."""

from __future__ import annotations

import asyncio

from molam import MolamAsyncClient, MolamClient, PageIterator


def test_iteration_walks_every_page_newest_first(client: MolamClient) -> None:
    ids = [client.create_payment_intent(amount=100 + i, currency="XOF").id for i in range(7)]
    pages = client.iter_payment_intents(limit=3)
    assert isinstance(pages, PageIterator)
    assert [p.id for p in pages] == ids[::-1]


def test_iteration_stops_at_max_items(client: MolamClient) -> None:
    ids = [client.create_payment_intent(amount=100 + i, currency="XOF").id for i in range(5)]
    assert [p.id for p in client.iter_payment_intents(limit=2, max_items=3)] == ids[::-1][:3]
    assert list(client.iter_payment_intents(status="succeeded")) == []


def test_every_list_can_be_iterated(client: MolamClient) -> None:
    intent = client.create_payment_intent(amount=9000, currency="XOF")
    charge = client.confirm_payment_intent(intent.id, payment_method="pm_card_visa").latest_charge
    refunds = [client.create_refund(charge, amount=1000).id for _ in range(3)]
    assert [r.id for r in client.iter_refunds(limit=2)] == refunds[::-1]
    payouts = [
        client.create_payout(amount=500, currency="XOF", method="bank_transfer", destination="SN01").id
        for _ in range(3)
    ]
    assert [p.id for p in client.iter_payouts(limit=2)] == payouts[::-1]
    types = [e.type for e in client.iter_events(limit=2)]
    assert "payment_intent.created" in types and "payout.created" in types
    refund_events = list(client.iter_events(type="refund.created"))
    assert len(refund_events) == 3
    assert all(e.type == "refund.created" for e in refund_events)


def test_async_iteration_walks_every_page(async_client: MolamAsyncClient) -> None:
    async def walk() -> tuple[list[str], list[str]]:
        ids = [
            (await async_client.create_payment_intent(amount=100 + i, currency="XOF")).id
            for i in range(5)
        ]
        seen = [p.id async for p in async_client.iter_payment_intents(limit=2)]
        return ids, seen

    ids, seen = asyncio.run(walk())
    assert seen == ids[::-1]
