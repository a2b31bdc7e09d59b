"""The Python table of BENCHMARKS.md: the `molam` package against the seed's way of calling
Molam (requests; aiohttp), on the same local mock, plus webhook verification against
Python's hmac. Run it with `bash shells/python/bench/run.sh` (a release build of the
extension in a virtual environment; see that script).

Each measurement alternates the two sides within a round (which one goes first alternates
too) and reports the median over rounds; ratios are of the same round, then medianed, as
molam-bench does for the Rust figures.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

import molam
from molam import MolamAsyncClient, MolamClient
from molam.utils.webhook import generate_signature, verify_signature

ROUNDS = int(os.environ.get("ROUNDS", "5"))
SEQUENTIAL_CALLS = int(os.environ.get("SEQUENTIAL_CALLS", "3000"))
CONCURRENT_CALLS = int(os.environ.get("CONCURRENT_CALLS", "20000"))
CONCURRENCY = 64
WEBHOOK_CALLS = int(os.environ.get("WEBHOOK_CALLS", "3000"))
API_KEY = "sk_test_python_bench"
MOCK_SERVER = """
import sys
from molam.testing import MockServer
with MockServer() as mock:
    print(mock.base_url, flush=True)
    sys.stdin.read()
"""


def seed_style_session() -> requests.Session:
    """The seed's requests adapter: a Session with urllib3 retries, JSON in and out."""
    session = requests.Session()
    retry = Retry(total=3, backoff_factor=0.5, status_forcelist=(429, 500, 502, 503, 504),
                  allowed_methods=None)
    session.mount("http://", HTTPAdapter(max_retries=retry, pool_maxsize=CONCURRENCY))
    session.headers.update({
        "Authorization": f"Bearer {API_KEY}",
        "Accept": "application/json",
        "Molam-Version": "2025-01-16",
        "User-Agent": "molam-python-seed/0.1.0",
    })
    return session


def headers() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4()), "Content-Type": "application/json",
            "Molam-Attempt": "1"}


BODY = {"amount": 2500, "currency": "XOF"}


def requests_sequential(base: str, calls: int) -> float:
    session = seed_style_session()
    url = f"{base}/v1/connect/payment_intents"
    start = time.perf_counter()
    for _ in range(calls):
        response = session.post(url, data=json.dumps(BODY), headers=headers(), timeout=30)
        response.raise_for_status()
        assert response.json()["object"] == "payment_intent"
    return calls / (time.perf_counter() - start)


def molam_sequential(base: str, calls: int) -> float:
    client = MolamClient(molam.Config(api_key=API_KEY, api_base=base, allow_insecure_http=True,
                                      from_env=False))
    start = time.perf_counter()
    for _ in range(calls):
        intent = client.create_payment_intent(amount=2500, currency="XOF")
        assert intent["object"] == "payment_intent"
    return calls / (time.perf_counter() - start)


async def _aiohttp_concurrent(base: str, calls: int) -> float:
    url = f"{base}/v1/connect/payment_intents"
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(
        connector=connector,
        headers={"Authorization": f"Bearer {API_KEY}", "Accept": "application/json",
                 "Molam-Version": "2025-01-16"},
        timeout=aiohttp.ClientTimeout(total=30),
    ) as session:
        remaining = calls

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                async with session.post(url, data=json.dumps(BODY), headers=headers()) as response:
                    response.raise_for_status()
                    assert (await response.json())["object"] == "payment_intent"

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return calls / (time.perf_counter() - start)


async def _molam_concurrent(base: str, calls: int) -> float:
    config = molam.Config(api_key=API_KEY, api_base=base, allow_insecure_http=True, from_env=False)
    async with MolamAsyncClient(config) as client:
        remaining = calls

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                intent = await client.create_payment_intent(amount=2500, currency="XOF")
                assert intent["object"] == "payment_intent"

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return calls / (time.perf_counter() - start)


def aiohttp_concurrent(base: str, calls: int) -> float:
    return asyncio.run(_aiohttp_concurrent(base, calls))


def molam_concurrent(base: str, calls: int) -> float:
    return asyncio.run(_molam_concurrent(base, calls))


SECRET = "whsec_test_5f1c2a9e"
WEBHOOK_BODY = (b'{"id":"evt_1","object":"event","type":"payment_intent.succeeded","data":{"object":{"pad":"'
                + b"x" * (64 * 1024 - 100))
WEBHOOK_BODY = WEBHOOK_BODY[: 64 * 1024 - 4] + b'"}}}'


