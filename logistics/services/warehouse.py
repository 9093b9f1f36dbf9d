"""Warehouse floor: pick waves, confirming a pick, packing scans and the parcel."""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.exceptions import InvalidQuantity, InvalidTransition
from inventory.services import reservation_pick

from ..enums import ParcelState, ShipmentState, WaveKind, WaveState
from ..exceptions import NoEligibleService, PackingError, ShipmentStateError
from ..locks import shipments_for_update, wave_for_update
from ..models import MAX_PARCELS, Parcel, ParcelItem, Shipment, ShipmentLine, Wave
from ..rates import Quote, quote, service_choose
from .routing import parcel_specs, parcels_price


def cutoff_after(service, now: datetime) -> datetime:
    """The service's next daily cut-off (UTC) at or after ``now``."""
    now = now.astimezone(UTC)
    today = datetime.combine(now.date(), service.cutoff_time, tzinfo=UTC)
    return today if today >= now else today + timedelta(days=1)


def waves_build(*, now: datetime | None = None, warehouse=None, actor=None) -> list[Wave]:
    """Group routed shipments that have a service into waves: warehouse, carrier cut-off, single vs multi item.

    Locks the routed shipments (pk order) so two builders cannot put one shipment in two waves.
    """
    now = now or timezone.now()
    with transaction.atomic():
        candidates = Shipment.objects.filter(state=ShipmentState.ROUTED, service__isnull=False)
        if warehouse is not None:
            candidates = candidates.filter(warehouse=warehouse)
        locked = shipments_for_update(list(candidates.values_list("pk", flat=True)))
        # another builder may have waved some while this one waited for their locks
        shipments = [s for s in locked if s.state == ShipmentState.ROUTED and s.wave_id is None]
        units = defaultdict(int)
        for shipment_id, quantity in ShipmentLine.objects.filter(shipment_id__in=[s.pk for s in shipments]).values_list(
            "shipment_id", "quantity"
        ):
            units[shipment_id] += quantity
        groups = defaultdict(list)
        for shipment in shipments:
            kind = WaveKind.SINGLE_ITEM if units[shipment.pk] == 1 else WaveKind.MULTI_ITEM
            groups[(shipment.warehouse, cutoff_after(shipment.service, now), kind)].append(shipment)
        waves = []
        ordered = sorted(groups.items(), key=lambda item: (item[0][1], item[0][0].pk, item[0][2]))
        for (wh, cutoff, kind), members in ordered:
            wave = Wave.objects.create(
                code=f"{wh.code}-{cutoff:%Y%m%d-%H%M}-{kind}-{uuid.uuid4().hex[:4]}".upper(),
                warehouse=wh,
                kind=kind,
                cutoff_at=cutoff,
            )
            Shipment.objects.filter(pk__in=[s.pk for s in members], state=ShipmentState.ROUTED).update(
                wave=wave, state=ShipmentState.WAVED, updated_at=now
            )
            waves.append(wave)
        return waves


def wave_pick_confirm(wave_id: int, *, actor=None) -> Wave:
    """The pickers are back: every line of the wave moves from reserved to picked (inventory service)."""
    with transaction.atomic():
        wave = wave_for_update(wave_id)
        if wave.state != WaveState.OPEN:
            raise ShipmentStateError(_("Wave %(wave)s is already picked.") % {"wave": wave.code})
        locked = shipments_for_update(wave.shipments.values_list("pk", flat=True))
        # a shipment cancelled while this waited for its lock has left the wave
        shipments = [s for s in locked if s.wave_id == wave.pk]
        if not shipments:
            raise ShipmentStateError(_("Wave %(wave)s has no shipments.") % {"wave": wave.code})
        not_waved = [s.reference for s in shipments if s.state != ShipmentState.WAVED]
        if not_waved:
            raise ShipmentStateError(
                _("Wave %(wave)s holds shipments that are not waiting to be picked: %(refs)s.")
                % {"wave": wave.code, "refs": ", ".join(not_waved)}
            )
        lines = ShipmentLine.objects.filter(shipment__wave=wave).select_related("order_line").order_by("order_line_id")
        for line in lines:
            try:
                reservation_pick(line_key=line.order_line.reservation_key)
            except (InvalidTransition, InvalidQuantity) as error:
                raise ShipmentStateError(" ".join(error.messages)) from error
        now = timezone.now()
        Shipment.objects.filter(pk__in=[s.pk for s in shipments]).update(state=ShipmentState.PICKED, updated_at=now)
        wave.state, wave.picked_at, wave.picked_by = WaveState.PICKED, now, actor
        wave.save(update_fields=["state", "picked_at", "picked_by", "updated_at"])
        return wave


