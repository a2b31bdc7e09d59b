"""Testing helpers: ``MockServer``, the stateful local Molam API, in-process.

>>> from molam import MolamClient
>>> from molam.testing import MockServer
>>> with MockServer() as mock:
...     client = MolamClient(mock.config())
...     intent = client.create_payment_intent(amount=2500, currency="XOF")
...     intent.status
'requires_payment_method'
"""

from ._molam import MockServer

__all__ = ["MockServer"]
