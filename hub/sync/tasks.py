"""Celery tasks of the sync engine: thin wrappers that load ids and call one service."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from inventory.velocity import RATE_WINDOW_SECONDS

from . import dispatcher, outbox, push_waits
from .schedules import SWEEP_EVERY_SECONDS

logger = logging.getLogger(__name__)

DRAIN_DEBOUNCE_SECONDS = 0.2
IN_FLIGHT_MEASURE_EVERY_SECONDS = 10


def outbox_drain_soon() -> None:
    """Ask for a drain, at most one queued per debounce window (many changes, one drain)."""
    if cache.add("outbox-drain-queued", 1, timeout=1):
        outbox_drain_task.apply_async(countdown=DRAIN_DEBOUNCE_SECONDS)


@shared_task(ignore_result=True)
def outbox_drain_task() -> int:
    """Turn committed stock changes into listing targets; wake the accounts' pushers."""
    cache.delete("outbox-drain-queued")
    accounts = set()
    while True:
        claimed, woken = outbox.outbox_drain()
        accounts |= woken
        if claimed < outbox.DRAIN_BATCH:
            break
    for account_id in sorted(accounts):
        push_soon(account_id)
    return len(accounts)


PUSH_QUEUED_SECONDS = 2
# Orders arriving together on one account's SKUs: their new targets wait this long to leave in one push run.
PUSH_COALESCE_SECONDS = 0.15


def push_soon(account_id: int, countdown: float | None = None, *, urgent: bool = False) -> None:
    """Wake the account's pusher: at most one task queued per account and queue (many wake-ups, one push run).

    ``urgent``: through the urgent queue, so a low-stock decrease waits for nothing queued before it;
    a pusher already running loops once more and takes the urgent targets first.
    """
    dispatcher.mark_dirty(account_id)
    if not cache.add(_queued_key(account_id, urgent), 1, timeout=PUSH_QUEUED_SECONDS):
        return  # a queued run will see the new targets
    queue = {"queue": settings.CELERY_URGENT_QUEUE} if urgent else {}
    if not urgent:
        push_waits.push_queued(account_id, countdown)
    account_push_task.apply_async(args=[account_id], kwargs={"urgent": urgent}, countdown=countdown, **queue)


def _queued_key(account_id: int, urgent: bool) -> str:
    return f"push-queued{'-urgent' if urgent else ''}:{account_id}"


@shared_task(ignore_result=True)
def account_push_task(account_id: int, urgent: bool = False) -> None:
    cache.delete(_queued_key(account_id, urgent))
    if not urgent:
        push_waits.push_started(account_id)
    run = dispatcher.account_push(account_id)
    if run.retry_in is not None:
        account_push_task.apply_async(args=[account_id], countdown=max(run.retry_in, 0.05))
    elif run.looked and dispatcher.is_dirty(account_id):
        # A run that found this one busy marked the account after this one's last look: wake it again
        # (nothing is queued when a run is already waiting).
        push_soon(account_id)


@shared_task(ignore_result=True)
def sync_sweep_task() -> None:
    """On a beat schedule: drain leftovers, re-measure in-flight time, follow rushes as they end, restart pushers,
    queue again pushed orders whose processing was lost."""
    outbox_drain_task()
    if cache.add("in-flight-measured", 1, timeout=IN_FLIGHT_MEASURE_EVERY_SECONDS):
        from .adaptive import in_flight_refresh

        in_flight_refresh()
    for account_id in outbox.rush_targets_refresh(RATE_WINDOW_SECONDS + 2 * SWEEP_EVERY_SECONDS):
        push_soon(account_id)
    for account_id in dispatcher.accounts_with_due_pushes():
        push_soon(account_id)
    from .ingest import inbox_requeue_stale

    inbox_requeue_stale()


@shared_task(bind=True, ignore_result=True, max_retries=5)
def inbox_process_task(self, message_id: int) -> None:
    """Process a stored message, and with it the oldest others waiting (``hub.sync.inbox``).

    A retryable failure (the platform's fetch failed) of this message is retried by this task; one of another
    message in the batch gets a task of its own. Other failures stay on their messages, logged.
    """
    from hub.marketplaces.errors import MarketplaceError

    from .inbox import inbox_process_pending

    failures = inbox_process_pending(message_id)
    for other_id, error in failures.items():
        if other_id == message_id:
            continue
        if isinstance(error, MarketplaceError) and error.retryable:
            inbox_process_task.apply_async(args=[other_id], countdown=1)
        else:
            logger.error("inbox message %s failed", other_id, exc_info=error)
    error = failures.get(message_id)
    if error is None:
        return
    if isinstance(error, MarketplaceError) and error.retryable:
        raise self.retry(countdown=min(2**self.request.retries, 60)) from error
    raise error


@shared_task(ignore_result=True)
def account_pull_task(account_id: int) -> int:
    from .ingest import account_pull, pull_due

    return account_pull(account_id) if pull_due(account_id) else 0


@shared_task(ignore_result=True)
def account_reconcile_task(account_id: int) -> int:
    from .reconcile import account_reconcile

    corrected = account_reconcile(account_id)
    if corrected:
        push_soon(account_id)
    return corrected


@shared_task(ignore_result=True)
def adaptive_buffers_refresh_task() -> int:
    """Recompute adaptive buffers, then new targets for the listings of SKUs whose buffer changed."""
    from .adaptive import adaptive_buffers_refresh, listings_of

    changed = adaptive_buffers_refresh()
    for account_id in outbox.listings_refresh(listings_of(changed)) if changed else ():
        push_soon(account_id)
    return len(changed)
