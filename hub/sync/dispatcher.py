"""Pushes listing targets to each marketplace account: batched, paced, retried, never out of order.

One pusher per account at a time (a lock in the cache), so pushes of one listing are
sent in version order. A pusher takes the most urgent pending targets first (low-stock
decreases, then other decreases, then increases), up to the adapter's batch limit,
spends a token of the account's bucket per call, and records each stage time.
"""

import logging
import math
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

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
        try:
            for loop in range(MAX_BATCHES_PER_RUN):
                if loop:
                    cache.touch(lock_key, LOCK_SECONDS)
                cache.delete(_dirty_key(account_id))
                batch, more = _due(account, _read_size(adapter, pace), pace.daily_revisions_per_listing)
                if not batch:
                    if is_dirty(account_id):
                        continue
                    return PushRun(sent, failed, looked=True)
                ok, bad, retry_in = _push_calls(account, adapter, batch, bucket)
                sent, failed = sent + ok, failed + bad
                if retry_in is not None:
                    return PushRun(sent, failed, retry_in=retry_in, looked=True)
                if not more and not is_dirty(account_id):
                    # Everything due when the batch was read went in it, and no target changed since (a retarget
                    # marks the account dirty after it commits): no need to read again.
                    return PushRun(sent, failed, looked=True)
            return PushRun(sent, failed, retry_in=0.1, looked=True)
        finally:
            adapter.close()
    finally:
        if cache.get(lock_key) == token:
            cache.delete(lock_key)


def _read_size(adapter, pace) -> int:
    """Targets read per loop: one call's worth, or for one listing per call (Amazon) a full bucket's worth."""
    return adapter.batch_limit if adapter.batch_limit > 1 else max(1, int(pace.push_burst))


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


@dataclass
class _Call:
    """One push call's outcome. Refusals and errors are recorded by ``_call``; the acknowledged pushes by the caller
    (``_calls_recorded``), so that several calls of a run commit together."""

    picked_at: datetime
    sent_at: datetime
    acked_at: datetime | None = None
    ok: list[ListingPush] = field(default_factory=list)
    failed: int = 0
    retry_in: float | None = None  # the platform said wait (throttled) or failed: back off this long
    stop: bool = False  # no further call of this run should go (throttled, auth, server error)


