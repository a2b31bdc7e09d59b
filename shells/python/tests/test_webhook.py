"""The seed's webhook test cases (test_webhook.py) and the REFERENCE.md §7 test vector."""

from __future__ import annotations

import time

import pytest

from molam.exceptions import SignatureError
from molam.utils.webhook import generate_signature, parse_signature_header, verify_signature

SECRET = "whsec_test_5f1c2a9e"
BODY = b'{"id":"evt_1","object":"event","type":"payout.paid","data":{"object":{}}}'


def secret(kid: str | None) -> str:
    return SECRET


def reason_of(header: str | None, body: bytes = BODY, **kwargs: object) -> str:
    with pytest.raises(SignatureError) as raised:
        verify_signature(header, body, kwargs.pop("get_secret", secret), **kwargs)  # type: ignore[arg-type]
    assert SECRET not in str(raised.value)
    return raised.value.reason


def test_parse_signature_header() -> None:
    v1 = "ab" * 32
    parts = parse_signature_header(f"t=1700000000, kid=k2024 ,v1={v1},v1={'cd' * 32},v0=x")
    assert parts == {"t": 1700000000, "kid": "k2024", "v1": [v1, "cd" * 32]}
    assert parse_signature_header(f"t=1,v1={v1}")["kid"] is None


def test_parse_signature_header_invalid() -> None:
    for header in ("", "garbage", "t=1700000000", f"v1={'ab' * 32}", f"t=1,t=2,v1={'ab' * 32}",
                   f"t=1,v1={'AB' * 32}", "t=1," + ",".join(["x=1"] * 20) + f",v1={'ab' * 32}"):
        with pytest.raises(SignatureError) as raised:
            parse_signature_header(header)
        assert raised.value.reason == "malformed_header"


def test_generate_and_verify_signature() -> None:
    before = int(time.time())
    header = generate_signature(SECRET, BODY)
    after = int(time.time())
    assert before <= int(header.split(",")[0].removeprefix("t=")) <= after  # signed now
    assert verify_signature(header, BODY, secret) is True
    assert verify_signature(header, BODY.decode(), secret) is True  # str bodies as UTF-8
    with_kid = generate_signature(SECRET, BODY, timestamp=1700000000, kid="k1")
    assert with_kid.startswith("t=1700000000,kid=k1,v1=")
    assert verify_signature(with_kid, BODY, secret, now=1700000000)


def test_verify_signature_mismatch() -> None:
    header = generate_signature("whsec_other", BODY)
    assert reason_of(header) == "signature_mismatch"


def test_verify_signature_missing_fields() -> None:
    now = int(time.time())
    assert reason_of(None) == "missing_header"
    assert reason_of(f"t={now}") == "malformed_header"
    assert reason_of(f"v1={'ab' * 32}") == "malformed_header"
    assert reason_of(f"t={now},v1=") == "malformed_header"


def test_verify_signature_timestamp_tolerance() -> None:
    now = 1700000000
    old = generate_signature(SECRET, BODY, timestamp=now - 301)
    assert reason_of(old, now=now) == "timestamp_outside_tolerance"
    assert verify_signature(generate_signature(SECRET, BODY, timestamp=now - 300), BODY, secret, now=now)
    # A wider tolerance is the caller's choice.
    assert verify_signature(old, BODY, secret, now=now, tolerance=600)
    stale = generate_signature(SECRET, BODY, timestamp=int(time.time()) - 3600)
    assert reason_of(stale) == "timestamp_outside_tolerance"


def test_verify_signature_future_timestamp() -> None:
    now = 1700000000
    future = generate_signature(SECRET, BODY, timestamp=now + 301)
    assert reason_of(future, now=now) == "timestamp_outside_tolerance"
    assert verify_signature(generate_signature(SECRET, BODY, timestamp=now + 300), BODY, secret, now=now)


def test_verify_signature_secret_not_found() -> None:
    header = generate_signature(SECRET, BODY, kid="k9")
    assert reason_of(header, get_secret=lambda kid: None) == "unknown_key_id"
    assert reason_of(header, get_secret=lambda kid: []) == "unknown_key_id"

    def lookup(kid: str | None) -> str:
        raise KeyError(kid)

    with pytest.raises(SignatureError) as raised:
        verify_signature(header, BODY, lookup)
    assert raised.value.reason == "unknown_key_id"
    assert isinstance(raised.value.__cause__, KeyError)  # the lookup's own error is kept


