"""Orders into the hub: from the inbox (webhooks, Amazon queue notifications) and from scheduled pulls.

Every payload is stored in ``InboxMessage`` before it is processed, so a failure in
parsing or reserving loses nothing: the message stays, marked failed, for a retry.
"""

import json
import logging
import uuid
from datetime import datetime, timedelta
from functools import partial

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from hub.marketplaces.errors import MarketplaceError
from hub.marketplaces.types import CanonicalOrder, OrderStamp
from inventory.velocity import detection_observe
from orders.models import Order, OrderLine
from orders.services import order_ingest
from sellers.models import MarketplaceAccount

from . import health
from .enums import InboxSource, InboxState
from .intake import adapter_paced
from .models import AccountSyncState, InboxMessage
from .outbox import listings_sold
from .tasks import PUSH_COALESCE_SECONDS, push_soon

logger = logging.getLogger(__name__)

PULL_OVERLAP = timedelta(minutes=5)  # re-read a little of the last window: clocks and commits lag
FIRST_PULL_LOOKBACK = timedelta(days=3)
PULL_LOCK_SECONDS = 300
# While an account's platform pushes orders (webhooks, queue notifications), a scheduled pull is only the backstop
# for what the pushes missed: it runs once per this many seconds (account setting ``backstop_pull_seconds``; 0
# pulls on every schedule) instead of re-reading the overlap window every few seconds.
BACKSTOP_PULL_SECONDS = 300
PUSHES_FRESH_SECONDS = 120  # a push this recent says the account's pushes arrive
PENDING_IN_FLIGHT = timedelta(minutes=2)  # a pushed order still pending after this is stuck, not in flight
PENDING_STALE = timedelta(minutes=1)  # ... and after this its processing is queued again
REQUEUE_EVERY = timedelta(minutes=5)
REQUEUE_WITHIN = timedelta(days=7)  # older ones are left to an operator (admin: retry)


def inbox_apply(
    message: InboxMessage,
    account: MarketplaceAccount,
    canonical: CanonicalOrder,
    raw: dict,
    *,
    details_pending: bool = False,
):
    """Ingest one parsed order, mark its inbox message in the same transaction, and retarget what it sold."""
    result = inbox_store(message, account, canonical, raw, details_pending=details_pending)
    orders_wake([result])
    return result


def inbox_store(
    message: InboxMessage,
    account: MarketplaceAccount,
    canonical: CanonicalOrder,
    raw: dict,
    *,
    details_pending: bool = False,
):
    """Ingest one parsed order and mark its inbox message in the same transaction; errors leave the message
    failed, not lost. The listings it sold are retargeted by ``orders_wake``, once for many orders."""

    def processed(result) -> None:
        state = InboxState.PROCESSED if result.applied else InboxState.IGNORED
        InboxMessage.objects.filter(pk=message.pk).update(state=state, processed_at=timezone.now(), error="")

    try:
        result = order_ingest(
            account=account, canonical=canonical, raw=raw, details_pending=details_pending, on_stored=processed
        )
    except Exception as error:
        _failed(message.pk, error)
        raise
    if result.created:
        order = result.order
        detection_observe(account.platform, max(0.0, (order.created_at - order.placed_at).total_seconds()))
    return result


def orders_wake(results) -> None:
    """New targets for every listing of the SKUs that these stored orders sold, and a push run for each account
    with something to push: one retarget for a batch of orders, however many."""
    sold = [line for result in results if result.created for line in result.lines if line.listing_id is not None]
    if not sold:
        return
    for account_id in sorted(listings_sold([line.listing_id for line in sold], sku_ids={line.sku_id for line in sold})):
        push_soon(account_id, countdown=PUSH_COALESCE_SECONDS)


def _failed(message_id: int, error: Exception) -> None:
    InboxMessage.objects.filter(pk=message_id).update(
        state=InboxState.FAILED,
        error=f"{type(error).__name__}: {error}"[:2000],
        processed_at=timezone.now(),
        claimed_until=None,  # its retry takes it at once
    )


PUSHED = (InboxSource.WEBHOOK, InboxSource.NOTIFICATION)  # the platform told the hub (pulls are the hub asking)


def _pushed_orders_pending():
    return InboxMessage.objects.filter(state=InboxState.PENDING, source__in=PUSHED).exclude(external_id="")


