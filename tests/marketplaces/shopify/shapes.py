"""Small schemas of Shopify's documented answers, checked with ``tests.marketplaces.support.assert_shape``.

A schema is a type (or tuple of types), a dict of required keys (extra keys allowed), a
one-item list (every element matches), or a callable returning True for a valid value.
"""

import re
from datetime import datetime

MONEY = re.compile(r"^-?\d+(\.\d{1,4})?$")
NULL = type(None)


def money(value) -> bool:
    return isinstance(value, str) and bool(MONEY.match(value))


def iso_with_offset(value) -> bool:
    return isinstance(value, str) and datetime.fromisoformat(value).tzinfo is not None


def gid(kind: str):
    pattern = re.compile(rf"^gid://shopify/{kind}/\d+$")
    return lambda value: isinstance(value, str) and bool(pattern.match(value))


MONEY_SET = {
    "shop_money": {"amount": money, "currency_code": str},
    "presentment_money": {"amount": money, "currency_code": str},
}
ADDRESS = {
    "first_name": (str, NULL),
    "last_name": (str, NULL),
    "name": str,
    "address1": str,
    "address2": (str, NULL),
    "city": str,
    "province": (str, NULL),
    "province_code": (str, NULL),
    "zip": str,
    "country": str,
    "country_code": lambda value: isinstance(value, str) and len(value) == 2,
    "phone": (str, NULL),
    "company": (str, NULL),
    "latitude": (float, NULL),
    "longitude": (float, NULL),
}
LINE_ITEM = {
    "id": int,
    "admin_graphql_api_id": gid("LineItem"),
    "product_id": int,
    "variant_id": int,
    "sku": (str, NULL),
    "title": str,
    "name": str,
    "quantity": int,
    "current_quantity": int,
    "fulfillable_quantity": int,
    "fulfillment_status": (str, NULL),
    "fulfillment_service": str,
    "requires_shipping": bool,
    "grams": int,
    "price": money,
    "price_set": MONEY_SET,
    "tax_lines": list,
    "discount_allocations": list,
    "properties": list,
}
FULFILLMENT = {
    "id": int,
    "admin_graphql_api_id": gid("Fulfillment"),
    "order_id": int,
    "name": str,
    "status": str,
    "created_at": iso_with_offset,
    "updated_at": iso_with_offset,
    "tracking_company": (str, NULL),
    "tracking_number": (str, NULL),
    "tracking_numbers": [str],
    "tracking_url": (str, NULL),
    "tracking_urls": [str],
    "line_items": [LINE_ITEM],
}
ORDER = {
    "id": int,
    "admin_graphql_api_id": gid("Order"),
    "name": str,
    "order_number": int,
    "email": str,
    "created_at": iso_with_offset,
    "updated_at": iso_with_offset,
    "processed_at": iso_with_offset,
    "cancelled_at": (str, NULL),
    "cancel_reason": (str, NULL),
    "closed_at": (str, NULL),
    "currency": str,
    "presentment_currency": str,
    "financial_status": str,
    "fulfillment_status": (str, NULL),
    "total_price": money,
    "subtotal_price": money,
    "total_tax": money,
    "total_discounts": money,
    "current_total_price": money,
    "total_price_set": MONEY_SET,
    "customer": {"id": int, "email": str},
    "shipping_address": ADDRESS,
    "billing_address": ADDRESS,
    "line_items": [LINE_ITEM],
    "fulfillments": [FULFILLMENT],
    "refunds": list,
    "shipping_lines": list,
    "test": bool,
}
FULFILLMENT_ORDER = {
    "id": int,
    "shop_id": int,
    "order_id": int,
    "assigned_location_id": int,
    "request_status": str,
    "status": lambda value: value in {"open", "in_progress", "closed", "cancelled", "incomplete", "scheduled"},
    "supported_actions": [str],
    "destination": dict,
    "line_items": [
        {
            "id": int,
            "shop_id": int,
            "fulfillment_order_id": int,
            "quantity": int,
            "line_item_id": int,
            "inventory_item_id": (int, NULL),
            "fulfillable_quantity": int,
            "variant_id": int,
        }
    ],
    "fulfillment_holds": list,
    "created_at": iso_with_offset,
    "updated_at": iso_with_offset,
}
COST = {
    "cost": {
        "requestedQueryCost": int,
        "actualQueryCost": (int, NULL),
        "throttleStatus": {"maximumAvailable": float, "currentlyAvailable": int, "restoreRate": float},
    }
}
TOP_LEVEL_ERROR = {"errors": [{"message": str, "extensions": {"code": str}}]}
