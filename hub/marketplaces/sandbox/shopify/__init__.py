"""Sandbox Shopify: the Admin API of one fake store per shop, under /sandbox/shopify/<shop>/.

Paths as on https://<shop>.myshopify.com: ``admin/api/<version>/orders.json``,
``orders/<id>.json``, ``orders/<id>/fulfillment_orders.json``, ``fulfillments.json``,
``graphql.json`` and ``admin/oauth/access_token``.
"""

from django.urls import path

from . import graphql, oauth, rest
from .shop import cancel_order, listing_create, place_order, provision_shop, sandbox_base_url

__all__ = ["cancel_order", "listing_create", "place_order", "provision_shop", "sandbox_base_url", "urlpatterns"]

_API = "<str:shop_id>/admin/api/<str:version>/"

urlpatterns = [
    path("<str:shop_id>/admin/oauth/access_token", oauth.access_token, name="sandbox-shopify-token"),
    path(_API + "orders.json", rest.orders_list, name="sandbox-shopify-orders"),
    path(_API + "orders/<int:order_id>.json", rest.order_get, name="sandbox-shopify-order"),
    path(
        _API + "orders/<int:order_id>/fulfillment_orders.json",
        rest.fulfillment_orders,
        name="sandbox-shopify-fulfillment-orders",
    ),
    path(_API + "orders/<int:order_id>/fulfillments.json", rest.legacy_fulfillments, name="sandbox-shopify-legacy"),
    path(_API + "fulfillments.json", rest.fulfillment_create, name="sandbox-shopify-fulfillments"),
    path(_API + "graphql.json", graphql.graphql, name="sandbox-shopify-graphql"),
]
