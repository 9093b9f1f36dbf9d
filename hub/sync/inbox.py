"""Stored pushes processed in batches while the inbox has a backlog.

Each stored push queues a task for its message. A run claims its own message and, when
others are waiting, the oldest pending pushes with it (up to ``INBOX_BATCH``): it fetches or
parses them all, stores each order in its own transaction, and then retargets every listing
they sold at once (``orders_wake``) instead of once per order. A message another run has
claimed is left to it; the later task of a message already processed finds nothing to do.
With no backlog a run is one message, as before, at no cost in latency; nor while push runs
wait for a process (``push_waits``): a batch would hold its process longer.

A claim is a lease (``claimed_until``): the messages of a run that died stay pending, its
lease lapses, and the sweep queues them again (``inbox_requeue_stale``).
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from .enums import InboxState
from .ingest import PUSHED, REQUEUE_WITHIN, inbox_store, message_ignore, message_order, orders_wake
from .models import InboxMessage
from .push_waits import pushes_overdue

INBOX_BATCH = 6
CLAIM_SECONDS = 30  # shorter than ingest.PENDING_STALE: a lapsed claim is requeued by the sweep


def inbox_claim(message_id: int, limit: int = INBOX_BATCH) -> list[int]:
    """Claim ``message_id`` if it waits (pending, or failed: a retry) and unclaimed, and up to ``limit`` in all
    with the oldest other pending pushes; returns the claimed ids, the own message first.

    Pulled messages are never taken: the pull that stored them applies them itself.
    """
    now = timezone.now()
    waiting = (
        InboxMessage.objects.select_for_update(skip_locked=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .filter(
            Q(pk=message_id, state__in=(InboxState.PENDING, InboxState.FAILED))
            | Q(state=InboxState.PENDING, source__in=PUSHED, received_at__gte=now - REQUEUE_WITHIN)
        )
        .annotate(own=Case(When(pk=message_id, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("own", "received_at", "id")
        .values_list("id", flat=True)
    )
    with transaction.atomic():
        ids = list(waiting[:limit])
        if ids:
            InboxMessage.objects.filter(pk__in=ids).update(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
    return ids


def inbox_process_pending(message_id: int, limit: int = INBOX_BATCH) -> dict[int, Exception]:
    """Process ``message_id`` and the backlog claimed with it; returns the failures by message id.

    One message's failure (marked failed on its row) stops none of the others. While push runs wait for a
    process (``push_waits``), a run takes its own message only: it frees its process for them sooner.
    """
    ids = inbox_claim(message_id, 1 if pushes_overdue() else limit)
    return inbox_batch_process(ids) if ids else {}


def inbox_batch_process(message_ids) -> dict[int, Exception]:
    """Fetch or parse every claimed message first, then store each order (a transaction each), then retarget
    what they sold in one go: the orders' commits stand close together, and none waits for another's fetch."""
    messages = (
        InboxMessage.objects.select_related("account__seller")
        .defer("account__credentials")
        .filter(pk__in=message_ids)
        .order_by("received_at", "id")
    )
    failures: dict[int, Exception] = {}
    parsed = []
    for message in messages:
        if message.state == InboxState.PROCESSED:
            continue
        if not message.external_id:  # a push about something other than an order
            message_ignore(message)
            continue
        try:
            parsed.append((message, *message_order(message)))
        except Exception as error:  # noqa: BLE001 - recorded on the message; the caller decides on a retry
            failures[message.pk] = error
    stored = []
    for message, canonical, raw, details_pending in parsed:
        try:
            stored.append(inbox_store(message, message.account, canonical, raw, details_pending=details_pending))
        except Exception as error:  # noqa: BLE001 - as above
            failures[message.pk] = error
    orders_wake(stored)
    return failures
