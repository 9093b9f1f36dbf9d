"""An order cancelled after its release to the warehouse: its shipment leaves the wave and the stock comes back."""

import functools
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from inventory.enums import ReservationStatus
from inventory.ledger import verify_ledger
from logistics.carriers.sandbox import sandbox_parcel_advance
from logistics.enums import ParcelState, ShipmentState, TrackingStatus, WaveState
from logistics.exceptions import CarrierError, PackingError, ShipmentStateError
from logistics.models import Parcel, SandboxCarrierParcel, Shipment, Wave
from logistics.services import (
    order_route,
    shipment_label,
    shipment_scan_item,
    shipment_ship,
    wave_pick_confirm,
    waves_build,
)
from logistics.services.cancellation import shipment_labels_void
from logistics.tasks import shipment_labels_void_task
from orders.enums import OrderState
from orders.models import Order
from orders.services import order_cancel_by_operator, order_ingest
from tests.concurrency.conftest import race
from tests.orders.support import ADDRESS, canonical_order

from .support import acme_shop, allocated_order, balances, rate_card
from .test_flow import MUG_BARCODE, packed, reservation_states

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def two_orders_in_one_wave():
    """Acme's orders 1001 and 1002 (2 MUG + 1 PEN each) routed into one wave; 10 MUG and 10 PEN on hand."""
    rate_card()
    _seller, account, _warehouse, mug, pen = acme_shop()
    orders = [allocated_order(account, external_id, name=f"Buyer {external_id}") for external_id in ("1001", "1002")]
    shipments = [order_route(order.pk)[0] for order in orders]
    [wave] = waves_build(now=NOW)
    return account, orders, shipments, wave, mug, pen


@pytest.mark.django_db
def test_an_order_cancelled_before_the_pick_leaves_the_wave_and_the_rest_is_picked(warehouse_user):
    _account, (cancelled, _kept), (gone, staying), wave, mug, pen = two_orders_in_one_wave()
    assert (balances(mug), balances(pen)) == ([(10, 4)], [(10, 2)])

    order_cancel_by_operator(cancelled.pk, actor=warehouse_user, note="Buyer changed their mind")

    gone = Shipment.objects.get(pk=gone.pk)
    assert (gone.state, gone.wave, Order.objects.get(pk=cancelled.pk).state) == (
        ShipmentState.CANCELLED,
        None,
        OrderState.CANCELLED,
    )
    assert gone.cancellation_note == (
        "The order was cancelled after its release to the warehouse (In a pick wave). Buyer changed their mind. "
        f"Taken out of wave {wave.code}."
    )
    assert reservation_states(cancelled) == [ReservationStatus.RELEASED, ReservationStatus.RELEASED]
    assert (balances(mug), balances(pen)) == ([(10, 2)], [(10, 1)])

    # the wave is picked without it
    wave_pick_confirm(wave.pk)
    assert list(Wave.objects.get(pk=wave.pk).shipments.values_list("pk", "state")) == [
        (staying.pk, ShipmentState.PICKED)
    ]
    assert Shipment.objects.get(pk=gone.pk).state == ShipmentState.CANCELLED
    assert verify_ledger() == []


@pytest.mark.django_db
def test_a_marketplace_cancellation_after_the_pick_puts_the_units_back_on_the_shelf():
    # given both orders picked and order 1001 partly packed
    account, (cancelled, _kept), (gone, _staying), wave, mug, pen = two_orders_in_one_wave()
    wave_pick_confirm(wave.pk)
    shipment_scan_item(gone.pk, MUG_BARCODE)
    assert reservation_states(cancelled) == [ReservationStatus.PICKED, ReservationStatus.PICKED]

    # when the marketplace reports it cancelled
    update = canonical_order("1001", (("ACME-MUG", 2), ("ACME-PEN", 1)), status="cancelled", updated_minutes=30)
    order_ingest(account=account, canonical=replace(update, ship_to=ADDRESS), raw={"id": "1001"})

    # then the shipment is cancelled with what to undo, the picked units are available again
    gone = Shipment.objects.get(pk=gone.pk)
    assert gone.state == ShipmentState.CANCELLED
    assert gone.cancellation_note == (
        "The order was cancelled after its release to the warehouse (Picked). Cancelled at the marketplace. "
        f"Taken out of wave {wave.code}. Picked units go back to their bins: 2 x MUG, 1 x PEN "
        "(their reservations are released)."
    )
    assert list(gone.parcels.values_list("state", flat=True)) == [ParcelState.CANCELLED]
    assert reservation_states(cancelled) == [ReservationStatus.RELEASED, ReservationStatus.RELEASED]
    assert (balances(mug), balances(pen)) == ([(10, 2)], [(10, 1)])
    assert verify_ledger() == []

    # and the packer is told
    with pytest.raises(ShipmentStateError):
        shipment_scan_item(gone.pk, MUG_BARCODE)


