"""Sandbox Shopify shops: provisioning, tokens, listings, buyer orders and the webhooks they cause.

``SandboxShop.secrets``: ``client_id``, ``client_secret`` (signs webhooks), ``access_tokens``
(token -> expiry epoch, or None for a non-expiring token), ``refresh_token`` and
``previous_refresh_token`` (still accepted until the new one is used).
``SandboxShop.data``: ``numeric_id``, ``location_id``, ``currency``, ``utc_offset``, ``plan``
(standard/advanced/plus), optional ``limits`` overrides, ``next_order_number``, ``api_version``.
"""

import json
import secrets
import time
import uuid
from datetime import UTC, datetime

from django.db import transaction
from django.db.models import F

from hub.marketplaces.shopify.signing import webhook_signature

from ..common import order_place, random_buyer, sandbox_root, webhook_enqueue
from ..models import SandboxListing, SandboxOrder, SandboxShop
from . import payloads

TOKEN_LIFETIME_SECONDS = 3600  # expiring offline tokens live 60 minutes
REFRESH_TOKEN_LIFETIME_SECONDS = 90 * 24 * 3600
DEFAULT_API_VERSION = "2026-10"
MAX_KEPT_TOKENS = 20


def sandbox_base_url() -> str:
    """Per-shop base URL; the adapter puts the shop handle in place of ``{shop}``, as in https://{shop}.myshopify.com."""
    return f"{sandbox_root()}/shopify/{{shop}}"


def issue_access_token(shop_secrets: dict, *, expiring: bool = True, expired: bool = False) -> tuple[str, float | None]:
    """Add a new access token to ``shop_secrets`` (in place); returns it and its expiry epoch."""
    token = f"shpat_{secrets.token_hex(16)}"
    now = time.time()
    expires_at = None
    if expiring:
        expires_at = now - 60 if expired else now + TOKEN_LIFETIME_SECONDS
    tokens = {
        key: value for key, value in shop_secrets.get("access_tokens", {}).items() if value is None or value > now
    }
    tokens[token] = expires_at
    shop_secrets["access_tokens"] = dict(list(tokens.items())[-MAX_KEPT_TOKENS:])
    return token, expires_at


def provision_shop(
    shop_id: str,
    *,
    region: str = "",
    webhook_url: str = "",
    expired_token: bool = False,
    expiring_tokens: bool = True,
    currency: str = "USD",
    plan: str = "standard",
    limits: dict | None = None,
    api_version: str = DEFAULT_API_VERSION,
):
    """Create or update a sandbox shop; returns (shop, credentials, settings) for a hub account.

    Every call hands out a new access token (``expired_token``: one already expired, to test
    refresh); existing tokens and the current refresh token stay valid.
    """
    with transaction.atomic():
        shop, _ = SandboxShop.objects.select_for_update().get_or_create(platform="shopify", shop_id=shop_id)
        shop_secrets = dict(shop.secrets)
        shop_secrets.setdefault("client_id", secrets.token_hex(16))
        shop_secrets.setdefault("client_secret", f"shpss_{secrets.token_hex(16)}")
        if expiring_tokens and not shop_secrets.get("refresh_token"):
            shop_secrets["refresh_token"] = f"shprt_{secrets.token_hex(16)}"
        token, expires_at = issue_access_token(shop_secrets, expiring=expiring_tokens, expired=expired_token)
        data = dict(shop.data)
        data.setdefault("numeric_id", payloads.new_id())
        data.setdefault("location_id", payloads.new_id())
        data.setdefault("next_order_number", 1001)
        data.setdefault("utc_offset", "-05:00")
        data.update(currency=currency, plan=plan, api_version=api_version)
        if limits is not None:
            data["limits"] = limits
        shop.secrets = shop_secrets
        shop.data = data
        shop.name = shop.name or f"{shop_id} (Shopify sandbox)"
        shop.webhook_url = webhook_url or shop.webhook_url
        shop.region = region
        shop.save()
    credentials = {"access_token": token}
    if expiring_tokens:
        credentials.update(
            refresh_token=shop_secrets["refresh_token"],
            expires_at=datetime.fromtimestamp(expires_at, UTC).isoformat(),
            client_id=shop_secrets["client_id"],
            client_secret=shop_secrets["client_secret"],
        )
    else:
        credentials["client_secret"] = shop_secrets["client_secret"]
    return shop, credentials, {"api_version": api_version, "location_id": str(data["location_id"])}


