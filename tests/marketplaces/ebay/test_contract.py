"""The eBay adapter against the eBay sandbox over real HTTP (live_server, PostgreSQL, Redis)."""

import functools
import logging
import time
from datetime import UTC, datetime, timedelta

import pytest

from hub.marketplaces import verify_webhook
from hub.marketplaces.ebay.signing import challenge_response, signature_key_id
from hub.marketplaces.errors import AuthFailed, RequestRejected, ServerError, Throttled
from hub.marketplaces.sandbox import ebay as sandbox
from hub.marketplaces.sandbox.models import FaultKind, SandboxFault, SandboxListing, SandboxOrder, SandboxWebhook
from hub.marketplaces.types import ListingRef, QuantityUpdate, ShipmentPush
from sellers.models import MarketplaceAccount
from tests.marketplaces.support import call_items, calls, run_at_once

pytestmark = pytest.mark.django_db(transaction=True)
SINCE = datetime.now(UTC) - timedelta(days=1)


def refs(shop):
    return {
        listing.seller_sku: ListingRef(listing.seller_sku, extra=listing.data["hub_extra"])
        for listing in SandboxListing.objects.filter(shop=shop)
    }


def test_list_orders_pages_through_every_order_by_next_href(make_ebay_account, adapter_of):
    shop, account = make_ebay_account(skus=["SKU-1"], quantity=100, settings={"page_size": 20})
    placed = [sandbox.place_order(shop, [("SKU-1", 1)]).external_id for _ in range(45)]

    pages = list(adapter_of(account).iter_orders(SINCE))

    assert [len(page.orders) for page in pages] == [20, 20, 5]
    assert [order.external_id for page in pages for order in page.orders] == placed
    assert pages[0].next_cursor.startswith(account.base_url + "/sell/fulfillment/v1/order?")
    assert "offset=20" in pages[0].next_cursor
    assert pages[-1].next_cursor is None
    assert calls(shop, "getOrders", status_code=200) == 3


def test_foreign_next_href_is_refused_without_sending_the_token(make_ebay_account, adapter_of):
    shop, account = make_ebay_account()

    with pytest.raises(RequestRejected):
        adapter_of(account).list_orders(SINCE, "https://attacker.example/sell/fulfillment/v1/order?offset=50")

    assert calls(shop, "getOrders") == 0


def test_get_order_returns_canonical_and_raw(make_ebay_account, adapter_of):
    shop, account = make_ebay_account(skus=["A", "B"])
    placed = sandbox.place_order(shop, [("A", 2), ("B", 1)])

    order, raw = adapter_of(account).get_order(placed.external_id)

    assert (order.external_id, order.status) == (placed.external_id, "paid")
    assert [(line.sku, line.quantity, str(line.unit_price)) for line in order.lines] == [
        ("A", 2, "19.90"),
        ("B", 1, "19.90"),
    ]
    assert raw == placed.payload


def test_push_quantities_in_batches_of_25(make_ebay_account, adapter_of):
    skus = [f"SKU-{n:02d}" for n in range(60)]
    shop, account = make_ebay_account(skus=skus, quantity=1)
    by_sku = refs(shop)
    adapter = adapter_of(account)

    result = adapter.push_quantities([QuantityUpdate(by_sku[sku], 100 + n) for n, sku in enumerate(skus)])

    assert adapter.batch_limit == 25
    assert result.failed == []
    assert [ref.seller_sku for ref in result.succeeded] == skus
    assert result.calls == 3
    assert call_items(shop, "bulkUpdatePriceQuantity") == [25, 25, 10]
    assert dict(SandboxListing.objects.filter(shop=shop).values_list("seller_sku", "quantity")) == {
        sku: 100 + n for n, sku in enumerate(skus)
    }


