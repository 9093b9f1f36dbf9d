"""The Shopee adapter against the Shopee sandbox, over real HTTP (live_server)."""

import logging
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from hub.marketplaces.errors import AlreadyShipped, AuthFailed, RequestRejected, ServerError, Throttled
from hub.marketplaces.sandbox import shopee as sandbox
from hub.marketplaces.sandbox.models import FaultKind, SandboxFault, SandboxListing, SandboxOrder
from hub.marketplaces.types import ListingRef, QuantityUpdate, ShipmentPush
from sellers.models import MarketplaceAccount
from tests.marketplaces.support import an_hour_ago, listing_ref, run_at_once


def test_paginates_through_many_orders_with_cursor_and_details_in_fifties(shopee):
    world = shopee(settings={"page_size": 30})
    sandbox.listing_create(world.shop, "LOTUS-MAT", 500, price="12.90")
    placed = [sandbox.place_order(world.shop, [("LOTUS-MAT", 1)]).external_id for _ in range(75)]

    pages = list(world.adapter().iter_orders(an_hour_ago()))

    assert [len(page.orders) for page in pages] == [30, 30, 15]
    assert [order.external_id for page in pages for order in page.orders] == placed
    assert pages[-1].next_cursor is None
    assert world.calls("get_order_list") == 3
    assert world.calls("get_order_detail") == 3
    first = pages[0].orders[0]
    assert first.status == "paid"
    assert first.currency == "SGD"
    assert str(first.total) == "12.90"
    assert pages[0].raw[0]["order_sn"] == first.external_id
    assert pages[-1].high_water_mark == max(o.updated_at for o in pages[-1].orders)


def test_walks_fifteen_day_windows_when_the_cursor_is_older(shopee):
    world = shopee()
    sandbox.listing_create(world.shop, "LOTUS-MAT", 50)
    old = sandbox.place_order(world.shop, [("LOTUS-MAT", 1)])
    middle = sandbox.place_order(world.shop, [("LOTUS-MAT", 1)])
    recent = sandbox.place_order(world.shop, [("LOTUS-MAT", 1)])
    now = datetime.now(UTC)
    sandbox.set_order_updated(old, now - timedelta(days=38))
    sandbox.set_order_updated(middle, now - timedelta(days=20))

    pages = list(world.adapter().iter_orders(now - timedelta(days=40)))

    # 40 days in windows of at most 15: [-40,-25], [-25,-10], [-10,now]
    assert [[o.external_id for o in page.orders] for page in pages] == [
        [old.external_id],
        [middle.external_id],
        [recent.external_id],
    ]
    assert world.calls("get_order_list") == 3


def test_get_order_returns_canonical_and_raw(shopee):
    world = shopee(region="MY")
    sandbox.listing_create(world.shop, "LOTUS-TOTE", 10, price="35.50")
    placed = sandbox.place_order(world.shop, [("LOTUS-TOTE", 2)])

    order, raw = world.adapter().get_order(placed.external_id)

    assert raw["item_list"] == placed.payload["item_list"]
    assert raw["recipient_address"] == placed.payload["recipient_address"]
    assert "buyer_user_id" not in raw  # optional fields come only when asked for
    assert order.currency == "MYR"
    assert order.ship_to.country == "MY"
    assert [(line.sku, line.quantity, str(line.unit_price)) for line in order.lines] == [("LOTUS-TOTE", 2, "35.50")]
    with pytest.raises(RequestRejected, match="not found"):
        world.adapter().get_order("2611259NOSUCH")


def test_pushes_quantities_in_batches_of_fifty_models_per_item(shopee):
    world = shopee()
    listings = [sandbox.listing_create(world.shop, f"SKU-{n:03}", 0) for n in range(120)]
    updates = [QuantityUpdate(listing_ref(listing), quantity=n + 1) for n, listing in enumerate(listings)]

    result = world.adapter().push_quantities(updates)

    assert result.calls == 3
    assert result.failed == []
    assert len(result.succeeded) == 120
    assert world.calls("update_stock") == 3
    assert sorted(world.shop.listings.values_list("quantity", flat=True)) == list(range(1, 121))


