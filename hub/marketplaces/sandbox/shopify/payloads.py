"""JSON exactly as the REST Admin API shapes it: Order, FulfillmentOrder, Fulfillment.

Written from the examples of https://shopify.dev/docs/api/admin-rest/latest/resources/order,
.../fulfillmentorder and .../fulfillment. Times are in the shop's UTC offset, money is a
decimal string in the shop currency with the currency's minor unit, ids are int64.
"""

import random
import secrets
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from hub.marketplaces.money import minor_units

from ..common import Buyer

COUNTRY_NAMES = {
    "US": "United States",
    "DE": "Germany",
    "JP": "Japan",
    "VN": "Vietnam",
    "MY": "Malaysia",
    "FR": "France",
    "GB": "United Kingdom",
    "BR": "Brazil",
}


def new_id() -> int:
    return random.randint(10**12, 10**13 - 1)


def fulfillment_order_id(order_id: int) -> int:
    """One fulfillment order per sandbox order (one location); its id is derived, not stored."""
    return order_id * 10 + 1


def fulfillment_order_line_id(line_item_id: int) -> int:
    return line_item_id * 10 + 1


def shop_time(shop, moment: datetime) -> str:
    hours, _, minutes = shop.data.get("utc_offset", "-05:00").partition(":")
    sign = -1 if hours.startswith("-") else 1
    offset = timezone(sign * timedelta(hours=abs(int(hours)), minutes=int(minutes or 0)))
    return moment.astimezone(offset).replace(microsecond=0).isoformat()


def amount(value, currency: str) -> str:
    places = minor_units(currency)
    return str(Decimal(value).quantize(Decimal(1).scaleb(-places)))


def money_set(value: str, currency: str) -> dict:
    money = {"amount": value, "currency_code": currency}
    return {"shop_money": money, "presentment_money": dict(money)}


def address(buyer: Buyer) -> dict:
    first, _, last = buyer.name.partition(" ")
    return {
        "first_name": first,
        "address1": buyer.address1,
        "phone": buyer.phone,
        "city": buyer.city,
        "zip": buyer.postal_code,
        "province": buyer.state or None,
        "country": COUNTRY_NAMES.get(buyer.country, buyer.country),
        "last_name": last,
        "address2": None,
        "company": None,
        "latitude": None,
        "longitude": None,
        "name": buyer.name,
        "country_code": buyer.country,
        "province_code": buyer.state or None,
    }


def line_item(listing, quantity: int, currency: str, vendor: str) -> dict:
    line_id = new_id()
    price = amount(listing.price, currency)
    zero = amount(0, currency)
    return {
        "id": line_id,
        "admin_graphql_api_id": f"gid://shopify/LineItem/{line_id}",
        "attributed_staffs": [],
        "current_quantity": quantity,
        "fulfillable_quantity": quantity,
        "fulfillment_service": "manual",
        "fulfillment_status": None,
        "gift_card": False,
        "grams": 500,
        "name": listing.title or listing.seller_sku,
        "price": price,
        "price_set": money_set(price, currency),
        "product_exists": True,
        "product_id": int(listing.listing_id),
        "properties": [],
        "quantity": quantity,
        "requires_shipping": True,
        "sku": listing.seller_sku,
        "taxable": True,
        "title": listing.title or listing.seller_sku,
        "total_discount": zero,
        "total_discount_set": money_set(zero, currency),
        "variant_id": int(listing.variant_id),
        "variant_inventory_management": "shopify",
        "variant_title": None,
        "vendor": vendor,
        "tax_lines": [],
        "duties": [],
        "discount_allocations": [],
    }