def test_oversized_batch_is_refused_by_the_sandbox(make_ebay_account, adapter_of):
    skus = [f"SKU-{n:02d}" for n in range(26)]
    shop, account = make_ebay_account(skus=skus, quantity=1)
    by_sku = refs(shop)

    with pytest.raises(RequestRejected, match="25709"):
        adapter_of(account).push_quantities_batch([QuantityUpdate(by_sku[sku], 5) for sku in skus])

    assert calls(shop, "bulkUpdatePriceQuantity", status_code=400) == 1
    assert set(SandboxListing.objects.filter(shop=shop).values_list("quantity", flat=True)) == {1}


def test_item_failures_are_reported_per_sku_while_the_rest_succeed(make_ebay_account, adapter_of):
    shop, account = make_ebay_account(skus=["A", "B"], quantity=3)
    by_sku = refs(shop)

    result = adapter_of(account).push_quantities(
        [QuantityUpdate(by_sku["A"], 8), QuantityUpdate(ListingRef("MISSING"), 1), QuantityUpdate(by_sku["B"], -2)]
    )

    assert [ref.seller_sku for ref in result.succeeded] == ["A"]
    assert [(error.seller_sku, error.code) for error in result.failed] == [("MISSING", "25710"), ("B", "25709")]
    assert dict(SandboxListing.objects.filter(shop=shop).values_list("seller_sku", "quantity")) == {"A": 8, "B": 3}
    assert calls(shop, "bulkUpdatePriceQuantity", status_code=207) == 1


def test_the_251st_revision_of_a_day_is_refused(make_ebay_account, adapter_of):
    shop, account = make_ebay_account(skus=["A", "B"], quantity=1)
    SandboxListing.objects.filter(shop=shop, seller_sku="A").update(
        revisions={datetime.now(UTC).date().isoformat(): 249}
    )
    by_sku = refs(shop)
    adapter = adapter_of(account)

    first = adapter.push_quantities([QuantityUpdate(by_sku["A"], 5), QuantityUpdate(by_sku["B"], 5)])
    second = adapter.push_quantities([QuantityUpdate(by_sku["A"], 6), QuantityUpdate(by_sku["B"], 6)])

    assert [ref.seller_sku for ref in first.succeeded] == ["A", "B"]
    assert [ref.seller_sku for ref in second.succeeded] == ["B"]
    assert [(error.seller_sku, error.code, error.retryable) for error in second.failed] == [("A", "25002", False)]
    assert "250 revisions" in second.failed[0].message
    listing = SandboxListing.objects.get(shop=shop, seller_sku="A")
    assert (listing.quantity, listing.revisions) == (5, {datetime.now(UTC).date().isoformat(): 250})


def test_read_quantities_reads_25_skus_per_call(make_ebay_account, adapter_of):
    skus = [f"SKU-{n:02d}" for n in range(30)]
    shop, account = make_ebay_account(skus=skus, quantity=7)
    SandboxListing.objects.filter(shop=shop, seller_sku="SKU-03").update(quantity=2)

    quantities = adapter_of(account).read_quantities([ListingRef(sku) for sku in [*skus, "GONE"]])

    assert quantities == {sku: 2 if sku == "SKU-03" else 7 for sku in skus}
    assert calls(shop, "bulkGetInventoryItem") == 2


def test_push_shipment_creates_fulfillments_and_the_order_becomes_fulfilled(make_ebay_account, adapter_of):
    shop, account = make_ebay_account(skus=["A", "B"], quantity=5)
    placed = sandbox.place_order(shop, [("A", 2), ("B", 1)])
    first_line = placed.payload["lineItems"][0]["lineItemId"]
    adapter = adapter_of(account)
    shipped_at = datetime(2026, 3, 3, 10, 0, 0, 250000, tzinfo=UTC)

    adapter.push_shipment(ShipmentPush(placed.external_id, "UPS", "1Z999AA10123456784", shipped_at, ((first_line, 2),)))
    partly = SandboxOrder.objects.get(pk=placed.pk).payload["orderFulfillmentStatus"]
    adapter.push_shipment(ShipmentPush(placed.external_id, "Royal Mail", "RM123GB", shipped_at))
    order = SandboxOrder.objects.get(pk=placed.pk)

    assert partly == "IN_PROGRESS"
    assert order.payload["orderFulfillmentStatus"] == "FULFILLED"
    assert [(s["shippingCarrierCode"], s["shipmentTrackingNumber"]) for s in order.shipments] == [
        ("UPS", "1Z999AA10123456784"),
        ("RoyalMail", "RM123GB"),
    ]
    assert order.shipments[0]["shippedDate"] == "2026-03-03T10:00:00.250Z"
    # the second push named no lines: what was left unshipped
    assert order.shipments[1]["lineItems"] == [
        {"lineItemId": placed.payload["lineItems"][1]["lineItemId"], "quantity": 1}
    ]
    assert adapter.get_order(placed.external_id)[0].status == "shipped"
    assert calls(shop, "createShippingFulfillment", status_code=201) == 2


