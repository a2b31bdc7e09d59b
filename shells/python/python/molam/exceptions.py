"""The exceptions of the Molam SDK, the seed's hierarchy extended.

Every error of the Rust core maps to one class here (the mapping only moves fields):

- ``ValidationError`` (``errors``): a parameter was refused before anything was sent;
  ``ConfigError`` is its subclass for the client configuration.
- ``ApiError`` (``status_code``, ``payload``, ``request_id``, ``type``, ``code``,
  ``decline_code``, ``param``): the API answered with a non-2xx status; one subclass per
  error ``type`` of REFERENCE.md §2 (``PaymentError`` for declines, ``RateLimitError``, …).
- ``NetworkError`` (``kind``: ``connect``, ``after_send``, ``timeout``), ``TimeoutError``.
- ``IdempotencyError``: an idempotency key is in use or was reused for another request
  (``ApiIdempotencyError`` when the API said so).
- ``CircuitOpenError`` (``retry_in``): the client failed fast, Molam looks unavailable.
- ``OutcomeUnknownError`` (``idempotency_key``, ``last_error``): a request may have reached
  Molam before the call gave up; calling again with that ``idempotency_key`` finishes it
  exactly once.
- ``SignatureError`` (``reason``): a webhook failed verification.

When the client gave up retrying, the exception is the last failure's, with ``attempts`` and
``give_up_reason`` (``max_attempts``, ``deadline``, ``retry_budget``) set.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "MolamError",
    "ValidationError",
    "ConfigError",
    "ApiError",
    "InvalidRequestError",
    "AuthenticationError",
    "PaymentError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "IdempotencyError",
    "ApiIdempotencyError",
    "NetworkError",
    "TimeoutError",
    "DecodeError",
    "CircuitOpenError",
    "OutcomeUnknownError",
    "SignatureError",
    "InvalidEventError",
]


class MolamError(Exception):
    """Base class of every error the SDK raises."""

    attempts: int | None
    give_up_reason: str | None

    def __init__(
        self,
        message: str = "",
        *,
        attempts: int | None = None,
        give_up_reason: str | None = None,
        **_: Any,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.attempts = attempts
        self.give_up_reason = give_up_reason


class ValidationError(MolamError):
    """A parameter was refused before any request was sent.

    ``errors`` lists ``{"field": ..., "message": ...}`` entries.
    """

    def __init__(
        self,
        message: str = "",
        *,
        errors: list[dict[str, str]] | None = None,
        **fields: Any,
    ) -> None:
        super().__init__(message, **fields)
        self.errors: list[dict[str, str]] = errors or []


class ConfigError(ValidationError):
    """The client configuration is invalid (missing or malformed key, insecure URL, …)."""


class ApiError(MolamError):
    """The API answered with a non-2xx status (REFERENCE.md §2)."""

    def __init__(
        self,
        message: str = "",
        *,
        status_code: int = 0,
        payload: dict[str, Any] | None = None,
        request_id: str | None = None,
        type: str | None = None,
        code: str | None = None,
        param: str | None = None,
        decline_code: str | None = None,
        retry_after: float | None = None,
        raw_body: str | None = None,
        **fields: Any,
    ) -> None:
        super().__init__(message, **fields)
        self.status_code = status_code
        self.payload: dict[str, Any] = payload or {}
        self.request_id = request_id
        self.type = type
        self.code = code
        self.param = param
        self.decline_code = decline_code
        self.retry_after = retry_after
        self.raw_body = raw_body


class InvalidRequestError(ApiError):
    """400 or 404 ``invalid_request_error``: bad parameters, wrong state, no such object."""


class AuthenticationError(ApiError):
    """401 ``authentication_error``: missing or unknown API key."""


class PaymentError(ApiError):
    """402 ``payment_error``: the payment was declined (see ``code``, ``decline_code``)."""


class PermissionDeniedError(ApiError):
    """403 ``permission_error``: the key may not do this."""


class RateLimitError(ApiError):
    """429 ``rate_limit_error``: too many requests (``retry_after`` in seconds, if sent)."""


class ServerError(ApiError):
    """5xx ``api_error``: a failure on Molam's side."""


class IdempotencyError(MolamError):
    """An idempotency key is in use elsewhere, or was used before for another request."""

    def __init__(
        self, message: str = "", *, idempotency_key: str | None = None, **fields: Any
    ) -> None:
        super().__init__(message, **fields)
        self.idempotency_key = idempotency_key


class ApiIdempotencyError(ApiError, IdempotencyError):
    """409 ``idempotency_key_in_use`` or 422 ``idempotency_key_reused`` from the API."""


class NetworkError(MolamError):
    """The request could not be carried: ``kind`` is ``connect`` (never sent),
    ``after_send`` (may have reached Molam) or ``timeout``."""

    def __init__(self, message: str = "", *, kind: str = "connect", **fields: Any) -> None:
        super().__init__(message, **fields)
        self.kind = kind


class TimeoutError(NetworkError):  # noqa: A001 - the SDK's own, a NetworkError
    """No complete answer within the per-attempt timeout."""


class DecodeError(MolamError):
    """A 2xx answer whose body is not the expected JSON."""

    def __init__(
        self,
        message: str = "",
        *,
        status_code: int = 0,
        request_id: str | None = None,
        **fields: Any,
    ) -> None:
        super().__init__(message, **fields)
        self.status_code = status_code
        self.request_id = request_id


class CircuitOpenError(MolamError):
    """The client's circuit breaker is open: the call failed fast, without any request.
    ``retry_in`` is the number of seconds until a probe request is let through."""

    def __init__(self, message: str = "", *, retry_in: float = 0.0, **fields: Any) -> None:
        super().__init__(message, **fields)
        self.retry_in = retry_in


class OutcomeUnknownError(MolamError):
    """The call gave up after a request may have reached Molam (a failure after sending, a
    timeout, a 5xx): whether it took effect is unknown. Call again with
    ``idempotency_key=error.idempotency_key`` to finish it exactly once; ``last_error`` (also
    ``__cause__``) is why the call stopped."""

    def __init__(
        self,
        message: str = "",
        *,
        idempotency_key: str = "",
        last_error: MolamError | None = None,
        **fields: Any,
    ) -> None:
        super().__init__(message, **fields)
        self.idempotency_key = idempotency_key
        self.last_error = last_error
        self.__cause__ = last_error


class SignatureError(MolamError):
    """A webhook failed verification. ``reason``: ``missing_header``, ``duplicate_header``,
    ``malformed_header``,
    ``unknown_key_id``, ``timestamp_outside_tolerance``, ``signature_mismatch`` or
    ``unusable_secret`` (the secret given is empty or not printable ASCII)."""

    def __init__(
        self, message: str = "", *, reason: str = "invalid_signature", **fields: Any
    ) -> None:
        super().__init__(message, **fields)
        self.reason = reason


class InvalidEventError(MolamError):
    """A webhook whose signature verified but whose body is not a Molam event."""
