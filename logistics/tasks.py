"""Celery tasks of logistics: thin wrappers that load ids and call one service."""

import logging

from celery import shared_task

from hub.marketplaces.errors import MarketplaceError, Throttled

from .enums import ShipmentState
from .models import Shipment

PUSH_MAX_RETRIES = 8
LABEL_VOID_MAX_RETRIES = 5
PUSH_MAX_BACKOFF_SECONDS = 600

logger = logging.getLogger(__name__)


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


@shared_task(bind=True, ignore_result=True, max_retries=LABEL_VOID_MAX_RETRIES)
def shipment_labels_void_task(self, shipment_id: int) -> int:
    """Void a cancelled shipment's labels at the carrier; retries carrier errors marked retryable."""
    from .exceptions import CarrierError
    from .services.cancellation import shipment_labels_void

    try:
        return shipment_labels_void(shipment_id)
    except CarrierError as error:
        if not error.retryable or self.request.retries >= self.max_retries:
            logger.warning("labels of shipment %s not voided at the carrier: %s", shipment_id, error)
            return 0
        raise self.retry(countdown=min(2**self.request.retries * 30, PUSH_MAX_BACKOFF_SECONDS), exc=error) from error


@shared_task(ignore_result=True)
def tracking_refresh_task() -> int:
    """Read new carrier events for every parcel on its way, then raise stale-shipment alerts."""
    from .services import shipment_tracking_refresh, shipments_stale_alert

    new = 0
    for shipment_id in Shipment.objects.filter(state=ShipmentState.SHIPPED).values_list("pk", flat=True):
        new += shipment_tracking_refresh(shipment_id)
    shipments_stale_alert()
    return new
