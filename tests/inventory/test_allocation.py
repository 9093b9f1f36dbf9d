import math
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.allocation import (
    Terms,
    advertise,
    advertised_quantities,
    advertised_quantity,
    pool_units_claimed,
    split_pool,
)
from inventory.exceptions import InsufficientStock
from inventory.models import AllocationRule
from inventory.services import OrderLine, order_lines_reserve, virtual_stock_lock
from sellers.enums import Platform, ShortagePolicy
from tests.factories import ListingFactory, MarketplaceAccountFactory, SellerFactory, SkuFactory, kit_of, stocked
from tests.orders.support import rush_of_orders

quantities = st.integers(min_value=0, max_value=10_000)
terms_strategy = st.builds(
    Terms,
    buffer_units=st.integers(min_value=0, max_value=50),
    buffer_percent=st.decimals(min_value=0, max_value=100, places=2),
    max_per_listing=st.none() | st.integers(min_value=0, max_value=500),
    low_stock_threshold=st.integers(min_value=0, max_value=200),
    is_priority=st.booleans(),
)


@given(own=quantities, pool=quantities, may_draw=st.booleans(), terms=terms_strategy, top=st.booleans())
def test_advertised_never_exceeds_what_the_seller_can_reserve_and_respects_buffer_and_cap(
    own, pool, may_draw, terms, top
):
    advertised = advertise(own=own, pool=pool, may_draw_on_pool=may_draw, terms=terms, top_rank=top)

    reservable = own + (pool if may_draw else 0)
    assert 0 <= advertised <= reservable
    # base - buffer(base) grows with base, and base <= reservable
    percent_units = math.ceil(reservable * terms.buffer_percent / 100)
    assert advertised <= max(0, reservable - terms.buffer_units - percent_units)
    if terms.max_per_listing is not None:
        assert advertised <= terms.max_per_listing


@given(own=quantities, pool=quantities, terms=terms_strategy)
def test_a_priority_listing_keeps_stock_at_least_as_long_as_any_other(own, pool, terms):
    top = advertise(own=own, pool=pool, may_draw_on_pool=True, terms=terms, top_rank=True)
    other = advertise(own=own, pool=pool, may_draw_on_pool=True, terms=terms, top_rank=False)

    assert top >= other
    if pool < terms.low_stock_threshold:
        assert other == advertise(own=own, pool=0, may_draw_on_pool=True, terms=terms, top_rank=False)


@given(own=quantities, pool=quantities, more=st.integers(min_value=0, max_value=100), terms=terms_strategy)
def test_more_pool_never_means_less_advertised(own, pool, more, terms):
    less = advertise(own=own, pool=pool, may_draw_on_pool=True, terms=terms, top_rank=False)

    assert advertise(own=own, pool=pool + more, may_draw_on_pool=True, terms=terms, top_rank=False) >= less


@given(pool=quantities, sharers=st.integers(min_value=1, max_value=12), terms=terms_strategy)
def test_below_the_threshold_the_top_rank_listings_together_never_show_more_than_the_pool(pool, sharers, terms):
    shown = [
        advertise(own=0, pool=pool, may_draw_on_pool=True, terms=terms, top_rank=True, pool_share=share)
        for share in split_pool(pool, [None] * sharers)
    ]

    if pool < terms.low_stock_threshold:
        assert sum(shown) <= pool
        if terms == Terms(low_stock_threshold=terms.low_stock_threshold, is_priority=terms.is_priority):
            assert max(shown) - min(shown) <= 1  # an even split when nothing else is held back
    else:
        assert len(set(shown)) == 1  # above it every listing shows the whole pool


claims_strategy = st.lists(st.none() | st.integers(min_value=0, max_value=300), min_size=1, max_size=12)


@given(pool=st.integers(min_value=0, max_value=300), claims=claims_strategy)
def test_a_split_never_shows_more_than_the_pool_and_takes_back_only_an_excess(pool, claims):
    shares = split_pool(pool, claims)

    assert len(shares) == len(claims)
    assert all(share >= 0 for share in shares)
    assert sum(shares) <= pool
    known = [claim for claim in claims if claim is not None]
    if len(known) == len(claims) and sum(known) <= pool:
        assert all(share >= claim for share, claim in zip(shares, claims, strict=True))  # nobody is cut
        assert sum(shares) == pool  # the room goes to the smallest
    else:
        assert all(claim is None or share <= claim for share, claim in zip(shares, claims, strict=True))
        assert sum(shares) == min(pool, sum(claim if claim is not None else pool for claim in claims))
        cut = [share for share, claim in zip(shares, claims, strict=True) if claim is None or share < claim]
        assert not cut or max(cut) - min(cut) <= 1  # cut down to one level, no sharer below another cut one


