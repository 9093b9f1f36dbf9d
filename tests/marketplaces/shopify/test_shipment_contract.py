"""Tracking push against the sandbox over HTTP: fulfillment orders, then fulfillments.json."""

from datetime import UTC, datetime

import pytest

from hub.marketplaces.errors import RequestRejected
from hub.marketplaces.sandbox.models import SandboxListing, SandboxOrder
from hub.marketplaces.sandbox.shopify import cancel_order, place_order
from hub.marketplaces.types import ShipmentPush

pytestmark = pytest.mark.django_db(transaction=True)

SHIPPED_AT = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def test_whole_order_shipment_fulfils_every_line_with_tracking(shopify):
    world = shopify()
    world.listings(2)
    placed = place_order(world.shop, [("SKU-0000", 1), ("SKU-0001", 2)])
    adapter = world.adapter()

    adapter.push_shipment(ShipmentPush(placed.external_id, "UPS", "1Z001985YW99744790", SHIPPED_AT))

    order = SandboxOrder.objects.get(pk=placed.pk)
    assert order.payload["fulfillment_status"] == "fulfilled"
    assert [line["fulfillable_quantity"] for line in order.payload["line_items"]] == [0, 0]
    (fulfillment,) = order.payload["fulfillments"]
    assert (fulfillment["tracking_company"], fulfillment["tracking_number"]) == ("UPS", "1Z001985YW99744790")
    assert [shipment["tracking_number"] for shipment in order.shipments] == ["1Z001985YW99744790"]
    assert world.calls("fulfillment_orders") == 1
    assert world.calls("fulfillment_create", status_code=201) == 1
    canonical, _ = adapter.get_order(placed.external_id)
    assert canonical.status == "shipped"


def test_partial_shipment_fulfils_only_the_given_lines(shopify):
    world = shopify()
    world.listings(2)
    placed = place_order(world.shop, [("SKU-0000", 1), ("SKU-0001", 3)])
    second_line = str(placed.payload["line_items"][1]["id"])

    world.adapter().push_shipment(
        ShipmentPush(placed.external_id, "DHL Express", "JD014600006281230700", SHIPPED_AT, lines=((second_line, 2),))
    )

    order = SandboxOrder.objects.get(pk=placed.pk)
    assert order.payload["fulfillment_status"] == "partial"
    assert [line["fulfillable_quantity"] for line in order.payload["line_items"]] == [1, 1]
    assert order.shipments[0]["lines"] == {second_line: 2}


def test_same_shipment_pushed_twice_is_recorded_once(shopify):
    world = shopify()
    world.listings(1)
    placed = place_order(world.shop, [("SKU-0000", 1)])
    shipment = ShipmentPush(placed.external_id, "USPS", "9400100000000000000000", SHIPPED_AT)
    adapter = world.adapter()

    adapter.push_shipment(shipment)
    adapter.push_shipment(shipment)

    assert len(SandboxOrder.objects.get(pk=placed.pk).payload["fulfillments"]) == 1
    assert world.calls("fulfillment_create") == 1


def test_shipping_more_than_ordered_is_rejected_before_any_call(shopify):
    world = shopify()
    world.listings(1)
    placed = place_order(world.shop, [("SKU-0000", 1)])
    line = str(placed.payload["line_items"][0]["id"])

    with pytest.raises(RequestRejected, match="more than fulfillable"):
        world.adapter().push_shipment(ShipmentPush(placed.external_id, "UPS", "1Z", SHIPPED_AT, lines=((line, 2),)))

    assert world.calls("fulfillment_create") == 0
    assert SandboxOrder.objects.get(pk=placed.pk).payload["fulfillments"] == []


def test_legacy_order_fulfillments_endpoint_answers_404(shopify):
    world = shopify()
    world.listings(1)
    placed = place_order(world.shop, [("SKU-0000", 1)])
    body = {"fulfillment": {"tracking_number": "1Z", "line_items": [{"id": placed.payload["line_items"][0]["id"]}]}}

    response = world.admin("POST", f"orders/{placed.external_id}/fulfillments.json", json=body)

    assert response.status_code == 404
    assert response.json() == {"errors": "Not Found"}
    assert SandboxOrder.objects.get(pk=placed.pk).payload["fulfillments"] == []


def test_cancelled_order_is_listed_cancelled_restocked_and_cannot_be_shipped(shopify):
    world = shopify()
    world.listings(1, quantity=5)
    placed = place_order(world.shop, [("SKU-0000", 2)])
    cancel_order(placed, "inventory")
    adapter = world.adapter()

    (order,) = adapter.list_orders(datetime(2020, 1, 1, tzinfo=UTC)).orders
    with pytest.raises(RequestRejected, match="no fulfillment order open"):
        adapter.push_shipment(ShipmentPush(placed.external_id, "UPS", "1Z", SHIPPED_AT))

    assert order.status == "cancelled"
    assert SandboxListing.objects.get(shop=world.shop).quantity == 5
    assert world.calls("fulfillment_create") == 0
