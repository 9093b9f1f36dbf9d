"""The Shopee sandbox as the demo and the management commands use it."""

import pytest
from django.core.management import call_command
from django.urls import resolve

from hub.marketplaces import parse_order
from hub.marketplaces.sandbox import shopee as sandbox
from hub.marketplaces.sandbox.models import SandboxListing, SandboxOrder
from hub.marketplaces.sandbox.registry import sandbox_module


def test_the_project_mounts_the_sandbox_under_its_platform_prefix():
    match = resolve("/sandbox/shopee/api/v2/product/update_stock", urlconf="hub.urls")

    assert match.func.__name__ == "update_stock"
    assert sandbox_module("shopee") is sandbox


@pytest.mark.django_db
def test_provisioning_again_keeps_the_credentials_the_demo_accounts_hold():
    _, first, settings = sandbox.provision_shop("lotus-shopee", region="sg")
    shop, again, _ = sandbox.provision_shop("lotus-shopee", region="SG")
    _, expired, _ = sandbox.provision_shop("lotus-shopee", expired_token=True)

    assert again == first
    assert shop.region == "SG"
    assert settings == {"page_size": 100}
    assert expired["access_token"] != first["access_token"]
    assert expired["expire_at"] < first["expire_at"]
    assert sandbox.listing_create(shop, "LOTUS-MAT", 5) == sandbox.listing_create(shop, "LOTUS-MAT", 9)


@pytest.mark.django_db
def test_sandbox_order_command_places_a_parseable_order():
    shop, _, _ = sandbox.provision_shop("lotus-shopee", region="MY")
    sandbox.listing_create(shop, "LOTUS-TOTE", 5, price="35.50")

    call_command("sandbox_order", platform="shopee", shop="lotus-shopee", sku="LOTUS-TOTE", qty=2)

    order = SandboxOrder.objects.get(shop=shop)
    parsed = parse_order("shopee", order.payload)
    assert (parsed.external_id, parsed.status, parsed.currency) == (order.external_id, "paid", "MYR")
    assert [(line.sku, line.quantity) for line in parsed.lines] == [("LOTUS-TOTE", 2)]
    assert SandboxListing.objects.get(shop=shop).quantity == 3