@given(claims=st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=8), data=st.data())
def test_a_sale_on_one_sharer_moves_no_other_sharer(claims, data):
    pool = sum(claims)
    seller = data.draw(st.sampled_from([index for index, claim in enumerate(claims) if claim] or [None]))
    if seller is None:
        return
    after = list(claims)
    after[seller] -= 1

    assert split_pool(pool, claims) == claims
    assert split_pool(pool - 1, after) == after


@given(own=st.integers(0, 50), pool=st.integers(0, 200), terms=terms_strategy, shown=st.integers(0, 300))
def test_the_pool_units_claimed_advertise_what_the_listing_shows(own, pool, terms, shown):
    units = pool_units_claimed(shown, own=own, pool=pool, terms=terms)

    def advertised(share):
        return advertise(own=own, pool=pool, may_draw_on_pool=True, terms=terms, top_rank=True, pool_share=share)

    assert 0 <= units <= pool
    if advertised(pool) >= shown:
        assert advertised(units) >= shown
        assert units == 0 or advertised(units - 1) < shown


def test_with_claims_a_sale_uses_up_the_sold_listings_share_only(central, in_flight_seconds):
    in_flight_seconds(0)  # channels that hear of every sale at once: nothing held back for the sale below
    sku = SkuFactory()
    stocked(sku, central, 10)
    seller = SellerFactory()
    listings = [ListingFactory(sku=sku, account=MarketplaceAccountFactory(seller=seller)) for _ in range(3)]
    AllocationRule.objects.create(name="default", low_stock_threshold=15)
    first = advertised_quantities(listings)
    assert [first[listing.pk] for listing in listings] == [4, 3, 3]
    order_lines_reserve(seller=seller, lines=[OrderLine("o1:1", sku.pk, 2)], reference="o1")

    claims = {listing.pk: first[listing.pk] for listing in listings}
    claims[listings[1].pk] -= 2  # the second marketplace sold two and counted down by itself
    after = advertised_quantities(listings, claims=claims)

    assert [after[listing.pk] for listing in listings] == [4, 1, 3]  # an even split would be 3, 3, 2
    assert advertised_quantities(listings) == dict(zip([listing.pk for listing in listings], [3, 3, 2], strict=True))
    claims[listings[0].pk] = 9  # a claim over the pool (the hub's view is stale) is cut back
    cut = advertised_quantities(listings, claims=claims)
    assert [cut[listing.pk] for listing in listings] == [4, 1, 3]  # the largest cut down to the level


def test_below_the_threshold_listings_of_the_best_rank_split_the_pool(central):
    sku = SkuFactory()
    stocked(sku, central, 10)
    harbor = SellerFactory(code="harbor", priority=10)
    lotus = SellerFactory(code="lotus", priority=50)
    top = [ListingFactory(sku=sku, account=MarketplaceAccountFactory(seller=harbor)) for _ in range(3)]
    other = ListingFactory(sku=sku, account=MarketplaceAccountFactory(seller=lotus))
    AllocationRule.objects.create(name="default", low_stock_threshold=15)

    quantities = advertised_quantities([*top, other])

    assert [quantities[listing.pk] for listing in top] == [4, 3, 3]
    assert quantities[other.pk] == 0
    stocked(sku, central, 5)  # 15 units: at the threshold every listing shows the whole pool again
    assert set(advertised_quantities([*top, other]).values()) == {15}


def test_worked_example_from_the_docs(central):
    # docs/allocation.md: pool 40, Harbor holds 12 virtual units, threshold 50 on every channel
    sku = SkuFactory()
    stocked(sku, central, 52)
    harbor = SellerFactory(code="harbor", priority=10)
    lotus = SellerFactory(code="lotus", priority=50)
    virtual_stock_lock(seller=harbor, sku=sku, warehouse=central, quantity=12)
    harbor_amazon = ListingFactory(account=MarketplaceAccountFactory(seller=harbor, platform=Platform.AMAZON), sku=sku)
    lotus_shopee = ListingFactory(account=MarketplaceAccountFactory(seller=lotus, platform=Platform.SHOPEE), sku=sku)
    lotus_ebay = ListingFactory(account=MarketplaceAccountFactory(seller=lotus, platform=Platform.EBAY), sku=sku)
    AllocationRule.objects.create(name="default", low_stock_threshold=50, buffer_percent=Decimal("10"))
    AllocationRule.objects.create(
        name="shopee priority", platform=Platform.SHOPEE, is_priority=True, buffer_units=2, low_stock_threshold=50
    )
    AllocationRule.objects.create(name="ebay cap", platform=Platform.EBAY, max_per_listing=5, low_stock_threshold=50)

    quantities = advertised_quantities([harbor_amazon, lotus_shopee, lotus_ebay])

    # harbor/amazon: not top rank (shopee is a priority channel), so own 12 only: 12 - ceil(1.2) = 10
    # lotus/shopee: priority: pool 40 - 2 = 38; lotus/ebay: below threshold, no own stock: 0
    assert quantities == {harbor_amazon.pk: 10, lotus_shopee.pk: 38, lotus_ebay.pk: 0}
    assert advertised_quantity(lotus_shopee) == 38


