"""Celery tasks of logistics: thin wrappers that load ids and call one service."""

from celery import shared_task

from hub.marketplaces.errors import MarketplaceError, Throttled

from .enums import ShipmentState
from .models import Shipment

PUSH_MAX_RETRIES = 8
PUSH_MAX_BACKOFF_SECONDS = 600


@shared_task(bind=True, ignore_result=True, max_retries=PUSH_MAX_RETRIES)
def shipment_tracking_push_task(self, shipment_id: int) -> str:
    """Push a shipment's tracking to its marketplace; retries throttles (after ``retry_after``) and server errors."""
    from .services.shipping import shipment_push_failed, shipment_tracking_push

    try:
        return shipment_tracking_push(shipment_id)
    except MarketplaceError as error:
        if not error.retryable:
            return "failed"
        if self.request.retries >= self.max_retries:
            shipment_push_failed(shipment_id, f"gave up after {self.request.retries + 1} attempts: {error}")
            return "failed"
        if isinstance(error, Throttled):
            countdown = max(error.retry_after, 0.05)
        else:
            countdown = min(2**self.request.retries, PUSH_MAX_BACKOFF_SECONDS)
        raise self.retry(countdown=countdown, exc=error) from error


@shared_task(ignore_result=True)
def tracking_refresh_task() -> int:
    """Read new carrier events for every parcel on its way, then raise stale-shipment alerts."""
    from .services import shipment_tracking_refresh, shipments_stale_alert

    new = 0
    for shipment_id in Shipment.objects.filter(state=ShipmentState.SHIPPED).values_list("pk", flat=True):
        new += shipment_tracking_refresh(shipment_id)
    shipments_stale_alert()
    return new
