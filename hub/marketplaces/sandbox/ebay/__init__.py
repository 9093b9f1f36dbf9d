"""Sandbox of the eBay Sell APIs: OAuth tokens, Fulfillment v1, Inventory v1, signed Notification API pushes."""

from .shop import listing_create, place_order, provision_shop, sandbox_base_url
from .urls import urlpatterns

__all__ = ["listing_create", "place_order", "provision_shop", "sandbox_base_url", "urlpatterns"]
