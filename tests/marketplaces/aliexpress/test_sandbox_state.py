"""The AliExpress sandbox as the demo and the management commands use it."""

import pytest
from django.core.management import call_command
from django.urls import resolve

from hub.marketplaces import parse_order
from hub.marketplaces.sandbox import aliexpress as sandbox
from hub.marketplaces.sandbox.models import SandboxListing, SandboxOrder
from hub.marketplaces.sandbox.registry import sandbox_module


def test_the_project_mounts_the_sandbox_under_its_platform_prefix():
    assert resolve("/sandbox/aliexpress/sync", urlconf="hub.urls").func.__name__ == "sync"
    assert resolve("/sandbox/aliexpress/rest/auth/token/refresh", urlconf="hub.urls").func.__name__ == "token_refresh"
    assert sandbox_module("aliexpress") is sandbox


@pytest.mark.django_db
def test_provisioning_again_keeps_the_credentials_the_demo_accounts_hold():
    shop, first, settings = sandbox.provision_shop("lotus-aliexpress")
    _, again, _ = sandbox.provision_shop("lotus-aliexpress")

    assert again == first
    assert settings == {"page_size": 50}
    assert sandbox.listing_create(shop, "LOTUS-MAT", 5) == sandbox.listing_create(shop, "LOTUS-MAT", 9)


@pytest.mark.django_db
def test_sandbox_order_command_places_a_parseable_order():
    shop, _, _ = sandbox.provision_shop("lotus-aliexpress")
    sandbox.listing_create(shop, "LOTUS-TOTE", 5, price="35.50")

    call_command("sandbox_order", platform="aliexpress", shop="lotus-aliexpress", sku="LOTUS-TOTE", qty=2)

    order = SandboxOrder.objects.get(shop=shop)
    parsed = parse_order("aliexpress", order.payload)
    assert (parsed.external_id, parsed.status) == (order.external_id, "paid")
    assert [(line.sku, line.quantity, str(line.unit_price)) for line in parsed.lines] == [("LOTUS-TOTE", 2, "35.50")]
    assert str(parsed.total) == "71.00"
    assert SandboxListing.objects.get(shop=shop).quantity == 3
