"""Stored pushes processed in batches: a run takes the inbox's backlog along with its own message.

Real webhooks over HTTP to the hub's live server, real fetches from the sandbox marketplaces
(Shopee's and eBay's pushes only name the order), PostgreSQL row locks for the claims.
"""

import dataclasses
import itertools
import random
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from hub.core.redis import redis_client
from hub.marketplaces.errors import MarketplaceError
from hub.marketplaces.sandbox.common import random_buyer, webhook_deliver
from hub.marketplaces.sandbox.models import FaultKind, SandboxFault, SandboxListing, SandboxShop, SandboxWebhook
from hub.marketplaces.sandbox.registry import sandbox_module
from hub.sync import push_waits
from hub.sync.enums import InboxSource, InboxState
from hub.sync.inbox import inbox_batch_process, inbox_claim, inbox_process_pending
from hub.sync.models import InboxMessage, ListingPush
from inventory.models import Stock
from orders.enums import OrderState
from orders.models import Order

BUYERS = itertools.count()


@pytest.fixture(autouse=True)
def listings_show_the_pool(five_platforms_with_webhooks):
    """Each marketplace shows the pool's 10 units, so buyers can order; no push run is waiting (no worker runs
    the ones queued by earlier tests, and they would hold batches back)."""
    SandboxListing.objects.update(quantity=10)
    redis_client().delete(push_waits._key())


def pushed_order(listings, platform: str) -> InboxMessage:
    """A buyer of their own (the hub holds repeats as suspected duplicates) orders one unit on ``platform``;
    the marketplace's signed push reaches the hub, which stores it."""
    listing = listings[platform]
    shop = SandboxShop.objects.get(platform=platform, shop_id=listing.account.shop_id)
    serial = next(BUYERS)
    buyer = dataclasses.replace(
        random_buyer(random.Random(serial)), name=f"Buyer {serial}", email=f"b{serial}@example.com"
    )
    sandbox_module(platform).place_order(shop, [(listing.seller_sku, 1)], buyer=buyer)
    assert webhook_deliver(SandboxWebhook.objects.filter(shop=shop).latest("pk").pk) == 200
    return InboxMessage.objects.latest("pk")


def reserved_units(sku) -> int:
    return sum(Stock.objects.filter(sku=sku).values_list("reserved", flat=True))


def states(messages) -> list[str]:
    return [InboxMessage.objects.get(pk=message.pk).state for message in messages]


@pytest.mark.django_db(transaction=True)
def test_a_run_takes_the_backlog_along_and_retargets_every_listing_once(five_platforms_with_webhooks):
    sku, listings = five_platforms_with_webhooks
    backlog = [pushed_order(listings, platform) for platform in ("shopify", "shopee", "ebay", "shopify")]
    assert states(backlog) == [InboxState.PENDING] * 4

    failures = inbox_process_pending(backlog[2].pk, limit=10)

    assert failures == {}
    assert states(backlog) == [InboxState.PROCESSED] * 4
    assert sorted(Order.objects.values_list("platform", "state")) == sorted(
        [(platform, OrderState.ALLOCATED) for platform in ("shopify", "shopee", "ebay", "shopify")]
    )
    assert reserved_units(sku) == 4
    # one retarget for the four orders: every listing advertises what is left, under one new version
    pushes = {push.listing_id: push for push in ListingPush.objects.all()}
    others = [listings[platform] for platform in ("amazon", "aliexpress")]
    assert [pushes[listing.pk].target_quantity for listing in others] == [6, 6]
    assert max(push.version for push in pushes.values()) == 1
    # the later tasks of the messages it took find nothing left to do
    assert inbox_process_pending(backlog[0].pk) == {}
    assert Order.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_a_run_takes_at_most_its_limit_its_own_message_first(five_platforms_with_webhooks):
    _sku, listings = five_platforms_with_webhooks
    backlog = [pushed_order(listings, "shopify") for _ in range(4)]

    claimed = inbox_claim(backlog[3].pk, limit=2)

    assert claimed == [backlog[3].pk, backlog[0].pk]  # its own, then the oldest waiting


