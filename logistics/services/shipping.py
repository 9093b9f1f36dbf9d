"""Carrier booking (label), shipping, tracking push-back to the marketplace, tracking events.

Carrier and marketplace calls are made outside any transaction that holds row locks;
their answers are written afterwards under the locks (order row, then shipment row).
"""

import functools
import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core.ratelimit import TokenBucket
from hub.marketplaces import adapter_for_account
from hub.marketplaces.errors import MarketplaceError, Throttled
from hub.marketplaces.types import ShipmentPush
from hub.sync.limits import PACE
from inventory.exceptions import InvalidQuantity, InvalidTransition
from inventory.services import reservation_ship
from orders.enums import OrderState
from orders.services import order_mark_delivered, order_mark_shipped

from ..carriers import ParcelRequest, carrier_adapter
from ..enums import PushState, ShipmentState, TrackingStatus
from ..exceptions import CarrierError, LabelError, LogisticsError, ShipmentStateError
from ..locks import orders_for_update, shipments_for_update
from ..models import Shipment, TrackingEvent

logger = logging.getLogger(__name__)


def address_problems(shipment: Shipment) -> list[str]:
    order, problems = shipment.order, []
    if not order.ship_name.strip():
        problems.append(_("the recipient's name is missing"))
    if not order.ship_address1.strip():
        problems.append(_("the street address is missing"))
    if not order.ship_country.strip():
        problems.append(_("the country is missing"))
    if shipment.service and shipment.service.carrier.requires_postal_code and not order.ship_postal_code.strip():
        problems.append(
            _("the postal code is missing and %(carrier)s requires one") % {"carrier": shipment.service.carrier}
        )
    return problems


def shipment_label(shipment_id: int, *, actor=None) -> Shipment:
    """Book the packed parcel with its carrier and keep the tracking number (the label is drawn from it).

    Checked first (nothing changes if refused): packed, a service chosen, an address the
    carrier accepts. The booking is idempotent on the shipment reference, so a retry after
    a crash between booking and saving gets the same tracking number.
    """
    shipment = Shipment.objects.select_related("order", "service__carrier").get(pk=shipment_id)
    if shipment.state == ShipmentState.LABELLED:
        return shipment
    _check_labellable(shipment)
    parcel = ParcelRequest(
        reference=shipment.reference,
        service_code=shipment.service.code,
        recipient_name=shipment.order.ship_name,
        recipient_country=shipment.order.ship_country,
        recipient_postal_code=shipment.order.ship_postal_code,
        weight_grams=shipment.weight_grams,
        length_mm=shipment.length_mm,
        width_mm=shipment.width_mm,
        height_mm=shipment.height_mm,
    )
    try:
        booking = carrier_adapter(shipment.service.carrier).book(parcel)
    except (CarrierError, LookupError) as error:
        raise LabelError(
            _("%(carrier)s refused %(shipment)s: %(error)s")
            % {"carrier": shipment.service.carrier, "shipment": shipment.reference, "error": error}
        ) from error
    with transaction.atomic():
        shipment = shipments_for_update([shipment_id])[0]
        if shipment.state == ShipmentState.LABELLED:
            return shipment
        _check_labellable(shipment)
        shipment.tracking_number = booking.tracking_number
        shipment.labelled_at = booking.booked_at
        shipment.state = ShipmentState.LABELLED
        shipment.save(update_fields=["tracking_number", "labelled_at", "state", "updated_at"])
        return shipment


def _check_labellable(shipment: Shipment) -> None:
    if shipment.state != ShipmentState.PACKED:
        raise ShipmentStateError(
            _("Shipment %(shipment)s is %(state)s; only packed parcels get a label.")
            % {"shipment": shipment.reference, "state": shipment.get_state_display()}
        )
    if shipment.service is None:
        raise LabelError(_("Shipment %(shipment)s has no carrier service.") % {"shipment": shipment.reference})
    problems = address_problems(shipment)
    if problems:
        raise LabelError(
            _("No label for %(shipment)s: %(problems)s. Correct the address first.")
            % {"shipment": shipment.reference, "problems": "; ".join(problems)}
        )


