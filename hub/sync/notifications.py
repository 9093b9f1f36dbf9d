"""Amazon ORDER_CHANGE notifications: subscribing accounts and receiving the application's SQS queue.

One queue serves the application, so every seller: each message names its seller (``SellerId``),
which routes it to the Amazon account with that shop id. The receiver:

1. takes the receiver lock in Redis (one receiver at a time, like a pull's lock; it lapses within
   half a minute if a worker dies holding it);
2. long-polls the queue (``ReceiveMessage``, up to 10 messages, ``RECEIVE_WAIT_SECONDS``);
3. in one transaction stores each new message raw as an ``InboxMessage`` (source notification),
   deduplicated on ``NotificationId`` (a transaction-scoped advisory lock per id, then a look-up);
   a message for an unknown seller, or one that is not an ORDER_CHANGE, is rejected and logged;
4. after the commit, deletes every handled message from the queue (stored, duplicate or
   rejected); a message not deleted comes back after the visibility timeout and is deduplicated;
5. queues the processing of each stored message (``inbox_process_task``);
6. receives again while messages keep coming, for at most ``RECEIVE_BUDGET_SECONDS``.
"""

import functools
import hashlib
import logging
import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

from hub.marketplaces import adapter_for_account
from hub.marketplaces.amazon.notifications import Notification, read_notification
from hub.marketplaces.amazon.sqs import QueueConfig, QueueMessage, SqsQueue
from hub.marketplaces.errors import InvalidPayload, MarketplaceError
from sellers.models import MarketplaceAccount

from . import health
from .enums import InboxSource
from .models import InboxMessage

logger = logging.getLogger(__name__)

RECEIVE_LOCK_KEY = "amazon-notifications-receive-lock"
RECEIVE_WAIT_SECONDS = 1  # long poll: answers at once when a message arrives
RECEIVE_BUDGET_SECONDS = 5.0
VISIBILITY_TIMEOUT_SECONDS = 30  # time to store and delete a batch before SQS hands it out again
SQS_TIMEOUT_SECONDS = 10.0  # per call; a long poll answers within RECEIVE_WAIT_SECONDS
DESTINATION_NAME = "inventory-sync-hub order notifications"


def queue_config() -> QueueConfig | None:
    """The application's queue from settings; with the sandbox on and no queue set, the sandbox's queue."""
    if settings.AMAZON_SQS_QUEUE_URL:
        return QueueConfig(
            url=settings.AMAZON_SQS_QUEUE_URL,
            region=settings.AMAZON_SQS_REGION,
            access_key_id=settings.AMAZON_SQS_ACCESS_KEY_ID,
            secret_access_key=settings.AMAZON_SQS_SECRET_ACCESS_KEY,
            endpoint=settings.AMAZON_SQS_ENDPOINT,
        )
    if settings.SANDBOX_ENABLED:
        from hub.marketplaces.sandbox.amazon.sqs import sandbox_queue

        return sandbox_queue()
    return None


# --- subscribing ---------------------------------------------------------------------
def account_notifications_subscribe(account_id: int) -> str:
    """Subscribe an Amazon account to ORDER_CHANGE on the application's queue; idempotent.

    The destination (one per application and queue) is found or created with a grantless token,
    then the seller's subscription is found, replaced if it names another destination, or
    created. The ids are kept in the account's settings under ``notifications``.
    Returns the subscription id ("" when no queue is configured).
    """
    account = MarketplaceAccount.objects.get(pk=account_id)
    config = queue_config()
    if account.platform != "amazon" or config is None:
        return ""
    adapter = adapter_for_account(account)
    try:
        destination_id = adapter.notification_destination(config.arn, DESTINATION_NAME)
        subscription_id = adapter.order_change_subscription(destination_id)
    finally:
        adapter.close()
    with transaction.atomic():
        locked = MarketplaceAccount.objects.select_for_update().only("settings").get(pk=account_id)
        locked.settings = {
            **locked.settings,
            "notifications": {"destination_id": destination_id, "order_change_subscription_id": subscription_id},
        }
        locked.save(update_fields=["settings"])
    return subscription_id


# --- receiving -----------------------------------------------------------------------
@dataclass
class Batch:
    stored: list[int] = field(default_factory=list)  # InboxMessage ids to process
    duplicates: int = 0
    rejected: int = 0
    handles: list[str] = field(default_factory=list)  # receipt handles to delete


