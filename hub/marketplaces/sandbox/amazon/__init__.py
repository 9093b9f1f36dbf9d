"""Sandbox of the Amazon Selling Partner API: LWA tokens, Orders v0, Listings Items 2021-08-01, Notifications v1.

Amazon sends no HTTP pushes: ORDER_CHANGE notifications go to the SQS queue of each subscribed destination
(``events``, ``notifications``, ``sqs``).
"""

from .shop import listing_create, order_cancel, place_order, provision_shop, sandbox_base_url
from .urls import urlpatterns

__all__ = ["listing_create", "order_cancel", "place_order", "provision_shop", "sandbox_base_url", "urlpatterns"]
