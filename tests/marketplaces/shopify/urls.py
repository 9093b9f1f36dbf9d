"""Only the Shopify sandbox, mounted where hub.marketplaces.sandbox.urls mounts it, and a webhook receiver.

Keeps these contract tests independent of the other platforms' sandboxes (built in parallel).
"""

from django.urls import include, path

from hub.marketplaces.sandbox import shopify

from .receiver import receive

urlpatterns = [
    path("sandbox/shopify/", include(shopify.urlpatterns)),
    path("test-hooks/shopify", receive),
]
