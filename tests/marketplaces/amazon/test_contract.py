"""The Amazon adapter against the Amazon sandbox over real HTTP (live_server, PostgreSQL, Redis)."""

import functools
import logging
import time
from datetime import UTC, datetime, timedelta

import pytest

from hub.marketplaces import verify_webhook
from hub.marketplaces.amazon.parsing import parse_order
from hub.marketplaces.errors import AuthFailed, RequestRejected, ServerError, Throttled
from hub.marketplaces.sandbox import amazon as sandbox
from hub.marketplaces.sandbox.models import FaultKind, SandboxFault, SandboxListing, SandboxOrder
from hub.marketplaces.types import ListingRef, QuantityUpdate, ShipmentPush
from sellers.models import MarketplaceAccount
from tests.marketplaces.support import calls, run_at_once

pytestmark = pytest.mark.django_db(transaction=True)
SINCE = datetime.now(UTC) - timedelta(days=1)


def update(sku, quantity):
    return QuantityUpdate(listing=ListingRef(seller_sku=sku, extra={"product_type": "PRODUCT"}), quantity=quantity)


def test_list_orders_pages_through_every_order_with_next_token(make_amazon_account, adapter_of):
    shop, account = make_amazon_account(
        skus=["SKU-1"], quantity=100, settings={"page_size": 20}, usage_plans={"getOrderItems": (0.5, 50)}
    )
    placed = [sandbox.place_order(shop, [("SKU-1", 1)]).external_id for _ in range(45)]
    adapter = adapter_of(account)

    pages = list(adapter.iter_orders(SINCE))

    assert [len(page.orders) for page in pages] == [20, 20, 5]
    assert [order.external_id for page in pages for order in page.orders] == placed
    assert all(raw["OrderItems"][0]["SellerSKU"] == "SKU-1" for page in pages for raw in page.raw)
    assert pages[-1].next_cursor is None
    assert pages[-1].high_water_mark is not None
    assert calls(shop, "getOrders", status_code=200) == 3
    assert calls(shop, "getOrderItems", status_code=200) == 45


def test_short_get_order_items_throttles_are_waited_out(make_amazon_account, adapter_of):
    shop, account = make_amazon_account(skus=["A"], quantity=5, usage_plans={"getOrderItems": (10, 1)})
    for _ in range(3):
        sandbox.place_order(shop, [("A", 1)])

    page = adapter_of(account).list_orders(SINCE)

    assert len(page.orders) == 3
    assert calls(shop, "getOrderItems", status_code=200) == 3
    assert calls(shop, "getOrderItems", status_code=429) >= 1


def test_long_get_order_items_throttle_ends_the_page_where_the_next_pull_resumes(make_amazon_account, adapter_of):
    shop, account = make_amazon_account(skus=["A"], quantity=5, usage_plans={"getOrderItems": (0.01, 1)})
    placed = [sandbox.place_order(shop, [("A", 1)]) for _ in range(2)]

    page = adapter_of(account).list_orders(SINCE)

    assert [order.external_id for order in page.orders] == [placed[0].external_id]
    assert page.next_cursor is None
    assert page.resume_from == parse_order({**placed[1].payload, "OrderItems": []}).updated_at
    assert calls(shop, "getOrderItems", status_code=429) == 1


def test_orders_the_caller_holds_are_not_fetched_again(make_amazon_account, adapter_of):
    shop, account = make_amazon_account(skus=["A"], quantity=5)
    placed = [sandbox.place_order(shop, [("A", 1)]).external_id for _ in range(3)]
    adapter = adapter_of(account)
    seen = []
    adapter.orders_known = lambda stamps: seen.extend(stamps) or {placed[0], placed[2]}

    page = adapter.list_orders(SINCE)

    assert [order.external_id for order in page.orders] == [placed[1]]
    assert [stamp.external_id for stamp in seen] == placed
    assert all(stamp.status == "paid" and stamp.updated_at for stamp in seen)
    assert page.high_water_mark == max(stamp.updated_at for stamp in seen)
    assert calls(shop, "getOrderItems", status_code=200) == 1


