"""The AliExpress adapter against the AliExpress sandbox, over real HTTP (live_server)."""

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from hub.marketplaces import verify_webhook
from hub.marketplaces.errors import AuthFailed, RequestRejected, ServerError, Throttled
from hub.marketplaces.sandbox import aliexpress as sandbox
from hub.marketplaces.sandbox.models import FaultKind, SandboxFault, SandboxListing, SandboxOrder
from hub.marketplaces.types import ListingRef, QuantityUpdate, ShipmentPush
from sellers.models import MarketplaceAccount
from tests.marketplaces.support import an_hour_ago, listing_ref, run_at_once

ORDER_GET = "aliexpress.solution.order.get"
ORDER_INFO = "aliexpress.solution.order.info.get"
INVENTORY = "aliexpress.solution.batch.product.inventory.update"


def test_pages_through_many_orders_by_page_number(aliexpress):
    world = aliexpress(settings={"page_size": 20})
    sandbox.listing_create(world.shop, "LOTUS-MAT", 500, price="12.90")
    placed = [sandbox.place_order(world.shop, [("LOTUS-MAT", 1)]).external_id for _ in range(45)]

    pages = list(world.adapter().iter_orders(an_hour_ago()))

    assert [len(page.orders) for page in pages] == [20, 20, 5]
    assert [order.external_id for page in pages for order in page.orders] == placed
    assert world.calls(ORDER_GET) == 3
    assert world.calls(ORDER_INFO) == 45  # the list has no address: one detail call per order
    first = pages[0].orders[0]
    assert (first.status, first.currency, str(first.total)) == ("paid", "USD", "12.90")
    assert pages[0].raw[0]["id"] == int(first.external_id)
    assert pages[-1].next_cursor is None


def test_orders_modified_before_since_are_not_listed(aliexpress):
    world = aliexpress()
    sandbox.listing_create(world.shop, "LOTUS-MAT", 5)
    old = sandbox.place_order(world.shop, [("LOTUS-MAT", 1)])
    recent = sandbox.place_order(world.shop, [("LOTUS-MAT", 1)])
    sandbox.set_order_updated(old, datetime.now(UTC) - timedelta(days=3))

    page = world.adapter().list_orders(an_hour_ago())

    assert [order.external_id for order in page.orders] == [recent.external_id]


def test_get_order(aliexpress):
    world = aliexpress(currency="EUR")
    sandbox.listing_create(world.shop, "LOTUS-TOTE", 10, price="35.50")
    placed = sandbox.place_order(world.shop, [("LOTUS-TOTE", 2)])

    order, raw = world.adapter().get_order(placed.external_id)

    assert raw == placed.payload
    assert (order.currency, order.total) == ("EUR", Decimal("71.00"))
    assert [(line.sku, line.quantity, str(line.unit_price)) for line in order.lines] == [("LOTUS-TOTE", 2, "35.50")]
    with pytest.raises(RequestRejected, match="ORDER_NOT_FOUND"):
        world.adapter().get_order("1234567890")


def test_pushes_quantities_in_calls_of_twenty_products(aliexpress):
    world = aliexpress()
    listings = [sandbox.listing_create(world.shop, f"SKU-{n:03}", 0) for n in range(45)]
    updates = [QuantityUpdate(listing_ref(listing), quantity=n + 1) for n, listing in enumerate(listings)]

    result = world.adapter().push_quantities(updates)

    assert (result.calls, len(result.succeeded), result.failed) == (3, 45, [])
    assert world.calls(INVENTORY) == 3
    assert sorted(world.shop.listings.values_list("quantity", flat=True)) == list(range(1, 46))


def test_skus_of_one_product_travel_together(aliexpress):
    world = aliexpress()
    listings = [sandbox.listing_create(world.shop, f"SIZE-{n}", 0, product_id=1005001234567) for n in range(250)]

    result = world.adapter().push_quantities([QuantityUpdate(listing_ref(listing), 4) for listing in listings])

    assert result.calls == 2  # 250 SKUs of one product: 200 + 50
    assert len(result.succeeded) == 250
    assert set(world.shop.listings.values_list("quantity", flat=True)) == {4}


