"""An SP-API order (getOrders order object with its getOrderItems items under ``OrderItems``) -> CanonicalOrder.

Field names follow ``models/orders-api-model/ordersV0.json`` in github.com/amzn/selling-partner-api-models.
"""

from decimal import Decimal

from ..errors import InvalidPayload
from ..money import amount as money
from ..money import quantize
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

# OrderStatus enum of ordersV0.json. Amazon has no "refunded" order status (refunds are financial events).
STATUSES = {
    "Pending": OrderStatus.PENDING,
    "PendingAvailability": OrderStatus.PENDING,
    "Unshipped": OrderStatus.PAID,
    "PartiallyShipped": OrderStatus.SHIPPED,
    "Shipped": OrderStatus.SHIPPED,
    "InvoiceUnconfirmed": OrderStatus.SHIPPED,
    "Canceled": OrderStatus.CANCELLED,
    "Unfulfillable": OrderStatus.CANCELLED,
}


# Marketplace id -> currency (https://developer-docs.amazon.com/sp-api/docs/marketplace-ids); used when a
# Pending or Canceled order carries no amounts at all.
MARKETPLACE_CURRENCIES = {
    "ATVPDKIKX0DER": "USD",
    "A2EUQ1WTGCTBG2": "CAD",
    "A1AM78C64UM0Y8": "MXN",
    "A2Q3Y263D00KWC": "BRL",
    "A1PN6AFILU2W8O": "EUR",
    "A13V1IB3VIYZZH": "EUR",
    "APJ6JRA9NG5V4": "EUR",
    "A1RKKUPIHCS9HS": "EUR",
    "A1805IZSGTT6HS": "EUR",
    "AMEN7PMS3EDWL": "EUR",
    "A1F83G8C2ARO7P": "GBP",
    "A2NODRKZP88ZB9": "SEK",
    "A1C3SOZRARQ6R3": "PLN",
    "A33AVAJ2PDY3EV": "TRY",
    "A2VIGQ35RCS4UG": "AED",
    "A17E79C6D8DWNP": "SAR",
    "ARBP9OOSHTCHU": "EGP",
    "A21TJRUUN4KGV": "INR",
    "A1VC38T7YXB528": "JPY",
    "A39IBJ37TRP1C6": "AUD",
    "A19VAU5U5O7RUS": "SGD",
}


def order_status(payload: dict) -> str:
    status = required(payload, "OrderStatus")
    try:
        return STATUSES[status]
    except (KeyError, TypeError):
        raise InvalidPayload("OrderStatus", f"unknown Amazon OrderStatus {status!r}") from None


def _currency(payload: dict, items: list) -> str:
    """OrderTotal's currency; Pending and Canceled orders may lack it: then the items', then the marketplace's."""
    if optional(payload, "OrderTotal.CurrencyCode"):
        return currency_code(payload["OrderTotal"]["CurrencyCode"], "OrderTotal.CurrencyCode")
    for index, item in enumerate(items):
        code = optional(item, "ItemPrice.CurrencyCode")
        if code:
            return currency_code(code, f"OrderItems.{index}.ItemPrice.CurrencyCode")
    if payload.get("MarketplaceId") in MARKETPLACE_CURRENCIES:
        return MARKETPLACE_CURRENCIES[payload["MarketplaceId"]]
    raise InvalidPayload("OrderTotal.CurrencyCode", "order has no OrderTotal, priced items or known MarketplaceId")


def _line(item, index: int, currency: str) -> CanonicalLine:
    if not isinstance(item, dict):
        raise InvalidPayload(f"OrderItems.{index}")
    where = f"OrderItems.{index}."
    quantity = positive_int(required(item, "QuantityOrdered", where), where + "QuantityOrdered")
    amount = optional(item, "ItemPrice.Amount")
    line_total = money(amount, currency, where + "ItemPrice.Amount") if amount is not None else Decimal(0)
    return CanonicalLine(
        external_line_id=str(required(item, "OrderItemId", where)),
        sku=str(required(item, "SellerSKU", where)),
        quantity=quantity,
        unit_price=unit_price(line_total, quantity, currency),
        title=str(optional(item, "Title", "")),
    )


def _ship_to(payload: dict) -> ShipTo:
    """ShippingAddress is absent on Pending orders and its PII needs a Restricted Data Token."""
    address = optional(payload, "ShippingAddress", {})
    if not isinstance(address, dict):
        raise InvalidPayload("ShippingAddress")
    country = address.get("CountryCode")
    return ShipTo(
        name=address.get("Name") or "",
        country=country_code(country, "ShippingAddress.CountryCode") if country else "",
        city=address.get("City") or "",
        postal_code=address.get("PostalCode") or "",
        address1=address.get("AddressLine1") or "",
        address2=" ".join(filter(None, [address.get("AddressLine2"), address.get("AddressLine3")])),
        state=address.get("StateOrRegion") or "",
        phone=address.get("Phone") or "",
    )


def parse_order(payload: dict) -> CanonicalOrder:
    payload = order_object(payload)
    items = required(payload, "OrderItems")
    if not isinstance(items, list):
        raise InvalidPayload("OrderItems", "OrderItems must be a list")
    currency = _currency(payload, items)
    lines = tuple(_line(item, index, currency) for index, item in enumerate(items))
    if optional(payload, "OrderTotal.Amount") is not None:
        total = money(payload["OrderTotal"]["Amount"], currency, "OrderTotal.Amount")
    else:
        total = quantize(sum((line.unit_price * line.quantity for line in lines), Decimal(0)), currency)
    last_update = optional(payload, "LastUpdateDate")
    return CanonicalOrder(
        platform="amazon",
        external_id=str(required(payload, "AmazonOrderId")),
        status=order_status(payload),
        created_at=aware_datetime(required(payload, "PurchaseDate"), "PurchaseDate"),
        updated_at=aware_datetime(last_update, "LastUpdateDate") if last_update else None,
        currency=currency,
        total=total,
        ship_to=_ship_to(payload),
        lines=lines,
        buyer_email=str(optional(payload, "BuyerInfo.BuyerEmail", "")),
    )
