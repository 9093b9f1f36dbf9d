"""An eBay Fulfillment API ``Order`` (getOrders / getOrder) -> CanonicalOrder.

Field names from the Fulfillment API reference (https://developer.ebay.com/api-docs/sell/fulfillment/types/sel:Order).
"""

from ..errors import InvalidPayload
from ..money import amount as money
from ..payload import (
    aware_datetime,
    country_code,
    currency_code,
    optional,
    order_object,
    positive_int,
    required,
    unit_price,
)
from ..types import CanonicalLine, CanonicalOrder, OrderStatus, ShipTo

PAYMENT_STATUSES = {
    "PENDING": OrderStatus.PENDING,
    "FAILED": OrderStatus.PENDING,
    "PAID": OrderStatus.PAID,
    "PARTIALLY_REFUNDED": OrderStatus.PAID,
    "FULLY_REFUNDED": OrderStatus.REFUNDED,
}
SHIPPED_FULFILMENT = ("IN_PROGRESS", "FULFILLED")


def order_status(payload: dict) -> str:
    """Cancellation wins, then a full refund, then shipping progress, then payment."""
    payment = required(payload, "orderPaymentStatus")
    if payment not in PAYMENT_STATUSES:
        raise InvalidPayload("orderPaymentStatus", f"unknown eBay orderPaymentStatus {payment!r}")
    if optional(payload, "cancelStatus.cancelState") == "CANCELED":
        return OrderStatus.CANCELLED
    if payment == "FULLY_REFUNDED":
        return OrderStatus.REFUNDED
    if required(payload, "orderFulfillmentStatus") in SHIPPED_FULFILMENT:
        return OrderStatus.SHIPPED
    return PAYMENT_STATUSES[payment]


def _line(item, index: int, currency: str) -> CanonicalLine:
    where = f"lineItems.{index}."
    if not isinstance(item, dict):
        raise InvalidPayload(f"lineItems.{index}")
    quantity = positive_int(required(item, "quantity", where), where + "quantity")
    cost = required(item, "lineItemCost", where)
    line_currency = currency_code(required(cost, "currency", where + "lineItemCost."), where + "lineItemCost.currency")
    if line_currency != currency:
        raise InvalidPayload(where + "lineItemCost.currency", "line currency differs from the order total's")
    line_total = money(required(cost, "value", where + "lineItemCost."), currency, where + "lineItemCost.value")
    return CanonicalLine(
        external_line_id=str(required(item, "lineItemId", where)),
        # sku is returned only when the seller defined one; the listing id stands in for it otherwise
        sku=str(item.get("sku") or required(item, "legacyItemId", where)),
        quantity=quantity,
        unit_price=unit_price(line_total, quantity, currency),
        title=str(item.get("title") or ""),
    )


def _ship_to(payload: dict) -> ShipTo:
    """The first SHIP_TO instruction's address; digital or pick-up orders may have none."""
    instructions = optional(payload, "fulfillmentStartInstructions", [])
    step = next((i.get("shippingStep") for i in instructions if isinstance(i, dict) and i.get("shippingStep")), None)
    ship_to = (step or {}).get("shipTo") or {}
    address = ship_to.get("contactAddress") or {}
    country = address.get("countryCode")
    field = "fulfillmentStartInstructions.0.shippingStep.shipTo.contactAddress.countryCode"
    return ShipTo(
        name=ship_to.get("fullName") or "",
        country=country_code(country, field) if country else "",
        city=address.get("city") or "",
        postal_code=address.get("postalCode") or "",
        address1=address.get("addressLine1") or "",
        address2=address.get("addressLine2") or "",
        state=address.get("stateOrProvince") or "",
        phone=optional(ship_to, "primaryPhone.phoneNumber", ""),
    )


def parse_order(payload: dict) -> CanonicalOrder:
    payload = order_object(payload)
    currency = currency_code(required(payload, "pricingSummary.total.currency"), "pricingSummary.total.currency")
    total = money(required(payload, "pricingSummary.total.value"), currency, "pricingSummary.total.value")
    items = required(payload, "lineItems")
    if not isinstance(items, list):
        raise InvalidPayload("lineItems", "lineItems must be a list")
    modified = optional(payload, "lastModifiedDate")
    ship_to = _ship_to(payload)
    email = optional(payload, "buyer.buyerRegistrationAddress.email", "")
    return CanonicalOrder(
        platform="ebay",
        external_id=str(required(payload, "orderId")),
        status=order_status(payload),
        created_at=aware_datetime(required(payload, "creationDate"), "creationDate"),
        updated_at=aware_datetime(modified, "lastModifiedDate") if modified else None,
        currency=currency,
        total=total,
        ship_to=ship_to,
        lines=tuple(_line(item, index, currency) for index, item in enumerate(items)),
        buyer_email=str(email or ""),
    )