def shipment_by_reference(reference: str) -> Shipment:
    """The shipment an order barcode (``SHP00000012``) names."""
    text = (reference or "").strip().upper()
    if not text.startswith("SHP") or not text[3:].isdigit():
        raise PackingError(_("%(code)s is not a shipment barcode (SHP followed by digits).") % {"code": reference})
    shipment = Shipment.objects.select_related("order").filter(pk=int(text[3:])).first()
    if shipment is None:
        raise PackingError(_("No shipment %(code)s.") % {"code": text})
    return shipment


def _require_state(shipment: Shipment, state: str, action: str) -> None:
    if shipment.state != state:
        raise ShipmentStateError(
            _("Shipment %(shipment)s is %(state)s; it must be %(expected)s to %(action)s.")
            % {
                "shipment": shipment.reference,
                "state": shipment.get_state_display(),
                "expected": ShipmentState(state).label,
                "action": action,
            }
        )


@dataclass(frozen=True)
class Scan:
    line: ShipmentLine
    parcel: Parcel


def _open_parcel(shipment: Shipment) -> Parcel | None:
    return shipment.parcels.select_for_update(of=("self",)).filter(state=ParcelState.OPEN).first()


def _next_parcel(shipment: Shipment) -> Parcel:
    number = (shipment.parcels.aggregate(last=Max("number"))["last"] or 0) + 1
    if number > MAX_PARCELS:
        raise PackingError(
            _("Shipment %(shipment)s already has %(count)s parcels, the most one shipment can have.")
            % {"shipment": shipment.reference, "count": MAX_PARCELS}
        )
    return Parcel.objects.create(shipment=shipment, number=number)


def shipment_scan_item(shipment_id: int, barcode: str) -> Scan:
    """One item scanned into the open parcel (the next parcel is opened if none is).

    Refused if it is not in the shipment or all its units are packed.
    """
    barcode = (barcode or "").strip()
    with transaction.atomic():
        shipment = shipments_for_update([shipment_id])[0]
        _require_state(shipment, ShipmentState.PICKED, _("pack it"))
        if not barcode:
            raise PackingError(_("Scan an item barcode."))
        lines = list(shipment.lines.select_for_update(of=("self",)).select_related("order_line__sku").order_by("pk"))
        matching = [line for line in lines if line.order_line.sku.barcode == barcode]
        if not matching:
            raise PackingError(
                _("Item %(barcode)s is not in shipment %(shipment)s. Put it aside.")
                % {"barcode": barcode, "shipment": shipment.reference}
            )
        line = next((line for line in matching if line.packed_quantity < line.quantity), None)
        if line is None:
            raise PackingError(
                _("All %(quantity)s units of %(sku)s are packed already; this one is extra.")
                % {"quantity": sum(m.quantity for m in matching), "sku": matching[0].order_line.sku.code}
            )
        parcel = _open_parcel(shipment) or _next_parcel(shipment)
        ShipmentLine.objects.filter(pk=line.pk).update(packed_quantity=F("packed_quantity") + 1)
        line.packed_quantity += 1
        if not ParcelItem.objects.filter(parcel=parcel, line=line).update(quantity=F("quantity") + 1):
            ParcelItem.objects.create(parcel=parcel, line=line, quantity=1)
        return Scan(line, parcel)


def missing_items(shipment: Shipment) -> list[str]:
    return [
        f"{line.quantity - line.packed_quantity} x {line.order_line.sku.code}"
        for line in shipment.lines.select_related("order_line__sku").order_by("pk")
        if line.packed_quantity < line.quantity
    ]


