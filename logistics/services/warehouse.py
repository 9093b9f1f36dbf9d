"""Warehouse floor: pick waves, confirming a pick, packing scans and the parcel."""

import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.exceptions import InvalidQuantity, InvalidTransition
from inventory.services import reservation_pick

from ..enums import ShipmentState, WaveKind, WaveState
from ..exceptions import NoEligibleService, PackingError, ShipmentStateError
from ..locks import shipments_for_update, wave_for_update
from ..models import Shipment, ShipmentLine, Wave
from ..rates import Quote, quote, service_choose
from .routing import packed_spec


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
        shipments = shipments_for_update(wave.shipments.values_list("pk", flat=True))
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


def shipment_scan_item(shipment_id: int, barcode: str) -> ShipmentLine:
    """One item scanned into the parcel; refused if it is not in the shipment or all its units are packed."""
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
        ShipmentLine.objects.filter(pk=line.pk).update(packed_quantity=F("packed_quantity") + 1)
        line.packed_quantity += 1
        return line


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


def shipment_pack(shipment_id: int, *, weight_grams, length_mm, width_mm, height_mm, actor=None) -> Shipment:
    """Close the parcel: every item scanned, weight and size recorded, service checked and cost priced.

    An automatically chosen service is chosen again for the real parcel; an operator's
    override is kept only if it can still carry the parcel.
    """
    weight = _positive_int(weight_grams, _("Weight (g)"))
    sizes = ((length_mm, _("Length (mm)")), (width_mm, _("Width (mm)")), (height_mm, _("Height (mm)")))
    dims = [_positive_int(value, label) for value, label in sizes]
    with transaction.atomic():
        shipment = shipments_for_update([shipment_id])[0]
        _require_state(shipment, ShipmentState.PICKED, _("pack it"))
        missing = missing_items(shipment)
        if missing:
            raise PackingError(
                _("Shipment %(shipment)s is missing %(items)s; scan every item before closing the parcel.")
                % {"shipment": shipment.reference, "items": ", ".join(missing)}
            )
        spec = packed_spec(shipment, weight, *dims)
        if shipment.service_overridden_by_id:
            result = quote(shipment.service, spec)
            if not isinstance(result, Quote):
                raise NoEligibleService(
                    _("The chosen service %(service)s cannot carry this parcel: %(reason)s.")
                    % {"service": shipment.service, "reason": result}
                )
            chosen = result
        else:
            choice = service_choose(spec, shipment.order.seller.promised_delivery_days)
            if isinstance(choice, list):
                raise NoEligibleService(
                    _("No service can carry this parcel: %(reasons)s.") % {"reasons": "; ".join(choice)}
                )
            chosen = choice.quote
            if chosen.service.pk != shipment.service_id:
                shipment.service_reason = _("Chosen again after packing: %(reason)s") % {"reason": choice.reason}
            shipment.service = chosen.service
        shipment.weight_grams, (shipment.length_mm, shipment.width_mm, shipment.height_mm) = weight, dims
        shipment.chargeable_weight_grams = chosen.chargeable_grams
        shipment.carrier_cost, shipment.cost_currency = chosen.price, chosen.currency
        shipment.state = ShipmentState.PACKED
        shipment.save()
        return shipment
