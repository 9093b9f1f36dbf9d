"""Carrier booking (label), shipping, tracking push-back to the marketplace, tracking events.

Carrier and marketplace calls are made outside any transaction that holds row locks;
their answers are written afterwards under the locks (order row, then shipment row).
"""

import functools
import logging
from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core.ratelimit import TokenBucket
from hub.marketplaces import adapter_for_account
from hub.marketplaces.errors import AlreadyShipped, MarketplaceError, Throttled
from hub.marketplaces.types import ShipmentPush
from hub.sync.limits import PACE
from inventory.exceptions import InvalidQuantity, InvalidTransition
from inventory.services import reservation_ship
from orders.enums import OrderState
from orders.services import order_mark_delivered, order_mark_shipped

from ..carriers import ParcelRequest, carrier_adapter
from ..enums import ParcelState, PushState, ShipmentState, TrackingStatus
from ..exceptions import CarrierError, LabelError, LogisticsError, ShipmentStateError
from ..locks import orders_for_update, shipments_for_update
from ..models import Parcel, Shipment, TrackingEvent
from ..selectors import stale_days

logger = logging.getLogger(__name__)

ORDER_PUSH_TURN_SECONDS = 300  # longer than any push (a few calls of at most 15 s each)
ORDER_PUSH_WAIT_SECONDS = 15  # a push waiting for its turn retries after this; 8 retries outlast a slow push


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
    """Book each packed parcel with its carrier and keep its tracking number (each label is drawn from one).

    Checked first (nothing changes if refused): packed, every parcel weighed, a service
    chosen, an address the carrier accepts. Each booking is idempotent on the parcel
    reference, so a retry after a failure or a crash gets the same tracking numbers; the
    numbers are saved only when every parcel is booked.
    """
    shipment = Shipment.objects.select_related("order", "service__carrier").get(pk=shipment_id)
    if shipment.state == ShipmentState.LABELLED:
        return shipment
    parcels = list(shipment.parcels.order_by("number"))
    _check_labellable(shipment, parcels)
    adapter_error = None
    bookings = {}
    for parcel in parcels:
        request = ParcelRequest(
            reference=parcel.reference,
            service_code=shipment.service.code,
            recipient_name=shipment.order.ship_name,
            recipient_country=shipment.order.ship_country,
            recipient_postal_code=shipment.order.ship_postal_code,
            weight_grams=parcel.weight_grams,
            length_mm=parcel.length_mm,
            width_mm=parcel.width_mm,
            height_mm=parcel.height_mm,
        )
        try:
            bookings[parcel.pk] = carrier_adapter(shipment.service.carrier).book(request)
        except (CarrierError, LookupError) as error:
            adapter_error = (parcel, error)
            break
    if adapter_error:
        parcel, error = adapter_error
        raise LabelError(
            _("%(carrier)s refused %(parcel)s: %(error)s")
            % {"carrier": shipment.service.carrier, "parcel": parcel.reference, "error": error}
        ) from error
    with transaction.atomic():
        shipment = shipments_for_update([shipment_id])[0]
        if shipment.state == ShipmentState.LABELLED:
            return shipment
        parcels = list(shipment.parcels.select_for_update(of=("self",)).order_by("number"))
        _check_labellable(shipment, parcels)
        if {parcel.pk for parcel in parcels} != set(bookings):
            raise ShipmentStateError(
                _("The parcels of %(shipment)s changed while they were booked; print the labels again.")
                % {"shipment": shipment.reference}
            )
        for parcel in parcels:
            booking = bookings[parcel.pk]
            parcel.tracking_number, parcel.labelled_at = booking.tracking_number, booking.booked_at
            parcel.state = ParcelState.LABELLED
        Parcel.objects.bulk_update(parcels, ["tracking_number", "labelled_at", "state", "updated_at"])
        shipment.tracking_number = parcels[0].tracking_number
        shipment.labelled_at = max(parcel.labelled_at for parcel in parcels)
        shipment.state = ShipmentState.LABELLED
        shipment.save(update_fields=["tracking_number", "labelled_at", "state", "updated_at"])
        return shipment


