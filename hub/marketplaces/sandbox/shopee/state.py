"""Shopee sandbox state: shops with partner keys and tokens, items/models, orders and pushes."""

import json
import random
import secrets
import string
import time
from datetime import UTC, datetime
from decimal import Decimal

from django.utils import timezone

from hub.marketplaces.shopee.signing import push_signature

from ..common import order_place, random_buyer, sandbox_root, webhook_enqueue
from ..models import SandboxListing, SandboxOrder, SandboxShop
from .tokens import TokenPolicy, latest_tokens, provision

PLATFORM = "shopee"
TOKENS = TokenPolicy(access_seconds=4 * 3600, refresh_seconds=30 * 24 * 3600)  # access 4 hours, refresh 30 days
REGION_CURRENCY = {
    "SG": "SGD",
    "MY": "MYR",
    "TH": "THB",
    "VN": "VND",
    "ID": "IDR",
    "PH": "PHP",
    "TW": "TWD",
    "BR": "BRL",
    "MX": "MXN",
    "CO": "COP",
    "CL": "CLP",
    "PL": "PLN",
}
# Fields get_order_detail returns without response_optional_fields.
DEFAULT_DETAIL_FIELDS = (
    "order_sn",
    "region",
    "currency",
    "cod",
    "order_status",
    "create_time",
    "update_time",
    "days_to_ship",
    "ship_by_date",
    "message_to_seller",
)


def sandbox_base_url() -> str:
    return f"{sandbox_root()}/{PLATFORM}"


def credentials_of(shop: SandboxShop) -> dict:
    """What a hub account stores for this shop (the latest token pair)."""
    return {"partner_id": shop.secrets["partner_id"], "partner_key": shop.secrets["partner_key"], **latest_tokens(shop)}


def provision_shop(shop_id: str, *, region: str = "", webhook_url: str = "", **options):
    """Create or update a sandbox shop; returns (shop, credentials, settings) for a hub account.

    ``expired_token=True`` hands out an access token that has already expired (the refresh token works).
    ``rate_per_second``/``burst`` override the per-API token bucket (default 1000 calls a minute).
    """
    region = (region or "SG").upper()

    def new_app():
        app = {"partner_id": random.randint(1_000_000, 2_999_999), "partner_key": secrets.token_hex(32)}
        data = {"currency": REGION_CURRENCY.get(region, "SGD"), "default_item_id": random.randint(10**9, 10**10)}
        return app, data

    shop = provision(PLATFORM, shop_id, TOKENS, region=region, new_app=new_app, webhook_url=webhook_url, **options)
    return shop, credentials_of(shop), {"page_size": 100}


def listing_create(
    shop: SandboxShop, seller_sku: str, quantity: int, *, title: str = "", price="19.90", item_id=None, reserved=0
) -> SandboxListing:
    """A model of an item (by default the shop's catalogue item), idempotent on the seller SKU."""
    listing, _created = SandboxListing.objects.get_or_create(
        shop=shop,
        seller_sku=seller_sku,
        defaults={
            "listing_id": str(item_id or shop.data["default_item_id"]),
            "variant_id": str(random.randint(10**9, 10**10)),
            "title": title or seller_sku,
            "price": Decimal(str(price)),
            "quantity": quantity,
            "data": {"reserved_stock": reserved},
        },
    )
    return listing


def _order_sn(now: datetime) -> str:
    suffix = "".join(random.choices(string.ascii_uppercase + string.digits, k=8))
    return f"{now:%y%m%d}{suffix}"


def _amount(value: Decimal) -> float:
    return float(value)


