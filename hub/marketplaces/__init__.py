"""Marketplace adapters behind one interface, and the functions the rest of the hub uses.

``parse_order(platform, payload)`` and ``verify_webhook(platform, headers, body, secret)``
are the public entry points; ``adapter_for_account`` builds an adapter for a stored account.
"""

from .errors import InvalidPayload, UnknownPlatform
from .registry import adapter_class
from .types import CanonicalLine, CanonicalOrder, OrderStatus, ShipTo

__all__ = [
    "CanonicalLine",
    "CanonicalOrder",
    "InvalidPayload",
    "OrderStatus",
    "ShipTo",
    "UnknownPlatform",
    "adapter_for_account",
    "parse_order",
    "verify_webhook",
]


def parse_order(platform: str, payload: dict) -> CanonicalOrder:
    if not isinstance(payload, dict):
        raise InvalidPayload("<root>", "order payload must be a JSON object")
    return adapter_class(platform).parse_order(payload)


def verify_webhook(platform: str, headers: dict, body: bytes, secret: str) -> bool:
    return adapter_class(platform).verify_webhook(headers, body, secret)


def adapter_for_account(account, client=None):
    """An adapter for a ``sellers.MarketplaceAccount``, with its tokens kept in the account row."""
    from sellers.services import AccountCredentialStore

    from .types import AccountConfig

    config = AccountConfig(
        platform=account.platform,
        shop_id=account.shop_id,
        region=account.region,
        base_url=account.base_url,
        credentials=AccountCredentialStore(account.pk),
        settings=dict(account.settings),
    )
    return adapter_class(account.platform)(config, client=client)