def test_the_callers_pace_is_kept_before_each_get_order_items(make_amazon_account, adapter_of):
    shop, account = make_amazon_account(skus=["A"], quantity=5)
    placed = [sandbox.place_order(shop, [("A", 1)]).external_id for _ in range(3)]
    adapter = adapter_of(account)
    waits = iter([0.0, 0.0, 0.05, 0.0, 500.0])
    asked = []
    adapter.pace = lambda operation: asked.append(operation) or next(waits)

    page = adapter.list_orders(SINCE)

    assert [order.external_id for order in page.orders] == placed[:2]
    assert page.resume_from is not None
    assert asked == ["getOrders"] + ["getOrderItems"] * 4
    assert calls(shop, "getOrderItems", status_code=200) == 2


def test_get_orders_is_paced_too_and_a_long_wait_stops_the_pull_before_calling(make_amazon_account, adapter_of):
    from hub.marketplaces.errors import Throttled

    shop, account = make_amazon_account(skus=["A"], quantity=5)
    sandbox.place_order(shop, [("A", 1)])
    adapter = adapter_of(account)
    adapter.pace = lambda operation: 45.0  # the shared bucket: next getOrders in 45 s, over the 20 s budget

    with pytest.raises(Throttled):
        adapter.list_orders(SINCE)

    assert calls(shop, "getOrders") == 0  # never sent: the sandbox's 1/min limit is not broken


def test_get_order_returns_canonical_and_raw(make_amazon_account, adapter_of):
    shop, account = make_amazon_account(skus=["SKU-1", "SKU-2"], quantity=5)
    placed = sandbox.place_order(shop, [("SKU-1", 2), ("SKU-2", 1)])

    order, raw = adapter_of(account).get_order(placed.external_id)

    assert order.external_id == placed.external_id
    assert order.status == "paid"
    assert [(line.sku, line.quantity) for line in order.lines] == [("SKU-1", 2), ("SKU-2", 1)]
    assert raw == placed.payload


def test_push_quantities_sends_one_sku_per_call(make_amazon_account, adapter_of):
    skus = [f"SKU-{n}" for n in range(5)]
    shop, account = make_amazon_account(skus=skus, quantity=1)
    adapter = adapter_of(account)

    result = adapter.push_quantities([update(sku, 40 + n) for n, sku in enumerate(skus)])

    assert adapter.batch_limit == 1
    assert [ref.seller_sku for ref in result.succeeded] == skus
    assert result.failed == []
    assert result.calls == 5
    assert calls(shop, "patchListingsItem", status_code=200, items=1) == 5
    assert dict(SandboxListing.objects.filter(shop=shop).values_list("seller_sku", "quantity")) == {
        sku: 40 + n for n, sku in enumerate(skus)
    }


def test_batch_over_the_limit_is_refused_before_any_call(make_amazon_account, adapter_of):
    shop, account = make_amazon_account(skus=["A", "B"])

    with pytest.raises(RequestRejected):
        adapter_of(account).push_quantities_batch([update("A", 1), update("B", 2)])

    assert calls(shop, "patchListingsItem") == 0


def test_item_failures_are_reported_while_the_rest_succeed(make_amazon_account, adapter_of):
    shop, account = make_amazon_account(skus=["A", "B"], quantity=3)

    result = adapter_of(account).push_quantities([update("A", 7), update("MISSING", 1), update("B", -1)])

    assert [ref.seller_sku for ref in result.succeeded] == ["A"]
    assert [(error.seller_sku, error.code) for error in result.failed] == [("MISSING", "NOT_FOUND"), ("B", "90220")]
    assert dict(SandboxListing.objects.filter(shop=shop).values_list("seller_sku", "quantity")) == {"A": 7, "B": 3}


def test_read_quantities_reads_fulfillment_availability(make_amazon_account, adapter_of):
    shop, account = make_amazon_account(skus=["A", "B"], quantity=9)
    SandboxListing.objects.filter(shop=shop, seller_sku="B").update(quantity=4)

    quantities = adapter_of(account).read_quantities([ListingRef("A"), ListingRef("B"), ListingRef("GONE")])

    assert quantities == {"A": 9, "B": 4}


