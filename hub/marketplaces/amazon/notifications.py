"""ORDER_CHANGE notifications, as Amazon delivers them to the application's SQS queue.

Envelope (``schemas/notifications/OrderChangeNotification.json`` in amzn/selling-partner-api-models):
``{NotificationVersion, NotificationType, PayloadVersion, EventTime, Payload: {OrderChangeNotification:
{NotificationLevel, SellerId, AmazonOrderId, OrderChangeType, OrderChangeTrigger: {TimeOfOrderChange,
ChangeReason}, Summary: {MarketplaceId, OrderStatus, PurchaseDate, DestinationPostalCode, FulfillmentType,
OrderType, OrderItems: [{OrderItemId, SellerSKU, SupplySourceId, Quantity, ...}], ...}}},
NotificationMetadata: {ApplicationId, SubscriptionId, PublishTime, NotificationId}}``.

The summary names the seller SKUs and quantities but no buyer, no address (only the postal code)
and no prices: the order built from it has its details pending until the pull brings the full order.
An ``OrderItemLevel`` notification carries one item only, so it names the order without describing it.
"""

import json
from dataclasses import dataclass
from decimal import Decimal

from ..errors import InvalidPayload
from ..payload import aware_datetime, optional, positive_int, required
from ..types import CanonicalLine, CanonicalOrder, ShipTo
from .parsing import MARKETPLACE_CURRENCIES, order_status

ORDER_CHANGE = "ORDER_CHANGE"
PAYLOAD_VERSION = "1.0"
NOTIFICATIONS_SCOPE = "sellingpartnerapi::notifications"
_ORDER = "Payload.OrderChangeNotification."


@dataclass(frozen=True)
class Notification:
    notification_id: str
    notification_type: str
    seller_id: str
    order_id: str
    marketplace_id: str  # "" when the summary does not say
    whole_order: bool  # OrderLevel: the summary lists every item of the order
    envelope: dict


def read_notification(body: str) -> Notification:
    """Who and what a queue message is about; InvalidPayload when it is not an ORDER_CHANGE envelope."""
    try:
        envelope = json.loads(body)
    except (TypeError, ValueError):
        raise InvalidPayload("<root>", "the message body is not JSON") from None
    if not isinstance(envelope, dict):
        raise InvalidPayload("<root>", "the message body is not a JSON object")
    notification_type = str(required(envelope, "NotificationType"))
    if notification_type != ORDER_CHANGE:
        raise InvalidPayload("NotificationType", f"{notification_type} notifications are not subscribed")
    return Notification(
        notification_id=str(required(envelope, "NotificationMetadata.NotificationId")),
        notification_type=notification_type,
        seller_id=str(required(envelope, _ORDER + "SellerId")),
        order_id=str(required(envelope, _ORDER + "AmazonOrderId")),
        marketplace_id=str(optional(envelope, _ORDER + "Summary.MarketplaceId", "")),
        whole_order=optional(envelope, _ORDER + "NotificationLevel") != "OrderItemLevel",
        envelope=envelope,
    )


def parse_order_change(envelope: dict) -> CanonicalOrder:
    """The order as far as an OrderLevel ORDER_CHANGE describes it: lines (SellerSKU, Quantity), status,
    placed and changed times. Prices are zero and the address is the postal code alone."""
    summary = required(envelope, _ORDER + "Summary")
    items = required(summary, "OrderItems", _ORDER + "Summary.")
    if not isinstance(items, list) or not items:
        raise InvalidPayload(_ORDER + "Summary.OrderItems", "an order change without items")
    marketplace = str(required(summary, "MarketplaceId", _ORDER + "Summary."))
    if marketplace not in MARKETPLACE_CURRENCIES:
        raise InvalidPayload(_ORDER + "Summary.MarketplaceId", f"unknown marketplace {marketplace}")
    changed = optional(envelope, _ORDER + "OrderChangeTrigger.TimeOfOrderChange")
    placed = optional(summary, "PurchaseDate") or changed or required(envelope, "EventTime")
    return CanonicalOrder(
        platform="amazon",
        external_id=str(required(envelope, _ORDER + "AmazonOrderId")),
        status=order_status(summary),
        created_at=aware_datetime(placed, "PurchaseDate"),
        updated_at=aware_datetime(changed, "TimeOfOrderChange") if changed else None,
        currency=MARKETPLACE_CURRENCIES[marketplace],
        total=Decimal(0),
        ship_to=ShipTo(name="", country="", city="", postal_code=str(summary.get("DestinationPostalCode") or "")),
        lines=tuple(_line(item, index) for index, item in enumerate(items)),
    )


def _line(item, index: int) -> CanonicalLine:
    where = f"{_ORDER}Summary.OrderItems.{index}."
    if not isinstance(item, dict):
        raise InvalidPayload(where.rstrip("."))
    return CanonicalLine(
        external_line_id=str(required(item, "OrderItemId", where)),
        sku=str(required(item, "SellerSKU", where)),
        quantity=positive_int(required(item, "Quantity", where), where + "Quantity", allow_zero=False),
        unit_price=Decimal(0),
    )