def test_the_most_specific_rule_wins(central):
    sku = SkuFactory()
    stocked(sku, central, 100)
    listing = ListingFactory(sku=sku, account=MarketplaceAccountFactory(platform=Platform.EBAY))
    AllocationRule.objects.create(name="all", max_per_listing=50)
    AllocationRule.objects.create(name="ebay", platform=Platform.EBAY, max_per_listing=40)
    AllocationRule.objects.create(name="seller", seller=listing.account.seller, max_per_listing=30)
    assert advertised_quantity(listing) == 30

    AllocationRule.objects.create(name="account", account=listing.account, max_per_listing=20)
    AllocationRule.objects.create(name="off", account=listing.account, max_per_listing=1, is_active=False)
    assert advertised_quantity(listing) == 20


def test_bulk_variant_uses_a_fixed_number_of_queries(central, django_assert_max_num_queries):
    sku = SkuFactory()
    stocked(sku, central, 30)
    listings = [ListingFactory(sku=sku) for _ in range(25)]
    AllocationRule.objects.create(name="cap", max_per_listing=7)

    with django_assert_max_num_queries(5):
        quantities = advertised_quantities(listings)

    assert set(quantities.values()) == {7}


def test_inactive_listing_or_paused_account_advertises_nothing(central):
    sku = SkuFactory()
    stocked(sku, central, 30)
    paused = ListingFactory(sku=sku, account=MarketplaceAccountFactory(status="paused"))
    inactive = ListingFactory(sku=sku, is_active=False)

    assert advertised_quantities([paused, inactive]) == {paused.pk: 0, inactive.pk: 0}


