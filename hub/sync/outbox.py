"""The transactional outbox: stock changes become listing push targets.

``stock_changed`` runs inside the transaction that changed stock (the inventory
service's single hook), so a change and its outbox row commit together or not at all.
``outbox_drain`` turns committed changes into ``ListingPush`` targets and wakes the
per-account pushers.
"""

import time
from datetime import timedelta
from functools import partial

from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from hub.core.sql import values_update
from inventory.allocation import advertised_quantities
from inventory.models import AllocationRule
from inventory.selectors import skus_affected_by, skus_sale_reach
from inventory.velocity import skus_sold_within
from orders.enums import OrderState
from orders.models import OrderLine
from sellers.enums import AccountStatus
from sellers.models import Listing

from .models import ListingPush, PushPriority, StockChange

DRAIN_BATCH = 500
LOW_STOCK_LEVEL = 3  # a decrease to this or fewer units is pushed before anything else
PLACED_AT_RESOLUTION = timedelta(seconds=1)  # the coarsest order time a marketplace gives (whole seconds)
# A process that asked for a drain this recently skips asking again: the drain it asked for is
# delayed longer than this (tasks.DRAIN_DEBOUNCE_SECONDS), so it still sees this commit.
WAKE_COALESCE_SECONDS = 0.1
_last_wake = 0.0


def stock_changed(sku_ids, *, recorded: bool = False) -> None:
    """Record that these SKUs' stock changed (call inside the changing transaction).

    One plain INSERT (skipped when the caller's statement already wrote the rows:
    ``recorded``), and after commit at most one wake-up per process every
    ``WAKE_COALESCE_SECONDS``.
    """
    sku_ids = sorted(set(sku_ids))
    if not sku_ids:
        return
    if recorded:
        transaction.on_commit(_wake_drain)
        return
    table = connection.ops.quote_name(StockChange._meta.db_table)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (sku_id, created_at) VALUES {', '.join(['(%s, %s)'] * len(sku_ids))}",  # noqa: S608
            [value for sku_id in sku_ids for value in (sku_id, now)],
        )
    transaction.on_commit(_wake_drain)


def _wake_drain() -> None:
    global _last_wake
    now = time.monotonic()
    if now - _last_wake < WAKE_COALESCE_SECONDS:
        return
    _last_wake = now
    from .tasks import outbox_drain_soon

    outbox_drain_soon()


def outbox_drain(limit: int = DRAIN_BATCH) -> tuple[int, set[int]]:
    """Claim committed changes and recompute the targets of the listings they touch.

    Returns how many changes it claimed and the accounts that now have something to push.

    Steps: claim up to ``limit`` unprocessed changes (SKIP LOCKED, so drains run side by
    side); find the listings of those SKUs and of kits containing them; lock their push
    rows in pk order; only then compute advertised quantities, so that a later drain
    always computes from newer stock than an earlier one and cannot be overtaken.
    """
    with transaction.atomic():
        changes, first_change = _changes_claim(StockChange.objects.all(), limit)
        if not changes:
            return 0, set()
        accounts = _targets_update(_live_listings(skus_affected_by(first_change)), first_change)
        _changes_processed(changes)
    return len(changes), accounts


def _changes_claim(changes, limit: int | None = None) -> tuple[list[int], dict]:
    """Lock unprocessed changes (SKIP LOCKED: another drain has the rest); their ids, and each SKU's first change time.

    Claimed before the targets are computed, so the stock they are computed from is at least as new
    as every claimed change.
    """
    rows = (
        changes.select_for_update(skip_locked=True)
        .filter(processed_at__isnull=True)
        .order_by("id")
        .values_list("id", "sku_id", "created_at")
    )
    first_change = {}
    ids = []
    for change_id, sku_id, created_at in rows[:limit] if limit else rows:
        ids.append(change_id)
        first_change.setdefault(sku_id, created_at)
    return ids, first_change


def _changes_processed(change_ids) -> None:
    StockChange.objects.filter(id__in=change_ids).update(processed_at=timezone.now())


def _live_listings(sku_ids) -> list[Listing]:
    return list(
        Listing.objects.filter(sku_id__in=sku_ids, is_active=True, account__status=AccountStatus.ACTIVE)
        .only("id", "sku_id", "account_id")
        .order_by("id")
    )