def _check_labellable(shipment: Shipment, parcels: list[Parcel]) -> None:
    unweighed = [parcel.reference for parcel in parcels if parcel.weight_grams is None]
    if unweighed:
        raise LabelError(
            _("No label for %(parcels)s: no weight yet. Close the parcel with its weight and size first.")
            % {"parcels": ", ".join(unweighed)}
        )
    if shipment.state != ShipmentState.PACKED:
        raise ShipmentStateError(
            _("Shipment %(shipment)s is %(state)s; only packed parcels get a label.")
            % {"shipment": shipment.reference, "state": shipment.get_state_display()}
        )
    if not parcels:
        raise LabelError(_("Shipment %(shipment)s has no parcel.") % {"shipment": shipment.reference})
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
        shipment.parcels.filter(state=ParcelState.LABELLED).update(state=ParcelState.SHIPPED, updated_at=now)
        shipment.state, shipment.shipped_at, shipment.push_state = ShipmentState.SHIPPED, now, PushState.QUEUED
        shipment.save(update_fields=["state", "shipped_at", "push_state", "updated_at"])
        if not order.shipments.exclude(state__in=[ShipmentState.SHIPPED, ShipmentState.DELIVERED]).exists():
            numbers = shipment.parcels.order_by("number").values_list("tracking_number", flat=True)
            note = _("Tracking %(number)s.") % {"number": ", ".join(numbers)}
            order_mark_shipped(order, actor=actor, note=note)
        from ..tasks import shipment_tracking_push_task

        transaction.on_commit(functools.partial(shipment_tracking_push_task.delay, shipment.pk))
        return shipment


def shipment_tracking_push(shipment_id: int) -> str:
    """Tell the order's marketplace the carrier and the tracking numbers of a shipped shipment.

    One push per parcel, with the order lines packed in it, on platforms that show several
    parcels of an order; the last push after which every parcel of every shipment of the order
    is shown says ``completes_order`` (AliExpress: ``send_type`` "all", "part" before). On
    platforms that ship an order once with one tracking number (``one_tracking_number_per_order``
    on the adapter: Shopee) one push of the first (master) parcel's number with every line, and
    the shipment records which numbers the buyer does not see there; a later shipment of the
    same order (split over warehouses) is not pushed but recorded the same way, as is a refusal
    because the order already shows another number. The shipments of one order are pushed one
    at a time (``_order_push_turn``), so each sees what the others left. A parcel already
    pushed is not pushed again. Paced by the account's token bucket (shared with the stock pushes).
    Returns the push state; a retryable marketplace error (throttle, server error) is recorded and
    raised for the task to retry; a permanent one marks the push failed for an operator.
    """
    shipment = Shipment.objects.select_related("order__account", "service__carrier").get(pk=shipment_id)
    if shipment.push_state == PushState.PUSHED:
        return PushState.PUSHED
    if shipment.state not in (ShipmentState.SHIPPED, ShipmentState.DELIVERED):
        raise ShipmentStateError(_("Shipment %(shipment)s has not shipped.") % {"shipment": shipment.reference})
    account = shipment.order.account
    adapter = adapter_for_account(account)
    one_number = getattr(adapter, "one_tracking_number_per_order", False)
    try:
        with _order_push_turn(shipment.order_id):
            pushes, note = _pushes_for(shipment, one_number=one_number)
            for parcel_id, push in pushes:
                pace = PACE[account.platform]
                wait = TokenBucket(f"push:{account.pk}", pace.push_rate, pace.push_burst).take()
                if wait > 0:
                    raise Throttled(wait, "the hub's own pace for this account")
                try:
                    adapter.push_shipment(push)
                except AlreadyShipped as error:
                    note = _not_shown_note(shipment, error.shown)
                    break
                except MarketplaceError as error:
                    state = PushState.QUEUED if error.retryable else PushState.FAILED
                    _push_record(shipment_id, state, error=str(error))
                    raise
                Parcel.objects.filter(pk=parcel_id).update(pushed_at=timezone.now())
    finally:
        adapter.close()
    _push_record(shipment_id, PushState.PUSHED, note=note)
    return PushState.PUSHED