def test_sandbox_refuses_more_than_twenty_products_in_one_call(aliexpress):
    world = aliexpress()
    listings = [sandbox.listing_create(world.shop, f"SKU-{n:03}", 5) for n in range(21)]

    with pytest.raises(RequestRejected, match="InvalidParameter"):
        world.adapter().push_quantities_batch([QuantityUpdate(listing_ref(listing), 9) for listing in listings])

    assert set(world.shop.listings.values_list("quantity", flat=True)) == {5}


def test_a_failed_product_is_an_item_error_and_the_rest_succeed(aliexpress):
    world = aliexpress()
    good = sandbox.listing_create(world.shop, "LOTUS-GOOD", 1)
    other = sandbox.listing_create(world.shop, "LOTUS-OTHER", 1)
    ghost = ListingRef(seller_sku="LOTUS-GHOST", listing_id=other.listing_id)

    result = world.adapter().push_quantities(
        [QuantityUpdate(listing_ref(good), 7), QuantityUpdate(listing_ref(other), 3), QuantityUpdate(ghost, 2)]
    )

    assert result.calls == 1
    assert [ref.seller_sku for ref in result.succeeded] == ["LOTUS-GOOD"]
    assert {(error.seller_sku, error.message) for error in result.failed} == {
        ("LOTUS-OTHER", "sku_code not found: LOTUS-GHOST"),
        ("LOTUS-GHOST", "sku_code not found: LOTUS-GHOST"),
    }
    assert SandboxListing.objects.get(pk=good.pk).quantity == 7
    assert SandboxListing.objects.get(pk=other.pk).quantity == 1  # the product's update is all or nothing


def test_reads_back_quantities_per_product(aliexpress):
    world = aliexpress()
    first = sandbox.listing_create(world.shop, "A", 4, product_id=1005000000001)
    second = sandbox.listing_create(world.shop, "B", 9, product_id=1005000000001)
    third = sandbox.listing_create(world.shop, "C", 2)

    quantities = world.adapter().read_quantities([listing_ref(first), listing_ref(second), listing_ref(third)])

    assert quantities == {"A": 4, "B": 9, "C": 2}
    assert world.calls("aliexpress.solution.product.info.get") == 2


def test_pushes_a_shipment(aliexpress):
    world = aliexpress(settings={"logistics_services": {"DHL": "DHL"}})
    sandbox.listing_create(world.shop, "LOTUS-MAT", 5)
    placed = sandbox.place_order(world.shop, [("LOTUS-MAT", 1)])
    shipment = ShipmentPush(placed.external_id, "dhl", "JD0146000012345", datetime.now(UTC))

    world.adapter().push_shipment(shipment)

    order = SandboxOrder.objects.get(pk=placed.pk)
    assert order.status == "WAIT_BUYER_ACCEPT_GOODS"
    assert order.payload["order_status"] == "WAIT_BUYER_ACCEPT_GOODS"
    assert [(s["tracking_number"], s["service_name"], s["send_type"]) for s in order.shipments] == [
        ("JD0146000012345", "DHL", "all")
    ]
    assert world.adapter().get_order(placed.external_id)[0].status == "shipped"
    with pytest.raises(RequestRejected, match="ORDER_STATUS_NOT_ALLOWED"):
        world.adapter().push_shipment(shipment)


def test_a_shipment_that_does_not_complete_the_order_is_sent_as_part_then_the_last_as_all(aliexpress):
    world = aliexpress(settings={"logistics_services": {"DHL": "DHL"}})
    sandbox.listing_create(world.shop, "LOTUS-MAT", 5)
    sandbox.listing_create(world.shop, "YOGA-BLOCK", 5)
    placed = sandbox.place_order(world.shop, [("LOTUS-MAT", 1), ("YOGA-BLOCK", 1)])
    [first_line, second_line] = [
        line.external_line_id for line in world.adapter().get_order(placed.external_id)[0].lines
    ]
    at = datetime.now(UTC)

    world.adapter().push_shipment(
        ShipmentPush(placed.external_id, "dhl", "TRK1", at, ((first_line, 1),), completes_order=False)
    )
    assert SandboxOrder.objects.get(pk=placed.pk).status == "SELLER_PART_SEND_GOODS"
    world.adapter().push_shipment(ShipmentPush(placed.external_id, "dhl", "TRK2", at, ((second_line, 1),)))

    order = SandboxOrder.objects.get(pk=placed.pk)
    assert [(s["tracking_number"], s["send_type"]) for s in order.shipments] == [("TRK1", "part"), ("TRK2", "all")]
    assert order.status == "WAIT_BUYER_ACCEPT_GOODS"


