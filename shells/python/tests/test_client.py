"""The seed's client test cases (test_client.py), against the package and the mock."""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from molam import Config, MolamClient, MolamObject
from molam.testing import MockServer
from molam.exceptions import (
    ApiError,
    ApiIdempotencyError,
    ConfigError,
    InvalidRequestError,
    PaymentError,
    ValidationError,
)

KEY = "sk_test_0123456789abcdef"


def test_config_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOLAM_API_KEY", KEY)
    monkeypatch.setenv("MOLAM_API_BASE", "https://staging-api.molam.com/")
    monkeypatch.setenv("MOLAM_WEBHOOK_SECRET", "k2:whsec_new,whsec_old")
    monkeypatch.setenv("MOLAM_TIMEOUT_MS", "5000")
    for config in (Config.from_env(), Config()):
        assert config.api_base == "https://staging-api.molam.com"
        assert config.webhook_secret_count == 2
        assert config.timeout == 5.0
        assert config.api_key == "sk_test_****cdef"
    # Explicit arguments win over the environment.
    assert Config(api_base="https://api.molam.com").api_base == "https://api.molam.com"


def test_config_api_key_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOLAM_API_KEY", raising=False)
    with pytest.raises(ConfigError) as raised:
        Config()
    assert isinstance(raised.value, ValidationError)
    assert raised.value.errors[0]["field"] == "api_key"
    with pytest.raises(ConfigError):
        Config.from_env()