@contextmanager
def _order_push_turn(order_id: int):
    """One push at a time for the shipments of one order; a second one waits its turn (task retry)."""
    key = f"logistics:order-push:{order_id}"
    if not cache.add(key, 1, timeout=ORDER_PUSH_TURN_SECONDS):
        raise Throttled(ORDER_PUSH_WAIT_SECONDS, "another shipment of this order is being pushed")
    try:
        yield
    finally:
        cache.delete(key)


def _not_shown_note(shipment: Shipment, shown: str) -> str:
    return _(
        "%(platform)s takes one tracking number per order and already shows %(shown)s; not shown there: %(numbers)s."
    ) % {
        "platform": shipment.order.account.get_platform_display(),
        "shown": shown,
        "numbers": ", ".join(shipment.parcels.order_by("number").values_list("tracking_number", flat=True)),
    }


def _pushes_for(shipment: Shipment, *, one_number: bool) -> tuple[list[tuple[int, ShipmentPush]], str]:
    """The pushes still to make, each with the parcel whose number it sends, and the note on what the buyer sees."""
    parcels = list(shipment.parcels.order_by("number").prefetch_related("items__line__order_line"))
    other_shipments = shipment.order.shipments.exclude(pk=shipment.pk).exclude(state=ShipmentState.CANCELLED)
    if one_number:
        shown = Parcel.objects.filter(shipment__in=other_shipments, pushed_at__isnull=False).first()
        if shown is not None:
            return [], _not_shown_note(shipment, shown.tracking_number)
    others_shown = not other_shipments.exclude(
        state__in=[ShipmentState.SHIPPED, ShipmentState.DELIVERED], push_state=PushState.PUSHED
    ).exists()

    def push(tracking_number: str, items, package_id: int, *, last: bool = True) -> ShipmentPush:
        lines = defaultdict(int)
        for item in items:
            lines[item.line.order_line.external_line_id] += item.quantity
        return ShipmentPush(
            external_order_id=shipment.order.external_id,
            carrier=shipment.service.carrier.name_for_marketplaces,
            tracking_number=tracking_number,
            shipped_at=shipment.shipped_at,
            lines=tuple(sorted(lines.items())),
            service=shipment.service.name,
            package_id=package_id,
            completes_order=others_shown and last,
        )

    if one_number:
        master, others = parcels[0], parcels[1:]
        note = ""
        if others:
            note = _(
                "%(platform)s shows one tracking number per order: %(master)s (parcel 1) was sent; "
                "not shown there: %(others)s."
            ) % {
                "platform": shipment.order.account.get_platform_display(),
                "master": master.tracking_number,
                "others": ", ".join(f"{p.tracking_number} (parcel {p.number})" for p in others),
            }
        if master.pushed_at:
            return [], note
        every_item = [item for parcel in parcels for item in parcel.items.all()]
        return [(master.pk, push(master.tracking_number, every_item, master.pk))], note
    pending = [parcel for parcel in parcels if parcel.pushed_at is None]
    note = _("Tracking numbers sent: %(numbers)s.") % {"numbers": ", ".join(p.tracking_number for p in parcels)}
    return [
        (parcel.pk, push(parcel.tracking_number, parcel.items.all(), parcel.pk, last=parcel is pending[-1]))
        for parcel in pending
    ], note


def _push_record(shipment_id: int, state: str, *, error: str = "", note: str = "") -> None:
    with transaction.atomic():
        shipment = shipments_for_update([shipment_id])[0]
        shipment.push_state, shipment.push_error = state, error[:2000]
        shipment.push_attempts += 1
        if state == PushState.PUSHED:
            shipment.pushed_at, shipment.push_note = timezone.now(), note
        shipment.save(
            update_fields=["push_state", "push_error", "push_attempts", "pushed_at", "push_note", "updated_at"]
        )


def shipment_push_failed(shipment_id: int, error: str) -> None:
    """Retries are exhausted: an operator sees the failure on the shipment."""
    _push_record(shipment_id, PushState.FAILED, error=error)


