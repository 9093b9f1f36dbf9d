"""Typed errors every adapter raises, so the sync engine can react without knowing the platform.

- ``Throttled``: back off ``retry_after`` seconds, then retry.
- ``AuthFailed``: credentials rejected or refresh failed; alert an operator, do not retry blindly.
- ``ServerError``: the platform failed (5xx, timeout, connection); retry with backoff.
- ``RequestRejected``: the platform refused the request as invalid; retrying the same call will not help.
- ``AlreadyShipped`` (a ``RequestRejected``): a shipment push refused because the order already shows shipped
  under another tracking number, on a platform that takes one per order; ``shown`` is that number.
- ``ItemError`` (not an exception): one item of a batch failed; the rest succeeded.
- ``InvalidPayload``: a payload lacks a required field or has a malformed one; ``field`` names it.
"""

from dataclasses import dataclass


class MarketplaceError(Exception):
    retryable = False


class Throttled(MarketplaceError):
    retryable = True

    def __init__(self, retry_after: float, message: str = ""):
        self.retry_after = max(float(retry_after), 0.0)
        super().__init__(message or f"throttled; retry after {self.retry_after:.1f}s")


class AuthFailed(MarketplaceError):
    pass


class ServerError(MarketplaceError):
    retryable = True


class RequestRejected(MarketplaceError):
    pass


class AlreadyShipped(RequestRejected):
    def __init__(self, shown: str, message: str = ""):
        self.shown = shown
        super().__init__(message or f"the order already shows shipped with tracking number {shown}")


class InvalidPayload(MarketplaceError, ValueError):
    def __init__(self, field: str, message: str = ""):
        self.field = field
        super().__init__(message or f"payload field {field!r} is missing or malformed")


class UnknownPlatform(MarketplaceError, ValueError):
    def __init__(self, platform: str):
        self.platform = platform
        super().__init__(f"unknown platform {platform!r}; expected one of shopify, amazon, ebay, shopee, aliexpress")


@dataclass(frozen=True)
class ItemError:
    """One failed item of a batch call."""

    seller_sku: str
    code: str
    message: str
    retryable: bool = False
