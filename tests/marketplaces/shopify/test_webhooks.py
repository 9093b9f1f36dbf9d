"""Webhook signatures: base64 HMAC-SHA256 of the raw body in X-Shopify-Hmac-Sha256."""

import json
from datetime import UTC, datetime

import pytest

from hub.marketplaces import parse_order, verify_webhook
from hub.marketplaces.sandbox.models import SandboxWebhook
from hub.marketplaces.sandbox.shopify import listing_create, place_order, provision_shop
from hub.marketplaces.types import ShipmentPush

BODY = b'{"id":820982911946154508,"email":"jon@example.com"}'
# printf '%s' "$BODY" | openssl dgst -sha256 -hmac hush -binary | base64
SIGNATURE = "D0UMXmhjwBRi4y66TmhJrDlhQABD7zI2fm3p6/QLMo8="


def test_known_signature_is_valid():
    assert verify_webhook("shopify", {"X-Shopify-Hmac-Sha256": SIGNATURE}, BODY, "hush") is True


def test_header_name_is_case_insensitive():
    assert verify_webhook("shopify", {"x-shopify-hmac-sha256": SIGNATURE}, BODY, "hush") is True


@pytest.mark.parametrize(
    ("headers", "body", "secret"),
    [
        ({"X-Shopify-Hmac-Sha256": SIGNATURE}, BODY.replace(b"jon", b"eve"), "hush"),  # body changed
        ({"X-Shopify-Hmac-Sha256": SIGNATURE}, BODY, "other secret"),
        (
            {"X-Shopify-Hmac-Sha256": SIGNATURE},
            json.dumps(json.loads(BODY), indent=1).encode(),
            "hush",
        ),  # re-serialised
        ({}, BODY, "hush"),  # unsigned
        ({"X-Shopify-Hmac-Sha256": ""}, BODY, "hush"),
        ({"X-Shopify-Hmac-Sha256": "bm90IGEgc2lnbmF0dXJl"}, BODY, "hush"),
        ({"X-Shopify-Hmac-Sha256": SIGNATURE}, BODY, ""),  # no secret configured
    ],
)
def test_bad_or_missing_signature_is_rejected(headers, body, secret):
    assert verify_webhook("shopify", headers, body, secret) is False


@pytest.mark.django_db
def test_sandbox_signs_orders_create_as_shopify_does(settings):
    settings.HUB_BASE_URL = "http://127.0.0.1:8000"
    shop, credentials, _ = provision_shop("hooks", webhook_url="http://127.0.0.1:9/hooks/shopify")
    listing_create(shop, "SKU-1", 5)

    order = place_order(shop, [("SKU-1", 2)])

    (webhook,) = SandboxWebhook.objects.filter(shop=shop)
    body = bytes(webhook.body)
    assert webhook.topic == "orders/create"
    assert verify_webhook("shopify", webhook.headers, body, credentials["client_secret"]) is True
    assert verify_webhook("shopify", webhook.headers, body, "shpss_wrong") is False
    assert webhook.headers["X-Shopify-Topic"] == "orders/create"
    assert webhook.headers["X-Shopify-Shop-Domain"] == "hooks.myshopify.com"
    assert webhook.headers["X-Shopify-API-Version"] == "2026-10"
    assert webhook.headers["X-Shopify-Webhook-Id"]
    assert datetime.fromisoformat(webhook.headers["X-Shopify-Triggered-At"]) <= datetime.now(UTC)
    assert parse_order("shopify", json.loads(body)).external_id == order.external_id


@pytest.mark.django_db(transaction=True)
def test_fulfilment_sends_signed_updated_and_fulfilled_webhooks(shopify):
    world = shopify(webhook_url="http://127.0.0.1:9/hooks/shopify")
    world.listings(1)
    placed = place_order(world.shop, [("SKU-0000", 1)])

    world.adapter().push_shipment(ShipmentPush(placed.external_id, "UPS", "1Z999", datetime(2026, 11, 25, tzinfo=UTC)))

    webhooks = list(SandboxWebhook.objects.filter(shop=world.shop).order_by("id"))
    assert [webhook.topic for webhook in webhooks] == ["orders/create", "orders/updated", "orders/fulfilled"]
    secret = world.credentials()["client_secret"]
    assert all(verify_webhook("shopify", w.headers, bytes(w.body), secret) for w in webhooks)
    assert parse_order("shopify", json.loads(bytes(webhooks[-1].body))).status == "shipped"