def shipment_tracking_refresh(shipment_id: int) -> int:
    """Read the carrier's events of each parcel on its way and add the new ones to the timeline.

    A parcel is delivered by its delivered event; the shipment when every parcel is, and
    the order with its last shipment. Returns how many events were new.
    """
    shipment = Shipment.objects.select_related("service__carrier").get(pk=shipment_id)
    parcels = list(shipment.parcels.filter(state=ParcelState.SHIPPED).exclude(tracking_number="").order_by("number"))
    if not parcels:
        return 0
    updates = {}
    for parcel in parcels:
        try:
            updates[parcel.pk] = carrier_adapter(shipment.service.carrier).tracking(parcel.tracking_number)
        except (CarrierError, LookupError) as error:
            raise LogisticsError(
                _("%(carrier)s could not report %(number)s: %(error)s")
                % {"carrier": shipment.service.carrier, "number": parcel.tracking_number, "error": error}
            ) from error
    with transaction.atomic():
        order = orders_for_update([shipment.order_id])[shipment.order_id]
        shipment = shipments_for_update([shipment_id])[0]
        locked = list(shipment.parcels.select_for_update(of=("self",)).filter(pk__in=list(updates)).order_by("pk"))
        known = set(TrackingEvent.objects.filter(parcel__in=locked).values_list("parcel_id", "external_id"))
        new = []
        for parcel in locked:
            events = [
                TrackingEvent(
                    shipment=shipment,
                    parcel=parcel,
                    external_id=update.external_id,
                    status=update.status,
                    description=update.description[:300],
                    location=update.location[:120],
                    occurred_at=update.occurred_at,
                )
                for update in updates[parcel.pk]
                if (parcel.pk, update.external_id) not in known
            ]
            if not events:
                continue
            new += events
            latest = max(event.occurred_at for event in events)
            if parcel.last_event_at is None or latest > parcel.last_event_at:
                parcel.last_event_at = latest
            delivered = [event for event in events if event.status == TrackingStatus.DELIVERED]
            if delivered and parcel.state == ParcelState.SHIPPED:
                parcel.state, parcel.delivered_at = ParcelState.DELIVERED, delivered[0].occurred_at
        if not new:
            return 0
        TrackingEvent.objects.bulk_create(new)
        Parcel.objects.bulk_update(locked, ["last_event_at", "state", "delivered_at", "updated_at"])
        everything = list(shipment.parcels.all())
        shipment.last_event_at = max((p.last_event_at for p in everything if p.last_event_at), default=None)
        if shipment.stale_alert_at and not _stale_parcels(shipment, everything, shipment.stale_alert_at):
            shipment.stale_alert_at = None
        if shipment.state == ShipmentState.SHIPPED and all(p.state == ParcelState.DELIVERED for p in everything):
            shipment.state = ShipmentState.DELIVERED
            shipment.delivered_at = max(p.delivered_at for p in everything)
        shipment.save(update_fields=["last_event_at", "stale_alert_at", "state", "delivered_at", "updated_at"])
        if (
            order.state == OrderState.SHIPPED
            and not order.shipments.exclude(state__in=[ShipmentState.DELIVERED, ShipmentState.CANCELLED]).exists()
        ):
            order_mark_delivered(order, note=_("The carrier delivered every parcel."))
        return len(new)


def _stale_parcels(shipment: Shipment, parcels, limit) -> list[Parcel]:
    """Parcels on their way whose last sign of life (event, else the shipping time) is before ``limit``."""
    return [p for p in parcels if p.state == ParcelState.SHIPPED and (p.last_event_at or shipment.shipped_at) < limit]


def shipments_stale_alert(*, days: int | None = None, now=None) -> list[int]:
    """Raise an alert on shipped parcels without a tracking event for ``days``; returns their ids."""
    now = now or timezone.now()
    limit = now - timedelta(days=days if days is not None else stale_days())
    with transaction.atomic():
        candidates = Shipment.objects.filter(state=ShipmentState.SHIPPED, stale_alert_at__isnull=True)
        stale = [
            s.pk
            for s in candidates.only("pk", "shipped_at").prefetch_related("parcels")
            if _stale_parcels(s, s.parcels.all(), limit)
        ]
        for shipment in shipments_for_update(stale):
            shipment.stale_alert_at = now
            shipment.save(update_fields=["stale_alert_at", "updated_at"])
            logger.warning("shipment %s: a parcel has had no tracking event since %s", shipment.reference, limit)
        return stale
