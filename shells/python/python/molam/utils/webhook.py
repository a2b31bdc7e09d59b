"""Webhook signatures (REFERENCE.md §5), verified by the Rust core in constant time.

>>> from molam.utils.webhook import generate_signature, verify_signature
>>> body = b'{"id":"evt_1","object":"event"}'
>>> header = generate_signature("whsec_test_5f1c2a9e", body, timestamp=1700000000)
>>> verify_signature(header, body, lambda kid: "whsec_test_5f1c2a9e", now=1700000100)
True
"""

from __future__ import annotations

from .._molam import generate_signature, parse_signature_header, verify_signature

__all__ = ["verify_signature", "parse_signature_header", "generate_signature"]
