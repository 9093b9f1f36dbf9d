"""Real races on PostgreSQL: warehouse steps run by many threads at once (own connections, one barrier)."""

import functools
from datetime import UTC, datetime

import pytest

from inventory.ledger import verify_ledger
from logistics.enums import ParcelState, ShipmentState
from logistics.exceptions import PackingError, ShipmentStateError
from logistics.models import Parcel, ParcelItem, Shipment, ShipmentLine, Wave
from logistics.services import (
    order_route,
    parcel_close,
    shipment_label,
    shipment_pack,
    shipment_scan_item,
    shipment_ship,
    wave_pick_confirm,
    waves_build,
)
from tests.concurrency.conftest import race

from .support import acme_shop, allocated_order, balances, rate_card

pytestmark = pytest.mark.django_db(transaction=True)
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
MUG = "4006381333931"


def kinds(outcomes) -> list[str]:
    return sorted(kind for kind, _value in outcomes)


def test_eight_packers_shipping_one_parcel_ship_it_once():
    # given one labelled parcel: 1 MUG
    rate_card()
    _seller, account, _warehouse, mug, _pen = acme_shop()
    [shipment] = order_route(allocated_order(account, lines=(("ACME-MUG", 1),)).pk)
    [wave] = waves_build(now=NOW)
    wave_pick_confirm(wave.pk)
    shipment_scan_item(shipment.pk, MUG)
    shipment_pack(shipment.pk, weight_grams=600, length_mm=200, width_mm=100, height_mm=100)
    shipment_label(shipment.pk)

    outcomes = race([functools.partial(shipment_ship, shipment.pk) for _ in range(8)])

    assert kinds(outcomes) == ["error"] * 7 + ["ok"]
    assert all(isinstance(value, ShipmentStateError) for kind, value in outcomes if kind == "error")
    assert balances(mug) == [(9, 0)]
    assert Shipment.objects.get(pk=shipment.pk).state == ShipmentState.SHIPPED
    assert verify_ledger() == []


def test_four_wave_builders_put_each_shipment_in_exactly_one_wave():
    rate_card()
    _seller, account, _warehouse, _mug, _pen = acme_shop(stock=20)
    for index in range(6):
        order_route(allocated_order(account, f"10{index}", name=f"Buyer {index}").pk)

    outcomes = race([functools.partial(waves_build, now=NOW) for _ in range(4)])

    assert kinds(outcomes) == ["ok"] * 4
    assert sorted(len(value) for _kind, value in outcomes) == [0, 0, 0, 1]
    assert Wave.objects.count() == 1
    assert Shipment.objects.filter(state=ShipmentState.WAVED, wave__isnull=False).count() == 6


def test_six_scans_of_one_item_pack_exactly_the_units_ordered():
    # given a picked shipment wanting 2 MUG
    rate_card()
    _seller, account, _warehouse, _mug, _pen = acme_shop()
    [shipment] = order_route(allocated_order(account).pk)
    [wave] = waves_build(now=NOW)
    wave_pick_confirm(wave.pk)

    outcomes = race([functools.partial(shipment_scan_item, shipment.pk, MUG) for _ in range(6)])

    assert kinds(outcomes) == ["error"] * 4 + ["ok"] * 2
    assert all(isinstance(value, PackingError) for kind, value in outcomes if kind == "error")
    line = ShipmentLine.objects.get(shipment=shipment, order_line__seller_sku="ACME-MUG")
    assert (line.quantity, line.packed_quantity) == (2, 2)


def test_four_packers_closing_the_same_parcel_close_it_once_and_open_one_next():
    # given a picked shipment with one MUG scanned into parcel 1
    rate_card()
    _seller, account, _warehouse, _mug, _pen = acme_shop()
    [shipment] = order_route(allocated_order(account).pk)
    [wave] = waves_build(now=NOW)
    wave_pick_confirm(wave.pk)
    shipment_scan_item(shipment.pk, MUG)
    close = functools.partial(
        parcel_close, shipment.pk, weight_grams=600, length_mm=200, width_mm=150, height_mm=100, open_next=True
    )

    outcomes = race([close] * 4)

    # one closes parcel 1 and opens parcel 2; the others find parcel 2 empty and are refused
    assert kinds(outcomes) == ["error"] * 3 + ["ok"]
    assert all(isinstance(value, PackingError) for kind, value in outcomes if kind == "error")
    assert list(Parcel.objects.filter(shipment=shipment).order_by("number").values_list("number", "state")) == [
        (1, ParcelState.CLOSED),
        (2, ParcelState.OPEN),
    ]

    # scans racing into the open parcel each land once
    outcomes = race([functools.partial(shipment_scan_item, shipment.pk, MUG) for _ in range(3)])
    assert kinds(outcomes) == ["error"] * 2 + ["ok"]
    assert list(ParcelItem.objects.filter(parcel__shipment=shipment).values_list("parcel__number", "quantity")) == [
        (1, 1),
        (2, 1),
    ]
