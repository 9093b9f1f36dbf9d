"""Pushes listing targets to each marketplace account: batched, paced, retried, never out of order.

One pusher per account at a time (a lock in the cache), so pushes of one listing are
sent in version order. A pusher takes the most urgent pending targets first (low-stock
decreases, then other decreases, then increases), up to the adapter's batch limit,
spends a token of the account's bucket per call, and records each stage time.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from hub.core.ratelimit import TokenBucket
from hub.core.sql import values_update
from hub.marketplaces import adapter_for_account
from hub.marketplaces.errors import AuthFailed, MarketplaceError, RequestRejected, Throttled
from hub.marketplaces.types import ListingRef, QuantityUpdate
from sellers.enums import AccountStatus, ListingSyncState
from sellers.models import Listing, MarketplaceAccount

from . import health
from .limits import PACE, REVISION_RESERVE_FRACTION
from .models import ListingPush, PushLog, PushPriority, SyncEventKind

logger = logging.getLogger(__name__)

LOCK_SECONDS = 30  # a crashed pusher blocks its account at most this long; renewed per batch
MAX_BATCHES_PER_RUN = 50
BACKOFF_SECONDS = (1, 2, 5, 15, 60, 300)


@dataclass(frozen=True)
class PushRun:
    sent: int = 0
    failed: int = 0
    retry_in: float | None = None  # run again after this many seconds (throttle, backoff, busy)
    looked: bool = False  # this run held the account's lock and read its due targets


def mark_dirty(account_id: int) -> None:
    cache.set(_dirty_key(account_id), 1, timeout=3600)


def is_dirty(account_id: int) -> bool:
    """Whether targets changed since the account's pusher last looked (another run found it busy)."""
    return bool(cache.get(_dirty_key(account_id)))


def _dirty_key(account_id: int) -> str:
    return f"push-dirty:{account_id}"


def account_push(account_id: int) -> PushRun:
    """Push pending targets of one account until none is due, the bucket is empty, or the platform says wait."""
    lock_key, token = f"push-lock:{account_id}", uuid.uuid4().hex
    if not cache.add(lock_key, token, timeout=LOCK_SECONDS):
        mark_dirty(account_id)  # the running pusher will loop once more, or wake the account again as it leaves
        if not cache.add(lock_key, token, timeout=LOCK_SECONDS):  # (it may have left before the mark: take over)
            # ... unless it died holding the lock (a killed worker): then look again once the lock has expired,
            # instead of leaving the targets to the next sweep. One look per lock term.
            if cache.add(f"push-lock-watch:{account_id}", 1, timeout=LOCK_SECONDS):
                return PushRun(retry_in=LOCK_SECONDS + 1)
            return PushRun()
    try:
        account = MarketplaceAccount.objects.defer("credentials").get(pk=account_id)
        if account.status != AccountStatus.ACTIVE:
            return PushRun()  # paused or failing auth: listings keep what they show until it is active again
        adapter = adapter_for_account(account)
        pace = PACE[account.platform]
        bucket = TokenBucket(f"push:{account_id}", pace.push_rate, pace.push_burst)
        sent = failed = 0
        dirty_key = _dirty_key(account_id)
        try:
            for loop in range(MAX_BATCHES_PER_RUN):
                if loop:
                    cache.touch(lock_key, LOCK_SECONDS)
                cache.delete(dirty_key)
                batch, more = _due(account, adapter.batch_limit, pace.daily_revisions_per_listing)
                if not batch:
                    if cache.get(dirty_key):
                        continue
                    return PushRun(sent, failed, looked=True)
                wait = bucket.take()
                if wait > 0:
                    return PushRun(sent, failed, retry_in=wait, looked=True)
                ok, bad, retry_in = _push_batch(account, adapter, batch)
                sent, failed = sent + ok, failed + bad
                if retry_in is not None:
                    return PushRun(sent, failed, retry_in=retry_in, looked=True)
                if not more and not cache.get(dirty_key):
                    # Everything due when the batch was read went in it, and no target changed since (a retarget
                    # marks the account dirty after it commits): no need to read again.
                    return PushRun(sent, failed, looked=True)
            return PushRun(sent, failed, retry_in=0.1, looked=True)
        finally:
            adapter.close()
    finally:
        if cache.get(lock_key) == token:
            cache.delete(lock_key)


def accounts_with_due_pushes() -> list[int]:
    now = timezone.now()
    return list(
        ListingPush.objects.filter(pushed_version__lt=F("version"))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .values_list("account_id", flat=True)
        .distinct()
        .order_by("account_id")
    )


def _due(account, limit: int, daily_cap: int | None) -> tuple[list[ListingPush], bool]:
    """The most urgent due targets, at most ``limit``; and whether more may be due than were read."""
    now = timezone.now()
    pending = (
        ListingPush.objects.filter(account=account, pushed_version__lt=F("version"))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .select_related("listing")
        .order_by("priority", "changed_at", "id")
    )
    if daily_cap is None:
        batch = list(pending[:limit])
        return batch, len(batch) == limit
    chosen = []
    read = list(pending[: limit * 4])
    for push in read:
        used = _revisions_today(push.listing_id)
        budget_left = daily_cap - used
        if budget_left <= 0:
            continue
        if budget_left <= daily_cap * REVISION_RESERVE_FRACTION and push.priority != PushPriority.URGENT:
            continue  # keep the rest of today's revisions for low-stock decreases
        chosen.append(push)
        if len(chosen) == limit:
            break
    return chosen, len(chosen) == limit or len(read) == limit * 4