def place_order(shop: SandboxShop, lines: list[tuple[str, int]], buyer=None) -> SandboxOrder:
    """A buyer pays for an order (READY_TO_SHIP) and Shopee pushes code 3 (order status update)."""
    buyer = buyer or random_buyer()
    currency = shop.data.get("currency", "SGD")
    now = timezone.now()
    stamp = int(now.timestamp())

    def build(locked):
        order_sn = _order_sn(now)
        items = [
            {
                "item_id": int(listing.listing_id),
                "item_name": listing.title,
                "item_sku": "",
                "model_id": int(listing.variant_id),
                "model_name": listing.seller_sku,
                "model_sku": listing.seller_sku,
                "model_quantity_purchased": quantity,
                "model_original_price": _amount(listing.price),
                "model_discounted_price": _amount(listing.price),
                "wholesale": False,
                "weight": 0.5,
                "add_on_deal": False,
                "main_item": False,
                "add_on_deal_id": 0,
                "promotion_type": "",
                "promotion_id": 0,
                "order_item_id": int(listing.listing_id),
                "promotion_group_id": 0,
                "product_location_id": [""],
            }
            for listing, quantity in locked
        ]
        total = sum((listing.price * quantity for listing, quantity in locked), Decimal(0))
        payload = {
            "order_sn": order_sn,
            "region": shop.region,
            "currency": currency,
            "cod": False,
            "total_amount": _amount(total),
            "order_status": "READY_TO_SHIP",
            "shipping_carrier": "Standard Delivery",
            "payment_method": "Credit Card/Debit Card",
            "estimated_shipping_fee": 0.0,
            "message_to_seller": "",
            "create_time": stamp,
            "update_time": stamp,
            "days_to_ship": 3,
            "ship_by_date": stamp + 3 * 86400,
            "buyer_user_id": random.randint(10**7, 10**8),
            "buyer_username": buyer.email.split("@")[0],
            "recipient_address": {
                "name": buyer.name,
                "phone": buyer.phone,
                "town": "",
                "district": "",
                "city": buyer.city,
                "state": buyer.state,
                "region": shop.region,
                "zipcode": buyer.postal_code,
                "full_address": f"{buyer.address1}, {buyer.city} {buyer.postal_code}",
            },
            "item_list": items,
            "pay_time": stamp,
            "cancel_by": "",
            "cancel_reason": "",
            "buyer_cancel_reason": "",
            "package_list": [
                {
                    "package_number": f"OFG{random.randint(10**9, 10**10)}",
                    "logistics_status": "LOGISTICS_READY",
                    "shipping_carrier": "Standard Delivery",
                    "item_list": [
                        {
                            "item_id": i["item_id"],
                            "model_id": i["model_id"],
                            "model_quantity": i["model_quantity_purchased"],
                        }
                        for i in items
                    ],
                }
            ],
        }
        return SandboxOrder(
            external_id=order_sn, status="READY_TO_SHIP", created_at=now, updated_at=now, payload=payload
        )

    order = order_place(shop, lines, build)
    push_order_status(shop, order)
    return order


def push_order_status(shop: SandboxShop, order: SandboxOrder) -> list:
    """Push code 3, signed over ``callback_url|body`` with the partner key, in the Authorization header."""
    body = {
        "data": {
            "items": [],
            "ordersn": order.external_id,
            "status": order.status,
            "completed_scenario": "",
            "update_time": int(order.updated_at.timestamp()),
        },
        "shop_id": int(shop.shop_id) if shop.shop_id.isdigit() else shop.shop_id,
        "code": 3,
        "timestamp": int(time.time()),
    }
    raw = json.dumps(body, separators=(",", ":")).encode()
    if not shop.webhook_url:
        return []
    headers = {
        "Content-Type": "application/json",
        "Authorization": push_signature(shop.secrets["partner_key"], shop.webhook_url, raw),
    }
    return webhook_enqueue(shop, "order_status_push", raw, headers)


def detail_view(payload: dict, optional_fields: set[str]) -> dict:
    """The order as get_order_detail shows it: default fields plus the optional ones asked for."""
    return {key: value for key, value in payload.items() if key in DEFAULT_DETAIL_FIELDS or key in optional_fields}


def set_order_updated(order: SandboxOrder, when: datetime) -> None:
    """Move an order's update time (tests of the 15-day windows)."""
    order.updated_at = when.astimezone(UTC)
    order.payload["update_time"] = int(when.timestamp())
    order.save(update_fields=["updated_at", "payload"])
