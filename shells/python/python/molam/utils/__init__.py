"""Utilities: webhook signatures (``molam.utils.webhook``)."""

from . import webhook

__all__ = ["webhook"]