def test_config_api_key_format(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOLAM_API_KEY", raising=False)
    for bad in ("pk_test_123", "sk_prod_123", "sk_test_ bad", ""):
        with pytest.raises(ConfigError) as raised:
            Config(api_key=bad)
        assert raised.value.errors[0]["field"] == "api_key"
        assert "sk_test_" in str(raised.value)  # says what to change
    assert Config(api_key="jwt_header.payload.sig").api_key.startswith("jwt_")
    config = Config(api_key="sk_live_secretvalue42", webhook_secret="whsec_verysecret99")
    shown = repr(config)
    assert "secretvalue" not in shown and "verysecret" not in shown
    assert "sk_live_****ue42" in shown


def test_config_names_the_variable_or_the_argument_at_fault(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MOLAM_API_KEY", KEY)
    monkeypatch.setenv("MOLAM_MAX_RETRIES", "50")
    for build in (Config, Config.from_env):
        with pytest.raises(ConfigError) as raised:
            build()
        assert raised.value.errors[0]["field"] == "MOLAM_MAX_RETRIES"
        assert "invalid value for MOLAM_MAX_RETRIES" in str(raised.value)
    # An argument replaces the variable, and an error names the argument.
    with pytest.raises(ConfigError) as raised:
        Config(max_retries=11)
    assert raised.value.errors[0]["field"] == "max_retries"
    assert Config(max_retries=3).max_attempts == 4


def test_create_payment_intent(client: MolamClient) -> None:
    payment = client.create_payment_intent(
        amount=2500,
        currency="usd",
        description="Order #12345",
        metadata={"order_id": "12345"},
    )
    assert isinstance(payment, MolamObject) and isinstance(payment, dict)
    assert payment["id"].startswith("pi_")
    assert payment.id == payment["id"]
    assert payment.amount == 2500
    assert payment.currency == "USD"  # the core sends upper case
    assert payment.status == "requires_payment_method"
    assert payment.metadata.order_id == "12345"
    assert payment.request_id is not None and payment.request_id.startswith("req_")
    with pytest.raises(AttributeError):
        payment.no_such_field


def test_create_payment_intent_with_idempotency(client: MolamClient) -> None:
    first = client.create_payment_intent(
        amount=1000, currency="XOF", idempotency_key="order-1:intent"
    )
    again = client.create_payment_intent(
        amount=1000, currency="XOF", idempotency_key="order-1:intent"
    )
    assert again.id == first.id
    assert first.response["idempotency_key"] == "order-1:intent"
    assert again.response["idempotent_replayed"] is True
    with pytest.raises(ApiIdempotencyError) as raised:
        client.create_payment_intent(
            amount=2000, currency="XOF", idempotency_key="order-1:intent"
        )
    assert raised.value.status_code == 422
    assert raised.value.code == "idempotency_key_reused"
    # Without a key, the SDK makes one per call (a UUID), never shared between calls.
    a = client.create_payment_intent(amount=1000, currency="XOF")
    b = client.create_payment_intent(amount=1000, currency="XOF")
    assert a.id != b.id
    assert a.response["idempotency_key"] != b.response["idempotency_key"]
    with pytest.raises(ValidationError) as invalid:
        client.create_payment_intent(amount=1000, currency="XOF", idempotency_key="has space")
    assert invalid.value.errors[0]["field"] == "idempotency_key"


def test_per_call_options_follow_the_configs_bounds(client: MolamClient) -> None:
    """The core checks a call's own retries and timeout by the config's rules, before
    anything is sent: no more than 10 retries, no zero timeout."""
    for field, option in (("max_retries", {"max_retries": 11}), ("timeout", {"timeout": 0.0})):
        with pytest.raises(ValidationError) as invalid:
            client.create_payment_intent(amount=1000, currency="XOF", **option)
        assert invalid.value.errors[0]["field"] == field
    payment = client.create_payment_intent(
        amount=1000, currency="XOF", max_retries=10, timeout=5.0
    )
    assert payment.id.startswith("pi_")


def test_a_forked_process_never_reuses_the_parents_idempotency_keys(
    client: MolamClient,
) -> None:
    """A client made before a fork (a pre-forking server) is copied into the child. Its keys
    come from the OS on every call; were they ever drawn from a pool or a generator in the
    process's memory, the child would send the very key the parent sends next (a pool
    without a process check does: this test caught it)."""
    client.create_payment_intent(amount=1000, currency="XOF")
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # the child: one call, its key to the parent, and out
        status = 1
        try:
            os.close(read_end)
            made = client.create_payment_intent(amount=1000, currency="XOF")
            os.write(write_end, made.response["idempotency_key"].encode())
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    deadline = time.monotonic() + 30
    while (done := os.waitpid(child, os.WNOHANG))[0] == 0:
        if time.monotonic() > deadline:
            os.kill(child, 9)
            pytest.fail("the forked child did not finish its call within 30 s")
        time.sleep(0.01)
    assert os.waitstatus_to_exitcode(done[1]) == 0, "the child's call failed"
    child_key = os.read(read_end, 100).decode()
    os.close(read_end)
    parent_key = client.create_payment_intent(amount=1000, currency="XOF").response[
        "idempotency_key"
    ]
    assert uuid.UUID(child_key).version == 4 and uuid.UUID(parent_key).version == 4
    assert child_key != parent_key


def test_retrieve_payment_intent(client: MolamClient) -> None:
    created = client.create_payment_intent(amount=5000, currency="XOF")
    fetched = client.retrieve_payment_intent(created.id)
    assert fetched == created
    with pytest.raises(ValidationError) as raised:
        client.retrieve_payment_intent("pi_1/../../refunds")
    assert raised.value.errors[0]["field"] == "id"


def test_confirm_payment_intent(client: MolamClient) -> None:
    created = client.create_payment_intent(amount=5000, currency="XOF")
    confirmed = client.confirm_payment_intent(created.id, payment_method="pm_card_visa")
    assert confirmed.status == "succeeded"
    assert confirmed.amount_received == 5000
    assert confirmed.latest_charge.startswith("ch_")


def test_cancel_payment_intent(client: MolamClient) -> None:
    created = client.create_payment_intent(amount=5000, currency="XOF")
    canceled = client.cancel_payment_intent(
        created.id, cancellation_reason="requested_by_customer"
    )
    assert canceled.status == "canceled"
    assert canceled.cancellation_reason == "requested_by_customer"
    with pytest.raises(InvalidRequestError) as raised:
        client.confirm_payment_intent(created.id, payment_method="pm_card_visa")
    assert raised.value.code == "payment_intent_unexpected_state"


def test_list_payment_intents(client: MolamClient) -> None:
    ids = [client.create_payment_intent(amount=100 + i, currency="XOF").id for i in range(3)]
    page = client.list_payment_intents(limit=2)
    assert page.object == "list"
    assert page.has_more is True
    assert [p.id for p in page.data] == ids[::-1][:2]  # newest first
    rest = client.list_payment_intents(limit=2, starting_after=page.data[-1].id)
    assert [p.id for p in rest.data] == [ids[0]]
    assert rest.has_more is False
    succeeded = client.list_payment_intents(status="succeeded")
    assert succeeded.data == []
    with pytest.raises(ValidationError):
        client.list_payment_intents(limit=101)


def test_create_refund(client: MolamClient) -> None:
    intent = client.create_payment_intent(amount=5000, currency="XOF")
    charge = client.confirm_payment_intent(intent.id, payment_method="pm_card_visa").latest_charge
    refund = client.create_refund(charge, amount=1500, reason="requested_by_customer")
    assert refund.id.startswith("re_")
    assert refund.amount == 1500 and refund.charge == charge
    assert refund.payment_intent == intent.id
    assert client.retrieve_refund(refund.id) == refund
    assert client.retrieve_charge(charge).amount_refunded == 1500
    rest = client.create_refund(charge)  # by default what is left
    assert rest.amount == 3500
    with pytest.raises(InvalidRequestError) as raised:
        client.create_refund(charge, amount=1)
    assert raised.value.code in ("charge_already_refunded", "amount_too_large")
    assert [r.id for r in client.list_refunds(payment_intent=intent.id).data] == [rest.id, refund.id]


def test_create_payout(client: MolamClient) -> None:
    payout = client.create_payout(
        amount=10000,
        currency="XOF",
        method="mobile_money",
        destination="+221770000000",
        description="Weekly settlement",
        metadata={"week": "47"},
    )
    assert payout.id.startswith("po_")
    assert payout.status == "pending"
    assert payout.method == "mobile_money"
    assert client.retrieve_payout(payout.id).id == payout.id
    assert client.cancel_payout(payout.id).status == "canceled"
    assert [p.id for p in client.list_payouts(status="canceled").data] == [payout.id]


def test_api_error_handling(client: MolamClient) -> None:
    with pytest.raises(InvalidRequestError) as missing:
        client.retrieve_payment_intent("pi_doesnotexist")
    error = missing.value
    assert isinstance(error, ApiError)
    assert error.status_code == 404
    assert error.type == "invalid_request_error"
    assert error.code == "resource_missing"
    assert error.request_id is not None and error.request_id.startswith("req_")
    assert error.payload["error"]["code"] == "resource_missing"
    intent = client.create_payment_intent(amount=5000, currency="XOF")
    with pytest.raises(PaymentError) as declined:
        client.confirm_payment_intent(intent.id, payment_method="pm_card_declined")
    assert declined.value.status_code == 402
    assert declined.value.code == "card_declined"
    assert declined.value.decline_code is not None
    after = client.retrieve_payment_intent(intent.id)
    assert after.status == "requires_payment_method"
    assert after.last_payment_error.code == "card_declined"


class _Recorder(BaseHTTPRequestHandler):
    seen: list[dict[str, str]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        type(self).seen.append({k.lower(): v for k, v in self.headers.items()})
        body = json.dumps(
            {
                "id": "pi_recorded",
                "object": "payment_intent",
                "created": 1700000000,
                "livemode": False,
                "amount": 2500,
                "currency": "XOF",
                "status": "requires_payment_method",
                "metadata": {},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Request-Id", "req_recorded")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_authorization_header() -> None:
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        config = Config(
            api_key=KEY,
            api_base=f"http://127.0.0.1:{server.server_port}",
            allow_insecure_http=True,
            from_env=False,
        )
        intent = MolamClient(config).create_payment_intent(
            amount=2500, currency="XOF", idempotency_key="order-7:intent"
        )
    finally:
        server.shutdown()
    assert intent.id == "pi_recorded"
    headers = _Recorder.seen[-1]
    assert headers["authorization"] == f"Bearer {KEY}"
    assert headers["idempotency-key"] == "order-7:intent"
    assert headers["molam-version"] == "2025-01-16"
    assert headers["molam-attempt"] == "1"
    assert headers["user-agent"].startswith("molam-rust/")


def test_app_info_is_declared_in_the_user_agent() -> None:
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app = {"name": "molam-form-woo", "version": "2.3.1", "url": "https://example.com"}
    try:
        config = Config(
            api_key=KEY,
            api_base=f"http://127.0.0.1:{server.server_port}",
            allow_insecure_http=True,
            app_info=app,
            from_env=False,
        )
        MolamClient(config).create_payment_intent(amount=2500, currency="XOF")
    finally:
        server.shutdown()
    assert config.app_info == app
    assert _Recorder.seen[-1]["user-agent"].endswith(
        " molam-form-woo/2.3.1 (+https://example.com)"
    )
    with pytest.raises(ConfigError) as bad:
        Config(api_key=KEY, app_info={"name": "my plugin", "version": "1"}, from_env=False)
    assert "app_info name" in str(bad.value)
    with pytest.raises(TypeError):
        Config(api_key=KEY, app_info={"name": "plugin"}, from_env=False)
    with pytest.raises(TypeError):
        Config(api_key=KEY, app_info={"name": "p", "version": "1", "tag": "x"}, from_env=False)
    assert Config(api_key=KEY, from_env=False).app_info is None


def test_secrets_never_in_errors_or_reprs(client: MolamClient) -> None:
    config = Config(api_key="sk_test_topsecretkey", from_env=False)
    assert "topsecretkey" not in repr(config)
    assert "topsecretkey" not in repr(MolamClient(config))
    with pytest.raises(ApiError) as raised:
        client.retrieve_payment_intent("pi_doesnotexist")
    assert "sk_test_" not in str(raised.value)


def test_platform_accounts_see_only_their_objects(mock: MockServer) -> None:
    def platform_client(account: str | None) -> MolamClient:
        return MolamClient(Config(api_key="sk_test_platform_one", api_base=mock.base_url,
                                  allow_insecure_http=True, account=account, from_env=False))

    platform, connected = platform_client(None), platform_client("acct_seller42")
    own = connected.create_payment_intent(amount=100, currency="XOF")
    assert own.account == "acct_seller42"
    assert connected.retrieve_payment_intent(own.id).id == own.id
    with pytest.raises(InvalidRequestError):
        platform.retrieve_payment_intent(own.id)
    # Per request: the platform acts for the account, or with the merchant's own key.
    assert platform.retrieve_payment_intent(own.id, account="acct_seller42").id == own.id
    theirs = MolamClient(Config(api_key="sk_test_merchant_two", api_base=mock.base_url,
                                allow_insecure_http=True, from_env=False))
    other = theirs.create_payment_intent(amount=100, currency="XOF")
    assert platform.retrieve_payment_intent(other.id, api_key="sk_test_merchant_two").id == other.id
    with pytest.raises(ValidationError):
        platform.retrieve_payment_intent(other.id, api_key="pk_not_a_key")
    with pytest.raises(ValidationError) as raised:
        Config(api_key=KEY, account="seller42", from_env=False)
    assert raised.value.errors[0]["field"] == "account"
