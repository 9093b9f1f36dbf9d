"""Scheduled pulls miss nothing and duplicate nothing; reconciliation corrects drift (real HTTP to sandboxes)."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from hub.core.ratelimit import TokenBucket
from hub.marketplaces.amazon.parsing import parse_order
from hub.marketplaces.sandbox.models import SandboxCall, SandboxListing, SandboxShop
from hub.marketplaces.sandbox.registry import sandbox_module
from hub.sync.dispatcher import account_push
from hub.sync.enums import InboxSource, InboxState
from hub.sync.ingest import account_pull
from hub.sync.intake import PACE_MARGIN
from hub.sync.models import AccountSyncState, InboxMessage
from hub.sync.outbox import listings_refresh
from hub.sync.reconcile import account_reconcile
from orders.enums import OrderState
from orders.models import Order
from sellers.models import MarketplaceAccount
from tests.marketplaces.support import calls

from .conftest import shown


def sandbox_shop(listing):
    return SandboxShop.objects.get(platform=listing.account.platform, shop_id=listing.account.shop_id)


def publish(listings):
    for account_id in listings_refresh([listing.pk for listing in listings.values()]):
        account_push(account_id)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("platform", ["amazon", "ebay", "aliexpress", "shopee", "shopify"])
def test_pulls_take_every_order_once_and_move_the_cursor(five_platforms, platform):
    _sku, listings = five_platforms
    publish(listings)
    listing = listings[platform]
    module = sandbox_module(platform)
    first = [module.place_order(sandbox_shop(listing), [(listing.seller_sku, 1)]) for _ in range(2)]

    assert account_pull(listing.account_id) == 2
    assert account_pull(listing.account_id) == 0  # the overlap window re-reads them: nothing new
    later = module.place_order(sandbox_shop(listing), [(listing.seller_sku, 1)])
    account_pull(listing.account_id)

    ids = {order.external_id for order in [*first, later]}
    assert set(Order.objects.values_list("external_id", flat=True)) == ids
    assert Order.objects.count() == 3
    assert InboxMessage.objects.filter(source=InboxSource.PULL, state=InboxState.FAILED).count() == 0
    listing.account.refresh_from_db()
    assert listing.account.cursors["orders_updated_since"]
    assert AccountSyncState.objects.get(account=listing.account).last_pull_at is not None


DETAIL_OPERATIONS = {"amazon": "getOrderItems", "aliexpress": "aliexpress.solution.order.info.get"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("platform", ["amazon", "ebay", "aliexpress", "shopee", "shopify"])
def test_a_pull_rereading_orders_the_hub_holds_stores_and_fetches_nothing_again(five_platforms, platform):
    _sku, listings = five_platforms
    publish(listings)
    listing = listings[platform]
    shop = sandbox_shop(listing)
    for _ in range(2):
        sandbox_module(platform).place_order(shop, [(listing.seller_sku, 1)])
    assert account_pull(listing.account_id) == 2
    messages, details = InboxMessage.objects.count(), detail_calls(shop)

    assert account_pull(listing.account_id) == 0

    assert InboxMessage.objects.count() == messages
    assert detail_calls(shop) == details


def detail_calls(shop) -> int:
    operation = DETAIL_OPERATIONS.get(shop.platform)
    return SandboxCall.objects.filter(shop_id=shop.shop_id, operation=operation).count() if operation else 0


@pytest.mark.django_db(transaction=True)
def test_a_pulled_order_changed_at_the_marketplace_is_fetched_and_applied(five_platforms):
    _sku, listings = five_platforms
    publish(listings)
    amazon = listings["amazon"]
    placed = sandbox_module("amazon").place_order(sandbox_shop(amazon), [(amazon.seller_sku, 1)])
    account_pull(amazon.account_id)
    later = (timezone.now() + timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    placed.payload.update(OrderStatus="Canceled", LastUpdateDate=later)
    placed.save(update_fields=["payload"])

    assert account_pull(amazon.account_id) == 1

    assert Order.objects.get(external_id=placed.external_id).state == OrderState.CANCELLED


@pytest.mark.django_db(transaction=True)
def test_amazon_get_order_items_is_paced_by_the_shared_bucket_and_the_pull_resumes(five_platforms):
    _sku, listings = five_platforms
    publish(listings)
    amazon = listings["amazon"]
    MarketplaceAccount.objects.filter(pk=amazon.account_id).update(settings={"pace_wait_budget": 0})
    placed = [sandbox_module("amazon").place_order(sandbox_shop(amazon), [(amazon.seller_sku, 1)]) for _ in range(3)]
    bucket = TokenBucket(f"amazon:getOrderItems:{amazon.account_id}", 0.5 * PACE_MARGIN, 30 * PACE_MARGIN)
    bucket.reset()
    for _ in range(25):
        assert bucket.take() == 0  # other pulls spent the burst (27 with the hub's margin): two calls left

    assert account_pull(amazon.account_id) == 2

    assert calls(sandbox_shop(amazon), "getOrderItems", status_code=429) == 0
    assert set(Order.objects.values_list("external_id", flat=True)) == {order.external_id for order in placed[:2]}
    cursors = MarketplaceAccount.objects.get(pk=amazon.account_id).cursors
    assert datetime.fromisoformat(cursors["orders_updated_since"]) <= parse_order(placed[2].payload).updated_at
    bucket.reset()
    assert account_pull(amazon.account_id) == 1
    assert set(Order.objects.values_list("external_id", flat=True)) == {order.external_id for order in placed}


@pytest.mark.django_db(transaction=True)
def test_reconciliation_corrects_a_listing_edited_on_the_marketplace(five_platforms):
    _sku, listings = five_platforms
    publish(listings)
    ebay = listings["ebay"]
    SandboxListing.objects.filter(shop__platform="ebay", seller_sku=ebay.seller_sku).update(quantity=99)

    corrected = account_reconcile(ebay.account_id)
    account_push(ebay.account_id)

    assert corrected == 1
    assert shown(ebay) == 10
    assert AccountSyncState.objects.get(account=ebay.account).drift_found == 1
    assert account_reconcile(ebay.account_id) == 0  # settled now


@pytest.mark.django_db(transaction=True)
def test_while_pushes_arrive_a_scheduled_pull_is_only_a_backstop(five_platforms):
    from hub.sync.ingest import BACKSTOP_PULL_SECONDS, pull_due
    from hub.sync.tasks import account_pull_task

    _sku, listings = five_platforms
    account = listings["shopee"].account
    assert pull_due(account.pk)  # never pulled

    account_pull(account.pk)
    assert pull_due(account.pk)  # pulled, but no push arrives: every schedule pulls

    InboxMessage.objects.create(platform="shopee", account=account, source=InboxSource.WEBHOOK, body="{}")
    assert not pull_due(account.pk)  # pushes arrive and the last pull is recent
    requests_before = SandboxCall.objects.filter(platform="shopee", shop_id=account.shop_id).count()
    assert account_pull_task(account.pk) == 0
    assert SandboxCall.objects.filter(platform="shopee", shop_id=account.shop_id).count() == requests_before

    long_ago = timezone.now() - timedelta(seconds=BACKSTOP_PULL_SECONDS + 1)
    AccountSyncState.objects.filter(account=account).update(last_pull_at=long_ago)
    assert pull_due(account.pk)  # the backstop is due
    AccountSyncState.objects.filter(account=account).update(last_pull_at=timezone.now())
    MarketplaceAccount.objects.filter(pk=account.pk).update(settings={**account.settings, "backstop_pull_seconds": 0})
    assert pull_due(account.pk)  # an operator asked for every scheduled pull


@pytest.mark.django_db(transaction=True)
def test_pushed_orders_whose_processing_was_lost_are_queued_again_and_stop_counting_as_in_flight(five_platforms):
    from hub.sync.ingest import inbox_pending_by_platform, inbox_requeue_stale

    _sku, listings = five_platforms
    account = listings["shopee"].account

    def pushed(external_id, seconds_ago, state=InboxState.PENDING):
        message = InboxMessage.objects.create(
            platform="shopee", account=account, source=InboxSource.WEBHOOK, external_id=external_id, body="{}"
        )
        InboxMessage.objects.filter(pk=message.pk).update(
            received_at=timezone.now() - timedelta(seconds=seconds_ago), state=state
        )
        return message.pk

    fresh = pushed("o-1", 10)
    lost = pushed("o-2", 90)
    stuck = pushed("o-3", 600)
    pushed("o-4", 90, state=InboxState.PROCESSED)

    assert inbox_pending_by_platform() == {"shopee": 2}  # the fresh and the lost one; the stuck one is not in flight
    assert inbox_requeue_stale() == [stuck, lost]  # oldest first; the fresh one may still be on its way
    assert inbox_requeue_stale() == []  # queued again once per five minutes at most
    assert fresh not in inbox_requeue_stale()
