"""Shopify REST Admin ``Order`` payloads (orders.json, orders/{id}.json, orders/* webhooks) to CanonicalOrder.

Status, in order of precedence:
- ``cancelled_at`` set -> cancelled (a cancelled order stays cancelled even when also refunded);
- ``financial_status`` refunded -> refunded, voided -> cancelled;
- ``fulfillment_status`` fulfilled or partial -> shipped;
- ``financial_status`` paid, partially_paid, partially_refunded, authorized -> paid
  (authorized: payment held, merchants ship and capture on fulfilment);
- otherwise (pending, expired, missing) -> pending.

Money is the shop currency (``currency``, ``total_price``, line ``price``), a decimal string,
scaled to the currency's minor unit; an amount with more decimals than the currency has is
rejected rather than rounded.
"""

import re
from decimal import Decimal

from ..errors import InvalidPayload
from ..money import exact_amount
from ..payload import aware_datetime as timestamp
from ..payload import order_object
from ..types import CanonicalLine, CanonicalOrder, OrderStatus, ShipTo

PLATFORM = "shopify"

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")

_CANCELLED_FINANCIAL = {"voided"}
_PAID_FINANCIAL = {"paid", "partially_paid", "partially_refunded", "authorized"}
_SHIPPED_FULFILMENT = {"fulfilled", "partial"}


def money(value, currency: str, field: str) -> Decimal:
    """A Shopify decimal string as a Decimal with the currency's scale; never rounds."""
    if value is None or isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidPayload(field)
    return exact_amount(value, currency, field)


def required(mapping: dict, key: str, field: str | None = None):
    value = mapping.get(key)
    if value is None or value == "":
        raise InvalidPayload(field or key)
    return value


def order_status(payload: dict) -> str:
    financial = payload.get("financial_status") or ""
    if payload.get("cancelled_at") or financial in _CANCELLED_FINANCIAL:
        return OrderStatus.CANCELLED
    if financial == "refunded":
        return OrderStatus.REFUNDED
    if payload.get("fulfillment_status") in _SHIPPED_FULFILMENT:
        return OrderStatus.SHIPPED
    if financial in _PAID_FINANCIAL:
        return OrderStatus.PAID
    return OrderStatus.PENDING


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def ship_to(address) -> ShipTo:
    """``shipping_address`` is absent for orders that need no shipping (digital goods, pickup)."""
    if address is None:
        return ShipTo(name="", country="", city="", postal_code="")
    if not isinstance(address, dict):
        raise InvalidPayload("shipping_address")
    country = address.get("country_code")
    if not isinstance(country, str) or not _COUNTRY.match(country):
        raise InvalidPayload("shipping_address.country_code")
    name = _text(address.get("name")) or " ".join(
        part for part in (_text(address.get("first_name")), _text(address.get("last_name"))) if part
    )
    return ShipTo(
        name=name,
        country=country,
        city=_text(address.get("city")),
        postal_code=_text(address.get("zip")),
        address1=_text(address.get("address1")),
        address2=_text(address.get("address2")),
        state=_text(address.get("province_code")) or _text(address.get("province")),
        phone=_text(address.get("phone")),
    )


def order_line(line, index: int, currency: str) -> CanonicalLine:
    prefix = f"line_items[{index}]"
    if not isinstance(line, dict):
        raise InvalidPayload(prefix)
    quantity = required(line, "quantity", f"{prefix}.quantity")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
        raise InvalidPayload(f"{prefix}.quantity")
    return CanonicalLine(
        external_line_id=str(required(line, "id", f"{prefix}.id")),
        sku=_text(line.get("sku")),
        quantity=quantity,
        unit_price=money(line.get("price"), currency, f"{prefix}.price"),
        title=_text(line.get("name")) or _text(line.get("title")),
    )


def parse_order(payload: dict) -> CanonicalOrder:
    payload = order_object(payload)
    currency = required(payload, "currency")
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        raise InvalidPayload("currency")
    lines = payload.get("line_items")
    if not isinstance(lines, list):
        raise InvalidPayload("line_items")
    updated_at = payload.get("updated_at")
    customer = payload.get("customer") if isinstance(payload.get("customer"), dict) else {}
    return CanonicalOrder(
        platform=PLATFORM,
        external_id=str(required(payload, "id")),
        status=order_status(payload),
        created_at=timestamp(required(payload, "created_at"), "created_at"),
        currency=currency,
        total=money(payload.get("total_price"), currency, "total_price"),
        ship_to=ship_to(payload.get("shipping_address")),
        lines=tuple(order_line(line, index, currency) for index, line in enumerate(lines)),
        updated_at=timestamp(updated_at, "updated_at") if updated_at is not None else None,
        buyer_email=_text(payload.get("email")) or _text(customer.get("email")),
    )