def inbox_pending_by_platform() -> dict[str, int]:
    """Orders pushed to the hub lately and not processed yet, by platform (its inbox's backlog).

    Older ones are stuck, not in flight (``inbox_requeue_stale`` queues them again).
    """
    waiting = _pushed_orders_pending().filter(received_at__gte=timezone.now() - PENDING_IN_FLIGHT)
    return dict(waiting.values_list("platform").annotate(count=Count("id")).order_by())


def inbox_requeue_stale(limit: int = 200) -> list[int]:
    """Queue the processing of pushed orders still pending after a minute again; returns their ids.

    Their task was lost (the broker was down when it was queued, or a worker died holding it). Each is queued
    again at most once per ``REQUEUE_EVERY``; processing is idempotent.
    """
    from .tasks import inbox_process_task

    now = timezone.now()
    stale = _pushed_orders_pending().filter(received_at__lt=now - PENDING_STALE, received_at__gte=now - REQUEUE_WITHIN)
    queued = []
    for message_id in stale.order_by("received_at").values_list("id", flat=True)[:limit]:
        if cache.add(f"inbox-requeued:{message_id}", 1, timeout=REQUEUE_EVERY.total_seconds()):
            inbox_process_task.delay(message_id)
            queued.append(message_id)
    return queued


def pull_due(account_id: int) -> bool:
    """Whether a scheduled pull should run now: always, unless pushes arrive and the last pull is recent."""
    account = MarketplaceAccount.objects.only("settings").get(pk=account_id)
    backstop = float(account.settings.get("backstop_pull_seconds", BACKSTOP_PULL_SECONDS))
    now = timezone.now()
    last_pull = AccountSyncState.objects.filter(account_id=account_id).values_list("last_pull_at", flat=True).first()
    if not backstop or last_pull is None or now - last_pull >= timedelta(seconds=backstop):
        return True
    pushed = InboxMessage.objects.filter(
        account_id=account_id, source__in=PUSHED, received_at__gte=now - timedelta(seconds=PUSHES_FRESH_SECONDS)
    )
    return not pushed.exists()


def account_pull(account_id: int) -> int:
    """Read orders changed since the account's cursor (minus an overlap) and ingest them; returns how many.

    One pull per account at a time; the cursor only moves forward, to the newest update
    time the platform reported, after every page was stored and applied.
    """
    lock_key, token = f"pull-lock:{account_id}", uuid.uuid4().hex
    if not cache.add(lock_key, token, timeout=PULL_LOCK_SECONDS):
        return 0
    try:
        account = MarketplaceAccount.objects.defer("credentials").get(pk=account_id)
        since = _cursor(account) or timezone.now() - FIRST_PULL_LOOKBACK
        newest = since
        count = 0
        adapter = adapter_paced(account)
        adapter.orders_known = partial(orders_known, account.pk)
        if hasattr(adapter, "order_items_known"):  # Amazon: items already given by ORDER_CHANGE notifications
            adapter.order_items_known = partial(order_items_pending, account.pk)
        try:
            for page in adapter.iter_orders(since - PULL_OVERLAP):
                known = orders_known(account.pk, [_stamp(order) for order in page.orders])
                fresh = [
                    (order, raw)
                    for order, raw in zip(page.orders, page.raw, strict=True)
                    if order.external_id not in known
                ]
                messages = InboxMessage.objects.bulk_create(
                    [
                        InboxMessage(
                            platform=account.platform,
                            account=account,
                            source=InboxSource.PULL,
                            external_id=order.external_id,
                            body=json.dumps(raw, ensure_ascii=False, default=str),
                        )
                        for order, raw in fresh
                    ]
                )
                stored = []
                for message, (order, raw) in zip(messages, fresh, strict=True):
                    try:
                        stored.append(inbox_store(message, account, order, raw))
                    except Exception:
                        logger.exception("order %s of account %s failed to apply", order.external_id, account.pk)
                count += len(stored)
                _page_wake(account.pk, stored)
                if page.high_water_mark and page.high_water_mark > newest:
                    newest = page.high_water_mark
                if page.resume_from:  # the platform's pace stopped the pull: the rest next time
                    newest = min(newest, page.resume_from)
                    break
        except MarketplaceError as error:
            health.failure(account.pk, f"pull: {error}")
            raise
        finally:
            adapter.close()
        _cursor_set(account, newest)
        health.pull_ok(account.pk)
        return count
    finally:
        if cache.get(lock_key) == token:
            cache.delete(lock_key)


