"""ORDER_CHANGE notifications: what the Amazon sandbox queues when an order is created or changes status.

The envelope follows ``schemas/notifications/OrderChangeNotification.json`` (selling-partner-api-models):
``NotificationVersion``, ``NotificationType``, ``PayloadVersion``, ``EventTime``,
``Payload.OrderChangeNotification`` (``NotificationLevel``, ``SellerId``, ``AmazonOrderId``,
``OrderChangeType``, ``OrderChangeTrigger``, ``Summary``) and ``NotificationMetadata``. One message per
subscription of the seller, on the queue of its destination, in the transaction that changed the order.
Faults: ``duplicate_notification`` queues the message twice, ``reorder_notification`` makes it visible
``delay_seconds`` (default 2) late, so later changes can overtake it, as SQS standard queues allow.
"""

import json
import uuid
from datetime import UTC, datetime

from ..common import take_fault
from ..models import FaultKind, SandboxShop, SandboxSubscription
from .sqs import message_enqueue, queue_key_from_arn

ORDER_CHANGE = "ORDER_CHANGE"
PAYLOAD_VERSIONS = {ORDER_CHANGE: "1.0"}


def application_id(shop: SandboxShop) -> str:
    """The application of the shop's LWA client (the sandbox has one application per shop)."""
    return "amzn1.sellerapps.app." + str(uuid.uuid5(uuid.NAMESPACE_URL, shop.secrets.get("client_id", shop.shop_id)))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def order_summary(payload: dict) -> dict:
    """``Summary`` of an order as getOrders/getOrderItems describe it (no buyer, no prices, no address
    beyond the postal code). ``EasyShipShipmentStatus`` is sent only for Easy Ship orders (none here)."""
    return {
        "MarketplaceId": payload["MarketplaceId"],
        "OrderStatus": payload["OrderStatus"],
        "PurchaseDate": payload["PurchaseDate"],
        "DestinationPostalCode": (payload.get("ShippingAddress") or {}).get("PostalCode"),
        "FulfillmentType": payload.get("FulfillmentChannel", "MFN"),
        "OrderType": payload.get("OrderType", "StandardOrder"),
        "NumberOfItemsShipped": payload.get("NumberOfItemsShipped", 0),
        "NumberOfItemsUnshipped": payload.get("NumberOfItemsUnshipped", 0),
        "EarliestShipDate": payload.get("EarliestShipDate"),
        "LatestShipDate": payload.get("LatestShipDate"),
        "OrderPrograms": ["Prime"] if payload.get("IsPrime") else [],
        "ShippingPrograms": [],
        "ElectronicInvoiceStatus": "NotRequired",
        "OrderItems": [
            {
                "OrderItemId": item["OrderItemId"],
                "SellerSKU": item["SellerSKU"],
                "SupplySourceId": None,
                "Quantity": item["QuantityOrdered"],
                "QuantityShipped": item.get("QuantityShipped", 0),
            }
            for item in payload.get("OrderItems", [])
        ],
    }


def order_change_envelope(shop: SandboxShop, subscription_id: str, payload: dict, change_type: str, reason: str):
    now = _now()
    return {
        "NotificationVersion": "1.0",
        "NotificationType": ORDER_CHANGE,
        "PayloadVersion": PAYLOAD_VERSIONS[ORDER_CHANGE],
        "EventTime": now,
        "Payload": {
            "OrderChangeNotification": {
                "NotificationLevel": "OrderLevel",
                "SellerId": shop.shop_id,
                "AmazonOrderId": payload["AmazonOrderId"],
                "OrderChangeType": change_type,
                "OrderChangeTrigger": {"TimeOfOrderChange": payload.get("LastUpdateDate"), "ChangeReason": reason},
                "Summary": order_summary(payload),
            }
        },
        "NotificationMetadata": {
            "ApplicationId": application_id(shop),
            "SubscriptionId": subscription_id,
            "PublishTime": now,
            "NotificationId": str(uuid.uuid4()),
        },
    }


def order_change_publish(
    shop: SandboxShop, payload: dict, *, change_type: str = "OrderStatusChange", reason: str = ""
) -> int:
    """Queue an ORDER_CHANGE for the order ``payload`` (as getOrders + items) to every subscribed destination.

    Runs in the caller's transaction; returns how many messages were queued.
    """
    queued = 0
    subscriptions = SandboxSubscription.objects.filter(shop=shop, notification_type=ORDER_CHANGE).select_related(
        "destination"
    )
    for subscription in subscriptions:
        queue = queue_key_from_arn(subscription.destination.arn)
        if not queue:
            continue
        body = json.dumps(order_change_envelope(shop, subscription.subscription_id, payload, change_type, reason))
        copies = 2 if take_fault(shop.platform, shop.shop_id, ORDER_CHANGE, [FaultKind.DUPLICATE_NOTIFICATION]) else 1
        late = take_fault(shop.platform, shop.shop_id, ORDER_CHANGE, [FaultKind.REORDER_NOTIFICATION])
        delay = (late.delay_seconds or 2.0) if late else 0
        for _ in range(copies):
            message_enqueue(queue, body, delay_seconds=delay)
            queued += 1
    return queued
