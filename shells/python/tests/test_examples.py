"""The seed's three examples run against MockServer, and type-check under mypy --strict."""

from __future__ import annotations

import importlib.util
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run_example(name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    for var in ("MOLAM_API_KEY", "MOLAM_WEBHOOK_SECRET", "MOLAM_API_BASE"):
        monkeypatch.delenv(var, raising=False)
    module = runpy.run_path(str(EXAMPLES / name))
    if name == "webhook_receiver.py":
        module["main"](port=0)
    else:
        module["main"]()
    return capsys.readouterr().out


def test_checkout_example(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    out = run_example("checkout_server.py", monkeypatch, capsys)
    assert "succeeded, charge ch_" in out
    assert "refunded 500 XOF" in out
    assert "declined: card_declined" in out
    assert "order 12346 is requires_payment_method: card_declined" in out
    assert "API error 404 resource_missing" in out


def test_async_checkout_example(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    out = run_example("async_checkout.py", monkeypatch, capsys)
    assert "order 1003 declined: insufficient_funds" in out
    assert "1004: " in out and "requires_action" in out
    assert "2 succeeded" in out


def test_webhook_receiver_example(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    if not os.environ.get("CI"):
        pytest.importorskip("flask")
    out = run_example("webhook_receiver.py", monkeypatch, capsys)
    assert "payment_intent.succeeded: pi_" in out
    assert "events verified and recorded" in out


def test_examples_pass_mypy_strict() -> None:
    if importlib.util.find_spec("mypy") is None and not os.environ.get("CI"):
        pytest.skip("mypy is not installed")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", *sorted(str(p) for p in EXAMPLES.glob("*.py"))],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
