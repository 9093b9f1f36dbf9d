"""Reservations draw on the seller's virtual stock, then on the pool warehouse nearest to the destination."""

from decimal import Decimal

import pytest

from inventory.geography import COUNTRY_CENTRES, great_circle_km
from inventory.models import ReservationAllocation, Warehouse
from inventory.nearest import pool_ranking
from inventory.services import OrderLine, order_lines_reserve, virtual_stock_lock
from tests.factories import SellerFactory, SkuFactory, WarehouseFactory, stocked


def test_great_circle_distances():
    assert great_circle_km((0, 0), (0, 90)) == pytest.approx(10_007.5, abs=1)
    assert great_circle_km((90, 0), (-90, 0)) == pytest.approx(20_015.1, abs=1)
    assert great_circle_km((51.5074, -0.1278), (48.8566, 2.3522)) == pytest.approx(343.6, abs=1)  # London - Paris


@pytest.fixture
def three_pools(db):
    """10 units in each of a Chinese, a US and a Dutch pool warehouse (ids in that order)."""
    sku, other = SkuFactory(), SkuFactory()
    warehouses = [
        WarehouseFactory(code="sz", country="CN"),
        WarehouseFactory(code="la", country="US"),
        WarehouseFactory(code="rotterdam", country="NL"),
    ]
    for warehouse in warehouses:
        stocked(sku, warehouse, 10)
        stocked(other, warehouse, 10)
    return sku, other


def allocations_of(reservation):
    return list(
        ReservationAllocation.objects.filter(reservation=reservation)
        .order_by("stock__warehouse_id")
        .values_list("stock__warehouse__code", "quantity", "reason")
    )


def km(a: str, b: str) -> int:
    return round(great_circle_km(COUNTRY_CENTRES[a], COUNTRY_CENTRES[b]))


def test_the_ranking_puts_the_destinations_country_first_then_the_nearest(three_pools):
    codes = {w.pk: w.code for w in Warehouse.objects.all()}

    assert [codes[pk] for pk in pool_ranking("DE").warehouse_ids] == ["rotterdam", "sz", "la"]
    assert [codes[pk] for pk in pool_ranking("US").warehouse_ids] == ["la", "rotterdam", "sz"]
    assert [codes[pk] for pk in pool_ranking("IN").warehouse_ids] == ["sz", "rotterdam", "la"]
    assert [codes[pk] for pk in pool_ranking("BR").warehouse_ids] == ["la", "rotterdam", "sz"]
    assert [codes[pk] for pk in pool_ranking("").warehouse_ids] == ["sz", "la", "rotterdam"]  # by id


def test_a_single_line_draws_on_the_nearest_pool_warehouse_and_says_why(three_pools):
    sku, _other = three_pools

    (reservation,) = order_lines_reserve(
        seller=SellerFactory(), lines=[OrderLine("d1", sku.pk, 2)], destination_country="DE"
    )

    assert allocations_of(reservation) == [
        ("rotterdam", 2, f"nearest pool warehouse to DE: rotterdam {km('DE', 'NL')} km")
    ]


def test_the_next_nearest_warehouse_is_used_when_the_nearest_runs_out(three_pools):
    sku, _other = three_pools
    order_lines_reserve(seller=SellerFactory(), lines=[OrderLine("d1", sku.pk, 10)], destination_country="DE")

    (reservation,) = order_lines_reserve(
        seller=SellerFactory(), lines=[OrderLine("d2", sku.pk, 3)], destination_country="DE"
    )

    assert allocations_of(reservation) == [("sz", 3, f"pool warehouse no. 2 nearest to DE: sz {km('DE', 'CN')} km")]


def test_several_lines_take_the_locking_path_and_the_same_ranking(three_pools):
    sku, other = three_pools

    reservations = order_lines_reserve(
        seller=SellerFactory(),
        lines=[OrderLine("d1", sku.pk, 12), OrderLine("d2", other.pk, 1)],
        destination_country="DE",
    )

    assert [[(code, n) for code, n, _reason in allocations_of(r)] for r in reservations] == [
        [("sz", 2), ("rotterdam", 10)],  # the line is split: the nearest first, then the next nearest
        [("rotterdam", 1)],
    ]
    assert allocations_of(reservations[1])[0][2] == f"nearest pool warehouse to DE: rotterdam {km('DE', 'NL')} km"


def test_a_warehouses_own_coordinates_beat_its_countrys_centre(db):
    sku = SkuFactory()
    inland = WarehouseFactory(code="chengdu", country="CN")  # no coordinates: China's centre
    coast = WarehouseFactory(code="shanghai", country="CN", latitude=Decimal("31.23"), longitude=Decimal("121.47"))
    for warehouse in (inland, coast):
        stocked(sku, warehouse, 5)

    (reservation,) = order_lines_reserve(
        seller=SellerFactory(), lines=[OrderLine("j1", sku.pk, 1)], destination_country="JP"
    )

    [(code, _n, reason)] = allocations_of(reservation)
    expected_km = round(great_circle_km(COUNTRY_CENTRES["JP"], (31.23, 121.47)))
    assert (code, reason) == ("shanghai", f"nearest pool warehouse to JP: shanghai {expected_km} km")


def test_the_destinations_country_comes_first_even_when_a_neighbour_is_nearer(db):
    sku = SkuFactory()
    toronto = WarehouseFactory(code="toronto", country="CA", latitude=Decimal("43.65"), longitude=Decimal("-79.38"))
    fairbanks = WarehouseFactory(
        code="fairbanks", country="US", latitude=Decimal("64.84"), longitude=Decimal("-147.72")
    )
    for warehouse in (toronto, fairbanks):
        stocked(sku, warehouse, 5)

    (reservation,) = order_lines_reserve(
        seller=SellerFactory(), lines=[OrderLine("u1", sku.pk, 1)], destination_country="US"
    )

    assert allocations_of(reservation)[0][0] == "fairbanks"


def test_the_sellers_virtual_stock_comes_first_wherever_it_is(three_pools):
    sku, _other = three_pools
    seller = SellerFactory()
    sz = Warehouse.objects.get(code="sz")
    virtual_stock_lock(seller=seller, sku=sku, warehouse=sz, quantity=4)

    (reservation,) = order_lines_reserve(seller=seller, lines=[OrderLine("v1", sku.pk, 2)], destination_country="DE")

    assert allocations_of(reservation) == [("sz", 2, "the seller's own virtual stock at sz")]


def test_an_unknown_destination_ranks_by_country_then_id_and_says_the_distance_is_unknown(three_pools):
    sku, _other = three_pools

    (reservation,) = order_lines_reserve(
        seller=SellerFactory(), lines=[OrderLine("x1", sku.pk, 1)], destination_country="XX"
    )

    assert allocations_of(reservation) == [("sz", 1, "pool warehouse sz: distance to XX unknown")]
