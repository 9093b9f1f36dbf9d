"""Stock changes reach every listing on every platform through the outbox and the pushers (services, real HTTP)."""

import dataclasses

import pytest
from django.db.models import F
from django.utils import timezone

from hub.marketplaces.sandbox.models import SandboxShop
from hub.marketplaces.sandbox.registry import sandbox_module
from hub.sync.dispatcher import account_push
from hub.sync.models import ListingPush, StockChange
from hub.sync.outbox import listings_refresh, listings_sold, outbox_drain
from orders.services import order_ingest
from tests.orders.support import canonical_order, rush_of_orders

from .conftest import shown


def placed_now(external_id, lines):
    """An order the buyer places now, after the pushes so far landed (the marketplace counts it down)."""
    return dataclasses.replace(canonical_order(external_id, lines), created_at=timezone.now())


def push_all(accounts):
    for account_id in sorted(accounts):
        run = account_push(account_id)
        assert run.failed == 0
        assert run.retry_in is None


@pytest.mark.django_db(transaction=True)
def test_new_listings_get_the_pool_quantity_on_every_platform(five_platforms):
    _sku, listings = five_platforms

    push_all(listings_refresh([listing.pk for listing in listings.values()]))

    assert {platform: shown(listing) for platform, listing in listings.items()} == dict.fromkeys(listings, 10)


@pytest.mark.django_db(transaction=True)
def test_an_order_on_one_platform_lowers_every_other_listing(five_platforms):
    sku, listings = five_platforms
    push_all(listings_refresh([listing.pk for listing in listings.values()]))
    shopify = listings["shopify"]
    shop = SandboxShop.objects.get(platform="shopify", shop_id=shopify.account.shop_id)
    sandbox_module("shopify").place_order(shop, [(shopify.seller_sku, 3)])  # Shopify itself now shows 7

    order = order_ingest(
        account=shopify.account, canonical=placed_now("9001", ((shopify.seller_sku, 3),)), raw={}
    ).order
    assert StockChange.objects.filter(sku=sku, processed_at__isnull=True).exists()
    _claimed, accounts = outbox_drain()
    push_all(accounts)

    assert order.state == "allocated"
    assert {platform: shown(listing) for platform, listing in listings.items()} == dict.fromkeys(listings, 7)
    assert not ListingPush.objects.filter(pushed_version__lt=F("version")).exists()
    sold_on = ListingPush.objects.get(listing=shopify)
    assert (sold_on.version, sold_on.target_quantity) == (1, 7)  # it counted down by itself: no second push


@pytest.mark.django_db(transaction=True)
def test_a_capped_listing_that_sold_on_its_marketplace_is_set_back_to_its_cap(five_platforms):
    from hub.marketplaces.sandbox.models import SandboxShop
    from hub.marketplaces.sandbox.registry import sandbox_module
    from hub.sync.ingest import account_pull
    from inventory.models import AllocationRule

    _sku, listings = five_platforms
    AllocationRule.objects.create(name="eBay cap", platform="ebay", max_per_listing=5)
    push_all(listings_refresh([listing.pk for listing in listings.values()]))
    ebay = listings["ebay"]
    assert shown(ebay) == 5
    shop = SandboxShop.objects.get(platform="ebay", shop_id=ebay.account.shop_id)

    sandbox_module("ebay").place_order(shop, [(ebay.seller_sku, 1)])  # eBay itself now shows 4
    assert shown(ebay) == 4
    account_pull(ebay.account_id)  # the hub takes the order; 9 units left, still above the cap
    push_all({ebay.account_id})

    assert shown(ebay) == 5


