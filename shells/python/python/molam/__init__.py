"""Molam server-side SDK for Python, on the Molam Rust core.

>>> from molam import Config, MolamClient            # doctest: +SKIP
>>> client = MolamClient(Config(api_key="sk_test_..."))   # doctest: +SKIP
>>> intent = client.create_payment_intent(amount=2500, currency="XOF")  # doctest: +SKIP
>>> intent["id"], intent.status                      # doctest: +SKIP

``MolamClient`` blocks (and releases the GIL while it waits); ``MolamAsyncClient`` returns
awaitables for asyncio. Both share the core's retries, idempotency keys, retry budget and
circuit breaker. Errors are in ``molam.exceptions``; webhooks in ``molam.utils.webhook``;
a local mock API in ``molam.testing``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import TracebackType
from typing import Any

from . import exceptions
from ._molam import AsyncPageIterator, Config, MolamClient, PageIterator
from ._molam import MolamAsyncClient as _MolamAsyncClient
from ._molam import __version__
from ._object import MolamObject


class MolamAsyncClient(_MolamAsyncClient):
    """The async Molam client: the same methods as ``MolamClient``, as coroutines.

    Use it as ``async with MolamAsyncClient(config) as client: ...``. Calls run on the SDK's
    tokio runtime; their results come back to the running asyncio loop.
    """

    async def __aenter__(self) -> MolamAsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Kept for the seed's API: connections are pooled and freed with the client."""


def _coroutine(name: str) -> Callable[..., Any]:
    """The extension's method `name` (which returns an asyncio future) as a coroutine
    function, as the seed's were: usable with ``await``, ``asyncio.create_task`` and
    ``asyncio.gather`` alike."""
    call = getattr(_MolamAsyncClient, name)

    @functools.wraps(call)
    async def method(self: MolamAsyncClient, *args: Any, **kwargs: Any) -> Any:
        return await call(self, *args, **kwargs)

    return method


for _name in (
    "create_payment_intent",
    "retrieve_payment_intent",
    "confirm_payment_intent",
    "cancel_payment_intent",
    "list_payment_intents",
    "retrieve_charge",
    "create_refund",
    "retrieve_refund",
    "list_refunds",
    "create_payout",
    "retrieve_payout",
    "cancel_payout",
    "list_payouts",
    "retrieve_event",
    "list_events",
):
    setattr(MolamAsyncClient, _name, _coroutine(_name))
del _name


__all__ = [
    "Config",
    "MolamClient",
    "MolamAsyncClient",
    "MolamObject",
    "PageIterator",
    "AsyncPageIterator",
    "exceptions",
    "__version__",
]
