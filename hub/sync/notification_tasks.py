"""Celery tasks for Amazon queue notifications (imported by ``SyncConfig.ready`` so workers register them)."""

from celery import shared_task

from hub.marketplaces.errors import MarketplaceError

SUBSCRIBE_RETRIES = 6


@shared_task(ignore_result=True)
def amazon_notifications_receive_task() -> int:
    """On a beat schedule (every second): long-poll the queue briefly, store, delete, queue processing."""
    from .notifications import notifications_receive

    return notifications_receive()


@shared_task(bind=True, ignore_result=True, max_retries=SUBSCRIBE_RETRIES)
def amazon_notifications_subscribe_task(self, account_id: int) -> str:
    """After an Amazon account is connected: its ORDER_CHANGE subscription (idempotent)."""
    from .notifications import account_notifications_subscribe

    try:
        return account_notifications_subscribe(account_id)
    except MarketplaceError as error:
        if error.retryable:
            raise self.retry(countdown=min(5 * 2**self.request.retries, 300)) from error
        raise
