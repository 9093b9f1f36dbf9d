"""Sandbox of the Amazon Selling Partner API: LWA tokens, Orders v0, Listings Items 2021-08-01.

Amazon sends no HTTP pushes (order notifications go to SQS/EventBridge), so this sandbox sends none.
"""

from .shop import listing_create, place_order, provision_shop, sandbox_base_url
from .urls import urlpatterns

__all__ = ["listing_create", "place_order", "provision_shop", "sandbox_base_url", "urlpatterns"]