def shipment_ship(shipment_id: int, *, actor=None) -> Shipment:
    """The labelled parcel leaves: its reserved units are consumed, tracking goes to the marketplace.

    Locks the order, then the shipment; the inventory service locks reservations and stock.
    The order becomes shipped when its last shipment leaves. The push to the marketplace is
    queued after commit.
    """
    with transaction.atomic():
        order_id = Shipment.objects.values_list("order_id", flat=True).get(pk=shipment_id)
        order = orders_for_update([order_id])[order_id]
        shipment = shipments_for_update([shipment_id])[0]
        if shipment.state != ShipmentState.LABELLED:
            raise ShipmentStateError(
                _("Shipment %(shipment)s is %(state)s; only picked, packed and labelled parcels can ship.")
                % {"shipment": shipment.reference, "state": shipment.get_state_display()}
            )
        if order.state != OrderState.RELEASED:
            raise ShipmentStateError(
                _("Order %(order)s is %(state)s and cannot ship.")
                % {"order": order.external_id, "state": order.get_state_display()}
            )
        for line in shipment.lines.select_related("order_line").order_by("order_line_id"):
            try:
                reservation_ship(line_key=line.order_line.reservation_key, actor=actor, reference=shipment.reference)
            except (InvalidTransition, InvalidQuantity) as error:
                raise ShipmentStateError(" ".join(error.messages)) from error
        now = timezone.now()
        shipment.state, shipment.shipped_at, shipment.push_state = ShipmentState.SHIPPED, now, PushState.QUEUED
        shipment.save(update_fields=["state", "shipped_at", "push_state", "updated_at"])
        if not order.shipments.exclude(state__in=[ShipmentState.SHIPPED, ShipmentState.DELIVERED]).exists():
            note = _("Tracking %(number)s.") % {"number": shipment.tracking_number}
            order_mark_shipped(order, actor=actor, note=note)
        from ..tasks import shipment_tracking_push_task

        transaction.on_commit(functools.partial(shipment_tracking_push_task.delay, shipment.pk))
        return shipment


def shipment_tracking_push(shipment_id: int) -> str:
    """Tell the order's marketplace the carrier and tracking number of one shipped parcel.

    Paced by the account's token bucket (shared with the stock pushes). Returns the push
    state; a retryable marketplace error (throttle, server error) is recorded and raised
    for the task to retry; a permanent one marks the push failed for an operator.
    """
    shipment = Shipment.objects.select_related("order__account", "service__carrier").get(pk=shipment_id)
    if shipment.push_state == PushState.PUSHED:
        return PushState.PUSHED
    if shipment.state not in (ShipmentState.SHIPPED, ShipmentState.DELIVERED):
        raise ShipmentStateError(_("Shipment %(shipment)s has not shipped.") % {"shipment": shipment.reference})
    account = shipment.order.account
    pace = PACE[account.platform]
    wait = TokenBucket(f"push:{account.pk}", pace.push_rate, pace.push_burst).take()
    if wait > 0:
        raise Throttled(wait, "the hub's own pace for this account")
    lines = tuple(
        (line.order_line.external_line_id, line.quantity)
        for line in shipment.lines.select_related("order_line").order_by("order_line_id")
    )
    push = ShipmentPush(
        external_order_id=shipment.order.external_id,
        carrier=shipment.service.carrier.name_for_marketplaces,
        tracking_number=shipment.tracking_number,
        shipped_at=shipment.shipped_at,
        lines=lines,
        service=shipment.service.name,
    )
    adapter = adapter_for_account(account)
    try:
        adapter.push_shipment(push)
    except MarketplaceError as error:
        _push_record(shipment_id, PushState.QUEUED if error.retryable else PushState.FAILED, error=str(error))
        raise
    finally:
        adapter.close()
    _push_record(shipment_id, PushState.PUSHED)
    return PushState.PUSHED