def test_kit_listing_advertises_whole_kits_from_own_and_pool_components(central):
    bottle, lid = SkuFactory(), SkuFactory()
    kit = kit_of("KIT", {bottle: 1, lid: 2})
    seller = SellerFactory()
    stocked(bottle, central, 10)
    stocked(lid, central, 9)
    virtual_stock_lock(seller=seller, sku=lid, warehouse=central, quantity=3)
    listing = ListingFactory(sku=kit, account=MarketplaceAccountFactory(seller=seller))

    # lids: 3 own + 6 pool = 9 -> 4 kits; bottles 10 -> 10 kits
    assert advertised_quantity(listing) == 4


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pool_units=st.integers(min_value=0, max_value=40),
    virtual_units=st.integers(min_value=0, max_value=10),
    may_draw=st.booleans(),
    buffer_units=st.integers(min_value=0, max_value=5),
    buffer_percent=st.sampled_from([Decimal("0"), Decimal("12.5"), Decimal("50")]),
    cap=st.none() | st.integers(min_value=0, max_value=30),
    threshold=st.integers(min_value=0, max_value=50),
    kit=st.booleans(),
)
def test_the_advertised_quantity_can_really_be_reserved(
    central, pool_units, virtual_units, may_draw, buffer_units, buffer_percent, cap, threshold, kit
):
    with transaction.atomic():  # one savepoint per example, rolled back at the end
        part = SkuFactory(code="PART")
        sku = kit_of("PAIR", {part: 2}) if kit else part
        seller = SellerFactory(code="s", may_draw_on_pool=may_draw, shortage_policy=ShortagePolicy.REJECT)
        if pool_units + virtual_units:
            stocked(part, central, pool_units + virtual_units)
        if virtual_units:
            virtual_stock_lock(seller=seller, sku=part, warehouse=central, quantity=virtual_units)
        AllocationRule.objects.create(
            name="r",
            buffer_units=buffer_units,
            buffer_percent=buffer_percent,
            max_per_listing=cap,
            low_stock_threshold=threshold,
        )
        listing = ListingFactory(sku=sku, account=MarketplaceAccountFactory(seller=seller))

        advertised = advertised_quantity(listing)

        if advertised:
            order_lines_reserve(seller=seller, lines=[OrderLine("probe", sku.pk, advertised)])
        reservable = virtual_units + (pool_units if may_draw else 0)
        per_unit = 2 if kit else 1
        assert advertised <= reservable // per_unit
        with pytest.raises(InsufficientStock):
            order_lines_reserve(seller=seller, lines=[OrderLine("more", sku.pk, reservable // per_unit + 1)])
        transaction.set_rollback(True)


def test_a_rush_holds_back_what_is_in_flight_and_switches_to_the_split_early(central, in_flight_seconds):
    in_flight_seconds(10.0)
    sku = SkuFactory()
    stocked(sku, central, 100)
    seller = SellerFactory()
    listings = [ListingFactory(sku=sku, account=MarketplaceAccountFactory(seller=seller)) for _ in range(3)]
    AllocationRule.objects.create(name="low stock", low_stock_threshold=15)
    assert set(advertised_quantities(listings).values()) == {100}  # nothing sold lately: the whole pool

    rush_of_orders(listings[0], 40)  # 40 units in the last seconds: 4/s x 10 s = 40 units in flight

    # 60 left is above the rule's 15 but below 2 x 40: the best-ranked listings split 60 - 40
    quantities = advertised_quantities(listings)
    assert sorted(quantities.values(), reverse=True) == [7, 7, 6]
    in_flight_seconds(0.5)  # 4/s x 0.5 s = 2 units: threshold 15 stands, 60 is above it
    assert set(advertised_quantities(listings).values()) == {60}


def test_a_backlog_of_orders_reaching_the_hub_late_holds_back_more_at_once(central, in_flight_seconds):
    from inventory.velocity import detection_observe, in_flight_seconds_now

    in_flight_seconds(1.0)  # the sweep's last measure: sales reach the hub and every channel in a second
    sku = SkuFactory()
    stocked(sku, central, 100)
    seller = SellerFactory()
    listings = [ListingFactory(sku=sku, account=MarketplaceAccountFactory(seller=seller)) for _ in range(3)]
    AllocationRule.objects.create(name="low stock", low_stock_threshold=15)
    rush_of_orders(listings[0], 20)  # 2/s x 1 s = 2 units in flight: 80 left stands above 2 x 2 and 15
    platform = listings[0].account.platform
    assert set(advertised_quantities(listings).values()) == {80}

    detection_observe(platform, 30.0)  # the orders being stored now were placed 30 s ago: webhooks are queueing

    assert in_flight_seconds_now()[platform] == 30.0
    # 2/s x 30 s = 60 units in flight: 80 is below 2 x 60, and the best-ranked listings split 80 - 60
    assert sorted(advertised_quantities(listings).values(), reverse=True) == [7, 7, 6]
    detection_observe(platform, 3600.0)  # an old order arriving late is no backlog: counted as 60 s at most
    assert in_flight_seconds_now()[platform] == 60.0


def test_orders_waiting_in_the_inbox_are_held_back_by_each_skus_share_of_its_platforms_recent_sales(
    central, in_flight_seconds
):
    from hub.sync.models import InboxMessage

    in_flight_seconds(1.0)
    sku, other = SkuFactory(), SkuFactory()
    stocked(sku, central, 100)
    stocked(other, central, 100)
    seller = SellerFactory()
    account = MarketplaceAccountFactory(seller=seller)
    listings = [ListingFactory(sku=sku, account=MarketplaceAccountFactory(seller=seller)) for _ in range(3)]
    sold_too = ListingFactory(sku=other, account=account)
    AllocationRule.objects.create(name="low stock", low_stock_threshold=15)
    rush_of_orders(listings[0], 20)  # 2/s of this SKU on its platform
    rush_of_orders(sold_too, 20, prefix="other")  # and 2/s of another SKU there: a half share each
    assert set(advertised_quantities(listings).values()) == {80}
    platform = listings[0].account.platform
    assert sold_too.account.platform == platform

    for number in range(100):  # pushed to the hub, waiting to be processed: about 50 are this SKU's
        InboxMessage.objects.create(platform=platform, source="webhook", external_id=f"w{number}", body="{}")

    # 2/s x 1 s + 100 x 1/2 = 52 units in flight: 80 is below 2 x 52, the best-ranked listings split 80 - 52
    assert sorted(advertised_quantities(listings).values(), reverse=True) == [10, 9, 9]