def test_sandbox_refuses_more_than_fifty_models_in_one_call(shopee):
    world = shopee()
    listings = [sandbox.listing_create(world.shop, f"SKU-{n:03}", 5) for n in range(51)]
    adapter = world.adapter()
    adapter.batch_limit = 51  # pretend the adapter did not know the limit

    with pytest.raises(RequestRejected, match=r"product\.error_param"):
        adapter.push_quantities_batch([QuantityUpdate(listing_ref(listing), quantity=9) for listing in listings])

    assert set(world.shop.listings.values_list("quantity", flat=True)) == {5}


def test_one_failed_model_is_an_item_error_and_the_rest_succeed(shopee):
    world = shopee()
    good = sandbox.listing_create(world.shop, "LOTUS-GOOD", 1)
    reserved = sandbox.listing_create(world.shop, "LOTUS-RESERVED", 8, reserved=5)
    ghost = ListingRef(seller_sku="LOTUS-GHOST", listing_id=good.listing_id, variant_id="999")

    result = world.adapter().push_quantities(
        [QuantityUpdate(listing_ref(good), 7), QuantityUpdate(listing_ref(reserved), 2), QuantityUpdate(ghost, 3)]
    )

    assert result.calls == 1
    assert [ref.seller_sku for ref in result.succeeded] == ["LOTUS-GOOD"]
    assert {(error.seller_sku, error.message) for error in result.failed} == {
        ("LOTUS-RESERVED", "Stock cannot be less than the reserved stock."),
        ("LOTUS-GHOST", "Model not found."),
    }
    assert SandboxListing.objects.get(pk=good.pk).quantity == 7
    assert SandboxListing.objects.get(pk=reserved.pk).quantity == 8


def test_reads_back_quantities_per_item(shopee):
    world = shopee()
    first = sandbox.listing_create(world.shop, "A", 4)
    second = sandbox.listing_create(world.shop, "B", 9)
    other_item = sandbox.listing_create(world.shop, "C", 2, item_id=123456789)

    quantities = world.adapter().read_quantities([listing_ref(first), listing_ref(second), listing_ref(other_item)])

    assert quantities == {"A": 4, "B": 9, "C": 2}
    assert world.calls("get_model_list") == 2


def test_pushes_a_shipment_with_our_tracking_number(shopee):
    world = shopee()
    sandbox.listing_create(world.shop, "LOTUS-MAT", 5)
    placed = sandbox.place_order(world.shop, [("LOTUS-MAT", 1)])
    shipment = ShipmentPush(placed.external_id, "DHL", "JD0146000012345", datetime.now(UTC))

    world.adapter().push_shipment(shipment)

    order = SandboxOrder.objects.get(pk=placed.pk)
    assert order.status == "PROCESSED"
    assert order.payload["order_status"] == "PROCESSED"
    assert [entry["tracking_number"] for entry in order.shipments] == ["JD0146000012345"]
    assert world.calls("get_shipping_parameter") == 1
    assert world.calls("ship_order") == 1

    # a retry whose first answer was lost: Shopee refuses, but shows our number, so it is done
    world.adapter().push_shipment(shipment)
    assert world.calls("ship_order") == 2
    assert world.calls("get_tracking_number") == 1
    assert [entry["tracking_number"] for entry in SandboxOrder.objects.get(pk=placed.pk).shipments] == [
        "JD0146000012345"
    ]

    # another number: Shopee ships an order once, the refusal names the number it shows
    with pytest.raises(AlreadyShipped, match="already shipped with JD0146000012345") as refused:
        world.adapter().push_shipment(replace(shipment, tracking_number="OTHER1"))
    assert refused.value.shown == "JD0146000012345"


def test_throttled_call_reports_retry_after_and_succeeds_after_waiting(shopee):
    world = shopee(settings={"throttle_retry_seconds": 0.5})
    SandboxFault.objects.create(platform="shopee", operation="get_order_list", kind=FaultKind.THROTTLE, remaining=1)
    adapter = world.adapter()

    with pytest.raises(Throttled) as throttled:
        adapter.list_orders(an_hour_ago())
    time.sleep(throttled.value.retry_after)
    page = adapter.list_orders(an_hour_ago())

    assert throttled.value.retry_after == 0.5
    assert page.orders == []


def test_real_rate_limit_answers_error_too_many_request(shopee):
    world = shopee(rate_per_second=0.5, burst=2)
    adapter = world.adapter()
    adapter.list_orders(an_hour_ago())
    adapter.list_orders(an_hour_ago())

    with pytest.raises(Throttled) as throttled:
        adapter.list_orders(an_hour_ago())

    assert throttled.value.retry_after == 1.0  # Shopee sends no Retry-After: the adapter's documented default
    assert "error_too_many_request" in str(throttled.value)


