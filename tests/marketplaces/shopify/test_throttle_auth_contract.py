"""Throttling and tokens against the sandbox over HTTP: 429 + Retry-After, GraphQL cost, token refresh."""

import functools
import logging
import time
from datetime import UTC, datetime

import pytest

from hub.marketplaces.errors import AuthFailed, Throttled
from hub.marketplaces.sandbox.models import FaultKind, SandboxFault, SandboxShop
from hub.marketplaces.types import ListingRef, QuantityUpdate
from tests.marketplaces.support import run_at_once

pytestmark = pytest.mark.django_db(transaction=True)

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def push_one(adapter, listing, quantity):
    ref = ListingRef(seller_sku=listing.seller_sku, inventory_id=listing.inventory_id)
    return adapter.push_quantities_batch([QuantityUpdate(ref, quantity)])


def test_rest_429_gives_retry_after_and_the_retry_succeeds(shopify):
    world = shopify()
    SandboxFault.objects.create(
        platform="shopify", shop_id=world.shop.shop_id, kind=FaultKind.THROTTLE, delay_seconds=3
    )
    adapter = world.adapter()

    with pytest.raises(Throttled) as throttled:
        adapter.list_orders(LONG_AGO)
    page = adapter.list_orders(LONG_AGO)

    assert throttled.value.retry_after == 3.0
    assert page.orders == []
    assert world.calls("orders_list", status_code=429) == 1


def test_rest_leaky_bucket_overflows_then_drains(shopify):
    world = shopify(limits={"rest_rate": 0.5, "rest_bucket": 3})
    adapter = world.adapter()
    for _ in range(3):
        adapter.list_orders(LONG_AGO)
    assert adapter.call_limit[1] == 3

    with pytest.raises(Throttled) as throttled:
        adapter.list_orders(LONG_AGO)
    time.sleep(throttled.value.retry_after)
    adapter.list_orders(LONG_AGO)

    assert 0 < throttled.value.retry_after <= 2.0
    assert world.calls("orders_list", status_code=429) == 1
    assert world.calls("orders_list", status_code=200) == 4


def test_graphql_throttle_waits_for_the_cost_to_restore(shopify):
    world = shopify(limits={"graphql_restore": 5, "graphql_bucket": 20})
    (listing,) = world.listings(1)
    SandboxFault.objects.create(
        platform="shopify", operation="inventory_set_quantities", kind=FaultKind.THROTTLE, delay_seconds=1.0
    )
    adapter = world.adapter()

    with pytest.raises(Throttled) as throttled:
        push_one(adapter, listing, 4)
    result = push_one(adapter, listing, 4)

    # cost 10, restoreRate 5/s, currentlyAvailable 10 - 1.0 * 5 = 5: (10 - 5) / 5 s
    assert throttled.value.retry_after == 1.0
    assert len(result.succeeded) == 1


def test_graphql_cost_bucket_overflows_with_the_documented_answer(shopify):
    world = shopify(limits={"graphql_restore": 5, "graphql_bucket": 20})
    (listing,) = world.listings(1)
    adapter = world.adapter()
    push_one(adapter, listing, 1)
    push_one(adapter, listing, 2)

    with pytest.raises(Throttled) as throttled:
        push_one(adapter, listing, 3)

    # two mutations of 10 points emptied the 20-point bucket; it refills at 5 points/s
    status = adapter.graphql_cost["throttleStatus"]
    assert (status["maximumAvailable"], status["restoreRate"]) == (20.0, 5.0)
    assert adapter.graphql_cost["actualQueryCost"] is None
    assert throttled.value.retry_after == (10 - status["currentlyAvailable"]) / 5
    assert 1.0 < throttled.value.retry_after <= 2.0


def test_expired_token_is_refreshed_once_and_stored(shopify):
    world = shopify(expired_token=True)
    before = world.credentials()

    world.adapter().list_orders(LONG_AGO)

    after = world.credentials()
    assert world.calls("oauth_token") == 1
    assert after["access_token"] != before["access_token"]
    assert after["refresh_token"] != before["refresh_token"]  # rotated on use
    assert datetime.fromisoformat(after["expires_at"]) > datetime.now(UTC)
    assert world.calls("orders_list", status_code=401) == 0


def order_count(adapter) -> int:
    return len(adapter.list_orders(LONG_AGO).orders)


def test_two_workers_refreshing_at_once_make_one_token_call(shopify):
    world = shopify(expired_token=True)
    adapters = [world.adapter() for _ in range(4)]

    results, errors = run_at_once([functools.partial(order_count, adapter) for adapter in adapters])

    assert errors == []
    assert results == [0, 0, 0, 0]
    assert world.calls("oauth_token") == 1
    assert world.calls("orders_list", status_code=200) == 4


def test_revoked_token_is_refreshed_after_401_and_the_call_retried(shopify):
    world = shopify()
    SandboxShop.objects.filter(pk=world.shop.pk).update(secrets={**world.shop.secrets, "access_tokens": {}})

    page = world.adapter().list_orders(LONG_AGO)

    assert page.orders == []
    assert world.calls("orders_list", status_code=401) == 1
    assert world.calls("oauth_token", status_code=200) == 1


def test_refused_refresh_is_auth_failed_without_secrets_in_message_or_logs(shopify, caplog):
    world = shopify(expired_token=True)
    credentials = world.credentials()
    world.account.credentials = {**credentials, "refresh_token": "shprt_not_issued"}
    world.account.save(update_fields=["credentials"])

    with caplog.at_level(logging.DEBUG), pytest.raises(AuthFailed) as failed:
        world.adapter().list_orders(LONG_AGO)

    shown = f"{failed.value} {failed.value!r} {caplog.text}"
    for secret in ("shprt_not_issued", credentials["access_token"], credentials["client_secret"]):
        assert secret not in shown
    assert world.calls("oauth_token", status_code=400) == 1


def test_wrong_non_expiring_token_is_auth_failed(shopify):
    world = shopify(expiring_tokens=False)
    world.account.credentials = {"access_token": "shpat_wrong"}
    world.account.save(update_fields=["credentials"])

    with pytest.raises(AuthFailed, match="HTTP 401") as failed:
        world.adapter().list_orders(LONG_AGO)

    assert "shpat_wrong" not in str(failed.value)
    assert world.calls("oauth_token") == 0