def test_quota_exhausted_is_throttled_until_a_call_is_allowed_again(make_ebay_account, adapter_of):
    shop, account = make_ebay_account(shop_data={"daily_quotas": {"getOrders": 2}})
    adapter = adapter_of(account)
    adapter.list_orders(SINCE)
    adapter.list_orders(SINCE)

    with pytest.raises(Throttled) as throttled:
        adapter.list_orders(SINCE)

    assert throttled.value.retry_after == pytest.approx(86400 / 2, abs=5)  # one call of 2 a day
    assert calls(shop, "getOrders", status_code=429) == 1


def test_recovers_from_a_429_after_the_signalled_wait(make_ebay_account, adapter_of):
    shop, account = make_ebay_account(skus=["A"])
    SandboxFault.objects.create(
        platform="ebay",
        shop_id=shop.shop_id,
        operation="bulkUpdatePriceQuantity",
        kind=FaultKind.THROTTLE,
        delay_seconds=1,
    )
    adapter = adapter_of(account)
    update = QuantityUpdate(refs(shop)["A"], 4)

    with pytest.raises(Throttled) as throttled:
        adapter.push_quantities([update])
    time.sleep(throttled.value.retry_after)
    result = adapter.push_quantities([update])

    assert throttled.value.retry_after == 1.0
    assert [ref.seller_sku for ref in result.succeeded] == ["A"]
    assert SandboxListing.objects.get(shop=shop, seller_sku="A").quantity == 4


def test_server_errors_and_malformed_answers_are_retryable(make_ebay_account, adapter_of):
    shop, account = make_ebay_account()
    for kind in (FaultKind.UNAVAILABLE, FaultKind.MALFORMED):
        SandboxFault.objects.create(platform="ebay", shop_id=shop.shop_id, operation="getOrders", kind=kind)
    adapter = adapter_of(account)

    for _ in range(2):
        with pytest.raises(ServerError) as failed:
            adapter.list_orders(SINCE)
        assert failed.value.retryable

    assert adapter.list_orders(SINCE).orders == []


def test_expired_token_is_refreshed_before_the_call(make_ebay_account, adapter_of):
    shop, account = make_ebay_account(access_token_expired=True)
    old = account.credentials["access_token"]

    adapter_of(account).list_orders(SINCE)

    stored = MarketplaceAccount.objects.get(pk=account.pk).credentials
    assert stored["access_token"] != old
    assert datetime.fromisoformat(stored["access_token_expires_at"]) > datetime.now(UTC) + timedelta(minutes=110)
    assert calls(shop, "oauth_token", status_code=200) == 1
    assert calls(shop, "getOrders", status_code=401) == 0


def test_token_ebay_rejects_is_refreshed_once_and_the_call_repeated(make_ebay_account, adapter_of):
    shop, account = make_ebay_account(access_token_expired=True)
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    account.credentials = {**account.credentials, "access_token_expires_at": future}
    account.save()

    adapter_of(account).list_orders(SINCE)

    assert calls(shop, "getOrders", status_code=401) == 1
    assert calls(shop, "getOrders", status_code=200) == 1
    assert calls(shop, "oauth_token", status_code=200) == 1