@pytest.mark.django_db(transaction=True)
def test_an_ingested_order_retargets_every_listing_of_its_sku_before_any_drain(five_platforms):
    from hub.sync.ingest import inbox_apply
    from hub.sync.models import InboxMessage

    _sku, listings = five_platforms
    push_all(listings_refresh([listing.pk for listing in listings.values()]))
    shopee = listings["shopee"]
    message = InboxMessage.objects.create(platform="shopee", account=shopee.account, source="pull", body="{}")
    shop = SandboxShop.objects.get(platform="shopee", shop_id=shopee.account.shop_id)
    sandbox_module("shopee").place_order(shop, [(shopee.seller_sku, 4)])  # Shopee itself now shows 6

    inbox_apply(message, shopee.account, placed_now("9002", ((shopee.seller_sku, 4),)), raw={})

    targets = dict(ListingPush.objects.values_list("listing__account__platform", "target_quantity"))
    assert targets == dict.fromkeys(listings, 6)
    owed = ListingPush.objects.filter(pushed_version__lt=F("version"))
    assert set(owed.values_list("listing__account__platform", flat=True)) == set(listings) - {"shopee"}
    assert not StockChange.objects.filter(processed_at__isnull=True).exists()  # the ingest took the sale's changes
    assert outbox_drain() == (0, set())  # so the drain has nothing to recompute, and nothing is pushed twice
    push_all({listing.account_id for listing in listings.values()})
    assert {platform: shown(listing) for platform, listing in listings.items()} == dict.fromkeys(listings, 6)