def _revision_key(listing_id: int) -> str:
    return f"revisions:{listing_id}:{timezone.now():%Y-%m-%d}"


def _revisions_today(listing_id: int) -> int:
    return int(cache.get(_revision_key(listing_id)) or 0)


def _count_revision(listing_id: int) -> None:
    key = _revision_key(listing_id)
    if not cache.add(key, 1, timeout=2 * 86400):
        cache.incr(key)


def _push_batch(account, adapter, batch: list[ListingPush]) -> tuple[int, int, float | None]:
    picked_at = timezone.now()  # recorded with the outcome: a row locked by a retarget must not delay the send
    updates = [QuantityUpdate(listing=listing_ref(push.listing), quantity=push.target_quantity) for push in batch]
    sent_at = timezone.now()
    try:
        result = adapter.push_quantities_batch(updates)
    except Throttled as error:
        health.event(account.pk, SyncEventKind.THROTTLED, str(error))
        _log(batch, picked_at, sent_at, None, "throttled", str(error))
        return 0, 0, error.retry_after
    except AuthFailed as error:
        health.failure(account.pk, str(error))
        _failed(batch, picked_at, sent_at, str(error), backoff=300)
        return 0, len(batch), None
    except RequestRejected as error:
        _failed(batch, picked_at, sent_at, str(error), backoff=None)
        health.failure(account.pk, str(error))
        return 0, len(batch), None
    except MarketplaceError as error:  # server errors, timeouts: retry the batch with backoff
        health.failure(account.pk, str(error))
        delay = _failed(batch, picked_at, sent_at, str(error), backoff=None)
        return 0, len(batch), delay
    acked_at = timezone.now()
    if account.platform in {"ebay"}:
        for push in batch:
            _count_revision(push.listing_id)
    by_sku = {push.listing.seller_sku: push for push in batch}
    failed_skus = {error.seller_sku: error for error in result.failed}
    ok = [push for sku, push in by_sku.items() if sku not in failed_skus]
    bad = [push for sku, push in by_sku.items() if sku in failed_skus]
    with transaction.atomic():
        _acknowledged(ok, picked_at, sent_at, acked_at)
        _log(ok, picked_at, sent_at, acked_at, "ok")
    for push in bad:
        error = failed_skus[push.listing.seller_sku]
        _failed([push], picked_at, sent_at, f"{error.code}: {error.message}", backoff=None)
    if ok:
        health.push_ok(account.pk)
    return len(ok), len(bad), None


def listing_ref(listing: Listing) -> ListingRef:
    return ListingRef(
        seller_sku=listing.seller_sku,
        listing_id=listing.external_listing_id,
        variant_id=listing.external_variant_id,
        inventory_id=listing.external_inventory_id,
        extra=listing.extra,
    )


def _acknowledged(pushes: list[ListingPush], picked_at, sent_at, acked_at) -> None:
    """Mark each sent version done, unless a newer version was already acknowledged: one statement for the push
    rows and one for the listings, whatever the batch's size.

    A newer target that arrived in flight keeps its (older) change time: it is still owed.
    """
    values_update(
        ListingPush,
        ("id", "version", "quantity"),
        [(push.pk, push.version, push.target_quantity) for push in pushes],
        "pushed_version = v.version, pushed_quantity = v.quantity, picked_at = %s, sent_at = %s, acked_at = %s, "
        "attempts = 0, next_attempt_at = NULL, last_error = '', "
        "changed_at = CASE WHEN t.version = v.version THEN NULL ELSE t.changed_at END",
        condition="t.pushed_version < v.version",
        params=(picked_at, sent_at, acked_at),
    )
    values_update(
        Listing,
        ("id", "quantity"),
        [(push.listing_id, push.target_quantity) for push in pushes],
        "last_pushed_quantity = v.quantity, last_pushed_at = %s, sync_state = %s, sync_error = ''",
        params=(acked_at, ListingSyncState.IN_SYNC.value),
    )


def _failed(batch, picked_at, sent_at, message: str, *, backoff: float | None) -> float:
    delay = backoff
    for push in batch:
        delay = backoff if backoff is not None else BACKOFF_SECONDS[min(push.attempts, len(BACKOFF_SECONDS) - 1)]
        ListingPush.objects.filter(pk=push.pk).update(
            picked_at=picked_at,
            attempts=F("attempts") + 1,
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
            last_error=message[:2000],
        )
        Listing.objects.filter(pk=push.listing_id).update(sync_state=ListingSyncState.ERROR, sync_error=message[:2000])
    _log(batch, picked_at, sent_at, None, "error", message)
    return delay or 0


def _log(batch, picked_at, sent_at, acked_at, outcome: str, error: str = "") -> None:
    PushLog.objects.bulk_create(
        [
            PushLog(
                listing_id=push.listing_id,
                account_id=push.account_id,
                quantity=push.target_quantity,
                version=push.version,
                priority=push.priority,
                changed_at=push.changed_at,
                targeted_at=push.targeted_at,
                picked_at=picked_at,
                sent_at=sent_at,
                acked_at=acked_at,
                outcome=outcome,
                error=error[:2000],
            )
            for push in batch
        ]
    )
