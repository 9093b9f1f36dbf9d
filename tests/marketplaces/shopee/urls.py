"""Only the Shopee and AliExpress sandboxes, mounted where hub.marketplaces.sandbox.urls mounts them.

Keeps these contract tests independent of the other platforms' sandboxes (built in parallel).
"""

from django.urls import include, path

from hub.marketplaces.sandbox import aliexpress, shopee

from .receiver import shopee_push

urlpatterns = [
    path("receiver/shopee/<str:shop_id>/", shopee_push),
    path("sandbox/shopee/", include(shopee.urlpatterns)),
    path("sandbox/aliexpress/", include(aliexpress.urlpatterns)),
]