def test_two_workers_refreshing_at_once_make_one_token_call(make_ebay_account, adapter_of):
    shop, account = make_ebay_account(access_token_expired=True, skus=["A"])
    adapters = [adapter_of(account) for _ in range(4)]

    results, errors = run_at_once([functools.partial(a.read_quantities, [ListingRef("A")]) for a in adapters])

    assert errors == []
    assert results == [{"A": 10}] * 4
    assert calls(shop, "oauth_token") == 1


def test_refused_refresh_is_auth_failed_and_names_no_secret(make_ebay_account, adapter_of):
    shop, account = make_ebay_account(access_token_expired=True)
    account.credentials = {**account.credentials, "client_secret": "PRD-wrong-secret-value"}
    account.save()

    with pytest.raises(AuthFailed) as failed:
        adapter_of(account).list_orders(SINCE)

    assert "invalid_client" in str(failed.value)
    for secret in ("wrong-secret-value", account.credentials["refresh_token"], account.credentials["access_token"]):
        assert secret not in str(failed.value)
    assert calls(shop, "oauth_token", status_code=401) == 1


def test_order_confirmation_pushes_are_signed_and_verified(make_ebay_account, adapter_of, live_server):
    shop, account = make_ebay_account(skus=["A", "B"])
    shop.webhook_url = live_server.url + "/hooks/ebay"
    shop.save()
    placed = sandbox.place_order(shop, [("A", 1), ("B", 1)])
    pushes = list(SandboxWebhook.objects.filter(shop=shop).order_by("id"))
    adapter = adapter_of(account)

    key = adapter.public_key(signature_key_id(pushes[0].headers))
    good = [verify_webhook("ebay", push.headers, bytes(push.body), key) for push in pushes]
    tampered = bytes(pushes[0].body).replace(placed.external_id.encode(), b"00-00000-00000")
    bad_signature = {**pushes[0].headers, "X-EBAY-SIGNATURE": pushes[1].headers["X-EBAY-SIGNATURE"]}
    other_shop, _ = make_ebay_account()
    other_key = sandbox.shop.public_key_text(other_shop)

    assert [push.topic for push in pushes] == ["ORDER_CONFIRMATION", "ORDER_CONFIRMATION"]  # one per line item
    assert good == [True, True]
    assert verify_webhook("ebay", pushes[0].headers, tampered, key) is False
    assert verify_webhook("ebay", bad_signature, bytes(pushes[0].body), key) is False
    assert verify_webhook("ebay", pushes[0].headers, bytes(pushes[0].body), other_key) is False
    assert verify_webhook("ebay", {}, bytes(pushes[0].body), key) is False
    assert verify_webhook("ebay", {"X-EBAY-SIGNATURE": "not base64!"}, bytes(pushes[0].body), key) is False
    adapter.public_key(signature_key_id(pushes[0].headers))
    assert calls(shop, "getPublicKey") == 1  # cached


def test_endpoint_validation_challenge_response():
    # SHA-256 over challengeCode + verificationToken + endpoint, hex encoded
    answer = challenge_response(
        "a8628072-3d33-45ee-9004-bee86830a22d", "token-of-32-characters-or-more-x", "https://hub.example/ebay"
    )

    assert answer == "c68fb71d42375377406f3e8d509a3baefd4021213cd176394603ac93f588c0ee"


def test_no_credential_reaches_the_logs(make_ebay_account, adapter_of, caplog):
    shop, account = make_ebay_account(access_token_expired=True, skus=["A"])
    for logger in ("", "httpx", "httpcore", "django"):  # httpx is at WARNING in settings; open it up here
        caplog.set_level(logging.DEBUG, logger=logger)

    adapter_of(account).push_quantities([QuantityUpdate(refs(shop)["A"], 2), QuantityUpdate(ListingRef("NOPE"), 1)])
    fresh = MarketplaceAccount.objects.get(pk=account.pk).credentials

    assert any(record.name == "httpx" for record in caplog.records)
    for name in ("client_secret", "refresh_token", "access_token"):
        assert account.credentials[name] not in caplog.text
        assert fresh[name] not in caplog.text