def order(shop, order_id: int, number: int, lines: list, buyer: Buyer, now: datetime) -> dict:
    currency = shop.data.get("currency", "USD")
    items = [line_item(listing, quantity, currency, shop.name or shop.shop_id) for listing, quantity in lines]
    subtotal = amount(sum(Decimal(item["price"]) * item["quantity"] for item in items), currency)
    zero = amount(0, currency)
    stamp = shop_time(shop, now)
    first, _, last = buyer.name.partition(" ")
    customer_id = new_id()
    return {
        "id": order_id,
        "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
        "app_id": 580111,
        "browser_ip": None,
        "buyer_accepts_marketing": False,
        "cancel_reason": None,
        "cancelled_at": None,
        "cart_token": None,
        "checkout_id": new_id(),
        "checkout_token": secrets.token_hex(16),
        "closed_at": None,
        "confirmation_number": secrets.token_hex(5).upper()[:9],
        "confirmed": True,
        "contact_email": buyer.email,
        "created_at": stamp,
        "currency": currency,
        "current_subtotal_price": subtotal,
        "current_subtotal_price_set": money_set(subtotal, currency),
        "current_total_discounts": zero,
        "current_total_price": subtotal,
        "current_total_price_set": money_set(subtotal, currency),
        "current_total_tax": zero,
        "current_total_tax_set": money_set(zero, currency),
        "customer_locale": "en",
        "discount_codes": [],
        "email": buyer.email,
        "estimated_taxes": False,
        "financial_status": "paid",
        "fulfillment_status": None,
        "name": f"#{number}",
        "note": None,
        "note_attributes": [],
        "number": number - 1000,
        "order_number": number,
        "payment_gateway_names": ["bogus"],
        "phone": buyer.phone,
        "presentment_currency": currency,
        "processed_at": stamp,
        "source_name": "web",
        "subtotal_price": subtotal,
        "subtotal_price_set": money_set(subtotal, currency),
        "tags": "",
        "tax_lines": [],
        "taxes_included": False,
        "test": False,
        "total_discounts": zero,
        "total_discounts_set": money_set(zero, currency),
        "total_line_items_price": subtotal,
        "total_line_items_price_set": money_set(subtotal, currency),
        "total_outstanding": zero,
        "total_price": subtotal,
        "total_price_set": money_set(subtotal, currency),
        "total_shipping_price_set": money_set(zero, currency),
        "total_tax": zero,
        "total_tax_set": money_set(zero, currency),
        "total_weight": sum(item["grams"] * item["quantity"] for item in items),
        "updated_at": stamp,
        "billing_address": address(buyer),
        "customer": {
            "id": customer_id,
            "email": buyer.email,
            "first_name": first,
            "last_name": last,
            "phone": buyer.phone,
            "currency": currency,
            "admin_graphql_api_id": f"gid://shopify/Customer/{customer_id}",
        },
        "fulfillments": [],
        "line_items": items,
        "refunds": [],
        "shipping_address": address(buyer),
        "shipping_lines": [],
    }


def fulfillment_order(shop, sandbox_order, inventory_items: dict[str, str]) -> dict:
    """The order's one fulfillment order, with what is left to fulfil."""
    payload = sandbox_order.payload
    order_id = payload["id"]
    fo_id = fulfillment_order_id(order_id)
    location_id = shop.data["location_id"]
    lines = [
        {
            "id": fulfillment_order_line_id(line["id"]),
            "shop_id": shop.data["numeric_id"],
            "fulfillment_order_id": fo_id,
            "quantity": line["quantity"],
            "line_item_id": line["id"],
            "inventory_item_id": int(inventory_items[line["sku"]]) if line["sku"] in inventory_items else None,
            "fulfillable_quantity": line["fulfillable_quantity"],
            "variant_id": line["variant_id"],
        }
        for line in payload["line_items"]
    ]
    left = sum(line["fulfillable_quantity"] for line in lines)
    if payload.get("cancelled_at"):
        status = "cancelled"
    elif left == 0:
        status = "closed"
    else:
        status = "in_progress" if payload.get("fulfillment_status") == "partial" else "open"
    return {
        "id": fo_id,
        "shop_id": shop.data["numeric_id"],
        "order_id": order_id,
        "assigned_location_id": location_id,
        "request_status": "unsubmitted",
        "status": status,
        "fulfill_at": payload["created_at"],
        "fulfill_by": None,
        "supported_actions": ["create_fulfillment", "move", "hold"] if status in ("open", "in_progress") else [],
        "destination": {**(payload.get("shipping_address") or {}), "id": fo_id, "email": payload.get("email")},
        "line_items": lines,
        "international_duties": None,
        "fulfillment_holds": [],
        "delivery_method": {"id": fo_id, "method_type": "shipping", "min_delivery_date_time": None},
        "assigned_location": {"location_id": location_id, "name": "Sandbox warehouse", "country_code": "US"},
        "merchant_requests": [],
        "created_at": payload["created_at"],
        "updated_at": payload["updated_at"],
    }


def fulfillment(shop, payload: dict, fulfillment_id: int, items: list[tuple[dict, int]], tracking: dict, now) -> dict:
    stamp = shop_time(shop, now)
    number = tracking.get("number")
    url = tracking.get("url")
    return {
        "id": fulfillment_id,
        "admin_graphql_api_id": f"gid://shopify/Fulfillment/{fulfillment_id}",
        "created_at": stamp,
        "location_id": shop.data["location_id"],
        "name": f"{payload['name']}.{len(payload['fulfillments']) + 1}",
        "order_id": payload["id"],
        "origin_address": {},
        "receipt": {},
        "service": "manual",
        "shipment_status": None,
        "status": "success",
        "tracking_company": tracking.get("company"),
        "tracking_number": number,
        "tracking_numbers": [number] if number else [],
        "tracking_url": url,
        "tracking_urls": [url] if url else [],
        "updated_at": stamp,
        "line_items": [{**line, "quantity": quantity} for line, quantity in items],
    }
