"""Only the sandboxes these tests use, so that another platform's unfinished sandbox module cannot break them."""

from django.urls import include, path

urlpatterns = [
    path("sandbox/amazon/", include("hub.marketplaces.sandbox.amazon.urls")),
    path("sandbox/ebay/", include("hub.marketplaces.sandbox.ebay.urls")),
]
