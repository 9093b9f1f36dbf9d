"""Only the Shopee and AliExpress sandboxes, mounted where hub.marketplaces.sandbox.urls mounts them.

Keeps these contract tests independent of the other platforms' sandboxes (built in parallel).
"""

from django.urls import include, path

from hub.marketplaces.sandbox import aliexpress, shopee

urlpatterns = [
    path("sandbox/shopee/", include(shopee.urlpatterns)),
    path("sandbox/aliexpress/", include(aliexpress.urlpatterns)),
]
