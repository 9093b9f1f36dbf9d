"""Shopee ``get_order_detail`` order object -> CanonicalOrder.

The payload is one element of ``response.order_list`` of ``GET /api/v2/order/get_order_detail``
requested with ``response_optional_fields`` including ``recipient_address,item_list,total_amount``.
"""

from decimal import Decimal

from ..errors import InvalidPayload
from ..money import amount as money
from ..payload import country_code, currency_code, from_unix, optional_text, order_object, positive_int, require
from ..types import CanonicalLine, CanonicalOrder, OrderStatus, ShipTo

# https://open.shopee.com/developer-guide/229 (order status flow); IN_CANCEL is a cancellation
# request the seller may still refuse, so the order stays "paid" until CANCELLED.
STATUS_MAP = {
    "UNPAID": OrderStatus.PENDING,
    "PENDING": OrderStatus.PENDING,
    "READY_TO_SHIP": OrderStatus.PAID,
    "PROCESSED": OrderStatus.PAID,
    "RETRY_SHIP": OrderStatus.PAID,
    "INVOICE_PENDING": OrderStatus.PAID,
    "IN_CANCEL": OrderStatus.PAID,
    "SHIPPED": OrderStatus.SHIPPED,
    "TO_CONFIRM_RECEIVE": OrderStatus.SHIPPED,
    "COMPLETED": OrderStatus.SHIPPED,
    "CANCELLED": OrderStatus.CANCELLED,
    "TO_RETURN": OrderStatus.REFUNDED,
}


def parse_order(payload: dict) -> CanonicalOrder:
    payload = order_object(payload)
    order_sn = str(require(payload, "order_sn", "order_sn"))
    raw_status = str(require(payload, "order_status", "order_status")).upper()
    try:
        status = STATUS_MAP[raw_status]
    except KeyError:
        raise InvalidPayload("order_status", f"unknown Shopee order_status {raw_status!r}") from None
    currency = currency_code(require(payload, "currency", "currency"), "currency")
    created_at = from_unix(require(payload, "create_time", "create_time"), "create_time")
    updated_at = from_unix(payload["update_time"], "update_time") if payload.get("update_time") else None

    items = require(payload, "item_list", "item_list")
    if not isinstance(items, list) or not items:
        raise InvalidPayload("item_list", "payload field 'item_list' must be a non-empty list")
    lines = tuple(_line(item, index, currency) for index, item in enumerate(items))

    if payload.get("total_amount") is not None:
        total = money(payload["total_amount"], currency, "total_amount")
    else:
        total = sum((line.unit_price * line.quantity for line in lines), Decimal(0))

    return CanonicalOrder(
        platform="shopee",
        external_id=order_sn,
        status=status,
        created_at=created_at,
        updated_at=updated_at,
        currency=currency,
        total=total,
        ship_to=_ship_to(payload),
        lines=lines,
    )


def _line(item: dict, index: int, currency: str) -> CanonicalLine:
    prefix = f"item_list[{index}]"
    item_id = require(item, "item_id", f"{prefix}.item_id")
    model_id = item.get("model_id") or 0
    # Items without variations have model_id 0 and an empty model_sku; their SKU is item_sku.
    sku = optional_text(item, "model_sku") or optional_text(item, "item_sku")
    if not sku:
        raise InvalidPayload(f"{prefix}.model_sku", f"payload field '{prefix}.model_sku' and item_sku are empty")
    quantity = positive_int(
        require(item, "model_quantity_purchased", f"{prefix}.model_quantity_purchased"),
        f"{prefix}.model_quantity_purchased",
        allow_zero=False,
    )
    if item.get("model_discounted_price") not in (None, ""):
        price_field = "model_discounted_price"
    else:
        price_field = "model_original_price"
    unit_price = money(require(item, price_field, f"{prefix}.{price_field}"), currency, f"{prefix}.{price_field}")
    return CanonicalLine(
        external_line_id=f"{item_id}-{model_id}",
        sku=sku,
        quantity=quantity,
        unit_price=unit_price,
        title=optional_text(item, "item_name"),
    )


def _ship_to(payload: dict) -> ShipTo:
    address = payload.get("recipient_address")
    if address is not None and not isinstance(address, dict):
        raise InvalidPayload("recipient_address", "payload field 'recipient_address' is not an object")
    address = address or {}
    # The recipient's region, else the order's market (Shopee sells within one market per shop).
    if address.get("region"):
        country = country_code(address["region"], "recipient_address.region")
    else:
        country = country_code(require(payload, "region", "region"), "region")
    return ShipTo(
        name=optional_text(address, "name"),
        country=country,
        city=optional_text(address, "city") or optional_text(address, "district") or optional_text(address, "town"),
        postal_code=optional_text(address, "zipcode"),
        address1=optional_text(address, "full_address"),
        state=optional_text(address, "state"),
        phone=optional_text(address, "phone"),
    )
