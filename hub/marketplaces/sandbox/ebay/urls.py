from django.urls import path

from .fulfillment import get_order, get_orders, shipping_fulfillment
from .identity import oauth_token
from .inventory import bulk_get_inventory_item, bulk_update_price_quantity, get_inventory_item
from .notification import get_public_key

urlpatterns = [
    path("identity/v1/oauth2/token", oauth_token, name="sandbox-ebay-token"),
    path("sell/fulfillment/v1/order", get_orders, name="sandbox-ebay-get-orders"),
    path("sell/fulfillment/v1/order/<str:order_id>", get_order, name="sandbox-ebay-get-order"),
    path(
        "sell/fulfillment/v1/order/<str:order_id>/shipping_fulfillment",
        shipping_fulfillment,
        name="sandbox-ebay-shipping-fulfillment",
    ),
    path(
        "sell/inventory/v1/bulk_update_price_quantity",
        bulk_update_price_quantity,
        name="sandbox-ebay-bulk-update-price-quantity",
    ),
    path("sell/inventory/v1/bulk_get_inventory_item", bulk_get_inventory_item, name="sandbox-ebay-bulk-get"),
    path("sell/inventory/v1/inventory_item/<path:sku>", get_inventory_item, name="sandbox-ebay-inventory-item"),
    path("commerce/notification/v1/public_key/<str:public_key_id>", get_public_key, name="sandbox-ebay-public-key"),
]
