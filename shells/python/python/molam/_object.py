"""The type of every object the API returns: a ``dict`` whose keys are also attributes."""

from __future__ import annotations

from typing import Any


class MolamObject(dict):  # type: ignore[type-arg]
    """An API object as the seed's dicts (``intent["id"]``) with attribute access
    (``intent.id``, ``intent.last_payment_error.code``). Nested objects are ``MolamObject``\\ s
    too. ``response`` tells where the answer came from: its ``request_id``, the
    ``idempotency_key`` used, and ``idempotent_replayed``.
    """

    __slots__ = ("_response",)

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(
                f"{type(self).__name__} has no field {name!r}"
            ) from None

    @property
    def response(self) -> dict[str, Any]:
        """The facts of the HTTP answer this object came from (empty for nested objects)."""
        try:
            return self._response  # type: ignore[no-any-return]
        except AttributeError:
            return {}

    @property
    def request_id(self) -> str | None:
        """The ``X-Request-Id`` of the answer this object came from, if any."""
        return self.response.get("request_id")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict.__repr__(self)})"