def python_hmac_verify(header: str, body: bytes, secret: str, now: int) -> bool:
    """What the seed's utils/webhook.py did: parse, check the window, HMAC, compare_digest."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    timestamp = int(parts["t"])
    if abs(now - timestamp) > 300:
        raise ValueError("timestamp outside tolerance")
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, parts["v1"]):
        raise ValueError("signature mismatch")
    return True


def webhook_python(header: str, calls: int) -> float:
    now = int(time.time())
    start = time.perf_counter()
    for _ in range(calls):
        python_hmac_verify(header, WEBHOOK_BODY, SECRET, now)
    return calls / (time.perf_counter() - start)


def webhook_molam(header: str, calls: int) -> float:
    get = lambda kid: SECRET  # noqa: E731
    start = time.perf_counter()
    for _ in range(calls):
        verify_signature(header, WEBHOOK_BODY, get)
    return calls / (time.perf_counter() - start)


def measure(sdk: Callable[[Any, int], float], raw: Callable[[Any, int], float], arg: Any,
            calls: int) -> dict[str, float]:
    sdk(arg, max(calls // 10, 10))  # warm-up: connections, caches
    raw(arg, max(calls // 10, 10))
    sdk_rates, raw_rates, ratios = [], [], []
    for round_ in range(ROUNDS):
        if round_ % 2 == 0:
            s, r = sdk(arg, calls), raw(arg, calls)
        else:
            r, s = raw(arg, calls), sdk(arg, calls)
        sdk_rates.append(s)
        raw_rates.append(r)
        ratios.append(s / r)
    return {"sdk": statistics.median(sdk_rates), "raw": statistics.median(raw_rates),
            "ratio": statistics.median(ratios)}


def main() -> None:
    mock = subprocess.Popen([sys.executable, "-c", MOCK_SERVER], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert mock.stdout is not None
    base = mock.stdout.readline().strip()
    load = os.getloadavg()[0]
    started = time.time()
    try:
        sequential = measure(molam_sequential, requests_sequential, base, SEQUENTIAL_CALLS)
        concurrent = measure(molam_concurrent, aiohttp_concurrent, base, CONCURRENT_CALLS)
    finally:
        assert mock.stdin is not None
        mock.stdin.close()
        mock.wait(timeout=30)
    header = generate_signature(SECRET, WEBHOOK_BODY)
    webhook = measure(webhook_molam, webhook_python, header, WEBHOOK_CALLS)
    elapsed = time.time() - started
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()

    def verdict(ratio: float, target: float) -> str:
        return "met" if ratio >= target else "**missed**"

    table = [
        "## Python: the `molam` package against the seed's clients",
        "",
        "Written by `bash shells/python/bench/run.sh` (a release build of the extension, then "
        "`shells/python/bench/bench.py`); rerun it rather than editing this section. "
        f"{ROUNDS} rounds, each side alternating first; figures are medians of the rounds, "
        "ratios the median of each round's ratio. The mock (`molam.testing.MockServer`, i.e. "
        "molam-mock with 2 server threads) runs in a process of its own on 127.0.0.1. "
        "*requests* is the seed's adapter (a `requests.Session` with urllib3 retries); "
        f"*aiohttp* one `ClientSession` with {CONCURRENCY} connections; both send the same "
        "headers and body and decode the JSON answer. The Python HMAC parses the header, checks "
        "the window and compares with `hmac.compare_digest`, as the seed did.",
        "",
        f"Python {platform.python_version()}, {os.cpu_count()} logical CPUs, commit {commit}, "
        f"1-minute load average at start {load:.2f}, measuring time {elapsed:.0f} s, "
        f"{time.strftime('%a %b %d %H:%M:%S UTC %Y', time.gmtime())}.",
        "",
        "| what | molam | seed's way | molam / seed | target | verdict |",
        "|---|---|---|---|---|---|",
        f"| create-payment-intent, sequential ({SEQUENTIAL_CALLS} calls/round): MolamClient vs "
        f"requests | {sequential['sdk']:.0f} calls/s | {sequential['raw']:.0f} calls/s | "
        f"{sequential['ratio']:.2f}× | ≥ 5× | {verdict(sequential['ratio'], 5)} |",
        f"| create-payment-intent, {CONCURRENCY} concurrent ({CONCURRENT_CALLS} calls/round): "
        f"MolamAsyncClient vs aiohttp | {concurrent['sdk']:.0f} calls/s | "
        f"{concurrent['raw']:.0f} calls/s | {concurrent['ratio']:.2f}× | ≥ 3× | "
        f"{verdict(concurrent['ratio'], 3)} |",
        f"| webhook verification, 64 KiB body: verify_signature vs hmac | "
        f"{webhook['sdk']:.0f} /s | {webhook['raw']:.0f} /s | {webhook['ratio']:.2f}× | — | — |",
        "",
    ]
    section = "\n".join(table)
    print(section)
    out = Path(os.environ.get("BENCHMARKS_MD", Path(__file__).resolve().parents[3] / "BENCHMARKS.md"))
    start_mark, end_mark = "<!-- python:start -->", "<!-- python:end -->"
    text = out.read_text() if out.exists() else ""
    block = f"{start_mark}\n{section}{end_mark}\n"
    if start_mark in text and end_mark in text:
        head, rest = text.split(start_mark, 1)
        text = head + block + rest.split(end_mark, 1)[1].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    out.write_text(text)


if __name__ == "__main__":
    main()