def pushes_locked(listings, *, unless_busy: bool = False) -> dict[int, ListingPush] | None:
    """The listings' push rows by listing id, created if missing, locked in listing order.

    ``unless_busy``: None at once, locking nothing more, when another transaction holds any of them.
    """

    def locked():
        rows = ListingPush.objects.select_for_update(skip_locked=unless_busy).filter(listing__in=listings)
        return {push.listing_id: push for push in rows.order_by("listing_id")}

    pushes = locked()
    if len(pushes) == len(listings):
        return pushes
    if unless_busy and ListingPush.objects.filter(listing__in=listings).count() == len(listings):
        return None  # every row exists: the ones missing here are held by another retarget
    ListingPush.objects.bulk_create(
        [ListingPush(listing_id=listing.pk, account_id=listing.account_id, target_quantity=0) for listing in listings],
        ignore_conflicts=True,
    )
    pushes = locked()
    return pushes if len(pushes) == len(listings) else None


def push_retarget(push: ListingPush, target: int, *, priority: int, changed_at) -> ListingPush:
    """Owe the marketplace ``target`` again under a new version (``pushes_save`` writes it one up).

    The caller holds the row lock. A push still owed keeps the time of its oldest unpushed change.
    """
    push.changed_at = push.changed_at if push.is_pending and push.changed_at else changed_at
    push.target_quantity = target
    push.priority = priority
    push.targeted_at = timezone.now()
    push.next_attempt_at = None
    return push


def pushes_save(pushes) -> None:
    """Write rows retargeted in memory (``push_retarget``), in one statement: each a version up."""
    values_update(
        ListingPush,
        ("id", "target", "priority", "changed_at", "targeted_at"),
        [(push.pk, push.target_quantity, push.priority, push.changed_at, push.targeted_at) for push in pushes],
        "target_quantity = v.target, version = t.version + 1, priority = v.priority, changed_at = v.changed_at, "
        "targeted_at = v.targeted_at, next_attempt_at = NULL",
    )


def _counted_down_save(pushes) -> None:
    values_update(
        ListingPush,
        ("id", "target", "targeted_at"),
        [(push.pk, push.target_quantity, push.targeted_at) for push in pushes],
        "target_quantity = v.target, targeted_at = v.targeted_at",
    )


def _targets_update(listings, first_change: dict, pushes: dict[int, ListingPush] | None = None) -> set[int]:
    """Lock the listings' push rows (unless the caller did: ``pushes``), then set new targets; returns the
    accounts with something to push.

    A listing whose new target is what its marketplace shows already (``listing_claims``:
    marketplaces count their own sales down) gets no push; every other changed target gets a
    new version.
    """
    if not listings:
        return set()
    pushes = pushes if pushes is not None else pushes_locked(listings)
    claims = listing_claims(pushes.values())
    targets = advertised_quantities(listings, claims=claims)
    oldest_change = min(first_change.values())
    accounts, urgent = set(), set()
    retargeted, counted_down = [], []
    now = timezone.now()
    for listing in listings:
        push, target = pushes[listing.pk], targets[listing.pk]
        claim = claims.get(listing.pk)
        if claim is not None and target == claim:
            if claim == push.target_quantity:
                continue  # nothing sold on it since its target, and the target stands
            if not push.is_pending:
                push.target_quantity, push.targeted_at = target, now
                counted_down.append(push)
                continue  # it counted its sales down to the new target by itself: pushing would only race them
        priority = push_priority(push.pushed_quantity if claim is None else claim, target)
        changed_at = first_change.get(listing.sku_id, oldest_change)
        retargeted.append(push_retarget(push, target, priority=priority, changed_at=changed_at))
        accounts.add(push.account_id)
        if priority == PushPriority.URGENT:
            urgent.add(push.account_id)
    pushes_save(retargeted)
    _counted_down_save(counted_down)
    if urgent:
        transaction.on_commit(partial(_wake_urgent, sorted(urgent)))
    return accounts


def _wake_urgent(account_ids) -> None:
    from .tasks import push_soon

    for account_id in account_ids:
        push_soon(account_id, urgent=True)


def listing_claims(pushes) -> dict[int, int]:
    """What each targeted listing shows now as far as the hub knows.

    A listing whose last push was acknowledged shows that quantity minus the units of orders
    placed on it after the acknowledgement (the marketplace counted them down; a sale placed
    before the push landed was overwritten by it); one with a sale stamped within the second
    before the acknowledgement has no claim (either may be true). A listing with a push still owed will show
    that target. Orders the hub has not stored yet are not known: the claim is then too high,
    which only makes the split more careful.
    """
    claims, since = {}, {}
    for push in pushes:
        if not push.version:
            continue
        if push.is_pending or push.pushed_quantity is None or push.acked_at is None:
            claims[push.listing_id] = push.target_quantity
        else:
            claims[push.listing_id] = push.pushed_quantity
            since[push.listing_id] = push.acked_at
    if since:
        # Summed in the database, each listing from its own acknowledgement: one listing acknowledged long
        # ago must not bring along every other listing's lines since then.
        acked_at = F("listing__push__acked_at")
        sold_since_ack = (
            OrderLine.objects.filter(
                Q(order__placed_at__gt=min(since.values()) - PLACED_AT_RESOLUTION),  # an index on the time helps
                Q(order__placed_at__gt=acked_at - PLACED_AT_RESOLUTION),
                listing_id__in=since,
            )
            .exclude(order__state=OrderState.CANCELLED)
            .values_list("listing_id")
            .annotate(
                units=Sum("quantity", filter=Q(order__placed_at__gt=acked_at), default=0),
                unsure=Count("id", filter=Q(order__placed_at__lte=acked_at)),
            )
            .order_by()
        )
        for listing_id, units, unsure in sold_since_ack:
            if unsure:
                # Marketplaces stamp orders to the second: a sale stamped in the second before the acknowledgement
                # may have come before the push landed (overwritten) or after (counted down). Unknown: the
                # listing is pushed its target whatever it was, which is right either way.
                del claims[listing_id]
            else:
                claims[listing_id] -= units
    return {listing_id: max(0, claim) for listing_id, claim in claims.items()}