def test_verify_signature_refuses_an_unusable_secret() -> None:
    # Anyone can sign with an empty key: a lookup that returns one never verifies anything.
    forged = generate_signature("", BODY)
    assert reason_of(forged, get_secret=lambda kid: "") == "unusable_secret"
    genuine = generate_signature(SECRET, BODY)
    assert reason_of(genuine, get_secret=lambda kid: [SECRET, ""]) == "unusable_secret"


def test_verify_signature_tampered_payload() -> None:
    header = generate_signature(SECRET, BODY)
    assert reason_of(header, body=BODY.replace(b"payout.paid", b"payout.failed")) == "signature_mismatch"
    assert reason_of(header, body=BODY + b"\n") == "signature_mismatch"


def test_multi_version_secrets() -> None:
    secrets = {"k2023": "whsec_old", "k2024": "whsec_new"}
    seen: list[str | None] = []

    def by_kid(kid: str | None) -> list[str]:
        seen.append(kid)
        return [secrets[kid]] if kid in secrets else list(secrets.values())

    new = generate_signature("whsec_new", BODY, kid="k2024")
    old = generate_signature("whsec_old", BODY, kid="k2023")
    assert verify_signature(new, BODY, by_kid) and verify_signature(old, BODY, by_kid)
    assert seen == ["k2024", "k2023"]
    # A header signed with the old secret but naming the new kid is refused.
    wrong = generate_signature("whsec_old", BODY, kid="k2024")
    assert reason_of(wrong, get_secret=by_kid) == "signature_mismatch"
    # During a rotation without kid, any of the secrets returned may match.
    bare = generate_signature("whsec_old", BODY)
    assert verify_signature(bare, BODY, lambda kid: ["whsec_new", "whsec_old"])
    # Several v1 values: any one matching is enough.
    both = f"{new},v1={parse_signature_header(old)['v1'][0]}"
    assert verify_signature(both, BODY, lambda kid: "whsec_old")


def test_invalid_timestamp_format() -> None:
    v1 = "ab" * 32
    for t in ("17000abc", "-1700000000", "1.7e9", "", "99999999999999999999999"):
        assert reason_of(f"t={t},v1={v1}") == "malformed_header"


# REFERENCE.md §7, normative.
VECTOR_SECRET = "whsec_test_5f1c2a9e"
VECTOR_BODY = (
    b'{"id":"evt_1NtestVector","object":"event","type":"payment_intent.succeeded",'
    b'"data":{"object":{"id":"pi_3Ntest","object":"payment_intent","amount":2500,'
    b'"currency":"XOF","status":"succeeded"}}}'
)
VECTOR_V1 = "56de17192f06dfb1c65a35b71701c6502f91b2a94dc0bff68a82c2a3c6232b73"
VECTOR_HEADER = f"t=1700000000,v1={VECTOR_V1}"


def test_reference_test_vector() -> None:
    assert generate_signature(VECTOR_SECRET, VECTOR_BODY, timestamp=1700000000) == VECTOR_HEADER
    get = lambda kid: VECTOR_SECRET  # noqa: E731
    for now in (1700000000, 1700000150, 1700000300):
        assert verify_signature(VECTOR_HEADER, VECTOR_BODY, get, now=now) is True
    for now in (1700000301, 1699999699):
        with pytest.raises(SignatureError) as raised:
            verify_signature(VECTOR_HEADER, VECTOR_BODY, get, now=now)
        assert raised.value.reason == "timestamp_outside_tolerance"
    changed = VECTOR_V1[:10] + ("0" if VECTOR_V1[10] != "0" else "1") + VECTOR_V1[11:]
    for header in ("t=1700000000,v1=", "t=1700000000,v1=56de", f"t=1700000000,v1={changed}"):
        with pytest.raises(SignatureError):
            verify_signature(header, VECTOR_BODY, get, now=1700000000)
