"""Sandbox of the AliExpress Open Platform (IOP), served under /sandbox/aliexpress/ like api-sg.aliexpress.com."""

from django.urls import path

from . import views
from .state import credentials_of, listing_create, place_order, provision_shop, sandbox_base_url, set_order_updated

urlpatterns = [
    path("sync", views.sync),
    path("rest/auth/token/refresh", views.token_refresh),
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