def notifications_receive(*, budget_seconds: float = RECEIVE_BUDGET_SECONDS, queue: SqsQueue | None = None) -> int:
    """Receive, store and delete queue messages for up to ``budget_seconds``; returns how many were stored.

    Does nothing when another receiver holds the lock, no queue is configured or no Amazon account is subscribed.
    """
    config = queue_config()
    if queue is None and (config is None or not _any_account_subscribed()):
        return 0
    token = uuid.uuid4().hex
    if not cache.add(RECEIVE_LOCK_KEY, token, timeout=int(budget_seconds + 2 * SQS_TIMEOUT_SECONDS + 5)):
        return 0
    own_queue = queue is None
    queue = queue or SqsQueue(config, timeout=SQS_TIMEOUT_SECONDS)
    stored = 0
    try:
        deadline = time.monotonic() + budget_seconds
        while True:
            messages = queue.receive(wait_seconds=RECEIVE_WAIT_SECONDS, visibility_timeout=VISIBILITY_TIMEOUT_SECONDS)
            if not messages:
                break
            batch = messages_store(messages)
            failed = queue.delete(batch.handles)
            if failed:
                logger.warning(
                    "amazon notifications: %s messages not deleted; they come back and are deduplicated", len(failed)
                )
            stored += len(batch.stored)
            if time.monotonic() >= deadline:
                break
        health.receiver_ok()
    except MarketplaceError as error:  # keys, permissions, SQS down: shown on the sync status page
        health.receiver_failure(str(error))
    finally:
        if own_queue:
            queue.close()
        if cache.get(RECEIVE_LOCK_KEY) == token:
            cache.delete(RECEIVE_LOCK_KEY)
    return stored


def _any_account_subscribed() -> bool:
    """Whether any Amazon account was subscribed; until then the queue is not polled at all."""
    return MarketplaceAccount.objects.filter(platform="amazon", settings__has_key="notifications").exists()


def _advisory_key(notification_id: str) -> int:
    """A signed 64-bit key for pg_advisory_xact_lock, stable across processes."""
    digest = hashlib.sha256(f"amazon-notification:{notification_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def messages_store(messages: list[QueueMessage]) -> Batch:
    """Store new messages raw (one transaction) and queue their processing after commit.

    Every message's receipt handle is returned for deletion: stored, already stored (the same
    NotificationId: SQS delivers at least once), or rejected (not ORDER_CHANGE, or an unknown seller).
    """
    batch = Batch()
    readable: list[tuple[QueueMessage, Notification]] = []
    for message in messages:
        batch.handles.append(message.receipt_handle)
        try:
            readable.append((message, read_notification(message.body)))
        except InvalidPayload as error:
            batch.rejected += 1
            logger.warning("amazon notification %s rejected: %s", message.message_id, error)
    accounts: dict[str, list[MarketplaceAccount]] = {}
    for account in MarketplaceAccount.objects.defer("credentials").filter(
        platform="amazon", shop_id__in={notification.seller_id for _, notification in readable}
    ):
        accounts.setdefault(account.shop_id, []).append(account)
    with transaction.atomic():
        with connection.cursor() as cursor:
            for notification_id in sorted({notification.notification_id for _, notification in readable}):
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_advisory_key(notification_id)])
        seen = _stored_notification_ids([notification for _, notification in readable])
        fresh = []
        for message, notification in readable:
            account = _account_for(accounts.get(notification.seller_id, []), notification)
            if account is None:
                batch.rejected += 1
                logger.warning(
                    "amazon notification %s rejected: unknown seller %s (marketplace %s, order %s)",
                    notification.notification_id,
                    notification.seller_id,
                    notification.marketplace_id,
                    notification.order_id,
                )
                continue
            if notification.notification_id in seen:
                batch.duplicates += 1
                continue
            seen.add(notification.notification_id)
            fresh.append(
                InboxMessage(
                    platform="amazon",
                    account=account,
                    source=InboxSource.NOTIFICATION,
                    topic=notification.notification_type,
                    external_id=notification.order_id[:128],
                    headers={"NotificationId": notification.notification_id, "MessageId": message.message_id},
                    body=message.body,
                )
            )
        created = InboxMessage.objects.bulk_create(fresh)
        batch.stored = [message.pk for message in created]
        from .tasks import inbox_process_task

        for message_id in batch.stored:
            transaction.on_commit(functools.partial(inbox_process_task.delay, message_id))
    return batch


def _account_for(accounts: list[MarketplaceAccount], notification: Notification) -> MarketplaceAccount | None:
    """The seller's account for the notification's marketplace (an Amazon account's region is its marketplace id);
    a seller with one account takes every notification of its seller id."""
    for account in accounts:
        if account.region and account.region == notification.marketplace_id:
            return account
    return accounts[0] if len(accounts) == 1 else None


def _stored_notification_ids(notifications: list[Notification]) -> set[str]:
    """NotificationIds already in the inbox, looked up through the indexed order id."""
    if not notifications:
        return set()
    wanted = {notification.notification_id for notification in notifications}
    headers = InboxMessage.objects.filter(
        source=InboxSource.NOTIFICATION,
        platform="amazon",
        external_id__in={notification.order_id for notification in notifications},
    ).values_list("headers", flat=True)
    return {str(header.get("NotificationId")) for header in headers if header.get("NotificationId") in wanted}