def _push_calls(account, adapter, batch: list[ListingPush], bucket: TokenBucket) -> tuple[int, int, float | None]:
    """Send ``batch`` in calls of the adapter's batch limit, a token each, and record the outcome.

    A platform that takes one listing per call (Amazon) gets as many calls as the bucket allows for one read of
    the due targets, and their acknowledgements are written in one transaction: per listing, no read and no
    commit of its own. Returns (pushed, failed, retry in: the bucket is empty or the platform said wait).
    """
    calls: list[_Call] = []
    retry_in = None
    size = adapter.batch_limit
    for start in range(0, len(batch), size):
        wait = bucket.take()
        if wait > 0:
            retry_in = _refill_wait(bucket, wait, calls_left=-(-(len(batch) - start) // size))
            break
        call = _call(account, adapter, batch[start : start + size])
        calls.append(call)
        if call.stop:
            retry_in = call.retry_in
            break
    _calls_recorded(account, calls)
    return sum(len(call.ok) for call in calls), sum(call.failed for call in calls), retry_in


def _refill_wait(bucket: TokenBucket, wait: float, *, calls_left: int) -> float:
    """How long to wait before the next run: until the bucket holds a token for each call left, up to half its
    burst. Waking for every single token made one run (a read, a commit, a task) per call of a busy account."""
    tokens = min(calls_left, max(1, math.ceil(bucket.burst / 2)))
    return wait + (tokens - 1) / bucket.rate


def _call(account, adapter, batch: list[ListingPush]) -> _Call:
    picked_at = timezone.now()  # recorded with the outcome: a row locked by a retarget must not delay the send
    updates = [QuantityUpdate(listing=listing_ref(push.listing), quantity=push.target_quantity) for push in batch]
    sent_at = timezone.now()
    call = _Call(picked_at=picked_at, sent_at=sent_at)
    try:
        result = adapter.push_quantities_batch(updates)
    except Throttled as error:
        health.event(account.pk, SyncEventKind.THROTTLED, str(error))
        _log(batch, picked_at, sent_at, None, "throttled", str(error))
        call.retry_in, call.stop = error.retry_after, True
        return call
    except AuthFailed as error:
        health.failure(account.pk, str(error))
        _failed(batch, picked_at, sent_at, str(error), backoff=300)
        call.failed, call.stop = len(batch), True
        return call
    except RequestRejected as error:
        _failed(batch, picked_at, sent_at, str(error), backoff=None)
        health.failure(account.pk, str(error))
        call.failed = len(batch)
        return call
    except MarketplaceError as error:  # server errors, timeouts: retry the batch with backoff
        health.failure(account.pk, str(error))
        delay = _failed(batch, picked_at, sent_at, str(error), backoff=None)
        call.failed, call.retry_in, call.stop = len(batch), delay, True
        return call
    call.acked_at = timezone.now()
    if account.platform in {"ebay"}:
        for push in batch:
            _count_revision(push.listing_id)
    by_sku = {push.listing.seller_sku: push for push in batch}
    failed_skus = {error.seller_sku: error for error in result.failed}
    call.ok = [push for sku, push in by_sku.items() if sku not in failed_skus]
    for sku, push in by_sku.items():
        if sku in failed_skus:
            error = failed_skus[sku]
            _failed([push], picked_at, sent_at, f"{error.code}: {error.message}", backoff=None)
            call.failed += 1
    return call


def _calls_recorded(account, calls: list[_Call]) -> None:
    done = [(push, call) for call in calls for push in call.ok]
    if not done:
        return
    with transaction.atomic():
        _acknowledged(done)
        PushLog.objects.bulk_create(
            [_log_row(push, call.picked_at, call.sent_at, call.acked_at, "ok") for push, call in done]
        )
    health.push_ok(account.pk)


def listing_ref(listing: Listing) -> ListingRef:
    return ListingRef(
        seller_sku=listing.seller_sku,
        listing_id=listing.external_listing_id,
        variant_id=listing.external_variant_id,
        inventory_id=listing.external_inventory_id,
        extra=listing.extra,
    )


def _acknowledged(done: list[tuple[ListingPush, _Call]]) -> None:
    """Mark each sent version done, unless a newer version was already acknowledged: one statement for the push
    rows and one for the listings, whatever the number of pushes and calls.

    A newer target that arrived in flight keeps its (older) change time: it is still owed.
    """
    values_update(
        ListingPush,
        ("id", "version", "quantity", "picked_at", "sent_at", "acked_at"),
        [
            (push.pk, push.version, push.target_quantity, call.picked_at, call.sent_at, call.acked_at)
            for push, call in done
        ],
        "pushed_version = v.version, pushed_quantity = v.quantity, picked_at = v.picked_at, sent_at = v.sent_at, "
        "acked_at = v.acked_at, attempts = 0, next_attempt_at = NULL, last_error = '', "
        "changed_at = CASE WHEN t.version = v.version THEN NULL ELSE t.changed_at END",
        condition="t.pushed_version < v.version",
    )
    values_update(
        Listing,
        ("id", "quantity", "acked_at"),
        [(push.listing_id, push.target_quantity, call.acked_at) for push, call in done],
        "last_pushed_quantity = v.quantity, last_pushed_at = v.acked_at, sync_state = %s, sync_error = ''",
        params=(ListingSyncState.IN_SYNC.value,),
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
    PushLog.objects.bulk_create([_log_row(push, picked_at, sent_at, acked_at, outcome, error) for push in batch])


def _log_row(push: ListingPush, picked_at, sent_at, acked_at, outcome: str, error: str = "") -> PushLog:
    return PushLog(
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
