from celery import shared_task

from .common import webhook_deliver

RETRY_DELAYS_SECONDS = (1, 5, 30, 120, 600)


@shared_task(bind=True, max_retries=len(RETRY_DELAYS_SECONDS))
def sandbox_webhook_deliver_task(self, webhook_id: int):
    """Deliver a sandbox push; like the real platforms, retry with the original body on failure."""
    status = webhook_deliver(webhook_id)
    if not 200 <= status < 300:
        raise self.retry(countdown=RETRY_DELAYS_SECONDS[min(self.request.retries, len(RETRY_DELAYS_SECONDS) - 1)])
