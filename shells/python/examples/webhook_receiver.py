"""A webhook receiver with Flask: verify the signature on the raw body (REFERENCE.md §5),
dedupe on the event id, answer 2xx at once.

    python examples/webhook_receiver.py          # serves on 127.0.0.1:4242

With no MOLAM_WEBHOOK_SECRET set it starts a MockServer that delivers its events here,
makes one payment, and stops once the events have arrived.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from flask import Flask, Response, request

from molam import MolamClient
from molam.exceptions import SignatureError
from molam.utils.webhook import verify_signature

app = Flask(__name__)
SECRETS: dict[str | None, str] = {}
seen_events: set[str] = set()
received = threading.Event()


def get_secret(kid: str | None) -> list[str]:
    """The secrets for a key id; without one, every secret (during a rotation)."""
    if kid is not None and kid in SECRETS:
        return [SECRETS[kid]]
    return list(SECRETS.values())


@app.post("/webhooks/molam")
def molam_webhook() -> tuple[dict[str, Any], int]:
    raw_body = request.get_data()  # the exact bytes: never re-serialized JSON
    try:
        verify_signature(request.headers.get("Molam-Signature"), raw_body, get_secret)
    except SignatureError as error:
        return {"error": "invalid signature", "reason": error.reason}, 400
    event = request.get_json(force=True)
    if event["id"] in seen_events:
        return {"status": "duplicate"}, 200
    seen_events.add(event["id"])
    handle(event)
    return {"status": "ok"}, 200


def handle(event: dict[str, Any]) -> None:
    obj = event["data"]["object"]
    print(f"{event['type']}: {obj.get('id')} {obj.get('status', '')}")
    if event["type"] == "payment_intent.succeeded":
        received.set()


@app.get("/health")
def health() -> Response:
    return Response("ok")


def main(port: int = 4242) -> None:
    secret = os.environ.get("MOLAM_WEBHOOK_SECRET")
    if secret:
        SECRETS[None] = secret
        app.run(host="127.0.0.1", port=port)
        return
    from werkzeug.serving import make_server

    from molam.testing import MockServer

    server = make_server("127.0.0.1", port, app)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/webhooks/molam"
    try:
        with MockServer(webhook_urls=[url]) as mock:
            SECRETS[None] = mock.webhook_secret
            client = MolamClient(mock.config())
            intent = client.create_payment_intent(amount=2500, currency="XOF")
            client.confirm_payment_intent(intent.id, payment_method="pm_card_visa")
            if not received.wait(timeout=15):
                raise SystemExit("no payment_intent.succeeded event arrived within 15 s")
            print(f"{len(seen_events)} events verified and recorded")
    finally:
        server.shutdown()


if __name__ == "__main__":
    main(port=int(os.environ.get("PORT", "0")))