def _push_record(shipment_id: int, state: str, *, error: str = "") -> None:
    with transaction.atomic():
        shipment = shipments_for_update([shipment_id])[0]
        shipment.push_state, shipment.push_error = state, error[:2000]
        shipment.push_attempts += 1
        if state == PushState.PUSHED:
            shipment.pushed_at = timezone.now()
        shipment.save(update_fields=["push_state", "push_error", "push_attempts", "pushed_at", "updated_at"])


def shipment_push_failed(shipment_id: int, error: str) -> None:
    """Retries are exhausted: an operator sees the failure on the shipment."""
    _push_record(shipment_id, PushState.FAILED, error=error)


def shipment_tracking_refresh(shipment_id: int) -> int:
    """Read the carrier's events, add the new ones to the timeline; delivered closes the shipment (and order).

    Returns how many events were new.
    """
    shipment = Shipment.objects.select_related("service__carrier").get(pk=shipment_id)
    if not shipment.tracking_number:
        return 0
    try:
        updates = carrier_adapter(shipment.service.carrier).tracking(shipment.tracking_number)
    except (CarrierError, LookupError) as error:
        raise LogisticsError(
            _("%(carrier)s could not report %(number)s: %(error)s")
            % {"carrier": shipment.service.carrier, "number": shipment.tracking_number, "error": error}
        ) from error
    with transaction.atomic():
        order = orders_for_update([shipment.order_id])[shipment.order_id]
        shipment = shipments_for_update([shipment_id])[0]
        known = set(shipment.tracking_events.values_list("external_id", flat=True))
        new = [
            TrackingEvent(
                shipment=shipment,
                external_id=update.external_id,
                status=update.status,
                description=update.description[:300],
                location=update.location[:120],
                occurred_at=update.occurred_at,
            )
            for update in updates
            if update.external_id not in known
        ]
        TrackingEvent.objects.bulk_create(new)
        if not new:
            return 0
        latest = max(event.occurred_at for event in new)
        if shipment.last_event_at is None or latest > shipment.last_event_at:
            shipment.last_event_at = latest
        if shipment.stale_alert_at and shipment.last_event_at > shipment.stale_alert_at:
            shipment.stale_alert_at = None
        delivered = [event for event in new if event.status == TrackingStatus.DELIVERED]
        if delivered and shipment.state == ShipmentState.SHIPPED:
            shipment.state, shipment.delivered_at = ShipmentState.DELIVERED, delivered[0].occurred_at
        shipment.save(update_fields=["last_event_at", "stale_alert_at", "state", "delivered_at", "updated_at"])
        if order.state == OrderState.SHIPPED and not order.shipments.exclude(state=ShipmentState.DELIVERED).exists():
            order_mark_delivered(order, note=_("The carrier delivered every parcel."))
        return len(new)


def stale_days() -> int:
    return int(getattr(settings, "LOGISTICS_STALE_SHIPMENT_DAYS", 7))


def shipments_stale_alert(*, days: int | None = None, now=None) -> list[int]:
    """Raise an alert on shipped parcels without a tracking event for ``days``; returns their ids."""
    now = now or timezone.now()
    limit = now - timedelta(days=days if days is not None else stale_days())
    with transaction.atomic():
        stale = [
            s.pk
            for s in Shipment.objects.filter(state=ShipmentState.SHIPPED, stale_alert_at__isnull=True).only(
                "pk", "last_event_at", "shipped_at"
            )
            if (s.last_event_at or s.shipped_at) < limit
        ]
        for shipment in shipments_for_update(stale):
            shipment.stale_alert_at = now
            shipment.save(update_fields=["stale_alert_at", "updated_at"])
            logger.warning("shipment %s: no tracking event since %s", shipment.reference, shipment.last_event_at)
        return stale
