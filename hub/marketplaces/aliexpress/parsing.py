"""AliExpress order detail (``aliexpress.solution.order.info.get`` ``result.data``) -> CanonicalOrder.

The order list (``aliexpress.solution.order.get``) has no shipping address, so the hub stores and
parses the detail. Times are US Pacific wall-clock strings; amounts are decimal strings in
``amount`` (or ``amount_str`` on child orders) with ``currency_code``.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ..errors import InvalidPayload
from ..money import amount as money
from ..payload import country_code, currency_code, optional_text, order_object, positive_int, require
from ..types import CanonicalLine, CanonicalOrder, OrderStatus, ShipTo

PACIFIC = ZoneInfo("America/Los_Angeles")
COUNTRY_ALIASES = {"UK": "GB"}  # AliExpress writes the United Kingdom as UK
ENVELOPE = "aliexpress_solution_order_info_get_response"
STATUS_MAP = {
    "PLACE_ORDER_SUCCESS": OrderStatus.PENDING,  # placed, awaiting payment
    "RISK_CONTROL": OrderStatus.PENDING,  # payment under risk review
    "WAIT_SELLER_EXAMINE_MONEY": OrderStatus.PENDING,
    "WAIT_SELLER_SEND_GOODS": OrderStatus.PAID,
    "IN_CANCEL": OrderStatus.PAID,  # buyer asked to cancel; not cancelled yet
    "IN_FROZEN": OrderStatus.PAID,
    "SELLER_PART_SEND_GOODS": OrderStatus.SHIPPED,
    "WAIT_BUYER_ACCEPT_GOODS": OrderStatus.SHIPPED,
    "FUND_PROCESSING": OrderStatus.SHIPPED,
    "IN_ISSUE": OrderStatus.SHIPPED,
}


def pacific_time(value, path: str) -> datetime:
    """``2019-03-06 12:01:17`` (or without seconds) in US Pacific time, as aware UTC."""
    text = str(value).strip()
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            naive = datetime.strptime(text, pattern)  # noqa: DTZ007 - the zone is attached on the next line
        except ValueError:
            continue
        return naive.replace(tzinfo=PACIFIC).astimezone(UTC)
    raise InvalidPayload(path, f"payload field {path!r} is not a 'YYYY-MM-DD HH:MM:SS' time")


def order_status(payload: dict) -> str:
    raw = str(require(payload, "order_status", "order_status")).upper()
    if raw == "FINISH":
        # A finished order ended either by cancellation/closing or by completing the trade.
        reason = optional_text(payload, "order_end_reason").lower()
        if "refund" in reason:
            return OrderStatus.REFUNDED
        if any(word in reason for word in ("cancel", "close", "timeout")):
            return OrderStatus.CANCELLED
        return OrderStatus.SHIPPED
    try:
        return STATUS_MAP[raw]
    except KeyError:
        raise InvalidPayload("order_status", f"unknown AliExpress order_status {raw!r}") from None


def _amount(container, path: str):
    value = container.get("amount") if isinstance(container, dict) else None
    if value in (None, ""):
        value = require(container, "amount_str", f"{path}.amount")
    currency = currency_code(require(container, "currency_code", f"{path}.currency_code"), f"{path}.currency_code")
    return money(value, currency, f"{path}.amount"), currency


def parse_order(payload: dict) -> CanonicalOrder:
    payload = order_object(payload)
    if ENVELOPE in payload:  # the whole API answer rather than its result.data
        payload = require(require(payload[ENVELOPE], "result", f"{ENVELOPE}.result"), "data", "result.data")
    order_id = str(require(payload, "id", "id"))
    total, currency = _amount(require(payload, "order_amount", "order_amount"), "order_amount")
    children = require(
        require(payload, "child_order_list", "child_order_list"),
        "global_aeop_tp_child_order_dto",
        "child_order_list.global_aeop_tp_child_order_dto",
    )
    if not isinstance(children, list) or not children:
        raise InvalidPayload("child_order_list.global_aeop_tp_child_order_dto", "an order needs at least one line")
    return CanonicalOrder(
        platform="aliexpress",
        external_id=order_id,
        status=order_status(payload),
        created_at=pacific_time(require(payload, "gmt_create", "gmt_create"), "gmt_create"),
        updated_at=pacific_time(payload["gmt_modified"], "gmt_modified") if payload.get("gmt_modified") else None,
        currency=currency,
        total=total,
        ship_to=_ship_to(require(payload, "receipt_address", "receipt_address")),
        lines=tuple(_line(child, index) for index, child in enumerate(children)),
    )


def _line(child: dict, index: int) -> CanonicalLine:
    prefix = f"child_order_list.global_aeop_tp_child_order_dto[{index}]"
    line_id = (child.get("id") or child.get("child_order_id")) if isinstance(child, dict) else None
    if not line_id:
        raise InvalidPayload(f"{prefix}.id")
    unit_price, _ = _amount(require(child, "product_price", f"{prefix}.product_price"), f"{prefix}.product_price")
    return CanonicalLine(
        external_line_id=str(line_id),
        sku=str(require(child, "sku_code", f"{prefix}.sku_code")),
        quantity=positive_int(
            require(child, "product_count", f"{prefix}.product_count"), f"{prefix}.product_count", allow_zero=False
        ),
        unit_price=unit_price,
        title=optional_text(child, "product_name"),
    )


def _ship_to(address: dict) -> ShipTo:
    country = country_code(require(address, "country", "receipt_address.country"), "receipt_address.country")
    phone = " ".join(
        part for part in (optional_text(address, "phone_country"), optional_text(address, "mobile_no")) if part
    )
    return ShipTo(
        name=optional_text(address, "contact_person"),
        country=COUNTRY_ALIASES.get(country, country),
        city=optional_text(address, "city"),
        postal_code=optional_text(address, "zip"),
        address1=optional_text(address, "detail_address"),
        address2=optional_text(address, "address2"),
        state=optional_text(address, "province"),
        phone=phone,
    )
