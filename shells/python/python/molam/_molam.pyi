"""Typing stubs of the extension module ``molam._molam`` (the Rust half of ``molam``)."""

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, final

from ._object import MolamObject

__version__: str

SecretLookup = Callable[[str | None], str | Sequence[str] | None] | str | Sequence[str]
Body = bytes | bytearray | str

@final
class Config:
    def __init__(
        self,
        api_key: str | None = None,
        *,
        api_base: str | None = None,
        api_version: str | None = None,
        webhook_secret: str | Sequence[str] | Mapping[str | None, str] | None = None,
        timeout: float | None = None,
        connect_timeout: float | None = None,
        max_retries: int | None = None,
        deadline: float | None = None,
        webhook_tolerance: float | None = None,
        allow_insecure_http: bool | None = None,
        account: str | None = None,
        app_info: Mapping[str, str] | None = None,
        from_env: bool = True,
    ) -> None: ...
    @staticmethod
    def from_env() -> Config: ...
    @property
    def api_key(self) -> str: ...
    @property
    def api_base(self) -> str: ...
    @property
    def api_version(self) -> str: ...
    @property
    def timeout(self) -> float: ...
    @property
    def connect_timeout(self) -> float: ...
    @property
    def max_attempts(self) -> int: ...
    @property
    def webhook_tolerance(self) -> float: ...
    @property
    def webhook_secret_count(self) -> int: ...
    @property
    def allow_insecure_http(self) -> bool: ...
    @property
    def account(self) -> str | None: ...
    @property
    def app_info(self) -> dict[str, str] | None: ...

@final
class PageIterator(Iterator[MolamObject]):
    def __iter__(self) -> PageIterator: ...
    def __next__(self) -> MolamObject: ...

@final
class AsyncPageIterator(AsyncIterator[MolamObject]):
    def __aiter__(self) -> AsyncPageIterator: ...
    def __anext__(self) -> Awaitable[MolamObject]: ...

