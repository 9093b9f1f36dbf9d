"""The sandbox store's own behaviour: provisioning, buyer orders, stock, webhook delivery and retries."""

import json

import pytest
from django.core.management import call_command

from hub.marketplaces.sandbox.common import SandboxOutOfStock, webhook_deliver
from hub.marketplaces.sandbox.models import FaultKind, SandboxFault, SandboxListing, SandboxOrder, SandboxWebhook
from hub.marketplaces.sandbox.shopify import listing_create, place_order, provision_shop
from hub.marketplaces.sandbox.shopify.http import access_token_valid

from . import receiver

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hooks(live_server):
    receiver.RECEIVED.clear()
    yield f"{live_server.url}/test-hooks/shopify"
    receiver.RECEIVED.clear()


def test_provisioning_again_keeps_earlier_tokens_valid():
    shop, first, settings = provision_shop("again")
    shop, second, _ = provision_shop("again")

    assert first["access_token"] != second["access_token"]
    assert first["refresh_token"] == second["refresh_token"]
    assert first["client_secret"] == second["client_secret"]
    assert access_token_valid(shop, first["access_token"])
    assert access_token_valid(shop, second["access_token"])
    assert settings == {"api_version": "2026-10", "location_id": str(shop.data["location_id"])}


def test_listing_create_is_idempotent_on_the_sku():
    shop, _, _ = provision_shop("listings")

    first = listing_create(shop, "SKU-1", 5, title="Bottle")
    second = listing_create(shop, "SKU-1", 9, title="Other")

    assert first.pk == second.pk
    assert (second.quantity, second.title) == (5, "Bottle")
    assert first.inventory_id.isdigit()


def test_buyer_order_takes_stock_and_numbers_orders():
    shop, _, _ = provision_shop("buyers", currency="JPY")
    listing_create(shop, "SKU-1", 5, price="1990")

    first = place_order(shop, [("SKU-1", 2)])
    second = place_order(shop, [("SKU-1", 1)])

    assert SandboxListing.objects.get(shop=shop, seller_sku="SKU-1").quantity == 2
    assert (first.payload["name"], second.payload["name"]) == ("#1001", "#1002")
    assert (first.payload["currency"], first.payload["total_price"]) == ("JPY", "3980")


def test_out_of_stock_order_is_refused_and_changes_nothing():
    shop, _, _ = provision_shop("short")
    listing_create(shop, "SKU-1", 1)

    with pytest.raises(SandboxOutOfStock):
        place_order(shop, [("SKU-1", 2)])

    assert SandboxListing.objects.get(shop=shop, seller_sku="SKU-1").quantity == 1
    assert not SandboxOrder.objects.filter(shop=shop).exists()


def test_sandbox_order_command_places_a_shopify_order():
    shop, _, _ = provision_shop("command")
    listing_create(shop, "SKU-1", 4)

    call_command("sandbox_order", platform="shopify", shop="command", sku="SKU-1", qty=3)

    (order,) = SandboxOrder.objects.filter(shop=shop)
    assert order.payload["line_items"][0]["quantity"] == 3
    assert SandboxListing.objects.get(shop=shop).quantity == 1


def test_a_retried_webhook_carries_the_original_payload(hooks):
    shop, credentials, _ = provision_shop("retries", webhook_url=hooks)
    receiver.SECRET["value"] = credentials["client_secret"]
    listing_create(shop, "SKU-1", 4)
    order = place_order(shop, [("SKU-1", 1)])
    (webhook,) = SandboxWebhook.objects.filter(shop=shop)
    payload = SandboxOrder.objects.get(pk=order.pk).payload
    SandboxOrder.objects.filter(pk=order.pk).update(payload={**payload, "fulfillment_status": "fulfilled"})

    statuses = [webhook_deliver(webhook.pk), webhook_deliver(webhook.pk)]

    assert statuses == [503, 200]
    (_, first_body, _), (_, second_body, _) = receiver.RECEIVED
    assert first_body == second_body
    assert json.loads(second_body)["fulfillment_status"] is None
    assert SandboxWebhook.objects.get(pk=webhook.pk).attempts == 2


def test_a_malformed_webhook_fails_verification_at_the_receiver(hooks):
    shop, credentials, _ = provision_shop("malformed", webhook_url=hooks)
    receiver.SECRET["value"] = credentials["client_secret"]
    listing_create(shop, "SKU-1", 4)
    SandboxFault.objects.create(platform="shopify", operation="orders/create", kind=FaultKind.MALFORMED_WEBHOOK)
    place_order(shop, [("SKU-1", 1)])
    (webhook,) = SandboxWebhook.objects.filter(shop=shop)

    status = webhook_deliver(webhook.pk)

    assert status == 401
    assert SandboxWebhook.objects.get(pk=webhook.pk).delivered_at is None
