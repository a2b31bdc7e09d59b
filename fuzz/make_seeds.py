#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/seeds/<target>/ from real API responses (REFERENCE.md §2-3)
and the REFERENCE.md §7 webhook vector, in the byte layouts the targets decode (see src/lib.rs and
fuzz_targets/webhook_verify.rs). Re-run after changing a layout; the output is committed."""
import json, os, shutil, struct

HERE = os.path.dirname(os.path.abspath(__file__))
NAMES = ["x-request-id", "retry-after", "molam-should-retry", "idempotent-replayed",
         "content-type", "idempotency-key", "molam-attempt", "content-length",
         "set-cookie", "authorization"]

def response(status, headers, body):
    out = struct.pack(">H", status) + bytes([len(headers)])
    for name, value in headers:
        value = value.encode()
        if name in NAMES:
            out += bytes([NAMES.index(name)])
        else:
            out += bytes([255, len(name)]) + name.encode()
        out += bytes([len(value)]) + value
    return out + (body if isinstance(body, bytes) else body.encode())

def j(obj):
    return json.dumps(obj, separators=(",", ":"))

STD = [("x-request-id", "req_8Hk2a"), ("content-type", "application/json")]

PI = {"id": "pi_3Ntest", "object": "payment_intent", "created": 1700000000, "livemode": False,
      "amount": 2500, "currency": "XOF", "status": "requires_payment_method",
      "description": "Order 12345", "metadata": {"order_id": "12345"}, "customer": "cus_1",
      "payment_method": None, "latest_charge": None, "amount_received": 0, "amount_refunded": 0,
      "cancellation_reason": None, "last_payment_error": None,
      "client_secret": "pi_3Ntest_secret_abcdefghijkl"}
PI_FAILED = dict(PI, status="requires_payment_method", payment_method="pm_card_declined",
                 last_payment_error={"type": "payment_error", "code": "card_declined",
                                     "decline_code": "generic_decline", "message": "Declined"})
PI_OK = dict(PI, status="succeeded", payment_method="pm_card_visa", latest_charge="ch_1",
             amount_received=2500, currency="usd")
PI_UNKNOWN = dict(PI, status="partially_captured", cancellation_reason="expired", extra={"x": [1]})
RE = {"id": "re_1", "object": "refund", "created": 1700000100, "livemode": False, "amount": 1000,
      "currency": "XOF", "charge": "ch_1", "payment_intent": "pi_3Ntest", "status": "succeeded",
      "reason": "requested_by_customer", "metadata": {}}
PO = {"id": "po_1", "object": "payout", "created": 1700000200, "livemode": True, "amount": 50000,
      "currency": "XAF", "status": "in_transit", "method": "mobile_money",
      "destination": "+221770000000", "description": None, "metadata": None,
      "arrival_date": 1700086400, "failure_code": None}
VECTOR_BODY = ('{"id":"evt_1NtestVector","object":"event","type":"payment_intent.succeeded",'
               '"data":{"object":{"id":"pi_3Ntest","object":"payment_intent","amount":2500,'
               '"currency":"XOF","status":"succeeded"}}}')
EV = {"id": "evt_2", "object": "event", "created": 1700000300, "livemode": False,
      "type": "refund.created", "api_version": "2025-01-16", "data": {"object": RE},
      "request": {"id": "req_1", "idempotency_key": "order-1:refund"}}
EV_PO = dict(EV, id="evt_3", type="payout.paid", data={"object": PO}, request=None)

def lst(url, data, more=True):
    return j({"object": "list", "url": url, "has_more": more, "data": data})

ERRORS = [
    (400, {"type": "invalid_request_error", "code": "parameter_invalid", "message": "amount must be positive", "param": "amount"}),
    (400, {"type": "invalid_request_error", "code": "payment_intent_unexpected_state", "message": "bad state"}),
    (401, {"type": "authentication_error", "message": "Invalid API key"}),
    (402, {"type": "payment_error", "code": "card_declined", "decline_code": "generic_decline", "message": "Declined", "doc_url": "https://docs.molam.com/errors#card_declined"}),
    (402, {"type": "payment_error", "code": "mobile_money_timeout", "message": "Timed out"}),
    (403, {"type": "permission_error", "message": "Not allowed"}),
    (404, {"type": "invalid_request_error", "code": "resource_missing", "message": "No such payment_intent", "param": "id"}),
    (409, {"type": "idempotency_error", "code": "idempotency_key_in_use", "message": "in use"}),
    (422, {"type": "idempotency_error", "code": "idempotency_key_reused", "message": "reused"}),
    (429, {"type": "rate_limit_error", "message": "Too many requests"}),
    (500, {"type": "api_error", "message": "Internal error"}),
    (503, {"type": "some_future_error", "message": "Unavailable", "extra": True}),
]

def write(target, name, data):
    d = os.path.join(HERE, "seeds", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

def main():
    shutil.rmtree(os.path.join(HERE, "seeds"), ignore_errors=True)
    ok = STD + [("idempotent-replayed", "true")]
    for name, obj in [("pi", PI), ("pi_failed", PI_FAILED), ("pi_ok", PI_OK), ("pi_unknown", PI_UNKNOWN)]:
        write("response_payment_intent", name, response(200, STD, j(obj)))
    write("response_payment_intent", "replayed", response(200, ok, j(PI_OK)))
    write("response_refund", "re", response(200, STD, j(RE)))
    write("response_refund", "re_pending", response(200, STD, j(dict(RE, status="pending", reason=None))))
    write("response_payout", "po", response(200, STD, j(PO)))
    write("response_payout", "po_failed", response(200, STD, j(dict(PO, status="failed", failure_code="account_closed"))))
    write("response_event", "vector", response(200, STD, VECTOR_BODY))
    write("response_event", "refund_created", response(200, STD, j(EV)))
    write("response_event", "payout_paid", response(200, STD, j(EV_PO)))
    write("response_list", "pis", response(200, STD, lst("/v1/connect/payment_intents", [PI_OK, PI])))
    write("response_list", "refunds", response(200, STD, lst("/v1/connect/refunds", [RE], False)))
    write("response_list", "payouts", response(200, STD, lst("/v1/treasury/payouts", [PO])))
    write("response_list", "events", response(200, STD, lst("/v1/events", [EV, EV_PO])))
    write("response_list", "empty", response(200, STD, lst("/v1/events", [], False)))
    for i, (status, err) in enumerate(ERRORS):
        headers = list(STD)
        if status in (429, 503):
            headers.append(("retry-after", "7"))
        if status == 409:
            headers.append(("molam-should-retry", "true"))
        body = response(status, headers, j({"error": err}))
        write("error_body", f"{status}_{i}", body)
        write("response_payment_intent", f"err_{status}_{i}", body)
    html = response(502, [("content-type", "text/html")], "<html><body><h1>502 Bad Gateway</h1></body></html>")
    write("error_body", "html_502", html)
    write("error_body", "truncated", response(500, STD, '{"error":{"type":"api_error","mess'))
    write("error_body", "empty_504", response(504, [], b""))
    write("error_body", "utf8_cut", response(500, [], "é" * 600))
    write("headers", "retry_after", response(429, [("retry-after", "30"), ("x-request-id", "req_1")], ""))
    write("headers", "retry_after_huge", response(503, [("retry-after", "99999999999999999999999")], ""))
    write("headers", "retry_after_date", response(503, [("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")], ""))
    write("headers", "should_retry", response(400, [("molam-should-retry", "TRUE"), ("idempotent-replayed", "true")], ""))
    write("headers", "should_not_retry", response(503, [("molam-should-retry", " false "), ("retry-after", " 5 ")], ""))
    write("headers", "long_request_id", response(200, [("x-request-id", "req_" + "a" * 250)], ""))

    # Inputs found by fuzzing (see core/tests/fuzz_regressions.rs).
    write("error_body", "regression-invalid-utf8-unknown-field",
          response(401, STD, b'{"error":{"ty`e":"authentication' + b"\xff" * 16 + b'"}}'))
    write("response_event", "regression-huge-float", response(200, STD,
          '{"id":"evt._J1NtestVector","object":"event","type":"paymeeeddd","data":{"object":'
          '{"id":"pi_3Ntest&","object":"payment_intent","amount":'
          '5555555000000000000000000000000000000000000000000876950927440751858,'
          '"currency":"#OF","status":"succeeded"}}}'))

    header = "t=1700000000,v1=56de17192f06dfb1c65a35b71701c6502f91b2a94dc0bff68a82c2a3c6232b73"
    sig = "56de17192f06dfb1c65a35b71701c6502f91b2a94dc0bff68a82c2a3c6232b73"
    shdr = {
        "vector": header,
        "kid_two_v1": f" t=1700000000 , kid=k2024 , v1={sig} , v1={'0' * 64} , v2=abc ,",
        "empty_v1": "t=1700000000,v1=",
        "short_v1": "t=1700000000,v1=56de",
        "upper_v1": "t=1700000000,v1=" + sig.upper(),
        "two_t": f"t=1,t=2,v1={sig}",
        "huge_t": f"t=99999999999999999999,v1={sig}",
        "sixteen": "t=1," + ",".join([f"v1={sig}"] * 15),
        "seventeen": "t=1," + ",".join([f"v1={sig}"] * 16),
    }
    for name, h in shdr.items():
        write("signature_header", name, h.encode())

    def wh(now, t, tol, signer, secrets, header, other, body):
        out = struct.pack(">qqIBB", now, t, tol, signer, len(secrets))
        for kid, secret in secrets:
            out += bytes([255]) if kid is None else bytes([len(kid)]) + kid.encode()
            out += bytes([len(secret)]) + secret.encode()
        out += struct.pack(">H", len(header)) + header.encode()
        out += struct.pack(">H", len(other)) + other.encode()
        return out + body.encode()
    secret = "whsec_test_5f1c2a9e"
    write("webhook_verify", "vector_now", wh(1700000000, 1700000000, 300, 0, [(None, secret)], header, "{}", VECTOR_BODY))
    write("webhook_verify", "vector_edge", wh(1700000300, 1700000000, 300, 0, [(None, secret)], header, VECTOR_BODY + " ", VECTOR_BODY))
    write("webhook_verify", "vector_late", wh(1700000301, 1700000000, 300, 0, [(None, secret)], header, "", VECTOR_BODY))
    write("webhook_verify", "vector_early", wh(1699999699, 1700000000, 300, 0, [(None, secret)], header, "", VECTOR_BODY))
    write("webhook_verify", "rotation", wh(1700000000, 1700000000, 300, 1,
          [("k1", "whsec_old"), ("k2", secret), (None, "whsec_default")],
          "t=1700000000,kid=k2,v1=" + sig, "x", VECTOR_BODY))
    write("webhook_verify", "one_digit", wh(1700000000, 1700000000, 300, 0, [(None, secret)], header[:-1] + "4", "", VECTOR_BODY))

MOCK_METHODS = ["GET", "POST", "DELETE", "PUT", "PATCH", "HEAD"]
MOCK_PATHS = [
    "/v1/connect/payment_intents", "/v1/connect/payment_intents/pi_1",
    "/v1/connect/payment_intents/pi_1/confirm", "/v1/connect/payment_intents/pi_1/cancel",
    "/v1/connect/charges/ch_1/refund", "/v1/connect/refunds", "/v1/connect/refunds/re_1",
    "/v1/treasury/payouts", "/v1/treasury/payouts/po_1", "/v1/treasury/payouts/po_1/cancel",
    "/v1/events", "/v1/events/evt_1",
    "/v1/connect/payment_intents?limit=3&starting_after=pi_1&status=succeeded",
    "/v1/events?limit=100&created_gte=0&created_lte=9999999999&type=payout.paid",
    "/__mock/health", "/__mock/stats", "/__mock/faults", "/__mock/advance", "/__mock/reset",
    "/__mock/webhooks"]
MOCK_HEADERS = ["idempotency-key", "content-type", "molam-version", "molam-attempt",
                "authorization", "accept"]

def mock_request(method, path, body="", headers=(), advance=0, auth=True):
    """One request in the mock_handler layout (fuzz_targets/mock_handler.rs)."""
    flags = (0 if auth else 1) | (2 if body else 0)
    if path in MOCK_PATHS:
        out = bytes([flags, MOCK_METHODS.index(method), MOCK_PATHS.index(path), 0])
    else:
        out = bytes([flags, MOCK_METHODS.index(method), 255, len(path)]) + path.encode()
    out += bytes([len(headers)])
    for name, value in headers:
        out += bytes([MOCK_HEADERS.index(name), len(value)]) + value.encode()
    body = body.encode()
    return out + struct.pack(">HH", advance, len(body)) + body

def mock_seeds():
    key = lambda k: [("idempotency-key", k)]
    create = j({"amount": 2500, "currency": "xof", "description": "Order 1",
                "metadata": {"order_id": "1"}, "payment_method": "pm_card_visa"})
    flows = {
        "create_retrieve": [mock_request("POST", "/v1/connect/payment_intents", create, key("order-1")),
                            mock_request("GET", "/v1/connect/payment_intents/pi_1")],
        "replay": [mock_request("POST", "/v1/connect/payment_intents", create, key("k1")),
                   mock_request("POST", "/v1/connect/payment_intents", create, key("k1")),
                   mock_request("POST", "/v1/connect/payment_intents", j({"amount": 1, "currency": "USD"}), key("k1"))],
        "declined": [mock_request("POST", "/v1/connect/payment_intents", j({"amount": 100, "currency": "USD"}), key("a")),
                     mock_request("POST", "/v1/connect/payment_intents/pi_1/confirm", j({"payment_method": "pm_card_declined"}), key("b"))],
        "payout": [mock_request("POST", "/v1/treasury/payouts", j({"amount": 50000, "currency": "XAF", "method": "mobile_money", "destination": "+221770000000"}), key("p")),
                   mock_request("POST", "/v1/treasury/payouts/po_1/cancel", "", key("c")),
                   mock_request("GET", "/v1/treasury/payouts?limit=2&status=canceled")],
        "refund": [mock_request("POST", "/v1/connect/charges/ch_1/refund", j({"amount": 10, "reason": "duplicate"}), key("r"))],
        "events": [mock_request("GET", "/v1/events?limit=100&created_gte=0&created_lte=9999999999&type=payout.paid"),
                   mock_request("GET", "/v1/events/evt_1", advance=3600)],
        "no_auth": [mock_request("GET", "/v1/events", auth=False)],
        "control": [mock_request("POST", "/__mock/advance", j({"seconds": 86400})),
                    mock_request("GET", "/__mock/stats"), mock_request("POST", "/__mock/reset")],
        "bad_json": [mock_request("POST", "/v1/connect/payment_intents", '{"amount": 25', key("x"))],
    }
    for name, requests in flows.items():
        write("mock_handler", name, b"".join(requests))

if __name__ == "__main__":
    main()
    mock_seeds()