def test_throttle_fault_reports_the_ban_length_and_succeeds_after_waiting(aliexpress):
    world = aliexpress()
    SandboxFault.objects.create(
        platform="aliexpress", operation=ORDER_GET, kind=FaultKind.THROTTLE, remaining=1, delay_seconds=2
    )
    adapter = world.adapter()

    with pytest.raises(Throttled) as throttled:
        adapter.list_orders(an_hour_ago())
    time.sleep(throttled.value.retry_after)
    page = adapter.list_orders(an_hour_ago())

    assert throttled.value.retry_after == 2.0  # from "This ban will last for 2 more seconds"
    assert page.orders == []


def test_real_rate_limit_answers_api_call_limit(aliexpress):
    world = aliexpress(rate_per_second=0.25, burst=2)
    adapter = world.adapter()
    adapter.list_orders(an_hour_ago())
    adapter.list_orders(an_hour_ago())

    with pytest.raises(Throttled) as throttled:
        adapter.list_orders(an_hour_ago())

    assert throttled.value.retry_after == 4.0  # one token at 0.25/s: a 4-second ban
    assert "ApiCallLimit" in str(throttled.value)


def test_expired_token_is_refreshed_before_the_call(aliexpress):
    world = aliexpress(expired_token=True)
    old = world.account.credentials

    world.adapter().list_orders(an_hour_ago())

    fresh = MarketplaceAccount.objects.get(pk=world.account.pk).credentials
    assert world.calls("auth.token.refresh") == 1
    assert fresh["access_token"] != old["access_token"]
    assert fresh["refresh_token"] != old["refresh_token"]
    assert fresh["expire_at"] > time.time() + 3600


def test_refused_token_is_refreshed_once_and_the_call_retried(aliexpress):
    world = aliexpress()
    world.shop.secrets["access_tokens"][world.account.credentials["access_token"]] = 0
    world.shop.save()

    assert world.adapter().list_orders(an_hour_ago()).orders == []
    assert world.calls("auth.token.refresh") == 1
    assert world.calls(ORDER_GET) == 2


def test_two_workers_refreshing_at_once_cost_one_token_call(aliexpress):
    world = aliexpress(expired_token=True)
    _, errors = run_at_once([lambda: world.adapter().list_orders(an_hour_ago())] * 3)

    assert errors == []
    assert world.calls("auth.token.refresh") == 1
    assert world.calls(ORDER_GET) == 3


def test_wrong_app_secret_is_auth_failed_without_leaking_secrets(aliexpress):
    world = aliexpress()
    world.account.credentials = {**world.account.credentials, "app_secret": "f" * 32}
    world.account.save()

    with pytest.raises(AuthFailed, match="IncompleteSignature") as failed:
        world.adapter().list_orders(an_hour_ago())

    assert "f" * 8 not in str(failed.value)
    assert world.account.credentials["access_token"] not in str(failed.value)


def test_server_faults_are_retryable(aliexpress):
    world = aliexpress()
    SandboxFault.objects.create(platform="aliexpress", operation=ORDER_GET, kind=FaultKind.SERVER_ERROR)
    SandboxFault.objects.create(platform="aliexpress", operation=ORDER_GET, kind=FaultKind.MALFORMED)
    adapter = world.adapter()

    for _ in range(2):
        with pytest.raises(Exception, match="aliexpress") as failed:
            adapter.list_orders(an_hour_ago())
        assert failed.value.retryable is True


def test_aliexpress_pushes_are_not_verifiable():
    assert verify_webhook("aliexpress", {"Authorization": "anything"}, b"{}", "secret") is False


def test_a_slow_platform_times_out_as_a_retryable_server_error(aliexpress):
    world = aliexpress()
    SandboxFault.objects.create(platform="aliexpress", operation=ORDER_GET, kind=FaultKind.SLOW, delay_seconds=1.5)
    adapter = world.adapter()
    adapter.client = httpx.Client(timeout=0.5)

    with pytest.raises(ServerError) as failed:
        adapter.list_orders(an_hour_ago())
    deadline = time.monotonic() + 5
    while world.calls(ORDER_GET) == 0 and time.monotonic() < deadline:  # let the sandbox finish its slow answer
        time.sleep(0.1)

    assert failed.value.retryable is True
    assert str(failed.value) == f"aliexpress: timeout calling POST {world.account.base_url}/sync"