@pytest.mark.django_db
def test_a_labelled_shipment_of_a_cancelled_order_voids_its_label_and_cannot_ship(warehouse_user):
    _account, (cancelled, _kept), (gone, _staying), wave, mug, _pen = two_orders_in_one_wave()
    wave_pick_confirm(wave.pk)
    number = shipment_label(packed(gone).pk).tracking_number

    order_cancel_by_operator(cancelled.pk, actor=warehouse_user, note="Fraud")

    gone = Shipment.objects.get(pk=gone.pk)
    assert gone.cancellation_note.endswith(f"Labels {number} are void: do not hand these parcels to the carrier.")
    with pytest.raises(ShipmentStateError):
        shipment_ship(gone.pk)
    assert balances(mug) == [(10, 2)]
    assert verify_ledger() == []


@pytest.mark.django_db(transaction=True)
def test_a_cancellation_racing_the_pick_confirmation_leaves_stock_and_wave_consistent(warehouse_user):
    _account, (cancelled, _kept), (gone, staying), wave, mug, pen = two_orders_in_one_wave()

    outcomes = race(
        [
            functools.partial(order_cancel_by_operator, cancelled.pk, actor=warehouse_user, note="race"),
            functools.partial(wave_pick_confirm, wave.pk),
        ]
    )

    assert [kind for kind, _value in outcomes] == ["ok", "ok"]
    assert Shipment.objects.get(pk=gone.pk).state == ShipmentState.CANCELLED
    assert Shipment.objects.get(pk=staying.pk).state == ShipmentState.PICKED
    assert Wave.objects.get(pk=wave.pk).state == WaveState.PICKED
    assert reservation_states(cancelled) == [ReservationStatus.RELEASED, ReservationStatus.RELEASED]
    assert (balances(mug), balances(pen)) == ([(10, 2)], [(10, 1)])
    assert verify_ledger() == []


@pytest.mark.django_db
def test_packing_a_cancelled_shipment_is_refused():
    _account, (cancelled, _kept), (gone, _staying), _wave, _mug, _pen = two_orders_in_one_wave()
    order_cancel_by_operator(cancelled.pk, note="duplicate")
    with pytest.raises((ShipmentStateError, PackingError)) as refused:
        shipment_scan_item(gone.pk, MUG_BARCODE)
    assert "is Cancelled (order cancelled)" in refused.value.messages[0]


@pytest.mark.django_db
def test_the_labels_of_a_cancelled_shipment_are_voided_at_the_carrier_once(
    warehouse_user, django_capture_on_commit_callbacks
):
    # given a labelled shipment whose order is cancelled
    _account, (cancelled, _kept), (gone, staying), wave, _mug, _pen = two_orders_in_one_wave()
    wave_pick_confirm(wave.pk)
    number = shipment_label(packed(gone).pk).tracking_number
    kept_number = shipment_label(packed(staying).pk).tracking_number

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        order_cancel_by_operator(cancelled.pk, actor=warehouse_user, note="Fraud")

    # then the cancellation queues the void after commit (for that shipment only) ...
    voids = [c for c in callbacks if getattr(c, "func", None) == shipment_labels_void_task.delay]
    assert [c.args for c in voids] == [(gone.pk,)]

    # ... which tells the carrier once; the other order's label stays valid
    assert shipment_labels_void(gone.pk) == 1
    assert shipment_labels_void(gone.pk) == 0
    assert SandboxCarrierParcel.objects.get(tracking_number=number).cancelled_at is not None
    assert SandboxCarrierParcel.objects.get(tracking_number=kept_number).cancelled_at is None
    assert [p.label_voided_at is not None for p in Parcel.objects.filter(shipment=gone)] == [True]
    assert shipment_labels_void(staying.pk) == 0  # not cancelled: nothing to void


@pytest.mark.django_db
def test_a_label_the_carrier_has_scanned_cannot_be_voided_and_stays_unvoided():
    _account, (_cancelled, _kept), (gone, _staying), wave, _mug, _pen = two_orders_in_one_wave()
    wave_pick_confirm(wave.pk)
    number = shipment_label(packed(gone).pk).tracking_number
    sandbox_parcel_advance(number, TrackingStatus.IN_TRANSIT)
    Shipment.objects.filter(pk=gone.pk).update(state=ShipmentState.CANCELLED)

    with pytest.raises(CarrierError, match="in the carrier's hands"):
        shipment_labels_void(gone.pk)
    assert shipment_labels_void_task.apply(args=[gone.pk]).get() == 0

    assert [p.label_voided_at for p in Parcel.objects.filter(shipment=gone)] == [None]
    assert SandboxCarrierParcel.objects.get(tracking_number=number).cancelled_at is None