def test_push_shipment_confirms_packages_and_the_order_becomes_shipped(make_amazon_account, adapter_of):
    shop, account = make_amazon_account(skus=["A", "B"], quantity=5)
    placed = sandbox.place_order(shop, [("A", 2), ("B", 1)])
    first_item = placed.payload["OrderItems"][0]["OrderItemId"]
    adapter = adapter_of(account)
    shipped_at = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)

    adapter.push_shipment(ShipmentPush(placed.external_id, "UPS", "1Z999AA10123456784", shipped_at, ((first_item, 2),)))
    partly = SandboxOrder.objects.get(pk=placed.pk)
    adapter.push_shipment(ShipmentPush(placed.external_id, "Yodel Direct", "JD0002", shipped_at + timedelta(hours=1)))
    shipped = SandboxOrder.objects.get(pk=placed.pk)

    assert partly.status == "PartiallyShipped"
    assert shipped.status == "Shipped"
    assert [(s["carrierCode"], s.get("carrierName"), s["trackingNumber"]) for s in shipped.shipments] == [
        ("UPS", None, "1Z999AA10123456784"),
        ("Other", "Yodel Direct", "JD0002"),
    ]
    assert shipped.shipments[0]["shipDate"] == "2026-03-03T10:00:00Z"
    assert shipped.shipments[1]["orderItems"] == [
        {"orderItemId": placed.payload["OrderItems"][1]["OrderItemId"], "quantity": 1}
    ]
    assert adapter.get_order(placed.external_id)[0].status == "shipped"
    assert calls(shop, "confirmShipment", status_code=204) == 2


def test_shipment_for_more_than_was_ordered_is_rejected(make_amazon_account, adapter_of):
    shop, account = make_amazon_account(skus=["A"], quantity=5)
    placed = sandbox.place_order(shop, [("A", 1)])
    item = placed.payload["OrderItems"][0]["OrderItemId"]

    with pytest.raises(RequestRejected, match="InvalidInput"):
        adapter_of(account).push_shipment(
            ShipmentPush(placed.external_id, "UPS", "1Z1", datetime.now(UTC), ((item, 2),))
        )

    assert SandboxOrder.objects.get(pk=placed.pk).shipments == []


def test_get_orders_burst_of_20_then_throttled_with_the_rate_header(make_amazon_account, adapter_of):
    shop, account = make_amazon_account()
    adapter = adapter_of(account)
    for _ in range(20):
        adapter.list_orders(SINCE)

    with pytest.raises(Throttled) as throttled:
        adapter.list_orders(SINCE)

    assert throttled.value.retry_after == pytest.approx(1 / 0.0167, abs=0.01)
    assert calls(shop, "getOrders", status_code=429) == 1


def test_recovers_from_a_throttle_after_the_signalled_wait(make_amazon_account, adapter_of):
    shop, account = make_amazon_account(skus=["A"])
    SandboxFault.objects.create(
        platform="amazon",
        shop_id=shop.shop_id,
        operation="patchListingsItem",
        kind=FaultKind.THROTTLE,
        delay_seconds=0.5,
    )
    adapter = adapter_of(account)

    with pytest.raises(Throttled) as throttled:
        adapter.push_quantities([update("A", 3)])
    time.sleep(throttled.value.retry_after)
    result = adapter.push_quantities([update("A", 3)])

    assert throttled.value.retry_after == 0.5
    assert [ref.seller_sku for ref in result.succeeded] == ["A"]
    assert SandboxListing.objects.get(shop=shop, seller_sku="A").quantity == 3


def test_server_errors_and_malformed_answers_are_retryable_server_errors(make_amazon_account, adapter_of):
    shop, account = make_amazon_account()
    for kind in (FaultKind.SERVER_ERROR, FaultKind.MALFORMED):
        SandboxFault.objects.create(platform="amazon", shop_id=shop.shop_id, operation="getOrders", kind=kind)
    adapter = adapter_of(account)

    for _ in range(2):
        with pytest.raises(ServerError) as failed:
            adapter.list_orders(SINCE)
        assert failed.value.retryable

    assert adapter.list_orders(SINCE).orders == []


