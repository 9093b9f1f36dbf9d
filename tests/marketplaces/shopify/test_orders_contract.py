"""Order pull against the sandbox over HTTP: Link-header pages, updated_at_min, one order."""

import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from hub.marketplaces import adapter_for_account
from hub.marketplaces.errors import InvalidPayload, RequestRejected, ServerError
from hub.marketplaces.sandbox.common import BUYERS
from hub.marketplaces.sandbox.models import FaultKind, SandboxFault, SandboxOrder
from hub.marketplaces.sandbox.shopify import place_order

pytestmark = pytest.mark.django_db(transaction=True)

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def test_paginates_through_every_order_with_link_header_cursors(shopify):
    world = shopify()
    world.listings(3, quantity=1000)
    placed = {place_order(world.shop, [(f"SKU-{n % 3:04d}", 1)]).external_id for n in range(260)}
    adapter = world.adapter()

    pages = list(adapter.iter_orders(LONG_AGO))

    assert [len(page.orders) for page in pages] == [250, 10]
    assert pages[0].next_cursor
    assert pages[1].next_cursor is None
    assert {order.external_id for page in pages for order in page.orders} == placed
    assert world.calls("orders_list") == 2
    newest = SandboxOrder.objects.filter(shop=world.shop).order_by("-updated_at").first().updated_at
    assert max(page.high_water_mark for page in pages) == newest.replace(microsecond=0)
    assert [order["id"] for order in pages[1].raw] == [int(order.external_id) for order in pages[1].orders]


def test_only_orders_updated_since_the_cursor_are_listed(shopify):
    world = shopify()
    world.listings(1)
    old = place_order(world.shop, [("SKU-0000", 1)])
    SandboxOrder.objects.filter(pk=old.pk).update(updated_at=datetime.now(UTC) - timedelta(days=2))
    recent = place_order(world.shop, [("SKU-0000", 2)], buyer=BUYERS[2])

    page = world.adapter().list_orders(datetime.now(UTC) - timedelta(hours=1))

    assert [order.external_id for order in page.orders] == [recent.external_id]
    assert page.orders[0].lines[0].quantity == 2
    assert page.orders[0].ship_to.name == "佐藤 花子"
    assert page.orders[0].status == "paid"


def test_get_order_returns_canonical_and_raw(shopify):
    world = shopify()
    world.listings(2)
    placed = place_order(world.shop, [("SKU-0000", 1), ("SKU-0001", 3)])

    order, raw = world.adapter().get_order(placed.external_id)

    assert raw == placed.payload
    assert order.external_id == placed.external_id
    assert [(line.sku, line.quantity) for line in order.lines] == [("SKU-0000", 1), ("SKU-0001", 3)]
    assert order.total == order.lines[0].unit_price * 1 + order.lines[1].unit_price * 3


def test_unknown_order_is_rejected(shopify):
    world = shopify()

    with pytest.raises(RequestRejected, match="HTTP 404"):
        world.adapter().get_order("123456789")


def test_malformed_answer_is_a_retryable_server_error(shopify):
    world = shopify()
    SandboxFault.objects.create(platform="shopify", operation="orders_list", kind=FaultKind.MALFORMED)

    with pytest.raises(ServerError) as error:
        world.adapter().list_orders(LONG_AGO)

    assert error.value.retryable


def test_server_error_is_retryable_and_the_next_call_succeeds(shopify):
    world = shopify()
    world.listings(1)
    place_order(world.shop, [("SKU-0000", 1)])
    SandboxFault.objects.create(platform="shopify", shop_id=world.shop.shop_id, kind=FaultKind.UNAVAILABLE)
    adapter = world.adapter()

    with pytest.raises(ServerError, match="HTTP 503"):
        adapter.list_orders(LONG_AGO)
    page = adapter.list_orders(LONG_AGO)

    assert len(page.orders) == 1


def test_an_order_the_hub_cannot_read_names_the_field_and_the_order(shopify):
    world = shopify()
    world.listings(1)
    placed = place_order(world.shop, [("SKU-0000", 1)])
    payload = {**placed.payload, "currency": None}
    SandboxOrder.objects.filter(pk=placed.pk).update(payload=payload)

    with pytest.raises(InvalidPayload) as error:
        world.adapter().list_orders(LONG_AGO)

    assert error.value.field == "currency"
    assert placed.external_id in str(error.value)


def test_a_slow_answer_times_out_as_a_retryable_server_error_without_the_query_string(shopify):
    world = shopify()
    SandboxFault.objects.create(platform="shopify", operation="orders_list", kind=FaultKind.SLOW, delay_seconds=1.5)
    adapter = adapter_for_account(world.account, client=httpx.Client(timeout=0.5))

    with pytest.raises(ServerError, match="timeout calling GET") as error:
        adapter.list_orders(LONG_AGO)

    assert error.value.retryable
    assert "updated_at_min" not in str(error.value)
    deadline = time.monotonic() + 10  # let the sandbox finish the abandoned request before the database is flushed
    while not world.calls("orders_list") and time.monotonic() < deadline:
        time.sleep(0.1)
