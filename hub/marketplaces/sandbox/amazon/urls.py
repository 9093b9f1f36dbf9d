from django.urls import path

from .listings import listings_item
from .lwa import lwa_token
from .notifications import delete_subscription, destinations, subscriptions
from .orders import get_order, get_order_items, get_orders
from .shipping import confirm_shipment
from .sqs import sqs_endpoint

urlpatterns = [
    path("auth/o2/token", lwa_token, name="sandbox-amazon-lwa-token"),
    path("orders/v0/orders", get_orders, name="sandbox-amazon-get-orders"),
    path("orders/v0/orders/<str:order_id>", get_order, name="sandbox-amazon-get-order"),
    path("orders/v0/orders/<str:order_id>/orderItems", get_order_items, name="sandbox-amazon-order-items"),
    path(
        "orders/v0/orders/<str:order_id>/shipmentConfirmation",
        confirm_shipment,
        name="sandbox-amazon-confirm-shipment",
    ),
    path("listings/2021-08-01/items/<str:seller_id>/<path:sku>", listings_item, name="sandbox-amazon-listings-item"),
    path("notifications/v1/destinations", destinations, name="sandbox-amazon-destinations"),
    path(
        "notifications/v1/subscriptions/<str:notification_type>",
        subscriptions,
        name="sandbox-amazon-subscriptions",
    ),
    path(
        "notifications/v1/subscriptions/<str:notification_type>/<str:subscription_id>",
        delete_subscription,
        name="sandbox-amazon-subscription",
    ),
    # The SQS JSON protocol posts to the service endpoint; the queue is named by QueueUrl in the body.
    path("sqs/", sqs_endpoint, name="sandbox-amazon-sqs"),
]