def advertised_now(listing_ids) -> dict[int, int]:
    """What the sync engine would target for these listings now (no locks): advertised with their claims."""
    pushes = ListingPush.objects.filter(listing__in=listing_ids).only(
        "listing_id", "version", "pushed_version", "target_quantity", "pushed_quantity", "acked_at"
    )
    return advertised_quantities(listing_ids, claims=listing_claims(pushes))


def push_priority(shown: int | None, target: int) -> int:
    if shown is None or target < shown:
        return PushPriority.URGENT if target <= LOW_STOCK_LEVEL else PushPriority.DECREASE
    return PushPriority.INCREASE


def listings_refresh(listing_ids) -> set[int]:
    """Recompute targets of these listings now (new listing, rule change, reconciliation)."""
    now = timezone.now()
    with transaction.atomic():
        listings = list(Listing.objects.filter(pk__in=listing_ids).only("id", "sku_id", "account_id").order_by("id"))
        return _targets_update(listings, {listing.sku_id: now for listing in listings})


def rush_targets_refresh(window_seconds: float) -> set[int]:
    """Recompute the listings of SKUs sold in the last ``window_seconds``; returns the accounts to wake.

    Their in-flight hold-back (``inventory.velocity``) shrinks as a rush ends, with no stock
    change to say so. Nothing to do when no rule has a low-stock threshold (no hold-back).
    """
    if not AllocationRule.objects.filter(is_active=True, low_stock_threshold__gt=0).exists():
        return set()
    sku_ids = skus_sold_within(window_seconds)
    if not sku_ids:
        return set()
    # A first look without locks: ingests hold these rows all the time, and usually nothing changed.
    listings = _live_listings(skus_affected_by(sku_ids))
    pushes = {push.listing_id: push for push in ListingPush.objects.filter(listing__in=listings)}
    targets = advertised_quantities(listings, claims=listing_claims(pushes.values()))
    moved = {
        listing.sku_id
        for listing in listings
        if listing.pk not in pushes or targets[listing.pk] != pushes[listing.pk].target_quantity
    }
    if not moved:
        return set()
    now = timezone.now()
    with transaction.atomic():
        return _targets_update(_live_listings(moved), dict.fromkeys(moved, now))


def listings_sold(listing_ids, *, sku_ids=None) -> set[int]:
    """After an order was stored: new targets for every listing of its SKUs now, without waiting for the drain.

    The listings the order was placed on lowered what they show by themselves; they are pushed
    only if their target is not that (a capped listing with plenty of stock still advertises its
    cap). ``sku_ids``: those listings' SKUs, when the caller has them. Returns the accounts to wake.
    """
    listing_ids = sorted(set(listing_ids))
    if not listing_ids:
        return set()
    if sku_ids is None:
        sku_ids = Listing.objects.filter(pk__in=listing_ids).order_by().values_list("sku_id", flat=True)
    now = timezone.now()
    with transaction.atomic():
        sold, affected = skus_sale_reach(sku_ids)
        # The sale's own changes (and any other committed change of these SKUs) are done here: the drain
        # that follows has nothing left to recompute for them.
        changes, first_change = _changes_claim(StockChange.objects.filter(sku_id__in=sold))
        listings = _live_listings(affected)
        pushes = pushes_locked(listings, unless_busy=True) if listings else {}
        if pushes is None:
            # Another ingest is retargeting these SKUs right now (a hot SKU): waiting for it would queue every
            # ingest behind every other. The changes stay for the drain, which takes them all in one run.
            transaction.on_commit(_wake_drain)
            return set()
        accounts = _targets_update(listings, {**dict.fromkeys(affected, now), **first_change}, pushes)
        _changes_processed(changes)
        return accounts
