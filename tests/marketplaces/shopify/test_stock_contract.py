"""Quantity push and read-back against the sandbox over HTTP: GraphQL inventorySetQuantities."""

import pytest

from hub.marketplaces.errors import RequestRejected
from hub.marketplaces.sandbox.models import SandboxCall, SandboxListing
from hub.marketplaces.types import ListingRef, QuantityUpdate

pytestmark = pytest.mark.django_db(transaction=True)


def ref(listing: SandboxListing) -> ListingRef:
    return ListingRef(
        seller_sku=listing.seller_sku,
        listing_id=listing.listing_id,
        variant_id=listing.variant_id,
        inventory_id=listing.inventory_id,
    )


def quantities(world) -> dict[str, int]:
    return dict(SandboxListing.objects.filter(shop=world.shop).values_list("seller_sku", "quantity"))


def test_pushes_in_batches_of_250_one_call_each(shopify):
    world = shopify()
    listings = world.listings(600, quantity=10)
    updates = [QuantityUpdate(ref(listing), index % 7, expected_quantity=10) for index, listing in enumerate(listings)]

    result = world.adapter().push_quantities(updates)

    assert result.failed == []
    assert len(result.succeeded) == 600
    assert result.calls == 3
    calls = SandboxCall.objects.filter(shop_id=world.shop.shop_id, operation="inventory_set_quantities")
    assert sorted(calls.values_list("items", flat=True)) == [100, 250, 250]
    assert set(calls.values_list("status_code", flat=True)) == {200}
    assert quantities(world) == {listing.seller_sku: index % 7 for index, listing in enumerate(listings)}


def test_a_batch_over_250_is_refused_by_the_sandbox_and_changes_nothing(shopify):
    world = shopify()
    listings = world.listings(251, quantity=10)

    with pytest.raises(RequestRejected, match="greater than the maximum allowed of 250"):
        world.adapter().push_quantities_batch([QuantityUpdate(ref(listing), 1) for listing in listings])

    assert set(quantities(world).values()) == {10}
    assert world.calls("inventory_set_quantities", items=0) == 1


def test_failed_items_are_reported_and_the_rest_are_set(shopify):
    world = shopify()
    fresh, stale, other = world.listings(3, quantity=10)
    unknown = ListingRef(seller_sku="GONE", inventory_id="999999999")
    no_ids = ListingRef(seller_sku="NO-IDS")
    updates = [
        QuantityUpdate(ref(fresh), 4, expected_quantity=10),
        QuantityUpdate(ref(stale), 5, expected_quantity=9),  # someone sold one meanwhile
        QuantityUpdate(unknown, 6),
        QuantityUpdate(no_ids, 7),
        QuantityUpdate(ref(other), 8, expected_quantity=None),  # no compare-and-set
    ]

    result = world.adapter().push_quantities_batch(updates)

    assert [listing.seller_sku for listing in result.succeeded] == [fresh.seller_sku, other.seller_sku]
    assert [(error.seller_sku, error.code, error.retryable) for error in result.failed] == [
        ("NO-IDS", "MISSING_ID", False),
        (stale.seller_sku, "CHANGE_FROM_QUANTITY_STALE", True),
        ("GONE", "INVALID_INVENTORY_ITEM", False),
    ]
    assert result.calls == 2  # Shopify applied nothing of the first call; the good items went again
    assert quantities(world) == {fresh.seller_sku: 4, stale.seller_sku: 10, other.seller_sku: 8}


def test_read_quantities_returns_what_the_store_shows(shopify):
    world = shopify()
    listings = world.listings(3, quantity=10)
    SandboxListing.objects.filter(pk=listings[1].pk).update(quantity=3)
    refs = [ref(listing) for listing in listings] + [ListingRef(seller_sku="GONE", inventory_id="1")]

    shown = world.adapter().read_quantities(refs)

    assert shown == {listings[0].seller_sku: 10, listings[1].seller_sku: 3, listings[2].seller_sku: 10}
    assert world.calls("nodes") == 1


def test_listing_location_overrides_the_account_location(shopify):
    world = shopify()
    (listing,) = world.listings(1, quantity=10)
    elsewhere = ListingRef(
        seller_sku=listing.seller_sku, inventory_id=listing.inventory_id, extra={"location_id": "424242"}
    )

    result = world.adapter().push_quantities_batch([QuantityUpdate(elsewhere, 1, expected_quantity=10)])

    assert [error.code for error in result.failed] == ["INVALID_LOCATION"]
    assert quantities(world) == {listing.seller_sku: 10}