def _positive_int(value, label: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number <= 0 or str(value).strip() != str(number):
        raise PackingError(_("%(field)s must be a whole number above zero.") % {"field": label})
    return number


def _measures(weight_grams, length_mm, width_mm, height_mm) -> tuple[int, int, int, int]:
    fields = (
        (weight_grams, _("Weight (g)")),
        (length_mm, _("Length (mm)")),
        (width_mm, _("Width (mm)")),
        (height_mm, _("Height (mm)")),
    )
    weight, length, width, height = (_positive_int(value, label) for value, label in fields)
    return weight, length, width, height


def _close(shipment: Shipment, parcel: Parcel | None, measures: tuple[int, int, int, int]) -> Parcel:
    if parcel is None:
        raise PackingError(
            _("No parcel of shipment %(shipment)s is open; scan an item to start one.")
            % {"shipment": shipment.reference}
        )
    if not parcel.items.exists():
        raise PackingError(
            _("Parcel %(parcel)s has no items; scan its items before closing it.") % {"parcel": parcel.reference}
        )
    parcel.weight_grams, parcel.length_mm, parcel.width_mm, parcel.height_mm = measures
    parcel.state = ParcelState.CLOSED
    parcel.save()
    return parcel


def parcel_close(
    shipment_id: int, *, weight_grams, length_mm, width_mm, height_mm, open_next: bool = False, actor=None
) -> Parcel:
    """Close the open parcel with its weight and size; ``open_next`` starts an empty next parcel.

    Refused, with nothing changed, when no parcel is open or the open one has no items.
    """
    measures = _measures(weight_grams, length_mm, width_mm, height_mm)
    with transaction.atomic():
        shipment = shipments_for_update([shipment_id])[0]
        _require_state(shipment, ShipmentState.PICKED, _("pack it"))
        parcel = _close(shipment, _open_parcel(shipment), measures)
        if open_next:
            _next_parcel(shipment)
        return parcel


def parcel_remove_empty(shipment_id: int, *, actor=None) -> int:
    """Remove the shipment's open parcel if nothing was scanned into it; returns its number."""
    with transaction.atomic():
        shipment = shipments_for_update([shipment_id])[0]
        _require_state(shipment, ShipmentState.PICKED, _("pack it"))
        parcel = _open_parcel(shipment)
        if parcel is None or parcel.items.exists():
            raise PackingError(
                _("Shipment %(shipment)s has no empty open parcel to remove.") % {"shipment": shipment.reference}
            )
        parcel.delete()
        return parcel.number


def shipment_pack(
    shipment_id: int, *, weight_grams=None, length_mm=None, width_mm=None, height_mm=None, actor=None
) -> Shipment:
    """Finish packing: every item is in a closed parcel; the service is checked and each parcel priced.

    With a weight and size, the open parcel is closed first (the usual one-parcel case).
    An automatically chosen service is chosen again for the real parcels; an operator's
    override is kept only if it can still carry every parcel.
    """
    given = [value for value in (weight_grams, length_mm, width_mm, height_mm) if value not in (None, "")]
    measures = _measures(weight_grams, length_mm, width_mm, height_mm) if given else None
    with transaction.atomic():
        shipment = shipments_for_update([shipment_id])[0]
        _require_state(shipment, ShipmentState.PICKED, _("pack it"))
        parcel = _open_parcel(shipment)
        if parcel is not None and not parcel.items.exists():
            raise PackingError(
                _("Parcel %(parcel)s is open and empty; scan items into it or remove it before finishing.")
                % {"parcel": parcel.reference}
            )
        missing = missing_items(shipment)
        if missing:
            raise PackingError(
                _("Shipment %(shipment)s is missing %(items)s; scan every item before closing the parcel.")
                % {"shipment": shipment.reference, "items": ", ".join(missing)}
            )
        if parcel is not None:
            if measures is None:
                raise PackingError(
                    _("Parcel %(parcel)s is still open; enter its weight and size to close it.")
                    % {"parcel": parcel.reference}
                )
            _close(shipment, parcel, measures)
        specs = parcel_specs(shipment)
        if shipment.service_overridden_by_id:
            result = quote(shipment.service, specs)
            if not isinstance(result, Quote):
                raise NoEligibleService(
                    _("The chosen service %(service)s cannot carry these parcels: %(reason)s.")
                    % {"service": shipment.service, "reason": result}
                )
            chosen = result
        else:
            choice = service_choose(specs, shipment.order.seller.promised_delivery_days)
            if isinstance(choice, list):
                raise NoEligibleService(
                    _("No service can carry these parcels: %(reasons)s.") % {"reasons": "; ".join(choice)}
                )
            chosen = choice.quote
            # the routing reason quoted the estimated parcel; the price recorded now is for the real ones
            if chosen.service.pk != shipment.service_id:
                shipment.service_reason = _("Chosen again after packing: %(reason)s") % {"reason": choice.reason}
                if shipment.wave_id and shipment.wave.cutoff_at.astimezone(UTC).time() != chosen.service.cutoff_time:
                    shipment.service_reason += " " + _(
                        "Its wave %(wave)s was built for a cut-off at %(wave_cutoff)s UTC; "
                        "%(service)s's daily cut-off is %(cutoff)s UTC."
                    ) % {
                        "wave": shipment.wave.code,
                        "wave_cutoff": f"{shipment.wave.cutoff_at.astimezone(UTC):%H:%M}",
                        "service": chosen.service,
                        "cutoff": f"{chosen.service.cutoff_time:%H:%M}",
                    }
            else:
                shipment.service_reason = _("Confirmed after packing: %(reason)s") % {"reason": choice.reason}
            shipment.service = chosen.service
        parcels_price(shipment, chosen)
        shipment.state = ShipmentState.PACKED
        shipment.save()
        return shipment