def _page_wake(account_id: int, stored) -> None:
    try:
        orders_wake(stored)
    except Exception:
        # The orders and their stock changes are committed: the outbox drain retargets what this could not.
        logger.exception("retargeting after a pulled page of account %s failed; left to the outbox drain", account_id)


def orders_known(account_id: int, stamps: list[OrderStamp]) -> set[str]:
    """The orders the hub already holds at (or past) the state these stamps describe.

    Held: stored with a later marketplace update time, or the same time and the same status
    (several platforms stamp whole seconds), and not waiting for its details (an order reserved
    from a notification is fetched so that its address arrives). Anything else is fetched and
    ingested again.
    """
    stored = {
        external_id: (updated_at, status)
        for external_id, updated_at, status in Order.objects.filter(
            account_id=account_id, external_id__in=[stamp.external_id for stamp in stamps], details_pending=False
        ).values_list("external_id", "marketplace_updated_at", "marketplace_status")
    }
    known = set()
    for stamp in stamps:
        updated_at, status = stored.get(stamp.external_id, (None, None))
        if updated_at is None or stamp.updated_at is None:
            continue
        if updated_at > stamp.updated_at or (updated_at == stamp.updated_at and status == stamp.status):
            known.add(stamp.external_id)
    return known


def order_items_pending(account_id: int, external_ids: list[str]) -> dict[str, list[dict]]:
    """The lines of the account's orders still waiting for their details, as getOrderItems lists items
    (OrderItemId, SellerSKU, QuantityOrdered): what a notification already told the hub."""
    items: dict[str, list[dict]] = {}
    for external_id, line_id, seller_sku, quantity in OrderLine.objects.filter(
        order__account_id=account_id, order__external_id__in=external_ids, order__details_pending=True
    ).values_list("order__external_id", "external_line_id", "seller_sku", "quantity"):
        items.setdefault(external_id, []).append(
            {"OrderItemId": line_id, "SellerSKU": seller_sku, "QuantityOrdered": quantity, "QuantityShipped": 0}
        )
    return items


def _stamp(order: CanonicalOrder) -> OrderStamp:
    return OrderStamp(order.external_id, order.updated_at, order.status)


def _cursor(account) -> datetime | None:
    value = account.cursors.get("orders_updated_since")
    return datetime.fromisoformat(value) if value else None


def _cursor_set(account, newest: datetime) -> None:
    with transaction.atomic():
        locked = MarketplaceAccount.objects.select_for_update().only("cursors").get(pk=account.pk)
        current = _cursor(locked)
        if current is None or newest > current:
            locked.cursors = {**locked.cursors, "orders_updated_since": newest.isoformat()}
            locked.save(update_fields=["cursors"])


def inbox_process(message_id: int):
    """Process (or retry) one stored message: a push is parsed, or its order fetched when the push only
    names it; a pulled order is fetched again from the platform, which has its latest state. Then ingest."""
    message = InboxMessage.objects.select_related("account__seller").defer("account__credentials").get(pk=message_id)
    if message.state == InboxState.PROCESSED:
        return None
    if not message.external_id:  # a push about something other than an order
        message_ignore(message)
        return None
    canonical, raw, details_pending = message_order(message)
    return inbox_apply(message, message.account, canonical, raw, details_pending=details_pending)


def message_ignore(message: InboxMessage) -> None:
    InboxMessage.objects.filter(pk=message.pk).update(state=InboxState.IGNORED, processed_at=timezone.now())


def message_order(message: InboxMessage) -> tuple[CanonicalOrder, dict, bool]:
    """(canonical order, raw payload, details pending) of a stored message: parsed from a push, fetched when the
    push only names the order, fetched again for a pulled one. A failure marks the message failed and raises."""
    from .intake import order_fetch, order_from_notification, order_from_push

    account = message.account
    try:
        if message.source == InboxSource.WEBHOOK:
            return (*order_from_push(account, message), False)
        if message.source == InboxSource.NOTIFICATION:
            return order_from_notification(account, message)
        return (*order_fetch(account, message.external_id), False)
    except Exception as error:
        _failed(message.pk, error)
        raise