def listing_create(shop: SandboxShop, seller_sku: str, quantity: int, *, title: str = "", price="19.90"):
    """A product with one variant, stocked at the shop's location (idempotent on the SKU)."""
    listing, _ = SandboxListing.objects.get_or_create(
        shop=shop,
        seller_sku=seller_sku,
        defaults={
            "listing_id": str(payloads.new_id()),
            "variant_id": str(payloads.new_id()),
            "inventory_id": str(payloads.new_id()),
            "title": title,
            "price": price,
            "quantity": quantity,
            "data": {"stocked": True, "hub_extra": {}},
        },
    )
    return listing


def place_order(shop: SandboxShop, lines: list[tuple[str, int]], buyer=None) -> SandboxOrder:
    """A buyer checks out: stock goes down, the order appears in orders.json, ``orders/create`` is sent."""
    buyer = buyer or random_buyer()

    def build(locked_lines):
        locked_shop = SandboxShop.objects.select_for_update().get(pk=shop.pk)
        number = locked_shop.data.get("next_order_number", 1001)
        locked_shop.data["next_order_number"] = number + 1
        locked_shop.save(update_fields=["data"])
        now = datetime.now(UTC)
        order_id = payloads.new_id()
        payload = payloads.order(locked_shop, order_id, number, locked_lines, buyer, now)
        return SandboxOrder(external_id=str(order_id), status="open", created_at=now, updated_at=now, payload=payload)

    with transaction.atomic():
        order = order_place(shop, lines, build)
        send_webhook(shop, "orders/create", order.payload)
    return order


def send_webhook(shop: SandboxShop, topic: str, payload: dict) -> None:
    """Queue a delivery signed as Shopify signs it; a retry re-sends this same body and these headers."""
    if not shop.webhook_url:
        return
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": webhook_signature(shop.secrets["client_secret"], body),
        "X-Shopify-Shop-Domain": f"{shop.shop_id}.myshopify.com",
        "X-Shopify-API-Version": shop.data.get("api_version", DEFAULT_API_VERSION),
        "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        "X-Shopify-Event-Id": str(uuid.uuid4()),
        "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
    }
    webhook_enqueue(shop, topic, body, headers)


def cancel_order(order: SandboxOrder, reason: str = "customer", *, restock: bool = True) -> SandboxOrder:
    """The merchant cancels (and refunds) an order, as in the Shopify admin; ``orders/cancelled`` is sent.

    Reasons as the REST resource documents them: customer, fraud, inventory, declined, other.
    """
    with transaction.atomic():
        order = SandboxOrder.objects.select_for_update().get(pk=order.pk)
        shop = order.shop
        now = datetime.now(UTC)
        stamp = payloads.shop_time(shop, now)
        payload = order.payload
        if restock:
            for line in payload["line_items"]:
                SandboxListing.objects.filter(shop=shop, seller_sku=line["sku"]).update(
                    quantity=F("quantity") + line["fulfillable_quantity"]
                )
        payload.update(
            cancelled_at=stamp, cancel_reason=reason, closed_at=stamp, financial_status="refunded", updated_at=stamp
        )
        order.payload = payload
        order.status = "cancelled"
        order.updated_at = now
        order.save(update_fields=["payload", "status", "updated_at"])
        send_webhook(shop, "orders/cancelled", payload)
    return order