def test_expired_token_is_refreshed_through_lwa_before_the_call(make_amazon_account, adapter_of):
    shop, account = make_amazon_account(access_token_expired=True)
    old_token = account.credentials["access_token"]

    adapter_of(account).list_orders(SINCE)

    stored = MarketplaceAccount.objects.get(pk=account.pk).credentials
    assert stored["access_token"] != old_token
    assert datetime.fromisoformat(stored["access_token_expires_at"]) > datetime.now(UTC) + timedelta(minutes=50)
    assert calls(shop, "lwa_token", status_code=200) == 1
    assert calls(shop, "getOrders", status_code=403) == 0


def test_token_the_platform_calls_expired_is_refreshed_once_and_the_call_repeated(make_amazon_account, adapter_of):
    shop, account = make_amazon_account(access_token_expired=True)
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    account.credentials = {**account.credentials, "access_token_expires_at": future}  # our clock disagrees
    account.save()

    page = adapter_of(account).list_orders(SINCE)

    assert page.orders == []
    assert calls(shop, "getOrders", status_code=403) == 1
    assert calls(shop, "getOrders", status_code=200) == 1
    assert calls(shop, "lwa_token", status_code=200) == 1


def test_two_workers_refreshing_at_once_make_one_token_call(make_amazon_account, adapter_of):
    shop, account = make_amazon_account(access_token_expired=True, skus=["A"])
    adapters = [adapter_of(account) for _ in range(4)]

    results, errors = run_at_once([functools.partial(a.read_quantities, [ListingRef("A")]) for a in adapters])

    assert errors == []
    assert results == [{"A": 10}] * 4
    assert calls(shop, "lwa_token") == 1


def test_refused_refresh_is_auth_failed_and_names_no_secret(make_amazon_account, adapter_of):
    shop, account = make_amazon_account(access_token_expired=True)
    account.credentials = {**account.credentials, "client_secret": "amzn1.oa2-cs.v1.wrong-secret-value"}
    account.save()

    with pytest.raises(AuthFailed) as failed:
        adapter_of(account).list_orders(SINCE)

    assert "invalid_client" in str(failed.value)
    for secret in ("wrong-secret-value", account.credentials["refresh_token"], account.credentials["access_token"]):
        assert secret not in str(failed.value)
        assert secret not in repr(failed.value)
    assert calls(shop, "lwa_token", status_code=401) == 1


def test_unknown_token_after_refresh_is_auth_failed(make_amazon_account, adapter_of):
    shop, account = make_amazon_account()
    shop.secrets = {**shop.secrets, "access_tokens": {}}  # Amazon revoked every token
    shop.save()
    account.credentials = {**account.credentials, "refresh_token": "Atzr|revoked"}
    account.save()

    with pytest.raises(AuthFailed, match="invalid_grant"):
        adapter_of(account).list_orders(SINCE)


def test_amazon_signs_no_http_pushes():
    assert verify_webhook("amazon", {"X-Anything": "x"}, b"{}", "secret") is False


def test_no_credential_reaches_the_logs(make_amazon_account, adapter_of, caplog):
    _shop, account = make_amazon_account(access_token_expired=True, skus=["A"])
    for logger in ("", "httpx", "httpcore", "django"):  # httpx is at WARNING in settings; open it up here
        caplog.set_level(logging.DEBUG, logger=logger)

    adapter = adapter_of(account)
    adapter.push_quantities([update("A", 2), update("MISSING", 1)])
    fresh = MarketplaceAccount.objects.get(pk=account.pk).credentials

    assert any(record.name == "httpx" for record in caplog.records)
    for name in ("client_secret", "refresh_token", "access_token"):
        assert account.credentials[name] not in caplog.text
        assert fresh[name] not in caplog.text