@pytest.mark.django_db(transaction=True)
def test_while_push_runs_wait_for_a_process_a_run_takes_its_own_message_only(five_platforms_with_webhooks):
    _sku, listings = five_platforms_with_webhooks
    backlog = [pushed_order(listings, "shopify") for _ in range(3)]
    push_waits.push_queued(listings["amazon"].account_id, countdown=-1)  # due a second ago, not started

    inbox_process_pending(backlog[1].pk)
    assert states(backlog) == [InboxState.PENDING, InboxState.PROCESSED, InboxState.PENDING]

    push_waits.push_started(listings["amazon"].account_id)
    inbox_process_pending(backlog[0].pk)
    assert states(backlog) == [InboxState.PROCESSED] * 3


@pytest.mark.django_db(transaction=True)
def test_a_claimed_message_is_left_to_its_run_until_the_claim_lapses(five_platforms_with_webhooks):
    _sku, listings = five_platforms_with_webhooks
    mine, theirs = pushed_order(listings, "shopify"), pushed_order(listings, "shopify")
    InboxMessage.objects.filter(pk=theirs.pk).update(claimed_until=timezone.now() + timedelta(seconds=30))

    inbox_process_pending(mine.pk)
    assert states([mine, theirs]) == [InboxState.PROCESSED, InboxState.PENDING]
    assert inbox_process_pending(theirs.pk) == {}  # its own task too: another run has it
    assert states([theirs]) == [InboxState.PENDING]

    # that run died: its claim lapses and the message is processed by the next run
    InboxMessage.objects.filter(pk=theirs.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    inbox_process_pending(mine.pk)
    assert states([theirs]) == [InboxState.PROCESSED]
    assert Order.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_one_failing_fetch_stops_none_of_the_others_and_is_retried_alone(five_platforms_with_webhooks):
    sku, listings = five_platforms_with_webhooks
    shopee, shopify = pushed_order(listings, "shopee"), pushed_order(listings, "shopify")
    SandboxFault.objects.create(platform="shopee", kind=FaultKind.SERVER_ERROR, remaining=1)

    failures = inbox_process_pending(shopify.pk)

    assert list(failures) == [shopee.pk]
    assert isinstance(failures[shopee.pk], MarketplaceError)
    assert failures[shopee.pk].retryable
    failed = InboxMessage.objects.get(pk=shopee.pk)
    assert (failed.state, bool(failed.error)) == (InboxState.FAILED, True)
    assert states([shopify]) == [InboxState.PROCESSED]
    assert reserved_units(sku) == 1

    # a failed message is taken again only by its own (retry) task, once the fault has passed
    assert inbox_claim(shopify.pk) == []
    assert inbox_process_pending(shopee.pk) == {}
    assert states([shopee]) == [InboxState.PROCESSED]
    assert reserved_units(sku) == 2


@pytest.mark.django_db(transaction=True)
def test_pulled_messages_are_left_to_their_pull(five_platforms_with_webhooks):
    _sku, listings = five_platforms_with_webhooks
    pulled = InboxMessage.objects.create(
        platform="aliexpress",
        account=listings["aliexpress"].account,
        source=InboxSource.PULL,
        external_id="AE-1",
        body="{}",
    )
    pushed = pushed_order(listings, "shopify")

    assert inbox_claim(pushed.pk, limit=10) == [pushed.pk]
    assert states([pulled]) == [InboxState.PENDING]


@pytest.mark.django_db(transaction=True)
def test_runs_at_once_share_the_backlog_and_store_each_order_once(five_platforms_with_webhooks):
    """Four runs start together on a backlog of eight pushes (PostgreSQL, SKIP LOCKED claims)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    sku, listings = five_platforms_with_webhooks
    backlog = [pushed_order(listings, platform) for platform in ("shopify", "shopee", "ebay", "shopify") * 2]
    start, claims, errors = threading.Barrier(4), {}, []

    def run(index: int):
        try:
            start.wait()
            claims[index] = inbox_claim(backlog[index].pk, limit=3)
            inbox_process_pending_claimed(claims[index])
        except Exception as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    taken = [message_id for ids in claims.values() for message_id in ids]
    assert len(taken) == len(set(taken))  # no message claimed twice
    for index, ids in claims.items():  # a run's own message comes first, unless another run had taken it
        own = backlog[index].pk
        if not any(own in other for run, other in claims.items() if run != index):
            assert ids[0] == own
    for message in backlog:  # whatever no run took (each takes three at most) is its own task's later
        inbox_process_pending(message.pk)
    assert states(backlog) == [InboxState.PROCESSED] * 8
    assert Order.objects.count() == 8
    assert reserved_units(sku) == 8


def inbox_process_pending_claimed(ids):
    assert inbox_batch_process(ids) == {}