@pytest.mark.django_db(transaction=True)
def test_an_ingested_kit_order_retargets_its_components_and_their_other_kits_before_any_drain(five_platforms):
    from hub.marketplaces.sandbox.connect import sandbox_listing_connect
    from hub.marketplaces.sandbox.models import SandboxShop
    from hub.sync.ingest import inbox_apply
    from hub.sync.models import InboxMessage
    from tests.factories import kit_of

    mug, listings = five_platforms  # 10 mugs in the pool, listed everywhere
    shopify, ebay = listings["shopify"], listings["ebay"]
    pair, trio = kit_of("MUG-PAIR", {mug: 2}), kit_of("MUG-TRIO", {mug: 3})
    shops = {shop.platform: shop for shop in SandboxShop.objects.filter(platform__in=["shopify", "ebay"])}
    pair_listing, _ = sandbox_listing_connect(shopify.account, shops["shopify"], pair, "ALICE-PAIR", 0)
    trio_listing, _ = sandbox_listing_connect(ebay.account, shops["ebay"], trio, "ALICE-TRIO", 0)
    push_all(listings_refresh([listing.pk for listing in [*listings.values(), pair_listing, trio_listing]]))
    message = InboxMessage.objects.create(platform="shopify", account=shopify.account, source="pull", body="{}")

    inbox_apply(message, shopify.account, canonical_order("9003", (("ALICE-PAIR", 2),)), raw={})

    targets = dict(ListingPush.objects.values_list("listing_id", "target_quantity"))
    assert {targets[listing.pk] for listing in listings.values()} == {6}  # 4 mugs went into two pairs
    assert (targets[pair_listing.pk], targets[trio_listing.pk]) == (3, 2)
    assert not StockChange.objects.filter(sku=mug, processed_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_below_the_threshold_a_sale_uses_up_its_own_listings_share_and_moves_no_other(
    five_platforms, in_flight_seconds
):
    from hub.sync.ingest import account_pull
    from inventory.models import AllocationRule

    _sku, listings = five_platforms  # 10 units, five listings of the same rank
    in_flight_seconds(0)  # nothing held back for the one sale below (see the rush test in inventory)
    AllocationRule.objects.create(name="low stock", low_stock_threshold=15)
    push_all(listings_refresh([listing.pk for listing in listings.values()]))
    assert {platform: shown(listing) for platform, listing in listings.items()} == dict.fromkeys(listings, 2)
    ebay = listings["ebay"]
    shop = SandboxShop.objects.get(platform="ebay", shop_id=ebay.account.shop_id)
    versions = dict(ListingPush.objects.values_list("listing_id", "version"))

    sandbox_module("ebay").place_order(shop, [(ebay.seller_sku, 1)])  # eBay itself now shows 1
    account_pull(ebay.account_id)
    _claimed, accounts = outbox_drain()
    push_all(accounts | {listing.account_id for listing in listings.values()})

    # An even split of the 9 left would move a unit from another marketplace back to eBay (two pushes,
    # and the push to eBay could overwrite a sale the hub has not heard of yet): nothing is pushed.
    assert {platform: shown(listing) for platform, listing in listings.items()} == {
        **dict.fromkeys(listings, 2),
        "ebay": 1,
    }
    assert dict(ListingPush.objects.values_list("listing_id", "version")) == versions
    assert ListingPush.objects.get(listing=ebay).target_quantity == 1


@pytest.mark.django_db(transaction=True)
def test_a_sale_placed_before_the_last_push_landed_is_pushed_over(five_platforms):
    """The push overwrote that sale's count-down at the marketplace: the listing is owed the new quantity."""
    from inventory.models import Warehouse
    from tests.factories import stocked

    sku, listings = five_platforms
    push_all(listings_refresh([listing.pk for listing in listings.values()]))
    shopify = listings["shopify"]
    shop = SandboxShop.objects.get(platform="shopify", shop_id=shopify.account.shop_id)
    sandbox_module("shopify").place_order(shop, [(shopify.seller_sku, 3)])  # Shopify shows 7
    stocked(sku, Warehouse.objects.get(), 1)  # a receipt the hub pushes before it hears of the sale
    push_all(outbox_drain()[1])
    assert shown(shopify) == 11  # the push landed after the sale and overwrote its count-down

    # the order reaches the hub late, placed (canonical_order's fixed time) before that push was acknowledged
    order_ingest(account=shopify.account, canonical=canonical_order("9004", ((shopify.seller_sku, 3),)), raw={})
    push_all(listings_sold([shopify.pk]))

    assert {platform: shown(listing) for platform, listing in listings.items()} == dict.fromkeys(listings, 8)


@pytest.mark.django_db(transaction=True)
def test_as_a_rush_ends_the_held_back_units_are_given_back_without_a_stock_change(five_platforms, in_flight_seconds):
    from hub.sync.outbox import rush_targets_refresh
    from inventory.models import AllocationRule, Warehouse
    from tests.factories import stocked

    sku, listings = five_platforms
    stocked(sku, Warehouse.objects.get(), 90)
    AllocationRule.objects.create(name="low stock", low_stock_threshold=15)
    in_flight_seconds(10.0)
    rush_of_orders(listings["shopify"], 40)  # 4 units/s x 10 s in flight = 40 held back; 60 left is below 2 x 40
    push_all(listings_refresh([listing.pk for listing in listings.values()]))
    assert {platform: shown(listing) for platform, listing in listings.items()} == dict.fromkeys(listings, 4)

    in_flight_seconds(0.0)  # the channels caught up: nothing is in flight any more
    push_all(rush_targets_refresh(30))

    assert {platform: shown(listing) for platform, listing in listings.items()} == dict.fromkeys(listings, 60)


@pytest.mark.django_db(transaction=True)
def test_each_listing_claims_its_acknowledged_quantity_minus_the_sales_placed_after_its_own_acknowledgement(
    five_platforms,
):
    from datetime import timedelta

    from hub.sync.outbox import listing_claims

    _sku, listings = five_platforms
    push_all(listings_refresh([listing.pk for listing in listings.values()]))  # every listing shows 10
    shopify, shopee = listings["shopify"], listings["shopee"]
    long_ago = timezone.now() - timedelta(hours=2)
    ListingPush.objects.filter(listing=shopify).update(acked_at=long_ago)  # acknowledged long before the sales

    def sale(external_id, listing, minutes_ago):
        placed = dataclasses.replace(
            canonical_order(external_id, ((listing.seller_sku, 1),), platform=listing.account.platform),
            created_at=timezone.now() - timedelta(minutes=minutes_ago),
        )
        order_ingest(account=listing.account, canonical=placed, raw={})

    sale("9101", shopify, minutes_ago=60)  # after shopify's acknowledgement
    sale("9102", shopee, minutes_ago=60)  # before shopee's (just now): its push overwrote it
    sale("9103", shopee, minutes_ago=-1)  # after shopee's acknowledgement

    claims = listing_claims(ListingPush.objects.filter(listing__in=[shopify, shopee]))

    assert claims == {shopify.pk: 9, shopee.pk: 9}


@pytest.mark.django_db(transaction=True)
def test_an_ingest_leaves_a_hot_skus_retarget_to_the_drain_instead_of_waiting_for_another_ingests_locks(
    five_platforms,
):
    import threading

    from django.db import connection, transaction

    from hub.sync.ingest import inbox_apply
    from hub.sync.models import InboxMessage

    _sku, listings = five_platforms
    push_all(listings_refresh([listing.pk for listing in listings.values()]))
    shopee = listings["shopee"]
    message = InboxMessage.objects.create(platform="shopee", account=shopee.account, source="pull", body="{}")
    held, release = threading.Event(), threading.Event()

    def another_retarget_holding_the_rows():
        with transaction.atomic():
            list(ListingPush.objects.select_for_update().filter(listing__in=listings.values()))
            held.set()
            release.wait(timeout=30)
        connection.close()

    holder = threading.Thread(target=another_retarget_holding_the_rows)
    holder.start()
    try:
        assert held.wait(timeout=10)
        versions = dict(ListingPush.objects.values_list("listing_id", "version"))
        inbox_apply(message, shopee.account, placed_now("9201", ((shopee.seller_sku, 4),)), raw={})  # no wait

        assert dict(ListingPush.objects.values_list("listing_id", "version")) == versions
        assert StockChange.objects.filter(processed_at__isnull=True).exists()  # left for the drain
    finally:
        release.set()
        holder.join()
    _claimed, accounts = outbox_drain()
    push_all(accounts)
    assert {platform: shown(listing) for platform, listing in listings.items()} == {
        **dict.fromkeys(listings, 6),
        "shopee": 10,  # the sandbox was not told of this order: only the hub knows it
    }


@pytest.mark.django_db(transaction=True)
def test_an_acknowledgement_never_undoes_a_newer_target_or_a_newer_acknowledgement(five_platforms):
    from hub.sync.dispatcher import _acknowledged, _Call
    from hub.sync.outbox import push_retarget, pushes_save

    _sku, listings = five_platforms
    listings_refresh([listing.pk for listing in listings.values()])  # version 1 owed everywhere
    shopify, ebay = (
        ListingPush.objects.get(listing=listings["shopify"]),
        ListingPush.objects.get(listing=listings["ebay"]),
    )
    sent_shopify, sent_ebay = ListingPush.objects.get(pk=shopify.pk), ListingPush.objects.get(pk=ebay.pk)  # version 1
    pushes_save([push_retarget(shopify, 4, priority=1, changed_at=timezone.now())])  # version 2 while 1 is in flight
    ListingPush.objects.filter(pk=ebay.pk).update(version=3, pushed_version=3, pushed_quantity=2)  # a newer ack won
    now = timezone.now()
    call = _Call(picked_at=now, sent_at=now, acked_at=now)

    _acknowledged([(sent_shopify, call), (sent_ebay, call)])

    shopify.refresh_from_db()
    assert (shopify.pushed_version, shopify.pushed_quantity, shopify.version, shopify.target_quantity) == (1, 10, 2, 4)
    assert shopify.is_pending  # the newer target is still owed
    assert shopify.changed_at is not None  # with the time of its change
    ebay.refresh_from_db()
    assert (ebay.pushed_version, ebay.pushed_quantity) == (3, 2)


@pytest.mark.django_db(transaction=True)
def test_a_pusher_that_finds_the_lock_held_looks_again_once_the_lock_has_expired(five_platforms):
    from django.core.cache import cache

    from hub.sync.dispatcher import LOCK_SECONDS

    _sku, listings = five_platforms
    account_id = listings["shopee"].account_id
    cache.set(f"push-lock:{account_id}", "a pusher that was killed", timeout=LOCK_SECONDS)

    first, second = account_push(account_id), account_push(account_id)

    assert first.retry_in == LOCK_SECONDS + 1  # after the dead holder's lock expired
    assert second.retry_in is None  # one look per lock term, however often the account is woken


@pytest.mark.django_db(transaction=True)
def test_a_pusher_that_took_everything_due_in_one_batch_does_not_read_the_targets_again(five_platforms):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _sku, listings = five_platforms
    shopify = listings["shopify"]
    listings_refresh([shopify.pk])

    with CaptureQueriesContext(connection) as queries:
        run = account_push(shopify.account_id)

    assert (run.sent, run.failed, run.retry_in) == (1, 0, None)
    assert shown(shopify) == 10
    reads = [query["sql"] for query in queries.captured_queries if query["sql"].startswith('SELECT "sync_listingpush"')]
    assert len(reads) == 1


@pytest.mark.django_db(transaction=True)
def test_one_listing_per_call_a_pusher_sends_a_bucket_of_calls_for_one_read_and_one_commit(five_platforms):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hub.marketplaces.sandbox.connect import sandbox_listing_connect
    from hub.sync.limits import PACE
    from tests.factories import SkuFactory, WarehouseFactory, stocked

    _sku, listings = five_platforms
    amazon = listings["amazon"]
    shop = SandboxShop.objects.get(platform="amazon", shop_id=amazon.account.shop_id)
    others = []
    for code in ("PLATE", "BOWL"):
        sku = SkuFactory(code=code)
        stocked(sku, WarehouseFactory(), 6)
        others.append(sandbox_listing_connect(amazon.account, shop, sku, f"BOB-{code}", 0)[0])
    listings_refresh([amazon.pk, *(listing.pk for listing in others)])

    with CaptureQueriesContext(connection) as queries:
        run = account_push(amazon.account_id)

    assert (run.sent, run.failed) == (3, 0)  # three patchListingsItem calls, within the bucket's burst of 5
    assert [shown(listing) for listing in (amazon, *others)] == [10, 6, 6]
    statements = [query["sql"] for query in queries.captured_queries]
    assert len([sql for sql in statements if sql.startswith('SELECT "sync_listingpush"')]) == 1
    # every acknowledgement in one statement per table, and one push-log insert
    assert len([sql for sql in statements if 'UPDATE "sync_listingpush"' in sql]) == 1
    assert len([sql for sql in statements if sql.startswith('INSERT INTO "sync_pushlog"')]) == 1
    assert PACE["amazon"].push_burst >= 3


def test_a_pusher_short_of_tokens_waits_for_several_calls_worth_not_for_one():
    from hub.core.ratelimit import TokenBucket
    from hub.sync.dispatcher import _refill_wait

    bucket = TokenBucket("refill-wait", rate_per_second=4.5, burst=5)

    assert _refill_wait(bucket, 0.1, calls_left=1) == pytest.approx(0.1)
    assert _refill_wait(bucket, 0.1, calls_left=2) == pytest.approx(0.1 + 1 / 4.5)
    assert _refill_wait(bucket, 0.1, calls_left=40) == pytest.approx(0.1 + 2 / 4.5)  # up to half the burst: 3


@pytest.mark.django_db(transaction=True)
def test_a_sale_stamped_in_the_second_of_the_last_acknowledgement_gets_the_listing_pushed_again(five_platforms):
    """The marketplace stamped the sale to the second: it may have come after the push landed (and counted down)."""
    from inventory.models import AllocationRule

    _sku, listings = five_platforms
    AllocationRule.objects.create(name="Shopee cap", platform="shopee", max_per_listing=5)
    push_all(listings_refresh([listing.pk for listing in listings.values()]))
    shopee = listings["shopee"]
    acked_at = ListingPush.objects.get(listing=shopee).acked_at
    shop = SandboxShop.objects.get(platform="shopee", shop_id=shopee.account.shop_id)
    sandbox_module("shopee").place_order(shop, [(shopee.seller_sku, 1)])  # after the push landed: Shopee shows 4
    assert shown(shopee) == 4

    stamped = acked_at.replace(microsecond=0)  # whole seconds, as Shopee's create_time: before the acknowledgement
    canonical = dataclasses.replace(
        canonical_order("9301", ((shopee.seller_sku, 1),), platform="shopee"), created_at=stamped
    )
    order_ingest(account=shopee.account, canonical=canonical, raw={})
    push_all(listings_sold([shopee.pk]))  # 9 units left, still above the cap of 5

    assert shown(shopee) == 5