def test_expired_token_is_refreshed_before_the_call(shopee):
    world = shopee(expired_token=True)
    old = world.account.credentials

    world.adapter().list_orders(an_hour_ago())

    fresh = MarketplaceAccount.objects.get(pk=world.account.pk).credentials
    assert world.calls("access_token_get") == 1
    assert fresh["access_token"] != old["access_token"]
    assert fresh["refresh_token"] != old["refresh_token"]  # Shopee rotates the refresh token
    assert fresh["expire_at"] > time.time() + 3 * 3600


def test_token_rejected_inside_http_200_is_refreshed_once_and_retried(shopee):
    world = shopee()
    world.shop.secrets["access_tokens"][world.account.credentials["access_token"]] = 0  # revoked on the platform
    world.shop.save()

    page = world.adapter().list_orders(an_hour_ago())

    assert page.orders == []
    assert world.calls("access_token_get") == 1
    assert world.calls("get_order_list") == 2


def test_two_workers_refreshing_at_once_cost_one_token_call(shopee):
    world = shopee(expired_token=True)
    _, errors = run_at_once([lambda: world.adapter().list_orders(an_hour_ago())] * 2)

    assert errors == []
    assert world.calls("access_token_get") == 1
    assert world.calls("get_order_list") == 2


def test_wrong_partner_key_is_auth_failed_without_leaking_it(shopee):
    world = shopee()
    world.account.credentials = {**world.account.credentials, "partner_key": "0" * 64}
    world.account.save()

    with pytest.raises(AuthFailed) as failed:
        world.adapter().list_orders(an_hour_ago())

    assert "error_sign" in str(failed.value)
    assert "0" * 16 not in str(failed.value)
    assert world.account.credentials["access_token"] not in str(failed.value)


def test_server_fault_is_a_retryable_server_error(shopee):
    world = shopee()
    SandboxFault.objects.create(platform="shopee", operation="get_order_list", kind=FaultKind.SERVER_ERROR)
    SandboxFault.objects.create(platform="shopee", operation="get_order_list", kind=FaultKind.MALFORMED)
    adapter = world.adapter()

    for _ in range(2):
        with pytest.raises(Exception, match="shopee") as failed:
            adapter.list_orders(an_hour_ago())
        assert failed.value.retryable is True
        assert "sign=" not in str(failed.value)


def test_tokens_and_signatures_never_reach_the_request_log(shopee, caplog):
    world = shopee(expired_token=True)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")  # settings keep it at WARNING; open it to see what it would log

    world.adapter().list_orders(an_hour_ago())

    fresh = MarketplaceAccount.objects.get(pk=world.account.pk).credentials
    assert "HTTP Request: GET" in caplog.text
    assert "access_token=***" in caplog.text
    for secret in (fresh["access_token"], world.account.credentials["access_token"], fresh["partner_key"]):
        assert secret not in caplog.text
    assert "sign=***" in caplog.text


def test_a_slow_platform_times_out_as_a_retryable_server_error(shopee):
    world = shopee()
    SandboxFault.objects.create(
        platform="shopee", operation="get_order_list", kind=FaultKind.SLOW, remaining=1, delay_seconds=1.5
    )
    adapter = world.adapter()
    adapter.client = httpx.Client(timeout=0.5)

    with pytest.raises(ServerError) as failed:
        adapter.list_orders(an_hour_ago())
    deadline = time.monotonic() + 5
    while world.calls("get_order_list") == 0 and time.monotonic() < deadline:  # let the sandbox finish its slow answer
        time.sleep(0.1)

    assert failed.value.retryable is True
    assert str(failed.value) == f"shopee: timeout calling GET {world.account.base_url}/api/v2/order/get_order_list"


def test_the_last_update_of_a_model_in_one_push_wins_and_both_are_answered(shopee):
    world = shopee()
    listing = sandbox.listing_create(world.shop, "LOTUS-MAT", 1)

    result = world.adapter().push_quantities(
        [QuantityUpdate(listing_ref(listing), 4), QuantityUpdate(listing_ref(listing), 6)]
    )

    assert (result.calls, [ref.seller_sku for ref in result.succeeded], result.failed) == (
        1,
        ["LOTUS-MAT", "LOTUS-MAT"],
        [],
    )
    assert SandboxListing.objects.get(pk=listing.pk).quantity == 6
