"""Retries, idempotency keys and unknown outcomes are the core's, in Python as in Rust.
Each test has a MockServer of its own, with faults queued for its next requests."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator

import pytest

from molam import MolamClient
from molam.exceptions import OutcomeUnknownError, ServerError
from molam.testing import MockServer


@pytest.fixture
def faulty() -> Iterator[MockServer]:
    with MockServer(seed=7) as server:
        yield server


def queue_faults(mock: MockServer, *faults: str) -> None:
    request = urllib.request.Request(
        f"{mock.base_url}/__mock/faults",
        data=json.dumps({"next": list(faults), "retry_after_seconds": 0}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as answer:
        assert answer.status == 200


def test_a_retried_create_reuses_its_key_and_charges_once(faulty: MockServer) -> None:
    client = MolamClient(faulty.config())
    queue_faults(faulty, "drop_after_commit", "http_503")
    intent = client.create_payment_intent(amount=2500, currency="XOF", idempotency_key="order-9:intent")
    assert intent.response["attempts"] == 3
    assert intent.response["idempotency_key"] == "order-9:intent"
    # The first attempt was committed before its connection dropped: the retry is a replay.
    assert intent.response["idempotent_replayed"] is True
    assert [i.id for i in client.iter_payment_intents()] == [intent.id]


def test_a_call_that_gives_up_after_sending_names_the_key_to_finish_it(faulty: MockServer) -> None:
    client = MolamClient(faulty.config(max_retries=1))
    queue_faults(faulty, "http_503", "http_503")
    with pytest.raises(OutcomeUnknownError) as raised:
        client.create_payment_intent(amount=2500, currency="XOF", idempotency_key="order-10:intent")
    error = raised.value
    assert error.idempotency_key == "order-10:intent"
    assert isinstance(error.last_error, ServerError) and error.last_error.status_code == 503
    finished = client.create_payment_intent(
        amount=2500, currency="XOF", idempotency_key=error.idempotency_key
    )
    assert [i.id for i in client.iter_payment_intents()] == [finished.id]