@final
class MolamClient:
    def __init__(self, config: Config | None = None) -> None: ...
    def __enter__(self) -> MolamClient: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool: ...
    def close(self) -> None: ...
    def create_payment_intent(
        self,
        amount: int,
        currency: str,
        *,
        description: str | None = None,
        metadata: Mapping[str, str] | None = None,
        customer: str | None = None,
        payment_method: str | None = None,
        return_url: str | None = None,
        idempotency_key: str | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> MolamObject: ...
    def retrieve_payment_intent(
        self, id: str, *, max_retries: int | None = None, timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> MolamObject: ...
    def confirm_payment_intent(
        self,
        id: str,
        *,
        payment_method: str | None = None,
        return_url: str | None = None,
        idempotency_key: str | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> MolamObject: ...
    def cancel_payment_intent(
        self,
        id: str,
        *,
        cancellation_reason: str | None = None,
        idempotency_key: str | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> MolamObject: ...
    def list_payment_intents(
        self,
        *,
        limit: int | None = None,
        starting_after: str | None = None,
        ending_before: str | None = None,
        created_gte: int | None = None,
        created_lte: int | None = None,
        status: str | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> MolamObject: ...
    def iter_payment_intents(
        self,
        *,
        limit: int | None = None,
        starting_after: str | None = None,
        ending_before: str | None = None,
        created_gte: int | None = None,
        created_lte: int | None = None,
        status: str | None = None,
        max_items: int | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> PageIterator: ...
    def retrieve_charge(
        self, id: str, *, max_retries: int | None = None, timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> MolamObject: ...
    def create_refund(
        self,
        charge: str,
        *,
        amount: int | None = None,
        reason: str | None = None,
        metadata: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> MolamObject: ...
    def retrieve_refund(
        self, id: str, *, max_retries: int | None = None, timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> MolamObject: ...
    def list_refunds(
        self,
        *,
        limit: int | None = None,
        starting_after: str | None = None,
        ending_before: str | None = None,
        created_gte: int | None = None,
        created_lte: int | None = None,
        payment_intent: str | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> MolamObject: ...
    def iter_refunds(
        self,
        *,
        limit: int | None = None,
        starting_after: str | None = None,
        ending_before: str | None = None,
        created_gte: int | None = None,
        created_lte: int | None = None,
        payment_intent: str | None = None,
        max_items: int | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> PageIterator: ...
    def create_payout(
        self,
        amount: int,
        currency: str,
        method: str,
        destination: str,
        *,
        description: str | None = None,
        metadata: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> MolamObject: ...
    def retrieve_payout(
        self, id: str, *, max_retries: int | None = None, timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> MolamObject: ...
    def cancel_payout(
        self,
        id: str,
        *,
        idempotency_key: str | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> MolamObject: ...
    def list_payouts(
        self,
        *,
        limit: int | None = None,
        starting_after: str | None = None,
        ending_before: str | None = None,
        created_gte: int | None = None,
        created_lte: int | None = None,
        status: str | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> MolamObject: ...
    def iter_payouts(
        self,
        *,
        limit: int | None = None,
        starting_after: str | None = None,
        ending_before: str | None = None,
        created_gte: int | None = None,
        created_lte: int | None = None,
        status: str | None = None,
        max_items: int | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> PageIterator: ...
    def retrieve_event(
        self, id: str, *, max_retries: int | None = None, timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> MolamObject: ...
    def list_events(
        self,
        *,
        limit: int | None = None,
        starting_after: str | None = None,
        ending_before: str | None = None,
        created_gte: int | None = None,
        created_lte: int | None = None,
        type: str | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> MolamObject: ...
    def iter_events(
        self,
        *,
        limit: int | None = None,
        starting_after: str | None = None,
        ending_before: str | None = None,
        created_gte: int | None = None,
        created_lte: int | None = None,
        type: str | None = None,
        max_items: int | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> PageIterator: ...
    def verify_webhook_signature(self, signature_header: str | None, raw_body: bytes) -> bool: ...
    def construct_event(self, signature_header: str | None, raw_body: bytes) -> MolamObject: ...

class MolamAsyncClient:
    def __init__(self, config: Config | None = None) -> None: ...
    async def create_payment_intent(
        self,
        amount: int,
        currency: str,
        *,
        description: str | None = None,
        metadata: Mapping[str, str] | None = None,
        customer: str | None = None,
        payment_method: str | None = None,
        return_url: str | None = None,
        idempotency_key: str | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> MolamObject: ...
    async def retrieve_payment_intent(
        self, id: str, *, max_retries: int | None = None, timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> MolamObject: ...
    async def confirm_payment_intent(
        self,
        id: str,
        *,
        payment_method: str | None = None,
        return_url: str | None = None,
        idempotency_key: str | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> MolamObject: ...
    async def cancel_payment_intent(
        self,
        id: str,
        *,
        cancellation_reason: str | None = None,
        idempotency_key: str | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> MolamObject: ...
    async def list_payment_intents(
        self,
        *,
        limit: int | None = None,
        starting_after: str | None = None,
        ending_before: str | None = None,
        created_gte: int | None = None,
        created_lte: int | None = None,
        status: str | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> MolamObject: ...
    def iter_payment_intents(
        self,
        *,
        limit: int | None = None,
        starting_after: str | None = None,
        ending_before: str | None = None,
        created_gte: int | None = None,
        created_lte: int | None = None,
        status: str | None = None,
        max_items: int | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> AsyncPageIterator: ...
    async def retrieve_charge(
        self, id: str, *, max_retries: int | None = None, timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> MolamObject: ...
    async def create_refund(
        self,
        charge: str,
        *,
        amount: int | None = None,
        reason: str | None = None,
        metadata: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> MolamObject: ...
    async def retrieve_refund(
        self, id: str, *, max_retries: int | None = None, timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> MolamObject: ...
    async def list_refunds(
        self,
        *,
        limit: int | None = None,
        starting_after: str | None = None,
        ending_before: str | None = None,
        created_gte: int | None = None,
        created_lte: int | None = None,
        payment_intent: str | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> MolamObject: ...
    def iter_refunds(
        self,
        *,
        limit: int | None = None,
        starting_after: str | None = None,
        ending_before: str | None = None,
        created_gte: int | None = None,
        created_lte: int | None = None,
        payment_intent: str | None = None,
        max_items: int | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> AsyncPageIterator: ...
    async def create_payout(
        self,
        amount: int,
        currency: str,
        method: str,
        destination: str,
        *,
        description: str | None = None,
        metadata: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> MolamObject: ...
    async def retrieve_payout(
        self, id: str, *, max_retries: int | None = None, timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> MolamObject: ...
    async def cancel_payout(
        self,
        id: str,
        *,
        idempotency_key: str | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> MolamObject: ...
    async def list_payouts(
        self,
        *,
        limit: int | None = None,
        starting_after: str | None = None,
        ending_before: str | None = None,
        created_gte: int | None = None,
        created_lte: int | None = None,
        status: str | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> MolamObject: ...
    def iter_payouts(
        self,
        *,
        limit: int | None = None,
        starting_after: str | None = None,
        ending_before: str | None = None,
        created_gte: int | None = None,
        created_lte: int | None = None,
        status: str | None = None,
        max_items: int | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> AsyncPageIterator: ...
    async def retrieve_event(
        self, id: str, *, max_retries: int | None = None, timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> MolamObject: ...
    async def list_events(
        self,
        *,
        limit: int | None = None,
        starting_after: str | None = None,
        ending_before: str | None = None,
        created_gte: int | None = None,
        created_lte: int | None = None,
        type: str | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> MolamObject: ...
    def iter_events(
        self,
        *,
        limit: int | None = None,
        starting_after: str | None = None,
        ending_before: str | None = None,
        created_gte: int | None = None,
        created_lte: int | None = None,
        type: str | None = None,
        max_items: int | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
        account: str | None = None,
        api_key: str | None = None,
    ) -> AsyncPageIterator: ...
    def verify_webhook_signature(self, signature_header: str | None, raw_body: bytes) -> bool: ...
    def construct_event(self, signature_header: str | None, raw_body: bytes) -> MolamObject: ...

@final
class MockServer:
    def __init__(
        self,
        *,
        seed: int = 0,
        webhook_secret: str = "whsec_mock_secret",
        webhook_urls: Sequence[str] = ...,
    ) -> None: ...
    @property
    def base_url(self) -> str: ...
    @property
    def webhook_secret(self) -> str: ...
    def config(self, api_key: str = "sk_test_molam_mock", *, max_retries: int | None = None) -> Config: ...
    def stats(self) -> Any: ...
    def stop(self) -> None: ...
    def __enter__(self) -> MockServer: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool: ...

def verify_signature(
    header: str | None,
    raw_body: Body,
    get_secret: SecretLookup,
    *,
    tolerance: int | None = None,
    now: int | None = None,
) -> bool: ...
def parse_signature_header(header: str) -> dict[str, Any]: ...
def generate_signature(
    secret: str, raw_body: Body, *, timestamp: int | None = None, kid: str | None = None
) -> str: ...
