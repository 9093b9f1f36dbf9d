"""Sandbox of Shopee Open Platform v2, served under /sandbox/shopee/ (paths as on partner.shopeemobile.com)."""

from django.urls import path

from . import views
from .state import credentials_of, listing_create, place_order, provision_shop, sandbox_base_url, set_order_updated

urlpatterns = [
    path("api/v2/auth/access_token/get", views.access_token_get),
    path("api/v2/order/get_order_list", views.get_order_list),
    path("api/v2/order/get_order_detail", views.get_order_detail),
    path("api/v2/product/update_stock", views.update_stock),
    path("api/v2/product/get_model_list", views.get_model_list),
    path("api/v2/logistics/get_shipping_parameter", views.get_shipping_parameter),
    path("api/v2/logistics/ship_order", views.ship_order),
    path("api/v2/logistics/get_tracking_number", views.get_tracking_number),
]

__all__ = [
    "credentials_of",
    "listing_create",
    "place_order",
    "provision_shop",
    "sandbox_base_url",
    "set_order_updated",
    "urlpatterns",
]
